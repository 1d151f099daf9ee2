"""Drawn-digit benchmark: stroke sequences drawn in Chromium, read by the server.

    .venv/bin/python benchmarks/drawn_digits.py --serve          # starts the Procfile's server
    .venv/bin/python benchmarks/drawn_digits.py --url http://127.0.0.1:8000

Makes --count drawings from a seed (MNIST test digits traced into strokes, stroke templates,
handwriting fonts, Hershey fonts; see benchmarks/drawn/__init__.py) and asks the server about
each one three ways (benchmarks/drawn/shown.py): the page's way (its strokes redrawn with the
page's pen on its 280 px export, sent as the page's form with `Prefer: read, explain`), and the
image alone, drawn in a real canvas in headless Chromium with varied canvas, look, brush and
size, on /api/predict and on /api/read. A drawing counts as right only when what a person
would be shown is right: a digit refused as "not a digit" is wrong, and so is "not sure". It also
draws --page-sample of them on the page itself with the mouse and reads what the page shows.
It prints the tables and writes report.json and misread.png to --out.

--non-digits held-out letters, scribbles, shapes, faces, words and doodles
(benchmarks/drawn/nondigits.py) are asked the same three ways: the share shown as no digit at
all. --numbers N whole numbers of 2 to 8 digits from the same sources (benchmarks/drawn/
numbers.py) are read the page's way, as an image alone on /api/read and with their strokes on
/api/read. --mixed N reads numbers of 1 to 4 digits with a held-out non-digit among them
through /api/read (alone and with strokes): no number, so right when no digit is shown.
--mnist-test also sends MNIST's own 10,000 test digits. The default seed is the held-out one
(benchmarks/seeds.py, benchmarks/SEEDS.md): its figures are for reporting, never choosing.
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
from benchmarks.drawn.client import (  # noqa: E402
    as_page_draws,
    ask_all,
    drive_page,
    page_strokes,
    page_twin,
    predict_all,
)
from benchmarks.drawn.layout import build  # noqa: E402
from benchmarks.drawn.nondigits import build_non_digits  # noqa: E402
from benchmarks.drawn.numbers import (  # noqa: E402
    build_mixed,
    build_numbers,
    print_mixed,
    print_numbers,
    summarize_mixed,
    summarize_numbers,
)
from benchmarks.drawn.render import CanvasRenderer, launch, pixel_strokes  # noqa: E402
from benchmarks.drawn.report import (  # noqa: E402
    misread_grid,
    print_non_digits,
    print_tables,
    rejected,
    summarize,
    summarize_non_digits,
)
from benchmarks.drawn.shown import WAY_NAMES, WAYS, shown, shows_no_digit  # noqa: E402
from benchmarks.seeds import REPORT_SEED, seed_role  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    where.add_argument(
        "--serve",
        action="store_true",
        help="start the Procfile's server on a free port (and stop it after)",
    )
    parser.add_argument(
        "--model",
        help="with --serve: DIGITS_MODEL_PATH for the server "
        "(default: the server's own default, model/saved/digits.tflite)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=REPORT_SEED,
        help="fixes every drawing; same seed, same benchmark (default "
        f"{REPORT_SEED}, the held-out seed: benchmarks/seeds.py)",
    )
    # 1,000 a source puts about 330 drawings in each look, width and size bucket, so the
    # 1-point bucket rule is about 3 drawings, not one unlucky one.
    parser.add_argument(
        "--count",
        type=int,
        default=4000,
        help="drawings in all, split evenly over the sources (default 4000)",
    )
    parser.add_argument(
        "--page-sample",
        type=int,
        default=200,
        help="how many of them to also draw on the page with the mouse "
        "(default 200; 0 skips the page)",
    )
    parser.add_argument(
        "--numbers",
        type=int,
        default=0,
        help="whole numbers of 2-8 digits to read through /api/read, split "
        "evenly over sources, lengths and spacings (default 0: none)",
    )
    parser.add_argument(
        "--non-digits",
        type=int,
        default=600,
        help="held-out non-digits (font letters, scribbles, shapes, faces, "
        "words, doodles) drawn and asked every way: no digit should be "
        "shown (default 600; 0: none)",
    )
    parser.add_argument(
        "--mixed",
        type=int,
        default=0,
        help="numbers of 1-4 digits with one held-out non-digit among them, "
        "read through /api/read (default 0: none)",
    )
    parser.add_argument(
        "--mnist-test",
        action="store_true",
        help="also send MNIST's own 10,000 test digits as 28x28 PNGs (reported, "
        "never used to choose)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "drawn",
        help="folder for report.json and misread.png",
    )
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
        with urllib.request.urlopen(f"{url}/api/health", timeout=10) as response:
            health = json.load(response)
        pngs = ask_every_way(url, renderer, drawings, args.workers)
        mark = lap("single digits", mark)
        if args.non_digits:
            non_digits = build_non_digits(args.seed, args.non_digits, len(drawings))
            non_digit_pngs = ask_every_way(url, renderer, non_digits, args.workers)
            mark = lap("non-digits", mark)
        if args.numbers:
            numbers = build_numbers(args.seed, args.numbers)
            ask_every_way(url, renderer, numbers, args.workers, ("page", "read"))
            numbers_stroked = read_both_ways(url, renderer, numbers, args.workers)[1]
            mark = lap("numbers", mark)
        if args.mixed:
            mixed = build_mixed(args.seed, args.mixed)
            mixed, mixed_stroked = read_both_ways(url, renderer, mixed, args.workers)
            mark = lap("mixed", mark)
        if args.mnist_test:
            mnist_test = ask_mnist_test(url, args.workers)
            mark = lap("MNIST test", mark)
        if args.page_sample:
            sample = page_sample(drawings, args.page_sample, args.seed)
            page = drive_page(browser, url, sample)
            twins = [page_twin(d, p["css"], p["pixels"]) for d, p in zip(sample, page)]
            for p, answer in zip(
                page,
                ask_all(
                    url,
                    renderer.render(twins),
                    "page",
                    [page_strokes(t) for t in twins],
                    args.workers,
                ),
            ):
                p["request"] = shown(answer)
            lap("page", mark)
        browser.close()
    report = summarize(drawings, page, WAYS)
    if args.numbers:
        report["numbers"] = {}
        for way, name in (("page", "page"), ("read", "image_alone")):
            single = report["ways"][way]["by_source"]["all"]["accuracy"]
            report["numbers"][name] = summarize_numbers(numbers, single, way)
        single = report["ways"]["read"]["by_source"]["all"]["accuracy"]
        report["numbers"]["read_with_strokes"] = summarize_numbers(numbers_stroked, single)
    if args.non_digits:
        report["not_a_digit"] = summarize_non_digits(non_digits, drawings, WAYS)
    if args.mixed:
        report["non_digit_among_digits"] = summarize_mixed(mixed)
        report["non_digit_among_digits_with_strokes"] = summarize_mixed(mixed_stroked)
    if args.mnist_test:
        report["mnist_test"] = mnist_test
    timings["total"] = round(time.perf_counter() - started, 1)
    report["run"] = {
        "seed": args.seed,
        "seed_role": seed_role(args.seed),
        "count": len(drawings),
        "url": url if args.url else "--serve",
        "model": args.model,
        "health": health,
        "seconds": timings,
    }
    print(f"seed {args.seed}: {seed_role(args.seed)}")
    print_tables(report)
    if args.numbers:
        titles = {
            "page": "Numbers sent the page's way (/api/predict, Prefer: read, the page's "
            "pen, with strokes):",
            "image_alone": "Numbers sent as an image alone to /api/read:",
            "read_with_strokes": "Numbers sent to /api/read with their strokes (the "
            "benchmark's pens):",
        }
        for name, title in titles.items():
            print(f"\n{title}")
            print_numbers(report["numbers"][name])
    if args.non_digits:
        print_non_digits(report["not_a_digit"])
    if args.mixed:
        print("\nAs an image alone:")
        print_mixed(report["non_digit_among_digits"])
        print("\nWith their strokes:")
        print_mixed(report["non_digit_among_digits_with_strokes"])
    if args.mnist_test:
        print_mnist_test(mnist_test)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    shown_count = misread_grid(drawings, pngs, args.out / "misread.png")
    print(
        f"\n{len(drawings)} drawings in {timings['total']} s ({timings}); wrote "
        f"{args.out / 'report.json'} and {args.out / 'misread.png'} "
        f"({shown_count} misread shown)"
    )
    if args.non_digits:
        shown_count = misread_grid(
            non_digits,
            non_digit_pngs,
            args.out / "accepted_non_digits.png",
            show=lambda d: not rejected(d),
        )
        print(
            f"Wrote {args.out / 'accepted_non_digits.png'} ({shown_count} non-digits shown "
            f"as a digit on /api/predict)"
        )


def ask_every_way(url, renderer, drawings, workers, ways=WAYS):
    """Ask every way of benchmarks/drawn/shown.py about each drawing: the page's way with its
    strokes redrawn by the page's pen, the plain ways with the benchmark's own rendering.
    Sets each drawing's .answers (by way) and .answer (the plain /api/predict one, or the
    first asked); returns the benchmark's renderings."""
    pngs = renderer.render(drawings)
    for drawing in drawings:
        drawing.answers = {}
    for way in ways:
        if way == "page":
            twins = [as_page_draws(d) for d in drawings]
            replies = ask_all(
                url, renderer.render(twins), "page", [page_strokes(t) for t in twins], workers
            )
        else:
            replies = ask_all(url, pngs, way, workers=workers)
        for drawing, answer in zip(drawings, replies):
            drawing.answers[way] = answer
    for drawing in drawings:
        drawing.answer = drawing.answers.get("predict", drawing.answers[ways[0]])
    return pngs


