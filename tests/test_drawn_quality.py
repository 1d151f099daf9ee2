"""Quality gates on drawn digits: a model that reads drawings worse than the shipped one fails.

1,200 digits (300 a source) and 600 held-out non-digits (100 a kind) of the benchmark's
validation seed, asked the page's way and the plain /api/predict way through the real app with
the shipped models (tests/drawn_gate.py). Each gate below is what the shipped models scored on
exactly these drawings (hits of n); its limit is that share less 3 binomial standard errors
(or more, for digits refused), written beside it. A retrained model as good as the shipped one
stays inside the margin; the slow tests at the end serve weaker ones and show the gates catch
them.
Rendering and asking take about 3 minutes; each weaker model about 1 more.
"""

import json
import shutil

import pytest
from drawn_gate import GATE_SEED, Gate, broken, gate_drawings, measure

from benchmarks.drawn.layout import build
from webapp import ROOT, create_app

pytestmark = pytest.mark.slow

SAVED = ROOT / "model" / "saved"

# Measured with the shipped models, the not-digit model two averaged with its threshold chosen end
# to end (0.8), and the verdict of reading/verdict.py, on 2026-12-07: (way, figure, group):
# Gate(hits, n).
# The limits follow (drawn_gate.Gate.limit).
GATES = {
    ("page", "shown right", "fonts"): Gate(291, 300),  # limit 93.8 %
    ("page", "shown right", "hershey"): Gate(287, 300),  # limit 91.9 %
    ("page", "shown right", "mnist"): Gate(291, 300),  # limit 93.8 %
    ("page", "shown right", "templates"): Gate(299, 300),  # limit 98.0 %
    ("page", "shown right", "all"): Gate(1168, 1200),  # limit 95.9 %
    ("page", "refused", "all"): Gate(4, 1200, lower_is_better=True),  # limit 0.9 %
    ("page", "no digit shown", "doodles"): Gate(72, 100),  # limit 58.4 %
    ("page", "no digit shown", "faces"): Gate(93, 100),  # limit 84.6 %
    ("page", "no digit shown", "font letters"): Gate(71, 100),  # limit 57.3 %
    ("page", "no digit shown", "scribbles"): Gate(89, 100),  # limit 79.1 %
    ("page", "no digit shown", "shapes"): Gate(90, 100),  # limit 80.4 %
    ("page", "no digit shown", "words"): Gate(94, 100),  # limit 86.0 %
    ("page", "no digit shown", "all"): Gate(509, 600),  # limit 80.4 %
    ("predict", "shown right", "fonts"): Gate(290, 300),  # limit 93.3 %
    ("predict", "shown right", "hershey"): Gate(289, 300),  # limit 92.8 %
    ("predict", "shown right", "mnist"): Gate(291, 300),  # limit 93.8 %
    ("predict", "shown right", "templates"): Gate(300, 300),  # limit 98.6 %
    ("predict", "shown right", "all"): Gate(1170, 1200),  # limit 96.1 %
    ("predict", "refused", "all"): Gate(5, 1200, lower_is_better=True),  # limit 1.1 %
    ("predict", "no digit shown", "doodles"): Gate(82, 100),  # limit 70.2 %
    ("predict", "no digit shown", "faces"): Gate(95, 100),  # limit 87.5 %
    ("predict", "no digit shown", "font letters"): Gate(65, 100),  # limit 50.6 %
    ("predict", "no digit shown", "scribbles"): Gate(93, 100),  # limit 84.6 %
    ("predict", "no digit shown", "shapes"): Gate(95, 100),  # limit 87.5 %
    ("predict", "no digit shown", "words"): Gate(95, 100),  # limit 87.5 %
    ("predict", "no digit shown", "all"): Gate(525, 600),  # limit 83.4 %
}


@pytest.fixture(scope="module")
def drawings(browser):
    return gate_drawings(browser)


def served(tmp_path, **config):
    """A test client of the real app serving the given model paths (the rest shipped)."""
    database = f"sqlite:///{tmp_path / 'corrections.sqlite3'}"
    return create_app({"TESTING": True, "DATABASE_URL": database, **config}).test_client()


