"""The correction loop end to end: corrections of the benchmark's weakest styles, a
fine-tune, and fresh drawings before and after.

    .venv/bin/python benchmarks/correction_loop.py
    .venv/bin/python benchmarks/correction_loop.py --model model/saved/digits.tflite --count 2000

1. Draws the choosing set, the benchmark's drawings of --seed (--count), in Chromium and sends
   them to a Procfile server running --model, with a fresh SQLite database in --work.
2. Ranks template styles, font faces and Hershey faces by error rate on the choosing set; takes
   the --styles worst.
3. Draws --per-style new drawings of each (training random streams, never the benchmark's, so
   none is a benchmark drawing), asks POST /api/predict, and sends every misread one to
   POST /api/feedback with its true label, as a person would. The server's
   DIGITS_FEEDBACK_RATE is raised for this simulated person.
4. Draws the report set from --report-seed: --report-count benchmark drawings of every source
   and --report-per-style more of each corrected style, none writing a digit of the choosing
   set or the corrections, and asks the server about them.
5. Fine-tunes a copy of the model in --work with `python -m model.finetune` on that
   database (promotion decides on validation data, model/finetune.py); promotion replaces the
   copy's files, never --model's.
6. Serves the fine-tuned version and sends the report set again.
Prints accuracy on the report set before and after (each corrected style, together, each
source, all) and writes --out. The choosing set picks; only the report set reports a gain
(benchmarks/SEEDS.md). The copy learns font glyphs, which the shipped model never may
: this proves the loop on a throwaway copy.
"""

import argparse
import contextlib
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks._common import procfile_server  # noqa: E402
from benchmarks.drawn.client import predict_all  # noqa: E402
from benchmarks.drawn.corrections import (  # noqa: E402
    correction_drawings,
    report_drawings,
    send_corrections,
    shared_shapes,
    weakest_styles,
)
from benchmarks.drawn.layout import build  # noqa: E402
from benchmarks.drawn.render import CanvasRenderer, launch  # noqa: E402
from benchmarks.drawn.report import style_of  # noqa: E402
from benchmarks.seeds import REPORT_SEED, VALIDATION_SEEDS  # noqa: E402
from reading.models import MODELS  # noqa: E402

# One simulated person sends hundreds of corrections in a minute; the default 30/minute
# would answer most of them 429.
FEEDBACK_RATE = "100000/minute"
# The optional served models' settings and files (reading/models.py).
COMPANIONS = {model.config_key: model.file for model in MODELS if not model.required}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=ROOT / "model" / "saved" / "digits.tflite",
        help="the .tflite to start from; its .keras and card must sit next to "
        "it and are copied, never changed (default: model/saved/digits.tflite)",
    )
    # The seeds' roles are the drawn benchmark's (benchmarks/seeds.py): a validation seed
    # chooses the styles, the held-out seed reports the gain.
    parser.add_argument(
        "--seed",
        type=int,
        default=VALIDATION_SEEDS[0],
        help="the choosing set's seed: the benchmark drawings that rank the "
        f"styles (default {VALIDATION_SEEDS[0]})",
    )
    parser.add_argument(
        "--count",
        type=int,
        default=4000,
        help="choosing drawings, split evenly over the sources (default 4000)",
    )
    parser.add_argument(
        "--report-seed",
        type=int,
        default=REPORT_SEED,
        help="the report set's seed: fresh benchmark drawings for the before "
        f"and after figures, never the choosing seed (default {REPORT_SEED})",
    )
    parser.add_argument(
        "--report-count",
        type=int,
        default=None,
        help="report drawings of every source (default: --count)",
    )
    parser.add_argument(
        "--report-per-style",
        type=int,
        default=300,
        help="report drawings of each corrected style besides (default 300)",
    )
    parser.add_argument(
        "--styles",
        type=int,
        default=4,
        help="how many of the weakest styles to correct (default 4)",
    )
    parser.add_argument(
        "--min-errors",
        type=int,
        default=3,
        help="a style is corrected only with at least this many errors (default 3)",
    )
    parser.add_argument(
        "--per-style",
        type=int,
        default=300,
        help="new drawings of each weak style a person draws (default 300)",
    )
    parser.add_argument(
        "--corrections-seed",
        type=int,
        default=0,
        help="seed of the correction drawings' training streams (default 0)",
    )
    # Twice model.finetune's 12,000, and drawn digits replayed too (--drawn base), so that the
    # fine-tune forgets less of MNIST and of canvas drawings, on which validation judges it.
    parser.add_argument(
        "--mnist-subset",
        type=int,
        default=24000,
        help="fine-tuning: MNIST training digits mixed in, and drawn ones in the "
        "base's proportion (default 24000)",
    )
    parser.add_argument(
        "--correction-weight",
        "--feedback-weight",
        type=float,
        default=1.0,
        help="fine-tuning: weight of a correction (default 1)",
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="fine-tuning epochs (default: model.finetune's, 2)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="an empty folder for the database, the model copy and its versions "
        "(default: a new temporary folder, kept)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "correction_loop.json",
        help="the JSON report (default: benchmarks/results/correction_loop.json)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="server workers and requests in flight (default 2)"
    )
    args = parser.parse_args(argv)
    if args.report_seed == args.seed:
        parser.error(
            "--report-seed must differ from --seed: the set that chooses the styles "
            "cannot report the gain"
        )
    args.report_count = args.report_count or args.count
    return args