def ask_mnist_test(url, workers):
    """MNIST's own 10,000 test digits, each as a 28x28 PNG (light ink on black), asked the
    plain ways: shown right and refused as not a digit."""
    import io

    from PIL import Image

    from model.data import load_mnist

    _, (images, labels) = load_mnist(verbose=False)
    pngs = []
    for image in images:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    result = {}
    for way in ("predict", "read"):
        texts = [shown(answer) for answer in ask_all(url, pngs, way, workers=workers)]
        result[way] = {
            "n": len(texts),
            "shown_right": sum(t == str(y) for t, y in zip(texts, labels)),
            "refused": sum(shows_no_digit(t) for t in texts),
        }
    return result


def print_mnist_test(result, out=print):
    out("\nMNIST's own test digits (28x28 PNGs), reported only (target: at most 0.3 % refused):")
    for way, st in result.items():
        out(
            f"  {WAY_NAMES[way]}: shown right {100 * st['shown_right'] / st['n']:.2f} %, "
            f"refused as not a digit {100 * st['refused'] / st['n']:.2f} % (n={st['n']})"
        )


def read_both_ways(url, renderer, numbers, workers):
    """Read numbers through /api/read as images alone (their .answer) and with their strokes
    (copies, .answer set likewise); returns (numbers, copies)."""
    pngs = renderer.render(numbers)
    stroked = [copy.copy(number) for number in numbers]
    for number, answer in zip(numbers, predict_all(url, pngs, workers, "/api/read")):
        number.answer = answer
    answers = predict_all(
        url, pngs, workers, "/api/read", strokes=[pixel_strokes(number) for number in numbers]
    )
    for number, answer in zip(stroked, answers):
        number.answer = answer
    return numbers, stroked


if __name__ == "__main__":
    main()
