"""Digits traced back into pen strokes: thin the digit to its skeleton, follow it.

`trace_strokes` takes any grayscale digit (ink high): training traces MNIST's *training* set and
redraws it with other pens; the drawn-digit benchmark traces the *test* set only.
"""

import numpy as np
from PIL import Image
from skimage.morphology import skeletonize

from reading.geometry import simplify

WORK_SIDE = 112  # small images are upsampled to about this: the skeleton comes out smoother
NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def trace_strokes(
    image: np.ndarray,
    threshold: float = 0.5,
    min_spur: float = 0.08,
    max_turn: float = 60.0,
    epsilon: float = 0.5,
) -> list[np.ndarray]:
    """Grayscale digit (2-D array, ink high) -> strokes: float arrays (n, 2) of (x, y).

    threshold: ink level (of the maximum) that counts as stroke; 0.5 kept loops open best on
    MNIST (measured as the number of holes before and after a redraw).
    Coordinates are in the image's pixels (x right, y down; pixel i spans [i, i + 1]).
    min_spur: skeleton branches ending in the open that are shorter than this fraction of the
    image side are thinning artifacts and are dropped. max_turn: at a junction the pen goes
    on along the branch that turns least, if it turns less than this many degrees.
    epsilon: simplification tolerance in upsampled pixels.
    """
    ink = np.asarray(image, dtype=np.float32)
    ink = ink / max(float(ink.max()), 1e-6)
    factor = max(1, round(WORK_SIDE / max(ink.shape)))
    big = Image.fromarray(ink, mode="F").resize(
        (ink.shape[1] * factor, ink.shape[0] * factor), Image.Resampling.BICUBIC
    )
    skeleton = skeletonize(np.asarray(big) > threshold)
    graph = _pixel_graph(skeleton)
    edges = _prune_spurs(_edges(graph), graph, min_spur * max(skeleton.shape))
    strokes = []
    for path in _join(edges, max_turn):
        points = np.asarray([(c, r) for r, c in path], dtype=float)
        strokes.append((simplify(points, epsilon) + 0.5) / factor)
    return strokes


def skeleton_edges(
    skeleton: np.ndarray, min_spur: float, min_link: float = 0
) -> list[list[tuple[int, int]]]:
    """A one-pixel-wide skeleton -> its edges: paths of (row, col) between junctions and ends
    (a closed loop is one path). Spurs shorter than min_spur pixels are dropped, and so are
    links shorter than min_link between two junctions (a thick joint thins into a knot of
    them); edges that then meet where no third one does are joined into one."""
    graph = _pixel_graph(skeleton)
    edges = _prune_spurs(_edges(graph), graph, min_spur)
    ends = {p for p, near in graph.items() if len(near) == 1}
    edges = [e for e in edges if len(e) >= min_link or e[0] in ends or e[-1] in ends]
    return _merge_through(edges, max(1, min_link))


def _merge_through(edges, reach):
    """Join edges whose ends meet (within `reach` pixels) where no third edge ends, so that one
    stroke between two real junctions is one edge."""
    edges = [list(edge) for edge in edges]
    while True:
        open_ends = [
            (k, side) for k, edge in enumerate(edges) if edge[0] != edge[-1] for side in (0, -1)
        ]
        points = np.array([edges[k][side] for k, side in open_ends]).reshape(-1, 2)
        near = np.abs(points[:, None] - points[None]).max(axis=2) <= reach
        pair = next(
            (
                (a, b)
                for a in range(len(open_ends))
                if near[a].sum() == 2
                for b in np.flatnonzero(near[a])
                if b != a and near[b].sum() == 2 and open_ends[a][0] != open_ends[b][0]
            ),
            None,
        )
        if pair is None:
            return edges
        (a, side_a), (b, side_b) = open_ends[pair[0]], open_ends[pair[1]]
        first = edges[a] if side_a == -1 else edges[a][::-1]
        second = edges[b] if side_b == 0 else edges[b][::-1]
        edges[a] = first + second
        del edges[b]


