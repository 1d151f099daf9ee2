"""benchmarks/choose_notdigit_threshold.py: thresholds tried end to end on validation drawings,
the lowest within the limit chosen and written into the card the server reads."""

import json
import shutil
import subprocess
import sys

import pytest

from webapp import ROOT
from webapp.classifier import NotDigitModel

pytestmark = pytest.mark.slow

SAVED = ROOT / "model" / "saved"


def choose(tmp_path, *args):
    """Run the tool on a copy of the shipped not-digit model in tmp_path, on a few drawings:
    (the finished process, the copy's path)."""
    for suffix in (".tflite", ".card.json"):
        shutil.copy(SAVED / f"notdigit{suffix}", tmp_path / f"notdigit{suffix}")
    model = tmp_path / "notdigit.tflite"
    few = ["--count", "40", "--non-digits", "12", "--out", str(tmp_path / "table.json")]
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "choose_notdigit_threshold.py"),
            *few,
            *["--model", str(model), *args],
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, model


def test_the_lowest_threshold_within_the_limit_is_chosen_and_written(tmp_path):
    # 0.0 refuses every drawing, 0.999 almost none: a limit of 100 % lets both through.
    done, model = choose(tmp_path, "--thresholds", "0.999", "0.0", "--limit", "1.0", "--write")
    assert done.returncode == 0, done.stdout + done.stderr
    table = json.loads((tmp_path / "table.json").read_text())
    strict, loose = table["table"]["0.0"], table["table"]["0.999"]
    assert strict["refused"]["page"]["all"] == 1.0 and strict["no digit shown"]["page"]["all"] == 1
    assert loose["refused"]["predict"]["all"] < 0.5
    assert table["chosen"] == 0.0 and table["seeds"] == [1, 2]
    served = NotDigitModel(model)
    assert served.threshold == 0.0 and "end to end" in served.card["threshold_chosen"]
    assert served.card["mnist_test_rejected"] == 1.0
    assert "training_threshold" in served.card


def test_no_threshold_within_the_limit_says_so_and_writes_nothing(tmp_path):
    done, model = choose(tmp_path, "--thresholds", "0.0", "--write")
    assert done.returncode == 1 and "try higher" in done.stdout
    assert NotDigitModel(model).card == json.loads((SAVED / "notdigit.card.json").read_text())