def test_drawn_quality_gates_hold_for_the_shipped_models(client, drawings):
    failures = broken(GATES, measure(client, *drawings))
    assert not failures, "The served models read drawings worse than the shipped ones:\n" + (
        "\n".join(failures)
    )


def test_drawn_quality_gate_limits_leave_the_binomial_margin():
    gate = Gate(275, 300)
    # p = 277/304, standard error sqrt(p (1 - p) / 300) = 0.01643: 3 of them below 91.67 %.
    assert gate.limit == pytest.approx(275 / 300 - 3 * 0.01643, abs=1e-4)
    assert Gate(300, 300).limit < 1 and Gate(0, 300, lower_is_better=True).limit > 0
    assert Gate(7, 1200, lower_is_better=True).holds(0.013)
    assert not Gate(7, 1200, lower_is_better=True).holds(0.014)


def test_drawn_quality_drawings_are_fixed_by_their_seed():
    first, again = build(GATE_SEED, 20), build(GATE_SEED, 20)
    assert [d.params() for d in first] == [d.params() for d in again]
    assert all((a.strokes[0] == b.strokes[0]).all() for a, b in zip(first, again))


def _with_threshold(tmp_path, threshold):
    """The shipped not-digit model with another threshold on its card."""
    shutil.copy(SAVED / "notdigit.tflite", tmp_path / "notdigit.tflite")
    card = json.loads((SAVED / "notdigit.card.json").read_text())
    (tmp_path / "notdigit.card.json").write_text(json.dumps({**card, "threshold": threshold}))
    return str(tmp_path / "notdigit.tflite")


LOOSE = 0.99  # the shipped threshold, chosen end to end, is 0.8


def _threshold_for(reject_share):
    """The threshold training's validation curve gives for this share of digits rejected."""
    card = json.loads((SAVED / "notdigit.card.json").read_text())
    return next(
        point["threshold"]
        for point in card["validation_curve"]
        if point["reject_share"] == reject_share
    )


# Each weaker configuration, and the figure whose gate must catch it. Measured on 2026-12-07,
# the first two beside the not-digit model before the average: the tutorial MLP showed 86.0 % of
# the digits right the plain way (shipped then 98.0 %, now 97.5 %); the Keras example convnet,
# trained on MNIST alone (99.2 % on MNIST test), 91.6 %. With the average, the not-digit
# threshold 0.99 showed 65.8 % of the non-digits as no digit the plain way (shipped 87.5 %);
# the one training would pick for 2 % of its digits refused 1.83 % of the digits the page's
# way (shipped 0.33 %).
WEAKER = {
    "tutorial MLP": (lambda tmp: {"MODEL_PATH": str(SAVED / "mlp.tflite")}, "shown right"),
    "Keras example convnet, MNIST only": (
        lambda tmp: {
            "MODEL_PATH": str(ROOT / "tests" / "data" / "keras_example_convnet.tflite"),
            "NOTDIGIT_MODEL_PATH": str(SAVED / "notdigit.tflite"),
            "ONEDIGIT_MODEL_PATH": str(SAVED / "onedigit.tflite"),
            "NUMBER_MODEL_PATH": str(SAVED / "number.tflite"),
        },
        "shown right",
    ),
    "not-digit threshold too loose": (
        lambda tmp: {"NOTDIGIT_MODEL_PATH": _with_threshold(tmp, LOOSE)},
        "no digit shown",
    ),
    "not-digit threshold too strict": (
        lambda tmp: {"NOTDIGIT_MODEL_PATH": _with_threshold(tmp, _threshold_for(0.02))},
        "refused",
    ),
}


@pytest.mark.parametrize("name", WEAKER)
def test_drawn_quality_gates_catch_a_weaker_model(tmp_path, drawings, name):
    config, figure = WEAKER[name]
    failures = broken(GATES, measure(served(tmp_path, **config(tmp_path)), *drawings))
    assert any(f" / {figure} / " in line for line in failures), (
        f"{name} passed the {figure!r} gates: {failures}"
    )