def _pixel_graph(skeleton):
    """Neighbour sets of skeleton pixels; a diagonal step is dropped where a 4-neighbour
    path exists, so staircase corners do not look like junctions."""
    pixels = set(zip(*np.nonzero(skeleton)))
    graph = {}
    for r, c in pixels:
        near = {(r + dr, c + dc) for dr, dc in NEIGHBOURS if (r + dr, c + dc) in pixels}
        graph[(r, c)] = {
            (nr, nc)
            for nr, nc in near
            if nr == r or nc == c or ((r, nc) not in pixels and (nr, c) not in pixels)
        }
    return graph


def _edges(graph):
    """Split the skeleton into paths between nodes (pixels with other than two neighbours);
    closed loops without any node become one path that ends where it starts."""
    nodes = {p for p, near in graph.items() if len(near) != 2}
    seen, edges = set(), []

    def walk(start, step):
        path, previous, current = [start], start, step
        while True:
            seen.add(frozenset((previous, current)))
            path.append(current)
            if current in nodes or current == start:
                return path
            following = [p for p in graph[current] if p != previous]
            previous, current = current, following[0]

    for node in sorted(nodes):
        if not graph[node]:
            edges.append([node])  # an isolated pixel: a dot
        for step in sorted(graph[node]):
            if frozenset((node, step)) not in seen:
                edges.append(walk(node, step))
    for pixel in sorted(graph):  # what is left are loops with no node on them
        if pixel not in nodes and not any(frozenset((pixel, p)) in seen for p in graph[pixel]):
            edges.append(walk(pixel, min(graph[pixel])))
    return edges


def _prune_spurs(edges, graph, min_length):
    """Drop short branches from a junction to a loose end (thick strokes thin into these)."""
    ends = {p for p, near in graph.items() if len(near) == 1}
    junctions = {p for p, near in graph.items() if len(near) >= 3}
    kept = []
    for path in edges:
        a, b = path[0], path[-1]
        spur = (a in ends and b in junctions) or (b in ends and a in junctions)
        if not (spur and len(path) < min_length):
            kept.append(path)
    return kept


def _heading(path, back=6):
    """Unit direction (dr, dc) of the last few pixels of a path."""
    tail = np.subtract(path[-1], path[max(0, len(path) - 1 - back)]).astype(float)
    return tail / max(np.hypot(*tail), 1e-9)


def _join(edges, max_turn):
    """Chain edges into pen strokes: start at the topmost loose end, go on where it turns
    least (always where only one way goes on), then the same backwards from the start."""
    free = dict(enumerate(edges))
    counts: dict[tuple[int, int], int] = {}
    for path in edges:
        for end in (path[0], path[-1]):
            counts[end] = counts.get(end, 0) + 1
    limit = np.cos(np.radians(max_turn))

    def extend(stroke):
        while True:
            node, heading = stroke[-1], _heading(stroke)
            options = []
            for key, path in free.items():
                for candidate in (path, path[::-1]):
                    if candidate[0] == node:
                        options.append((float(heading @ _heading(candidate[:7])), key, candidate))
            if not options:
                return stroke
            score, key, path = max(options, key=lambda o: o[0])
            if counts[node] != 2 and score < limit:
                return stroke
            del free[key]
            stroke = stroke + path[1:]

    strokes = []
    while free:
        loose = [(p, k) for k, path in free.items() for p in (path[0], path[-1]) if counts[p] == 1]
        if loose:
            start, key = min(loose)
            path = free.pop(key)
            stroke = path if path[0] == start else path[::-1]
        else:
            key = min(free, key=lambda k: min(free[k]))
            stroke = free.pop(key)
        stroke = extend(extend(stroke)[::-1])[::-1]
        strokes.append(stroke)
    return strokes
