"""Whole numbers for POST /api/read: 2 to 8 digits from the benchmark's own strokes.

Each number takes its digits from one source (one writer), written on one line with varied
spacing (apart, close, touching, overlapping boxes) and baselines, drawn with one pen on the
canvases and looks of the single-digit benchmark. Every random choice comes from
`rng_for("benchmark", seed, 100 + ...)`, apart from the single-digit drawings' streams.
build_mixed puts a held-out non-digit among 1 to 4 digits, from streams 300 + ....
"""

from dataclasses import dataclass, field

import numpy as np

from benchmarks.drawn import SOURCES, rng_for
from benchmarks.drawn.layout import CANVASES, LOOKS, WIDTHS, _balanced, shapes
from benchmarks.drawn.nondigits import SYMBOL_KINDS, held_out_strokes
from benchmarks.drawn.shown import shown, shows_no_digit
from drawings.numbers import write_number
from reading.geometry import bounds

LENGTHS = tuple(range(2, 9))
# Space between neighbours' boxes of ink, as a share of the digit height (below 0: overlap).
SPACINGS = {
    "apart": (0.15, 0.4),
    "close": (0.03, 0.15),
    "touching": (-0.04, 0.03),
    "overlapping": (-0.15, -0.04),
}
STREAM = 100  # first rng_for part: the single-digit benchmark uses parts below
MIXED_STREAM = 300  # numbers with a non-digit among their digits (non-digits use 200-299)
MIXED_LENGTHS = (1, 2, 3, 4)  # digits besides the non-digit


@dataclass
class Number:
    """One benchmark number: strokes in CSS px, as layout.Drawing, and its digits."""

    id: int
    source: str
    label: str
    spacing: str
    strokes: list
    css: int
    dpr: int
    look: str
    brush: float
    answer: dict = field(default_factory=dict)
    kind: str = None  # of the non-digit among the digits (build_mixed), if any

    def params(self):
        """What describes this number in the JSON report."""
        return {
            "id": self.id,
            "source": self.source,
            "label": self.label,
            "spacing": self.spacing,
            "canvas": self.css * self.dpr,
            "look": self.look,
            "brush_css_px": round(self.brush, 2),
            **({"kind": self.kind} if self.kind else {}),
        }


def write(digits, rng, spacing):
    """Unit-height digits' strokes side by side on one line: strokes with height about 1."""
    return [s for strokes in write_number(digits, rng, SPACINGS[spacing]) for s in strokes]


def build_numbers(seed, count, sources=SOURCES, lengths=LENGTHS, stream=STREAM, others=None):
    """`count` numbers split evenly over sources, lengths and spacings. others: a list of
    held-out non-digits' strokes, one put in each number at a random place (label "?")."""
    numbers = []
    for part, source in enumerate(sources):
        n = count // len(sources) + (part < count % len(sources))
        rng = rng_for("benchmark", seed, stream + 2 * part + 1)
        sizes = _balanced(rng, list(lengths), n)
        pool = shapes(source, rng_for("benchmark", seed, stream + 2 * part), sum(sizes))
        pool = [pool[i] for i in rng.permutation(len(pool))]
        spacings, looks = _balanced(rng, list(SPACINGS), n), _balanced(rng, LOOKS, n)
        canvases, widths = (
            _balanced(rng, list(range(len(CANVASES))), n),
            _balanced(rng, list(WIDTHS), n),
        )
        for i, length in enumerate(sizes):
            digits, pool = pool[:length], pool[length:]
            written = [(str(d), s) for d, _, s in digits]
            if others is not None:
                written.insert(int(rng.integers(length + 1)), ("?", others[len(numbers)]))
            strokes = write([s for _, s in written], rng, spacings[i])
            css, dpr = CANVASES[canvases[i]]
            placed, brush = _place(strokes, rng, css, widths[i])
            label = "".join(text for text, _ in written)
            numbers.append(
                Number(len(numbers), source, label, spacings[i], placed, css, dpr, looks[i], brush)
            )
    return numbers


def build_mixed(seed, count):
    """`count` numbers of 1 to 4 digits with one held-out non-digit (benchmarks/drawn/
    nondigits.py, written by streams of their own) among them: no number, so read right it
    shows no digit at all. Words are left out: a word is several symbols, not one."""
    held_out = held_out_strokes(seed, count, MIXED_STREAM + 50, kinds=SYMBOL_KINDS)
    kinds = [kind for kind, made in held_out.items() for _ in made]
    others = [strokes for made in held_out.values() for _, _, strokes in made]
    order = rng_for("benchmark", seed, MIXED_STREAM + 49).permutation(len(others))
    numbers = build_numbers(
        seed, count, lengths=MIXED_LENGTHS, stream=MIXED_STREAM, others=[others[k] for k in order]
    )
    for number, k in zip(numbers, order):
        number.kind = kinds[k]
    return numbers


def summarize_mixed(numbers):
    """Of numbers with a non-digit among their digits, which is no number: the share shown as
    no digit at all (right) and the share shown as a number (wrong; an error answer is
    neither), by kind."""

    def stats(group):
        texts = [shown(x.answer) for x in group]
        return {
            "n": len(group),
            "no_digit_share": sum(shows_no_digit(t) for t in texts) / len(group),
            "shown_as_number_share": sum(
                t is not None and not t.startswith("error:") for t in texts
            )
            / len(group),
        }

    kinds = sorted({x.kind for x in numbers})
    return {
        **{kind: stats([x for x in numbers if x.kind == kind]) for kind in kinds},
        "all": stats(numbers),
    }


