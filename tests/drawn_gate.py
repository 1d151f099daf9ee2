"""The drawn-quality gate: what a person would be shown for a fixed set of drawings, against
floors set from the shipped models' measured figures (tests/test_drawn_quality.py).

Drawings come from the benchmark's own generators on a validation seed (benchmarks/seeds.py):
single digits of every source and held-out non-digits, each rendered twice in Chromium, as
the benchmark draws it and as the page would (its pen, its 280 px export), and asked through
the app the page's way (form with strokes, `Prefer: read, explain`) and the plain way (the
image alone on /api/predict). Scored by benchmarks/drawn/shown.py: a digit refused as "not a
digit" is wrong, a digit shown for a non-digit is wrong.
"""

import math
from dataclasses import dataclass

from benchmarks.drawn import SOURCES
from benchmarks.drawn.client import as_page_draws, page_strokes, request_for
from benchmarks.drawn.layout import build
from benchmarks.drawn.nondigits import build_non_digits
from benchmarks.drawn.render import CanvasRenderer
from benchmarks.drawn.shown import shown, shows_no_digit
from benchmarks.seeds import VALIDATION_SEEDS

GATE_SEED = VALIDATION_SEEDS[0]
DIGITS = 1200  # 300 a source
NON_DIGITS = 600  # 100 a kind
WAYS = ("page", "predict")
MARGIN_SE = 3  # a floor is the shipped figure less this many binomial standard errors


@dataclass(frozen=True)
class Gate:
    """One gated figure: `hits` of `n` measured with the shipped models; higher is better
    unless `lower_is_better`. The limit is the measured share moved MARGIN_SE standard errors
    the worse way, the standard error from the add-two estimate so that a perfect score still
    leaves room (p = (hits + 2) / (n + 4))."""

    hits: int
    n: int
    lower_is_better: bool = False

    @property
    def measured(self):
        return self.hits / self.n

    @property
    def limit(self):
        p = (self.hits + 2) / (self.n + 4)
        margin = MARGIN_SE * math.sqrt(p * (1 - p) / self.n)
        return self.measured + margin if self.lower_is_better else self.measured - margin

    def holds(self, share):
        return share <= self.limit if self.lower_is_better else share >= self.limit


def gate_drawings(browser):
    """The gate's digits and non-digits, each with .pngs: {way: PNG} and .sent_strokes."""
    digits = build(GATE_SEED, DIGITS)
    non_digits = build_non_digits(GATE_SEED, NON_DIGITS, first_id=len(digits))
    drawings = digits + non_digits
    renderer = CanvasRenderer(browser)
    twins = [as_page_draws(d) for d in drawings]
    for drawing, plain, page, twin in zip(
        drawings, renderer.render(drawings), renderer.render(twins), twins
    ):
        drawing.pngs = {"predict": plain, "page": page}
        drawing.sent_strokes = page_strokes(twin)
    renderer.close()
    return digits, non_digits


def ask(client, drawing, way):
    """What the person is shown for the drawing asked `way` through the app's test client."""
    path, body, headers = request_for(way, drawing.pngs[way], drawing.sent_strokes)
    response = client.post(path, data=body, headers=headers)
    answer = response.get_json()
    assert response.status_code in (200, 422), (response.status_code, answer)
    if response.status_code != 200:
        answer = {"error": answer["error"]["code"]}
    return shown(answer)


def measure(client, digits, non_digits):
    """The gated figures as (hits, n) counts, keyed (way, what, group)."""
    counts = {}
    for way in WAYS:
        texts = {d.id: ask(client, d, way) for d in digits + non_digits}
        for source in (*SOURCES, "all"):
            group = [d for d in digits if source in ("all", d.source)]
            right = sum(texts[d.id] == str(d.label) for d in group)
            refused = sum(shows_no_digit(texts[d.id]) for d in group)
            counts[(way, "shown right", source)] = (right, len(group))
            counts[(way, "refused", source)] = (refused, len(group))
        kinds = sorted({d.source for d in non_digits})
        for kind in (*kinds, "all"):
            group = [d for d in non_digits if kind in ("all", d.source)]
            counts[(way, "no digit shown", kind)] = (
                sum(shows_no_digit(texts[d.id]) for d in group),
                len(group),
            )
    return counts


def broken(gates, counts):
    """The gates a measurement breaks, as readable lines (empty: every gate holds)."""
    lines = []
    for key, gate in gates.items():
        hits, n = counts[key]
        assert n == gate.n, f"{key}: {n} drawings measured, the gate was set on {gate.n}"
        if not gate.holds(hits / n):
            side = "above" if gate.lower_is_better else "below"
            lines.append(
                f"{' / '.join(key)}: {hits}/{n} = {hits / n:.2%}, {side} the limit "
                f"{gate.limit:.2%} (shipped {gate.measured:.2%})"
            )
    return lines