def copy_model(model, folder):
    """Every file of the model (stem.*) copied into folder; returns the copy's .keras."""
    folder.mkdir(parents=True)
    for path in model.parent.glob(f"{model.stem}.*"):
        shutil.copyfile(path, folder / path.name)
    keras = folder / f"{model.stem}.keras"
    if not keras.is_file():
        raise SystemExit(
            f"{model.with_suffix('.keras')} is missing: the fine-tune starts from "
            "the Keras model next to --model."
        )
    return keras


def fingerprint(model):
    """{file name: sha256} of the model's files, to show they were left alone."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(model.parent.glob(f"{model.stem}.*"))
    }


def health(url):
    with urllib.request.urlopen(f"{url}/api/health", timeout=10) as response:
        return json.load(response)


def server_env(model, database, companions):
    """The server's model, the not-digit, one-digit and number models next to `companions`
    (--model), and a database in the work folder (never instance/'s)."""
    url = f"sqlite:///{database}"
    env = {
        "DIGITS_MODEL_PATH": str(model),
        "DATABASE_URL": url,
        "DIGITS_DATABASE_URL": url,
        "DIGITS_FEEDBACK_RATE": FEEDBACK_RATE,
    }
    # Named, not found next to the model: the fine-tuned version sits alone in its folder, and
    # a server without the not-digit model would reject nothing, a gain that is not the fine-tune's.
    for key, name in COMPANIONS.items():
        if companions.with_name(name).is_file():
            env[f"DIGITS_{key}"] = str(companions.with_name(name))
    return env


def finetune(args, database, base):
    """Run the real fine-tune command on the copy; returns the new version's card and .tflite."""
    versions = base.parent.parent / "versions"
    command = [
        sys.executable,
        "-m",
        "model.finetune",
        "--corrections",
        str(database),
        "--base",
        str(base),
        "--versions-dir",
        str(versions),
        "--mnist-subset",
        str(args.mnist_subset),
        "--drawn",
        "base",
        "--correction-weight",
        str(args.correction_weight),
    ]
    if args.epochs:
        command += ["--epochs", str(args.epochs)]
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    (card,) = versions.glob("*.card.json")
    return json.loads(card.read_text()), card.with_name(card.name.replace(".card.json", ".tflite"))


def style_groups(styles):
    """(name, membership test) of each corrected style, then of all of them together."""
    chosen = {(s["source"], s["style"]) for s in styles}
    groups = [
        (
            f"{s['source']}/{s['style']}",
            lambda d, s=s: (d.source, style_of(d)) == (s["source"], s["style"]),
        )
        for s in styles
    ]
    return groups + [("corrected styles together", lambda d: (d.source, style_of(d)) in chosen)]


def source_groups(drawings):
    """(name, membership test) of each source, then of all the drawings."""
    sources = list(dict.fromkeys(d.source for d in drawings))
    return [(source, lambda d, source=source: d.source == source) for source in sources] + [
        ("all", lambda d: True)
    ]


def compare(drawings, before, after, groups, set_name):
    """Accuracy before and after on each group of the drawings, named by the set they are of."""
    rows = []
    for name, member in groups:
        pick = [i for i, d in enumerate(drawings) if member(d)]
        right = [
            sum(answers[i].get("digit") == drawings[i].label for i in pick) / max(1, len(pick))
            for answers in (before, after)
        ]
        rows.append(
            {
                "set": set_name,
                "name": name,
                "n": len(pick),
                "before": right[0],
                "after": right[1],
                "change_pt": round(100 * (right[1] - right[0]), 2),
            }
        )
    return rows


def print_table(rows, tune):
    """The report set's rows, one table per set; then the fine-tune's own figures."""
    for set_name in dict.fromkeys(r["set"] for r in rows):
        print(f"\n| {set_name:<44} | {'n':>5} | before   | after    | change    |")
        print(f"|{'-' * 46}|{'-' * 7}|{'-' * 10}|{'-' * 10}|{'-' * 11}|")
        for r in rows:
            if r["set"] == set_name:
                print_row(r["name"], r["n"], r["before"], r["after"])
    validation, drawings = tune["validation"], tune["validation"]["drawings"]
    decided = (
        ("mnist_validation", "MNIST validation slice", validation["mnist_train"]),
        (
            "validation_drawings",
            "validation drawings",
            drawings["redrawn_mnist_validation"] + drawings["templates"],
        ),
        ("held_out", "held-out corrections", tune["held_out"]),
    )
    print(
        f"\n| {'fine-tune: decides promotion':<44} | {'n':>5} | before   | after    | "
        f"change    |\n|{'-' * 46}|{'-' * 7}|{'-' * 10}|{'-' * 10}|{'-' * 11}|"
    )
    for key, name, n in decided:
        print_row(name, n, tune["before"][key], tune["after"][key])
    test = tune["reported_only"]["mnist_test"]
    print_row("MNIST test set: reported, never decides", 10000, test["before"], test["after"])


def print_row(name, n, before, after):
    print(
        f"| {name:<44} | {n:>5} | {100 * before:6.2f} % | {100 * after:6.2f} % | "
        f"{100 * (after - before):+6.2f} pt |"
    )


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()

    def step(text):
        print(f"[{time.perf_counter() - started:5.0f} s] {text}", flush=True)

    model = args.model.resolve()
    work = (args.work or Path(tempfile.mkdtemp(prefix="correction-loop-"))).resolve()
    if work.exists() and any(work.iterdir()):
        raise SystemExit(f"{work} is not empty: the loop needs a fresh database and copy.")
    database, left_alone = work / "feedback.sqlite3", fingerprint(model)
    base = copy_model(model, work / "model")
    step(
        f"Work folder {work}; drawing the choosing set: {args.count} benchmark drawings "
        f"(seed {args.seed})..."
    )
    choosing = build(args.seed, args.count)
    with sync_playwright() as playwright, contextlib.ExitStack() as stack:
        browser = launch(playwright)
        stack.callback(browser.close)
        renderer = CanvasRenderer(browser)
        pngs = renderer.render(choosing)
        step(f"Rendered in Chromium; starting the server on {model.name}...")
        env = server_env(model, database, model)
        _, url = stack.enter_context(procfile_server(args.workers, env))
        health_before = health(url)
        for drawing, answer in zip(choosing, predict_all(url, pngs, args.workers)):
            drawing.answer = answer
        styles = weakest_styles(choosing, args.styles, args.min_errors)
        if not styles:
            raise SystemExit(f"No style has {args.min_errors} errors: nothing to correct.")
        step(
            "Weakest styles on the choosing set: "
            + ", ".join(
                f"{s['source']}/{s['style']} {s['accuracy']:.0%} ({s['errors']} of {s['n']} wrong)"
                for s in styles
            )
        )
        fixes = correction_drawings(styles, args.per_style, args.corrections_seed, args.count)
        shared = shared_shapes(fixes, choosing)
        if shared:
            raise SystemExit(f"{shared} correction drawings repeat choosing drawings.")
        sent = send_corrections(url, fixes, renderer.render(fixes), args.workers)
        step(
            f"A person drew {len(fixes)} new drawings of these styles; the model misread "
            f"{len(sent)}, all sent to POST /api/feedback."
        )
        if len(sent) < 4:  # the fine-tune holds some out to judge the new model
            raise SystemExit("Too few corrections to fine-tune on: raise --per-style.")
        every, of_styles, dropped = report_drawings(
            styles,
            args.report_seed,
            args.report_count,
            args.report_per_style,
            apart_from=choosing + fixes,
            first_id=len(choosing) + len(fixes),
        )
        reporting = every + of_styles
        step(
            f"Report set (seed {args.report_seed}): {len(every)} drawings of every source and "
            f"{len(of_styles)} of the corrected styles ({dropped} dropped: they wrote a digit "
            "of the choosing set or the corrections); asking the server before..."
        )
        report_pngs = renderer.render(reporting)
        before = predict_all(url, report_pngs, args.workers)
    step("Fine-tuning the copy on the corrections (python -m model.finetune)...")
    card, candidate = finetune(args, database, base)
    tune = card["finetune"]
    step(
        f"{'Promoted' if tune['promoted'] else 'Not promoted'} ({tune['why']}); serving "
        f"{candidate.name} for the report set again..."
    )
    with procfile_server(args.workers, server_env(candidate, database, model)) as (_, url):
        health_after = health(url)
        after = predict_all(url, report_pngs, args.workers)
    n = len(every)
    styles_set = f"report set: corrected styles (seed {args.report_seed})"
    every_set = f"report set: every source (seed {args.report_seed})"
    rows = compare(of_styles, before[n:], after[n:], style_groups(styles), styles_set) + compare(
        every, before[:n], after[:n], source_groups(every), every_set
    )
    print_table(rows, tune)
    seconds = round(time.perf_counter() - started, 1)
    by_style = {
        f"{s['source']}/{s['style']}": {
            "drawn": sum((d.source, style_of(d)) == (s["source"], s["style"]) for d in fixes),
            "sent": sum((d.source, style_of(d)) == (s["source"], s["style"]) for d in sent),
        }
        for s in styles
    }
    report = {
        "model": str(model),
        "model_before": health_before.get("model"),
        "model_after": health_after.get("model"),
        # Picks the styles; none of its figures is a before or after.
        "choosing": {"seed": args.seed, "count": len(choosing), "weakest_styles": styles},
        "corrections": {
            "drawn": len(fixes),
            "sent": len(sent),
            "by_style": by_style,
            "per_style": args.per_style,
            "seed": args.corrections_seed,
            "shared_with_choosing": shared,
            "feedback_rate": FEEDBACK_RATE,
        },
        # Every before and after in "table" comes from here.
        "report": {
            "seed": args.report_seed,
            "every_source": len(every),
            "of_corrected_styles": len(of_styles),
            "per_style": args.report_per_style,
            "dropped_as_shared": dropped,
            "shared_with_choosing": shared_shapes(reporting, choosing),
            "shared_with_corrections": shared_shapes(reporting, fixes),
        },
        "finetune": {**tune, "version": card["version"]},
        "table": rows,
        "model_files_unchanged": fingerprint(model) == left_alone,
        "work": str(work),
        "seconds": seconds,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"\n{len(sent)} corrections, {'promoted' if tune['promoted'] else 'not promoted'}; "
        f"{model.name} unchanged: {report['model_files_unchanged']}. {seconds:.0f} s; "
        f"wrote {args.out}"
    )


if __name__ == "__main__":
    main()
