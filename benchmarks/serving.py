"""Serving benchmark: the tutorial's Keras predict vs. the served path, end to end.

    .venv/bin/python benchmarks/serving.py [--quick] [--model PATH] [--out JSON]
        [--worker-counts 1,2] [--worker-classes procfile,sync,...]

Every request sends a drawn 7 as the page sends it: the PNG Chromium's canvas exports (its
encoder filters every row "Up" at a low zlib level; the server decodes it in about 0.12 ms, where
a Pillow-encoded PNG of the same drawing takes about 0.39 ms: (2) shows both).

Measures in one run: (1) Keras model.predict on one image and (2) webapp.api.classify
in-process, in alternating rounds so both meet the machine's drift alike, then (3) HTTP
throughput and latency with wrk (16 connections) against gunicorn started from the Procfile,
with 1 and with 2 workers and for each worker class asked for, (4) each worker's proportional
memory (PSS: preloaded workers share the model's pages) after that load, (5) time from starting
gunicorn to the first correct answer and (6) in the page, time from the end of a stroke to the
new answer. Prints a table with the targets and writes the numbers as JSON.
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from drawing import draw_digit, png_bytes  # noqa: E402
from strokes import DIGIT_STROKES  # noqa: E402

from benchmarks._common import (  # noqa: E402
    cpu_seconds,
    find_wrk,
    gunicorn_master,
    machine,
    machine_busy_seconds,
    procfile_server,
    rss_mb,
    run_wrk,
    server_log,
    server_pids,
    worker_pids,
)
from benchmarks.drawn.render import CanvasRenderer, launch  # noqa: E402
from reading.preprocess import preprocess_image  # noqa: E402
from reading.verdict import is_not_a_digit  # noqa: E402

# The page test alternates two one-stroke digits, so one pointerup is one request.
PAGE_DIGITS = (1, 7)
ROUNDS = 4  # (1) and (2) alternate in this many rounds each
HTTP_ROUNDS = 3  # (3) and (4): each worker class and count, taking turns
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


def page_png(strokes, side=280):
    """The PNG the page sends for these unit-square strokes: drawn and exported by Chromium's
    canvas at the page's export size (static/canvas.js: EXPORT_SIDE, a brush of a 20th)."""
    from playwright.sync_api import sync_playwright

    drawing = SimpleNamespace(
        css=side,
        dpr=1,
        look="dark",
        brush=side / 20,
        strokes=[[(x * side, y * side) for x, y in stroke] for stroke in strokes],
    )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            (png,) = CanvasRenderer(browser).render([drawing])
        finally:
            browser.close()
    return png


def keras_round(x, calls, warmup):
    """(1) The tutorial's way: durations of model.predict(x) on one image, in that process."""
    batch = x.reshape(1, 28, 28, 1)
    return timed({"predict": lambda: KERAS_MODEL.predict(batch, verbose=0)}, calls, warmup)[
        "predict"
    ]


def speed(keras_pool, tflite_path, png, pillow_png, x, calls, keras_calls, rounds=ROUNDS):
    """(1) and (2) in alternating rounds: (keras, in_process) results.

    A shared machine's speed drifts over minutes; rounds of each in turn meet the same drift,
    so the speed-up compares like with like. TensorFlow stays in the pool's process.
    """
    served = ServedPath(tflite_path, png, pillow_png)
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

    def __init__(self, tflite_path, png, pillow_png):
        from webapp import create_app
        from webapp.api import classify
        from webapp.decoding import open_image

        app = create_app({"MODEL_PATH": str(tflite_path)})
        config, models = app.config, app.extensions["models"]
        self.app, self.png, self.pillow_png, self.open_image = app, png, pillow_png, open_image
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
                    # Not in classify(): the same drawing as Pillow's encoder writes it.
                    "decode, Pillow-encoded PNG": lambda: self.open_image(
                        self.pillow_png, config["MAX_IMAGE_PIXELS"], config["MAX_IMAGE_SIDE"]
                    ),
                    "preprocess": lambda: preprocess_image(image),
                    "inference": lambda: models.digits.predict(x),
                    # The "is it a digit?" model runs on every answer too.
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


PROCFILE = "procfile"  # the worker class webapp/gunicorn_config.py sets, as deployed
CONNECTIONS = 16
TARGET_REQUESTS_PER_S = 1200  # with 2 workers and 16 connections, on a 2-core machine
# Per worker, with 2 workers as on this 2-core machine by default. A worker alone shares the
# preloaded pages with the master only, so its PSS carries half of them (about 70 MB): reported.
TARGET_PSS_MB = 60


