"""Serving benchmark: the tutorial's Keras predict vs. the served path, end to end.

    .venv/bin/python benchmarks/serving.py [--quick] [--model PATH] [--out JSON]

Measures in one run: (1) Keras model.predict on one image and (2) webapp.api.classify
in-process, in alternating rounds so both meet the machine's drift alike, then (3) HTTP
throughput with wrk against gunicorn started from the Procfile, (4) the workers' memory after
that load, (5) time from starting gunicorn to the first correct answer and (6) in the page,
time from the end of a stroke to the new answer. Prints a table with the targets and writes
the numbers as JSON.
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time
import urllib.error
import urllib.request
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from drawing import draw_digit, png_bytes  # noqa: E402
from strokes import DIGIT_STROKES  # noqa: E402

from benchmarks._common import (  # noqa: E402
    cpu_seconds,
    find_wrk,
    machine,
    machine_busy_seconds,
    procfile_server,
    rss_mb,
    run_wrk,
    server_log,
    server_pids,
    worker_pids,
)
from benchmarks.drawn.render import launch  # noqa: E402
from reading.preprocess import preprocess_image  # noqa: E402
from reading.verdict import is_not_a_digit  # noqa: E402

# The page test alternates two one-stroke digits, so one pointerup is one request.
PAGE_DIGITS = (1, 7)
ROUNDS = 4  # (1) and (2) alternate in this many rounds each
KERAS_MODEL = None  # in the spawned process of (1): the Keras model


def ms(seconds):
    """Median, p90 and p99 in milliseconds of a list of durations in seconds."""
    values = np.asarray(seconds) * 1000
    return {
        "p50": float(np.median(values)),
        "p90": float(np.percentile(values, 90)),
        "p99": float(np.percentile(values, 99)),
        "n": len(values),
    }


def timed(fns, calls, warmup=20):
    """Durations in seconds of calls to each of fns (a dict), taking turns after a warm-up.

    Taking turns, every function meets the same background load, so their medians compare.
    """
    durations = {name: [] for name in fns}
    for i in range(warmup + calls):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            if i >= warmup:
                durations[name].append(time.perf_counter() - start)
    return durations


def load_keras(keras_path):
    """Pool initializer of the process that runs (1): loads the Keras model once."""
    global KERAS_MODEL
    # TensorFlow's C++ start-up lines ignore TF_CPP_MIN_LOG_LEVEL; they would bury the progress.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    from model.architectures import load_model

    KERAS_MODEL = load_model(keras_path)


def keras_round(x, calls, warmup):
    """(1) The tutorial's way: durations of model.predict(x) on one image, in that process."""
    batch = x.reshape(1, 28, 28, 1)
    return timed({"predict": lambda: KERAS_MODEL.predict(batch, verbose=0)}, calls, warmup)[
        "predict"
    ]


