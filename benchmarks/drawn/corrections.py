"""Simulated corrections for the feedback loop (issue 8): what people would send for the
benchmark's weakest styles.

The weakest styles are ranked on the benchmark's own evaluation drawings. The corrections are
new drawings of those styles, written and laid out by separate random streams
(`rng_for("training", seed, STREAM + ...)`), so no correction is an evaluation drawing;
`shared_shapes` checks that. Only the drawings the server misreads are sent to
POST /api/feedback, with their true label: what a person would do.
"""

import json
import urllib.error
import urllib.request

import numpy as np

from benchmarks.drawn import rng_for
from benchmarks.drawn.client import predict_all
from benchmarks.drawn.layout import lay_out
from benchmarks.drawn.report import answer_of, style_of

STREAM = 800  # training parts from here on: apart from model/drawn.py's and the tests'


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
        rows.append({"source": source, "style": style, "n": len(ds), "errors": errors,
                     "accuracy": 1 - errors / len(ds)})
    rows.sort(key=lambda r: (r["accuracy"], -r["errors"], r["source"], r["style"]))
    return [r for r in rows if r["errors"] >= min_errors][:k]


def style_shapes(source, style, rng, count):
    """`count` digits of one style as (label, style, strokes): a template style such as
    '7-crossbar' (one digit), or every digit of a font or Hershey face."""
    from benchmarks.drawn import strokes_fonts
    from model.strokes.templates import random_template

    if source == "templates":
        digit, name = style.split("-", 1)
        return [(int(digit), name, random_template(rng, int(digit), name)[1])
                for _ in range(count)]
    maker = {"fonts": strokes_fonts.fonts, "hershey": strokes_fonts.hershey}[source]
    return list(maker(rng, count, faces={style}))


def correction_drawings(styles, per_style, seed=0, first_id=0):
    """`per_style` new drawings of each style (dicts with source and style), every random
    choice from the training streams, never the benchmark's."""
    drawings = []
    for part, chosen in enumerate(styles):
        shapes = style_shapes(chosen["source"], chosen["style"],
                              rng_for("training", seed, STREAM + 2 * part), per_style)
        pens = rng_for("training", seed, STREAM + 2 * part + 1)
        drawings += lay_out(chosen["source"], shapes, pens, first_id + len(drawings))
    return drawings


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
    request = urllib.request.Request(f"{url}/api/feedback?label={int(label)}", data=png,
                                     headers={"Content-Type": "image/png"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)["id"]
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"POST /api/feedback answered {error.code}: "
                           f"{error.read()[:300]!r}") from None


def send_corrections(url, drawings, pngs, workers=2):
    """Ask /api/predict about each drawing; send every misread one to /api/feedback with its
    true label. Fills in each drawing's answer; returns the misread drawings.
    An error answer (say empty_drawing) is not sent: there was no answer to correct."""
    for drawing, answer in zip(drawings, predict_all(url, pngs, workers)):
        drawing.answer = answer
    wrong = [(d, png) for d, png in zip(drawings, pngs)
             if answer_of(d) is not None and answer_of(d) != d.label]
    for drawing, png in wrong:
        drawing.answer["feedback_id"] = post_feedback(url, png, drawing.label)
    return [d for d, _ in wrong]