def configured_worker_class():
    """The worker class the Procfile's config sets, read in a process of its own (the config
    may monkey-patch the process that loads it)."""
    code = "import webapp.gunicorn_config as c; print(getattr(c, 'worker_class', 'sync'))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip() or "unknown"


def worker_class_args(worker_class, gunicorn_args):
    """GUNICORN_CMD_ARGS for a worker class: none for the Procfile's own; gthread gets 4 threads
    unless --threads is given (1 thread would make it a sync worker)."""
    if worker_class == PROCFILE:
        return gunicorn_args
    args = f"--worker-class {worker_class}"
    if worker_class == "gthread" and "--threads" not in gunicorn_args:
        args += " --threads 4"
    return f"{args} {gunicorn_args}".strip()


def pss_mb(pid):
    """A process's proportional set size in MB: its private pages plus its share of the pages
    it shares (the preloaded model, the libraries), from /proc/PID/smaps_rollup."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024  # the value is in kB
    raise RuntimeError(f"No Pss for pid {pid}.")


def http_load(wrk, env, workers, seconds, warmup_seconds, png):
    """(3) and (4) against a fresh Procfile server with this many workers: wrk's numbers, the
    server's CPU per request, and each worker's PSS and RSS after the load."""
    with procfile_server(workers, env) as (process, url):
        run_wrk(wrk, f"{url}/api/predict", png, warmup_seconds, connections=CONNECTIONS)
        server_before = cpu_seconds(server_pids(process))
        busy_before = machine_busy_seconds()
        http = run_wrk(wrk, f"{url}/api/predict", png, seconds, connections=CONNECTIONS)
        server_cpu = cpu_seconds(server_pids(process)) - server_before
        # On a shared machine req/s moves with other work; CPU per request does not.
        others = machine_busy_seconds() - busy_before - server_cpu - http["wrk_cpu_s"]
        pids = worker_pids(process)
        return {
            **http,
            "workers": workers,
            "server_cpu_ms_per_request": 1000 * server_cpu / http["requests"],
            "others_cpu_share": max(0.0, others) / (os.cpu_count() * seconds),
            "pss_mb": {str(pid): pss_mb(pid) for pid in pids},
            "rss_mb": {str(pid): rss_mb(pid) for pid in pids},
            "master_pss_mb": pss_mb(gunicorn_master(process)),
        }


def http_rows(label, h):
    """Table rows of one (3)/(4) measurement."""
    errors = h["non_2xx"] + h["socket_errors"]
    two_workers = h["workers"] == 2
    return [
        (
            f"(3) HTTP, {label}, {h['connections']} connections, {h['seconds']} s",
            f"{h['requests_per_s']:.0f} req/s",
            f">= {TARGET_REQUESTS_PER_S:,} req/s" if two_workers else "",
            verdict(h["requests_per_s"], TARGET_REQUESTS_PER_S, higher_is_better=True)
            if two_workers
            else "",
        ),
        (
            "    every round (the median round stands)",
            " / ".join(f"{r:.0f}" for r in h.get("rounds_requests_per_s", [])) + " req/s",
            "",
            "",
        ),
        ("    errors (non-2xx + socket)", str(errors), "0", verdict(errors, 0)),
        (
            "    latency p50 / p99",
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
            "(4) PSS per worker after load",
            ", ".join(f"{v:.0f}" for v in h["pss_mb"].values()) + " MB",
            f"<= {TARGET_PSS_MB} MB" if two_workers else "",
            verdict(max(h["pss_mb"].values()), TARGET_PSS_MB) if two_workers else "",
        ),
        (
            "    RSS per worker (counts shared pages in full) / master PSS",
            ", ".join(f"{v:.0f}" for v in h["rss_mb"].values()) + f" / {h['master_pss_mb']:.0f} MB",
            "",
            "",
        ),
    ]


def verdict(value, limit, higher_is_better=False):
    """PASS or FAIL of a number against its target."""
    ok = value >= limit if higher_is_better else value <= limit
    return "PASS" if ok else "FAIL"


def table(r):
    """Rows (measure, value, target, verdict) for the printed table."""
    k, served, s, p = (r.get(key, {}) for key in ("keras", "in_process", "startup", "page"))
    rows = [
        (f"{key} did not run", "ERROR", "", r[key]["error"].splitlines()[0])
        for key in ("keras", "in_process", "startup", "page")
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
        pillow_p50 = parts.pop("decode, Pillow-encoded PNG", None)
        parts["rest (argmax, rounding, lists)"] = turns["p50"] - sum(parts.values())
        rows += [(f"    {name} p50", f"{value:.3f} ms", "", "") for name, value in parts.items()]
        rows.append(("    + JSON response in the view, p50", f"{json_p50:.3f} ms", "", ""))
        if pillow_p50 is not None:
            rows.append(("    decode, were it Pillow-encoded, p50", f"{pillow_p50:.3f} ms", "", ""))
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
    for label, h in r.get("http", {}).items():
        if "skipped" in h:
            rows.append((f"(3) HTTP, {label}", "skipped", "", h["skipped"]))
        elif "error" in h:
            rows.append((f"(3) HTTP, {label} did not run", "ERROR", "", h["error"].splitlines()[0]))
        else:
            rows += http_rows(label, h)
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
        "--worker-counts",
        default="1,2",
        help="WEB_CONCURRENCY values for (3) and (4), comma-separated (default 1,2); (5) and (6) "
        "run with the largest",
    )
    parser.add_argument(
        "--worker-classes",
        default=PROCFILE,
        help=f"gunicorn worker classes for (3) and (4), comma-separated, e.g. {PROCFILE},sync: "
        f"'{PROCFILE}' is the class webapp/gunicorn_config.py sets; others (sync, gthread, "
        "gevent, a class path) are passed as --worker-class (default: procfile)",
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
    calls, keras_calls, seconds, warmup_seconds, strokes = (
        (300, 30, 5, 1, 10) if args.quick else (2000, 200, 20, 3, 50)
    )
    worker_counts = [int(n) for n in args.worker_counts.split(",")]
    worker_classes = [name.strip() for name in args.worker_classes.split(",") if name.strip()]
    results = {
        "machine": machine(),
        "model": str(tflite_path),
        "quick": args.quick,
        "worker_counts": worker_counts,
        "worker_classes": worker_classes,
        "procfile_worker_class": configured_worker_class(),
        "gunicorn_args": args.gunicorn_args,
    }
    drawing = draw_digit(DIGIT_STROKES[7])  # a 280x280 canvas, dark ink on white
    pillow_png, x = png_bytes(drawing), preprocess_image(drawing)
    png = page_png(DIGIT_STROKES[7])
    results["body"] = {"page_png_bytes": len(png), "pillow_png_bytes": len(pillow_png)}

    # (1) runs in its own process: TensorFlow's thread pools never share a process with (2).
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=spawn, initializer=load_keras, initargs=(keras_path,)
    ) as pool:

        def both():
            results["keras"], results["in_process"] = speed(
                pool, tflite_path, png, pillow_png, x, calls, keras_calls
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
    with procfile_server(max(worker_counts), env, wait=False) as (process, url):
        measure(
            results,
            "startup",
            "(5) gunicorn from the Procfile: time to the first correct answer",
            lambda: first_answer(process, url, png),
        )
        measure(
            results,
            "page",
            f"(6) the page in Chromium, {strokes} strokes",
            lambda: page_latency(url, strokes),
        )

    # (3) and (4): a fresh server for each worker class and count, so none inherits another's
    # warm caches or fragmented memory; the classes and counts take turns for HTTP_ROUNDS rounds
    # (this machine's speed drifts by tens of percent over minutes), and the round with the
    # median requests/s stands for each, every round's requests/s kept beside it.
    wrk = find_wrk()
    results["http"] = {}
    rounds = {}
    for round_number in range(1 if args.quick else HTTP_ROUNDS):
        for worker_class in worker_classes:
            name = (
                f"{PROCFILE} ({results['procfile_worker_class']})"
                if worker_class == PROCFILE
                else worker_class
            )
            class_env = {
                **env,
                "GUNICORN_CMD_ARGS": worker_class_args(worker_class, args.gunicorn_args),
            }
            for workers in worker_counts:
                label = f"{name}, {workers} worker{'s' * (workers != 1)}"
                if not wrk:
                    results["http"][label] = {"skipped": "SKIP: no wrk; apt-get install wrk"}
                    continue
                measured = {}
                measure(
                    measured,
                    label,
                    f"(3) round {round_number + 1}: wrk against {label}, {CONNECTIONS} "
                    f"connections for {seconds} s, then (4)",
                    partial(http_load, wrk, class_env, workers, seconds, warmup_seconds, png),
                )
                rounds.setdefault(label, []).append(measured[label])
    for label, runs in rounds.items():
        good = sorted(
            (run for run in runs if "requests_per_s" in run), key=lambda r: r["requests_per_s"]
        )
        results["http"][label] = (
            {
                **good[(len(good) - 1) // 2],
                "rounds_requests_per_s": [r["requests_per_s"] for r in good],
            }
            if good
            else runs[-1]
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
