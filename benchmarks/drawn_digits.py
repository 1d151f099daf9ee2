"""Drawn-digit benchmark (issue 4): stroke sequences drawn in Chromium, read by the server.

    .venv/bin/python benchmarks/drawn_digits.py --serve          # starts the Procfile's server
    .venv/bin/python benchmarks/drawn_digits.py --url http://127.0.0.1:8000

Makes --count drawings from a seed (MNIST test digits traced into strokes, stroke templates,
handwriting fonts, Hershey fonts; see benchmarks/drawn/__init__.py), draws each in a real
canvas in headless Chromium with varied canvas, look, brush and size, sends every rendering
to POST /api/predict, draws --page-sample of them on the page itself with the mouse, then
prints accuracy tables and writes report.json and misread.png to --out. With --numbers N it
also draws N whole numbers of 2 to 8 digits from the same sources (benchmarks/drawn/numbers.py)
and reads them, and every single digit, through POST /api/read: each number twice, as an image
alone and with its strokes in the order drawn, as the page sends it. It also draws --non-digits
held-out letters, scribbles and shapes (benchmarks/drawn/nondigits.py) and reports the share
the server rejects as not a digit, and the share of the digits it rejects. With --mixed N it
reads N numbers of 1 to 4 digits with a held-out non-digit among them through /api/read: the
non-digit should show as "?" and the digits should be read (also both ways).
"""

import argparse
import contextlib
import copy
import json
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.drawn import SOURCES, rng_for  # noqa: E402
from benchmarks.drawn.client import drive_page, page_twin, predict_all  # noqa: E402
from benchmarks.drawn.layout import build  # noqa: E402
from benchmarks.drawn.numbers import (build_mixed, build_numbers, print_mixed,  # noqa: E402
                                      print_numbers, summarize_mixed, summarize_numbers)
from benchmarks.drawn.render import CanvasRenderer, launch, pixel_strokes  # noqa: E402
from benchmarks.drawn.nondigits import build_non_digits  # noqa: E402
from benchmarks.drawn.report import (misread_grid, print_non_digits, print_tables,  # noqa: E402
                                     rejected, summarize, summarize_non_digits)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    where.add_argument("--serve", action="store_true",
                       help="start the Procfile's server on a free port (and stop it after)")
    parser.add_argument("--model", help="with --serve: DIGITS_MODEL_PATH for the server "
                        "(default: the server's own default, model/saved/digits.tflite)")
    parser.add_argument("--seed", type=int, default=0,
                        help="fixes every drawing; same seed, same benchmark (default 0)")
    # 1,000 a source puts about 330 drawings in each look, width and size bucket, so the
    # 1-point bucket rule is about 3 drawings, not one unlucky one.
    parser.add_argument("--count", type=int, default=4000,
                        help="drawings in all, split evenly over the sources (default 4000)")
    parser.add_argument("--page-sample", type=int, default=200,
                        help="how many of them to also draw on the page with the mouse "
                             "(default 200; 0 skips the page)")
    parser.add_argument("--numbers", type=int, default=0,
                        help="whole numbers of 2-8 digits to read through /api/read, split "
                             "evenly over sources, lengths and spacings (default 0: none)")
    parser.add_argument("--non-digits", type=int, default=600,
                        help="held-out non-digits (font letters, scribbles, shapes) drawn and "
                             "sent to /api/predict, which should say not a digit (default 600; "
                             "0: none)")
    parser.add_argument("--mixed", type=int, default=0,
                        help="numbers of 1-4 digits with one held-out non-digit among them, "
                             "read through /api/read (default 0: none)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "drawn",
                        help="folder for report.json and misread.png")
    parser.add_argument("--workers", type=int, default=4, help="API requests in flight")
    return parser.parse_args(argv)


@contextlib.contextmanager
def server(args):
    """The URL to benchmark: the given one, or a Procfile server started for the run."""
    if args.url:
        yield args.url.rstrip("/")
        return
    from benchmarks._common import procfile_server

    env = {"DIGITS_MODEL_PATH": str(Path(args.model).resolve())} if args.model else {}
    with procfile_server(workers=2, env=env) as (_, url):
        yield url


