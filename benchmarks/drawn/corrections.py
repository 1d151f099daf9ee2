"""Simulated corrections for the correction loop: what people would send for the
benchmark's weakest styles, and the fresh drawings that report what they changed.

Three sets, kept apart (benchmarks/SEEDS.md):
- the choosing set: the benchmark's drawings of one seed; the weakest styles are ranked on it;
- the corrections: new drawings of those styles, written and laid out by training random
  streams (`rng_for("training", seed, STREAM + ...)`);
- the report set: the benchmark's drawings of another seed, of every source and, more of them,
  of the chosen styles (`rng_for("benchmark", seed, REPORT_STREAM + ...)`), less any that
  writes a digit of the other two sets.
`shared_shapes` checks that no drawing of one set writes a digit of another. Only the
corrections the server misreads are sent to POST /api/feedback, with their true label: what a
person would do.
"""

import json
import urllib.error
import urllib.request

import numpy as np

from benchmarks.drawn import rng_for
from benchmarks.drawn.client import predict_all
from benchmarks.drawn.layout import build, lay_out
from benchmarks.drawn.report import answer_of, style_of

STREAM = 800  # training parts from here on: apart from model/drawn.py's and the tests'
# Benchmark parts of the report drawings of chosen styles: apart from the digits' (below 100),
# the numbers' and non-digits' (100-399), the page sample's (1000) and read_latency's (900).
REPORT_STREAM = 1200


def weakest_styles(drawings, k=4, min_errors=3):
    """The k styles (template style, font face, Hershey face) with the highest error rate and
    at least min_errors errors, worst first: dicts of source, style, n, errors, accuracy."""
    groups = {}
    for d in drawings:
        if d.source != "mnist":  # an MNIST "style" is one test image
            groups.setdefault((d.source, style_of(d)), []).append(d)
    rows = []
    for (source, style), ds in groups.items():
        errors = sum(answer_of(d) != d.label for d in ds)
        rows.append(
            {
                "source": source,
                "style": style,
                "n": len(ds),
                "errors": errors,
                "accuracy": 1 - errors / len(ds),
            }
        )
    rows.sort(key=lambda r: (r["accuracy"], -r["errors"], r["source"], r["style"]))
    return [r for r in rows if r["errors"] >= min_errors][:k]


def style_shapes(source, style, rng, count):
    """`count` digits of one style as (label, style, strokes): a template style such as
    '7-crossbar' (one digit), or every digit of a font or Hershey face."""
    from benchmarks.drawn import strokes_fonts
    from drawings.templates import random_template

    if source == "templates":
        digit, name = style.split("-", 1)
        return [(int(digit), name, random_template(rng, int(digit), name)[1]) for _ in range(count)]
    maker = {"fonts": strokes_fonts.fonts, "hershey": strokes_fonts.hershey}[source]
    return list(maker(rng, count, faces={style}))


def style_drawings(styles, per_style, rng_of, first_id=0):
    """`per_style` drawings of each style (dicts with source and style): the shapes of the i-th
    style from rng_of(2 * i), their canvases and pens from rng_of(2 * i + 1)."""
    drawings = []
    for part, chosen in enumerate(styles):
        shapes = style_shapes(chosen["source"], chosen["style"], rng_of(2 * part), per_style)
        drawings += lay_out(
            chosen["source"], shapes, rng_of(2 * part + 1), first_id + len(drawings)
        )
    return drawings


def correction_drawings(styles, per_style, seed=0, first_id=0):
    """`per_style` new drawings of each style (dicts with source and style), every random
    choice from the training streams, never the benchmark's."""
    return style_drawings(
        styles, per_style, lambda part: rng_for("training", seed, STREAM + part), first_id
    )


def report_drawings(styles, seed, count, per_style, apart_from=(), first_id=0):
    """The report set of a seed: (`count` benchmark drawings of every source, `per_style` more
    of each chosen style, how many were dropped), every random choice from the benchmark's
    streams, less the drawings that write a digit of `apart_from` (the choosing set and the
    corrections; an MNIST test digit two seeds both trace, say)."""
    every = build(seed, count)
    for drawing in every:
        drawing.id += first_id
    of_styles = style_drawings(
        styles,
        per_style,
        lambda part: rng_for("benchmark", seed, REPORT_STREAM + part),
        first_id + count,
    )
    taken = {shape_key(d) for d in apart_from}
    kept = [[d for d in drawings if shape_key(d) not in taken] for drawings in (every, of_styles)]
    return kept[0], kept[1], len(every) + len(of_styles) - len(kept[0]) - len(kept[1])


def shape_key(drawing):
    """The written digit, whatever its place and size on the canvas: label and strokes moved to
    the origin and scaled to height 1, rounded."""
    points = np.concatenate([np.asarray(s, dtype=float) for s in drawing.strokes])
    low = points.min(0)
    height = max(float(np.ptp(points[:, 1])), 1e-9)
    strokes = [np.round((np.asarray(s, dtype=float) - low) / height, 3) for s in drawing.strokes]
    return drawing.label, tuple(s.tobytes() for s in strokes)


def shared_shapes(drawings, others):
    """How many of `drawings` write the same digit as one of `others` (0: kept apart)."""
    keys = {shape_key(d) for d in others}
    return sum(shape_key(d) in keys for d in drawings)


def post_feedback(url, png, label, timeout=30):
    """POST a correction (raw PNG, ?label=); returns the stored id."""
    request = urllib.request.Request(
        f"{url}/api/feedback?label={int(label)}", data=png, headers={"Content-Type": "image/png"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)["id"]
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"POST /api/feedback answered {error.code}: {error.read()[:300]!r}"
        ) from None


def send_corrections(url, drawings, pngs, workers=2):
    """Ask /api/predict about each drawing; send every misread one to /api/feedback with its
    true label. Fills in each drawing's answer; returns the misread drawings.
    An error answer (say empty_drawing) is not sent: there was no answer to correct."""
    for drawing, answer in zip(drawings, predict_all(url, pngs, workers)):
        drawing.answer = answer
    wrong = [
        (d, png)
        for d, png in zip(drawings, pngs)
        if answer_of(d) is not None and answer_of(d) != d.label
    ]
    for drawing, png in wrong:
        drawing.answer["feedback_id"] = post_feedback(url, png, drawing.label)
    return [d for d, _ in wrong]