def print_mixed(report, out=print):
    """The table of numbers with a non-digit among their digits."""
    out("\n| non-digit among digits | drawn | no digit shown | shown as a number |")
    out("| --- | --- | --- | --- |")
    for kind, s in report.items():
        out(
            f"| {kind} | {s['n']} | {100 * s['no_digit_share']:.1f} % | "
            f"{100 * s['shown_as_number_share']:.1f} % |"
        )


def _place(strokes, rng, css, width):
    """Scale to a digit height of 20-45 % of the canvas (less when the line is long)."""
    left, top, right, bottom = bounds(strokes)
    strokes = [s - (left, top) for s in strokes]
    relative = rng.uniform(*WIDTHS[width])
    height = rng.uniform(0.2, 0.45) * css
    height = min(height, 0.95 * css / ((right - left) + relative), 0.95 * css / (bottom - top))
    brush = max(1.0, relative * height)
    room = np.array([css - (right - left) * height, css - (bottom - top) * height]) - brush
    offset = brush / 2 + rng.uniform(0.05, 0.95, size=2) * np.maximum(room, 0)
    return [s * height + offset for s in strokes], brush


def _errors(truth, read):
    """(substituted, dropped, extra) digits of the cheapest edit from truth to read."""
    # cost[i][j]: (edits, substituted, dropped, extra) turning truth[:i] into read[:j]
    cost = [[(j, 0, 0, j) for j in range(len(read) + 1)]]
    for i, want in enumerate(truth, 1):
        row = [(i, 0, i, 0)]
        for j, got in enumerate(read, 1):
            diag = cost[i - 1][j - 1]
            row.append(
                min(
                    (diag[0] + (want != got), diag[1] + (want != got), diag[2], diag[3]),
                    (
                        cost[i - 1][j][0] + 1,
                        cost[i - 1][j][1],
                        cost[i - 1][j][2] + 1,
                        cost[i - 1][j][3],
                    ),
                    (row[j - 1][0] + 1, row[j - 1][1], row[j - 1][2], row[j - 1][3] + 1),
                )
            )
        cost.append(row)
    return cost[-1][-1][1:]


def read_of(number, way=None):
    """The number shown for it asked `way` (benchmarks/drawn/shown.py), or as its .answer says
    when no way is named; "" when no digit is shown or the server refused it."""
    text = shown(number.answer if way is None else number.answers[way])
    return "" if text is None or text.startswith("error:") else text


def _stats(numbers, way=None):
    n = len(numbers)
    if not n:
        return {"n": 0}
    reads = [read_of(x, way) for x in numbers]
    exact = sum(r == x.label for r, x in zip(reads, numbers))
    counted = [x for r, x in zip(reads, numbers) if len(r) == len(x.label)]
    digits = sum(len(x.label) for x in numbers)
    wrong = [_errors(x.label, r) for r, x in zip(reads, numbers)]
    right_digits = digits - sum(s + d for s, d, _ in wrong)
    counted_right = sum(
        a == b for r, x in zip(reads, numbers) if len(r) == len(x.label) for a, b in zip(x.label, r)
    )
    return {
        "n": n,
        "exact": exact,
        "exact_share": exact / n,
        "digit_count_right": len(counted) / n,  # splitting found as many digits as drawn
        "digits": digits,
        "digit_accuracy": right_digits / digits,
        "extra_digits": sum(e for _, _, e in wrong),
        # classification alone: digit accuracy where the splitting counted right
        "digit_accuracy_when_counted_right": (
            counted_right / sum(len(x.label) for x in counted) if counted else None
        ),
    }


def summarize_numbers(numbers, single_accuracy=None, way=None):
    """Numbers shown exactly and per-digit accuracy by length, spacing and source, as plain
    data; asked `way`, or as each number's .answer says when no way is named."""
    misread = [
        {**x.params(), "read": read_of(x, way)} for x in numbers if read_of(x, way) != x.label
    ]
    return {
        "all": _stats(numbers, way),
        "single_digit_accuracy": single_accuracy,
        "by_length": {k: _stats([x for x in numbers if len(x.label) == k], way) for k in LENGTHS},
        "by_spacing": {k: _stats([x for x in numbers if x.spacing == k], way) for k in SPACINGS},
        "by_source": {k: _stats([x for x in numbers if x.source == k], way) for k in SOURCES},
        "misread": misread,
    }


def print_numbers(report, out=print):
    """The tables the README shows."""

    def row(name, s):
        return (
            f"| {name} | {s['n']} | {100 * s['exact_share']:.1f} % | "
            f"{100 * s['digit_count_right']:.1f} % | {100 * s['digit_accuracy']:.2f} % |"
        )

    out("\n| numbers | drawn | read exactly | digits counted right | per-digit accuracy |")
    out("| --- | --- | --- | --- | --- |")
    for length, stats in report["by_length"].items():
        out(row(f"{length} digits", stats))
    for spacing, stats in report["by_spacing"].items():
        out(row(spacing, stats))
    out(row("all", report["all"]))
    single = report["single_digit_accuracy"]
    if single is not None:
        out(
            f"\nPer-digit accuracy {100 * report['all']['digit_accuracy']:.2f} % vs "
            f"{100 * single:.2f} % for single digits; where the digits were counted right, "
            f"{100 * (report['all']['digit_accuracy_when_counted_right'] or 0):.2f} %."
        )
