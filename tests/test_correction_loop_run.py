"""benchmarks/correction_loop.py run for real on a small scale: the Procfile's server, Chromium,
POST /api/feedback into SQLite, the fine-tune command, the server again on the new version,
and the sets that choose and report kept apart.

Run as its own process (Playwright's sync API allows one per process; the session's browser
fixture may hold it). tests/test_finetune.py proves the fine-tune's judgement; this proves the
wiring around it, and that the shipped model is left alone.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from model.card import read_card
from model.correction_data import load_corrections
from reading.models import DIGITS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def shipped_files():
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in DIGITS.keras.parent.glob("digits.*")
    }


def test_correction_loop_run_sends_misread_drawings_and_serves_the_finetuned_copy(tmp_path):
    shipped, work, out = shipped_files(), tmp_path / "work", tmp_path / "loop.json"
    instance_db = ROOT / "instance" / "feedback.sqlite3"
    instance_before = instance_db.stat().st_mtime_ns if instance_db.exists() else None
    # A small scale: the (up to) three worst styles of 800 drawings, 300 new drawings of each (with
    # fewer, a good model may misread too few to fine-tune on), a report set of 400 + 100 each.
    subprocess.run(
        [
            sys.executable,
            "benchmarks/correction_loop.py",
            "--count",
            "800",
            "--styles",
            "3",
            "--min-errors",
            "1",
            "--per-style",
            "300",
            "--report-count",
            "400",
            "--report-per-style",
            "100",
            "--mnist-subset",
            "2000",
            "--epochs",
            "1",
            "--work",
            str(work),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        timeout=400,
    )
    report = json.loads(out.read_text())

    # Every correction the server stored is a misread correction drawing, with its true label.
    x, y, predicted = load_corrections(work / "feedback.sqlite3")
    styles = report["choosing"]["weakest_styles"]
    assert len(y) == report["corrections"]["sent"] >= 4
    assert (predicted != y).all()
    assert report["corrections"]["drawn"] == 300 * len(styles)
    assert report["corrections"]["shared_with_choosing"] == 0
    assert sum(s["sent"] for s in report["corrections"]["by_style"].values()) == len(y)

    # The styles were chosen on the choosing set (seed 1); every before and after comes from
    # the report set (seed 36), which writes no digit of the choosing set or the corrections.
    fresh = report["report"]
    assert report["choosing"] == {"seed": 1, "count": 800, "weakest_styles": styles}
    assert fresh["seed"] == 36 and fresh["shared_with_choosing"] == 0
    assert fresh["shared_with_corrections"] == 0
    assert fresh["every_source"] + fresh["of_corrected_styles"] + fresh[
        "dropped_as_shared"
    ] == 400 + 100 * len(styles)
    rows = {(r["set"], r["name"]): r for r in report["table"]}
    styles_set, every_set = (
        "report set: corrected styles (seed 36)",
        "report set: every source (seed 36)",
    )
    assert {r["set"] for r in report["table"]} == {styles_set, every_set}
    for style in styles:
        assert rows[styles_set, f"{style['source']}/{style['style']}"]["n"] == 100
    assert rows[styles_set, "corrected styles together"]["n"] == fresh["of_corrected_styles"]
    assert rows[every_set, "all"]["n"] == fresh["every_source"]
    assert list(rows)[-1] == (every_set, "all")

    # After: the server answered with the fine-tuned version; promotion went to the copy.
    tune = report["finetune"]
    assert report["model_after"]["version"] == tune["version"] != report["model_before"]["version"]
    # Promotion decided on validation; the MNIST test set is in the report as reported only.
    assert set(tune["before"]) == {"mnist_validation", "validation_drawings", "held_out"}
    assert set(tune["reported_only"]["mnist_test"]) == {"before", "after"}
    # Both servers had the same not-digit model: the fine-tune alone changed the answers.
    assert report["model_after"]["not_a_digit"] == report["model_before"]["not_a_digit"]
    copy_card = read_card(work / "model" / "digits.keras")
    assert (copy_card.get("version") == tune["version"]) is tune["promoted"]
    assert report["model_files_unchanged"] and shipped_files() == shipped
    instance_after = instance_db.stat().st_mtime_ns if instance_db.exists() else None
    assert instance_after == instance_before, "the developer's database was written"