def page_sample(drawings, size, seed):
    """`size` drawings spread evenly over the sources, chosen by the benchmark's own stream."""
    rng = rng_for("benchmark", seed, 1000)
    sources = [s for s in SOURCES if any(d.source == s for d in drawings)]
    chosen = []
    for i, source in enumerate(sources):
        pool = [d for d in drawings if d.source == source]
        take = min(len(pool), size // len(sources) + (i < size % len(sources)))
        chosen += [pool[j] for j in sorted(rng.choice(len(pool), take, replace=False))]
    return chosen


def main(argv=None):
    args = parse_args(argv)
    timings, started = {}, time.perf_counter()

    def lap(name, since):
        timings[name] = round(time.perf_counter() - since, 1)
        return time.perf_counter()

    drawings = build(args.seed, args.count)
    mark = lap("strokes", started)
    page = []
    with sync_playwright() as playwright, server(args) as url:
        browser = launch(playwright)
        renderer = CanvasRenderer(browser)
        pngs = renderer.render(drawings)
        mark = lap("render", mark)
        with urllib.request.urlopen(f"{url}/api/health", timeout=10) as response:
            health = json.load(response)
        for drawing, answer in zip(drawings, predict_all(url, pngs, args.workers)):
            drawing.answer = answer
        mark = lap("api", mark)
        if args.non_digits:
            non_digits = build_non_digits(args.seed, args.non_digits, len(drawings))
            non_digit_pngs = renderer.render(non_digits)
            for drawing, answer in zip(non_digits, predict_all(url, non_digit_pngs,
                                                               args.workers)):
                drawing.answer = answer
            mark = lap("non-digits", mark)
        if args.numbers:
            numbers = build_numbers(args.seed, args.numbers)
            numbers_stroked = read_both_ways(url, renderer, numbers, args.workers)
            # Single digits through /api/read too: one digit must stay one digit.
            singles = predict_all(url, pngs, args.workers, "/api/read")
            mark = lap("numbers", mark)
        if args.mixed:
            mixed = build_mixed(args.seed, args.mixed)
            mixed_stroked = read_both_ways(url, renderer, mixed, args.workers)
            mark = lap("mixed", mark)
        if args.page_sample:
            sample = page_sample(drawings, args.page_sample, args.seed)
            page = drive_page(browser, url, sample)
            twins = [page_twin(d, p["css"], p["pixels"]) for d, p in zip(sample, page)]
            for p, answer in zip(page, predict_all(url, renderer.render(twins), args.workers)):
                p["api_digit"] = answer.get("digit")
            lap("page", mark)
        browser.close()
    report = summarize(drawings, page)
    if args.numbers:
        single = report["by_source"]["all"]["accuracy"]
        report["numbers"] = summarize_numbers(numbers, single)
        report["numbers_with_strokes"] = summarize_numbers(numbers_stroked, single)
        report["numbers"]["single_digits_read_right"] = sum(
            a.get("number") == str(d.label) for d, a in zip(drawings, singles)) / len(drawings)
    if args.non_digits:
        report["not_a_digit"] = summarize_non_digits(non_digits, drawings)
    if args.mixed:
        report["non_digit_among_digits"] = summarize_mixed(mixed)
        report["non_digit_among_digits_with_strokes"] = summarize_mixed(mixed_stroked)
    timings["total"] = round(time.perf_counter() - started, 1)
    report["run"] = {"seed": args.seed, "count": len(drawings), "url": url if args.url else
                     "--serve", "model": args.model, "health": health, "seconds": timings}
    print_tables(report)
    if args.numbers:
        print("\nNumbers sent as an image alone:")
        print_numbers(report["numbers"])
        print("\nNumbers sent with their strokes, as the page sends them:")
        print_numbers(report["numbers_with_strokes"])
        print(f"Single digits read right through /api/read: "
              f"{100 * report['numbers']['single_digits_read_right']:.2f} %")
    if args.non_digits:
        print_non_digits(report["not_a_digit"])
    if args.mixed:
        print("\nAs an image alone:")
        print_mixed(report["non_digit_among_digits"])
        print("\nWith their strokes:")
        print_mixed(report["non_digit_among_digits_with_strokes"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    shown = misread_grid(drawings, pngs, args.out / "misread.png")
    print(f"\n{len(drawings)} drawings in {timings['total']} s ({timings}); wrote "
          f"{args.out / 'report.json'} and {args.out / 'misread.png'} ({shown} misread shown)")
    if args.non_digits:
        shown = misread_grid(non_digits, non_digit_pngs, args.out / "accepted_non_digits.png",
                             show=lambda d: not rejected(d))
        print(f"Wrote {args.out / 'accepted_non_digits.png'} ({shown} non-digits not rejected)")


def read_both_ways(url, renderer, numbers, workers):
    """Read numbers through /api/read as images alone (their .answer) and with their strokes
    (the copies returned, .answer set likewise)."""
    pngs = renderer.render(numbers)
    stroked = [copy.copy(number) for number in numbers]
    for number, answer in zip(numbers, predict_all(url, pngs, workers, "/api/read")):
        number.answer = answer
    answers = predict_all(url, pngs, workers, "/api/read",
                          strokes=[pixel_strokes(number) for number in numbers])
    for number, answer in zip(stroked, answers):
        number.answer = answer
    return stroked


if __name__ == "__main__":
    main()
