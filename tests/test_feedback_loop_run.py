"""benchmarks/feedback_loop.py run for real on a small scale: the Procfile's server, Chromium,
POST /api/feedback into SQLite, the fine-tune command, the server again on the new version.

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

from model import SHIPPED_MODEL
from model.card import read_card
from model.feedback import load_corrections

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def shipped_files():
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in SHIPPED_MODEL.parent.glob("digits.*")}


def test_feedback_loop_run_sends_misread_drawings_and_serves_the_finetuned_copy(tmp_path):
    shipped, work, out = shipped_files(), tmp_path / "work", tmp_path / "loop.json"
    instance_db = ROOT / "instance" / "feedback.sqlite3"
    instance_before = instance_db.stat().st_mtime_ns if instance_db.exists() else None
    # A small scale: the (up to) three worst styles of 800 drawings, 300 new drawings of each (with
    # fewer, a good model may misread too few to fine-tune on).
    subprocess.run([sys.executable, "benchmarks/feedback_loop.py", "--count", "800",
                    "--styles", "3", "--min-errors", "1", "--per-style", "300",
                    "--mnist-subset", "2000", "--epochs", "1", "--work", str(work),
                    "--out", str(out)], cwd=ROOT, check=True, timeout=170)
    report = json.loads(out.read_text())

    # Every correction the server stored is a misread correction drawing, with its true label.
    x, y, predicted = load_corrections(work / "feedback.sqlite3")
    assert len(y) == report["corrections"]["sent"] >= 4
    assert (predicted != y).all()
    assert report["corrections"]["drawn"] == 300 * len(report["weakest_styles"])
    assert report["corrections"]["shared_with_evaluation"] == 0
    assert sum(s["sent"] for s in report["corrections"]["by_style"].values()) == len(y)

    # The table's "before" on each corrected style is the ranking's own measurement.
    rows = {r["name"]: r for r in report["table"]}
    for style in report["weakest_styles"]:
        row = rows[f"{style['source']}/{style['style']}"]
        assert (row["n"], row["before"]) == (style["n"], pytest.approx(style["accuracy"]))
    assert rows["all"]["n"] == 800 and list(rows)[-1] == "all"

    # After: the server answered with the fine-tuned version; promotion went to the copy.
    tune = report["finetune"]
    assert report["model_after"]["version"] == tune["version"] != report["model_before"]["version"]
    copy_card = read_card(work / "model" / "digits.keras")
    assert (copy_card.get("version") == tune["version"]) is tune["promoted"]
    assert report["model_files_unchanged"] and shipped_files() == shipped
    instance_after = instance_db.stat().st_mtime_ns if instance_db.exists() else None
    assert instance_after == instance_before, "the developer's database was written"