def speed(keras_pool, tflite_path, png, x, calls, keras_calls, rounds=ROUNDS):
    """(1) and (2) in alternating rounds: (keras, in_process) results.

    A shared machine's speed drifts over minutes; rounds of each in turn meet the same drift,
    so the speed-up compares like with like. TensorFlow stays in the pool's process.
    """
    served = ServedPath(tflite_path, png)
    keras, alone = [], []
    for r in range(rounds):

        def run_keras():
            # 5 calls first each round, as (2) has its 50, after the other's turn
            keras.extend(keras_pool.submit(keras_round, x, keras_calls // rounds, 5).result())

        def run_served():
            alone.extend(served.alone(calls // rounds))

        for step in (run_keras, run_served) if r % 2 == 0 else (run_served, run_keras):
            step()  # either goes first by turns
    return ms(keras), {"classify": ms(alone), "rounds": rounds, **served.in_turns(calls)}


class ServedPath:
    """(2) The served path without HTTP: classify() on the PNG as a worker runs it."""

    def __init__(self, tflite_path, png):
        from webapp import create_app
        from webapp.api import classify
        from webapp.decoding import open_image

        app = create_app({"MODEL_PATH": str(tflite_path)})
        config, models = app.config, app.extensions["models"]
        self.app, self.png, self.open_image = app, png, open_image
        self.classify = partial(classify, png, config, models)
        self.answer = self.classify()

    def alone(self, calls):
        """Durations of classify() in a loop of its own, request after request."""
        with self.app.app_context():
            return timed({"classify": self.classify}, calls, warmup=50)["classify"]

    def in_turns(self, calls):
        """classify() again taking turns with each of its steps, for the breakdown (there every
        step finds the caches as the others left them, so all run slower)."""
        config, models = self.app.config, self.app.extensions["models"]
        image = self.open_image(self.png, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"])
        x = preprocess_image(image)
        with self.app.app_context():
            durations = timed(
                {
                    "classify": self.classify,
                    "decode": lambda: self.open_image(
                        self.png, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"]
                    ),
                    "preprocess": lambda: preprocess_image(image),
                    "inference": lambda: models.digits.predict(x),
                    # Issue 7: the "is it a digit?" model runs on every answer too.
                    "not-a-digit model": lambda: is_not_a_digit(models, x),
                    "json": lambda: self.app.json.response(self.answer),  # what jsonify does
                    "explained": lambda: self.classify(explain=True),
                },
                calls,
                warmup=50,
            )
        return {
            "digit": self.answer["digit"],
            "classify_in_turns": ms(durations.pop("classify")),
            "explained": ms(durations.pop("explained")),
            "breakdown_p50": {name: ms(values)["p50"] for name, values in durations.items()},
        }


def first_answer(process, url, png, digit=7, timeout=60):
    """(5) Seconds from Popen to the first answer; polls POST /api/predict every 10 ms."""
    request = urllib.request.Request(
        f"{url}/api/predict", data=png, headers={"Content-Type": "image/png"}
    )
    deadline, last_error = time.monotonic() + timeout, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                answer = json.load(response)
            # The model is deterministic: a wrong answer now is wrong forever, so stop here.
            return {
                "seconds": time.perf_counter() - process.started,
                "digit": answer["digit"],
                "correct": answer["digit"] == digit,
            }
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = error  # not listening yet, or not answering 200
            time.sleep(0.01)
    raise RuntimeError(
        f"No answer from {url} within {timeout} s (last: {last_error}). "
        f"The server's output:\n{server_log(process)}"
    )


# Records stroke-end -> answer times in the page (an init script, so it runs first).
RECORDER = Path(__file__).with_name("page_latency.js")


def page_latency(url, strokes, warmup=3):
    """(6) In Chromium: pointerup -> the bars show the new answer, over alternating digits."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(path=RECORDER)
            page.goto(url)
            box = page.get_by_test_id("canvas").bounding_box()
            drawn = []
            for i in range(warmup + strokes):
                page.get_by_test_id("clear").click()
                digit = PAGE_DIGITS[i % len(PAGE_DIGITS)]
                (stroke,) = DIGIT_STROKES[digit]
                points = [
                    (box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke
                ]
                page.mouse.move(*points[0])
                page.mouse.down()
                for point in points[1:]:
                    page.mouse.move(*point, steps=5)
                page.mouse.up()
                drawn.append(str(digit))
                # A function, not an expression: the page's CSP forbids eval.
                page.wait_for_function(
                    "(n) => window.__latencies.length >= n", arg=i + 1, timeout=15_000
                )
            latencies = page.evaluate("window.__latencies")[warmup:]
            answers = page.evaluate("window.__answers")[warmup:]
            parts = np.median(page.evaluate("window.__parts")[warmup:], axis=0)
        finally:
            browser.close()
    right = sum(a == d for a, d in zip(answers, drawn[warmup:]))
    return {
        **ms(np.asarray(latencies) / 1000),
        "answers_right": f"{right}/{len(answers)}",
        "parts_p50_ms": dict(zip(("to_request_sent", "request", "answer_to_dom"), parts.tolist())),
    }


def verdict(value, limit, higher_is_better=False):
    """PASS or FAIL of a number against its target."""
    ok = value >= limit if higher_is_better else value <= limit
    return "PASS" if ok else "FAIL"


def table(r):
    """Rows (measure, value, target, verdict) for the printed table."""
    k, served, h, s, p = (
        r.get(key, {}) for key in ("keras", "in_process", "http", "startup", "page")
    )
    rows = [
        (f"{key} did not run", "ERROR", "", r[key]["error"].splitlines()[0])
        for key in ("keras", "in_process", "http", "startup", "page")
        if "error" in r[key]
    ]
    if "p50" in k:
        rows += [
            ("(1) Keras model.predict, median", f"{k['p50']:.2f} ms", "", ""),
            ("(1) Keras model.predict, p99", f"{k['p99']:.2f} ms", "", ""),
        ]
    if "classify" in served:
        c = served["classify"]
        turns = served["classify_in_turns"]
        rows += [
            (
                "(2) classify() in-process, p50",
                f"{c['p50']:.3f} ms",
                "<= 1 ms",
                verdict(c["p50"], 1),
            ),
            (
                "(2) classify() in-process, p99",
                f"{c['p99']:.3f} ms",
                "<= 5 ms",
                verdict(c["p99"], 5),
            ),
            (
                "    taking turns with its steps below, p50 / p99",
                f"{turns['p50']:.3f} / {turns['p99']:.3f} ms",
                "",
                "",
            ),
        ]
        if "p50" in k:
            speedup = k["p50"] / c["p50"]
            rows.append(
                (
                    "(2) speed-up vs (1), p50",
                    f"{speedup:.1f}x",
                    ">= 50x",
                    verdict(speedup, 50, higher_is_better=True),
                )
            )
        parts = dict(served["breakdown_p50"])
        json_p50 = parts.pop("json")
        parts["rest (argmax, rounding, lists)"] = turns["p50"] - sum(parts.values())
        rows += [(f"    {name} p50", f"{value:.3f} ms", "", "") for name, value in parts.items()]
        rows.append(("    + JSON response in the view, p50", f"{json_p50:.3f} ms", "", ""))
        if "explained" in served:  # the occlusion map must stay cheap
            extra = served["explained"]["p50"] - turns["p50"]  # both measured in turns
            rows.append(
                (
                    "(2) with ?explain=1, extra over classify(), p50",
                    f"{extra:.2f} ms",
                    "<= 5 ms",
                    verdict(extra, 5),
                )
            )
    if "skipped" in h:
        rows.append(("(3) HTTP with wrk", "skipped", ">= 800 req/s", h["skipped"]))
    elif "requests_per_s" in h:
        errors = h["non_2xx"] + h["socket_errors"]
        rows += [
            (
                f"(3) HTTP, {r['workers']} workers, {h['connections']} connections, "
                f"{h['seconds']} s",
                f"{h['requests_per_s']:.0f} req/s",
                ">= 800 req/s",
                verdict(h["requests_per_s"], 800, higher_is_better=True),
            ),
            ("(3) errors (non-2xx + socket)", str(errors), "0", verdict(errors, 0)),
            (
                "(3) latency p50 / p99",
                f"{h['latency_ms']['p50']:.1f} / {h['latency_ms']['p99']:.1f} ms",
                "",
                "",
            ),
            (
                "    server CPU per request (master + workers)",
                f"{h['server_cpu_ms_per_request']:.2f} ms",
                "",
                "",
            ),
            (
                "    CPU used by other processes meanwhile",
                f"{h['others_cpu_share']:.0%}",
                "",
                "noisy: rerun when idle" if h["others_cpu_share"] > 0.05 else "",
            ),
            (
                "(4) RSS per worker after load",
                ", ".join(f"{v:.0f}" for v in h["rss_mb"].values()) + " MB",
                "<= 120 MB",
                verdict(max(h["rss_mb"].values()), 120),
            ),
        ]
    if "seconds" in s:
        rows.append(
            (
                "(5) Popen -> first correct answer",
                f"{s['seconds']:.2f} s" + ("" if s["correct"] else f" (said {s['digit']}, not 7)"),
                "<= 2 s",
                verdict(s["seconds"], 2) if s["correct"] else "FAIL",
            )
        )
    if "p50" in p:
        rows += [
            (
                "(6) page: pointerup -> bars, median",
                f"{p['p50']:.1f} ms",
                "<= 30 ms",
                verdict(p["p50"], 30),
            ),
            ("(6) page: pointerup -> bars, p90", f"{p['p90']:.1f} ms", "", ""),
            (
                "    to request sent / request / answer -> DOM, p50",
                " / ".join(f"{v:.1f}" for v in p["parts_p50_ms"].values()) + " ms",
                "",
                "",
            ),
            ("(6) page: answers right", p["answers_right"], "", ""),
        ]
    return rows


def measure(results, key, label, fn):
    """results[key] = fn(), or {"error": ...}: one failing measure does not lose the others."""
    print(f"{label} ...", flush=True)
    try:
        results[key] = fn()
    except Exception as error:  # noqa: BLE001  reported in the table and the JSON
        results[key] = {"error": f"{type(error).__name__}: {error}"}
        print(f"    failed: {results[key]['error']}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model",
        default="model/saved/digits.keras",
        type=Path,
        help="the .keras model; its .tflite (same name) is what the server runs",
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~1 minute)")
    parser.add_argument(
        "--out",
        default="benchmarks/results/serving.json",
        type=Path,
        help="where to write the numbers as JSON",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="WEB_CONCURRENCY for the Procfile's gunicorn (default 2)",
    )
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help='extra gunicorn options via GUNICORN_CMD_ARGS, e.g. "--threads 4"',
    )
    args = parser.parse_args()

    keras_path, tflite_path = (
        (ROOT / args.model).with_suffix(".keras"),
        (ROOT / args.model).with_suffix(".tflite"),
    )
    for path in (keras_path, tflite_path):
        if not path.is_file():
            sys.exit(
                f"Model file {path} is missing. Train it with: python -m model.train "
                "(or pass --model /path/to/model.keras with a .tflite next to it)."
            )
    calls, keras_calls, seconds, strokes = (300, 30, 5, 10) if args.quick else (2000, 200, 20, 50)
    results = {
        "machine": machine(),
        "model": str(tflite_path),
        "quick": args.quick,
        "workers": args.workers,
        "gunicorn_args": args.gunicorn_args,
    }
    drawing = draw_digit(DIGIT_STROKES[7])  # a 280x280 canvas, dark ink on white
    png, x = png_bytes(drawing), preprocess_image(drawing)

    # (1) runs in its own process: TensorFlow's thread pools never share a process with (2).
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=spawn, initializer=load_keras, initargs=(keras_path,)
    ) as pool:

        def both():
            results["keras"], results["in_process"] = speed(
                pool, tflite_path, png, x, calls, keras_calls
            )
            return results["in_process"]

        measure(
            results,
            "in_process",
            f"(1) Keras model.predict ({keras_calls} calls, in a "
            f"spawned process) and (2) classify() in-process ({calls} calls), in "
            f"{ROUNDS} alternating rounds",
            both,
        )
        results.setdefault("keras", results["in_process"])  # its error, if both() failed

    env = {"DIGITS_MODEL_PATH": str(tflite_path), "GUNICORN_CMD_ARGS": args.gunicorn_args}
    wrk = find_wrk()
    with procfile_server(args.workers, env, wait=False) as (process, url):
        measure(
            results,
            "startup",
            "(5) gunicorn from the Procfile: time to the first correct answer",
            lambda: first_answer(process, url, png),
        )

        def load():
            if not wrk:
                return {"skipped": "SKIP: no wrk; install it with apt-get install wrk"}
            server_before = cpu_seconds(server_pids(process))
            busy_before = machine_busy_seconds()
            http = run_wrk(wrk, f"{url}/api/predict", png, seconds, connections=16)
            server_cpu = cpu_seconds(server_pids(process)) - server_before
            # On a shared machine req/s moves with other work; CPU per request does not.
            others = machine_busy_seconds() - busy_before - server_cpu - http["wrk_cpu_s"]
            return {
                **http,
                "server_cpu_ms_per_request": 1000 * server_cpu / http["requests"],
                "others_cpu_share": max(0.0, others) / (os.cpu_count() * seconds),
                "rss_mb": {str(pid): rss_mb(pid) for pid in worker_pids(process)},
            }

        measure(results, "http", f"(3) wrk, 16 connections for {seconds} s, then (4) RSS", load)
        measure(
            results,
            "page",
            f"(6) the page in Chromium, {strokes} strokes",
            lambda: page_latency(url, strokes),
        )

    rows = table(results)
    results["table"] = [dict(zip(("measure", "value", "target", "verdict"), row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    m = results["machine"]
    print(
        f"\nMachine: {m['cpu']}, {m['cores']} cores, load average {m['load_average_1min']:.2f}"
        f" at the start. Model: {tflite_path}"
    )
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)), row[3])
    out = ROOT / args.out  # a relative --out is relative to the repository
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {out}")


if __name__ == "__main__":
    main()
