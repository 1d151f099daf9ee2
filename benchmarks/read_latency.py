"""How long does POST /api/read take, and what does the number model add to it?

    python benchmarks/read_latency.py                       # the shipped models
    python benchmarks/read_latency.py --also other.tflite   # another number model beside them

Numbers of 2, 4 and 8 template digits (a stream of their own), written close, drawn with one
pen on the page's 280 px canvas and on a phone's 1080 px one, are read through Flask's test
client, the whole request (decoding, cutting, every model): without the number model, with
the shipped one (all its members), with it and the strokes sent beside the PNG as the page
sends them (JSON), and with each --also file. Each configuration is timed in
turns with the others (`--rounds` rounds of every number), so a busy moment of the machine
falls on all of them; the table gives the median and the best per canvas and length, and the
JSON every figure.
"""

import argparse
import base64
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import ROOT  # noqa: E402
from drawings.numbers import write_number  # noqa: E402
from drawings.pens import draw_pen  # noqa: E402
from drawings.streams import rng_for  # noqa: E402
from drawings.templates import random_template  # noqa: E402
from reading.geometry import bounds  # noqa: E402
from webapp import create_app  # noqa: E402

LENGTHS = (2, 4, 8)
CANVASES = (280, 1080)
CLOSE = (0.03, 0.15)  # gaps between neighbours, share of the height (the benchmark's "close")
STREAM = 900  # rng_for("benchmark", seed, STREAM + ...): no other use


def number_png(length, side, seed):
    """A PNG of `length` template digits written close, as wide as 0.9 of a `side` px canvas
    at most and 0.3 of it high, black on white: (png bytes, the digits, the strokes in its
    pixels in the order drawn)."""
    rng = rng_for("benchmark", seed, STREAM + 10 * length + side % 7)
    digits = [int(d) for d in rng.integers(10, size=length)]
    per_digit = write_number([random_template(rng, d)[1] for d in digits], rng, CLOSE)
    left, top, right, bottom = bounds([s for strokes in per_digit for s in strokes])
    scale = min(0.3 * side / (bottom - top), 0.9 * side / (right - left))
    pen = max(2, round(0.04 * scale))
    image = Image.new("L", (side, side), 0)
    offset = np.array([(side - (right - left) * scale) / 2, 0.35 * side])
    placed = [
        (np.asarray(s) - (left, top)) * scale + offset for strokes in per_digit for s in strokes
    ]
    draw_pen(ImageDraw.Draw(image), placed, pen)
    image = Image.eval(image, lambda v: 255 - v)  # the pen draws white: dark ink on white
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), "".join(map(str, digits)), [s.tolist() for s in placed]


def clients(also, database):
    """{name: (Flask test client, number-model members, whether strokes are sent)} for each
    configuration."""
    configs = {
        "without number model": None,
        "shipped number model": {},
        "shipped number model, strokes": {},
    }
    for path in also:
        configs[f"--also {Path(path).name}"] = {"NUMBER_MODEL_PATH": str(path)}
    out = {}
    for name, config in configs.items():
        app = create_app(
            {"TESTING": True, "DATABASE_URL": f"sqlite:///{database}", **(config or {})}
        )
        models = app.extensions["models"]
        if config is None:  # the app as served where no number model was trained
            models.number = None
        reader = models.number
        members = 0 if reader is None else reader.columns(np.zeros((32, 64), np.float32)).shape[0]
        out[name] = (app.test_client(), members, name.endswith("strokes"))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python benchmarks/read_latency.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--also",
        nargs="*",
        default=[],
        type=Path,
        help="other number-model .tflite files to time beside the shipped one",
    )
    parser.add_argument("--rounds", type=int, default=30, help="requests per number (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "read_latency.json"
    )
    args = parser.parse_args(argv)

    numbers = {
        (side, length): number_png(length, side, args.seed)
        for side in CANVASES
        for length in LENGTHS
    }
    configs = clients(args.also, Path(tempfile.mkdtemp()) / "feedback.sqlite3")
    times = {name: {key: [] for key in numbers} for name in configs}
    read = {name: {} for name in configs}
    for round_ in range(args.rounds + 1):
        for key, (png, _, strokes) in numbers.items():
            for name, (client, _, with_strokes) in configs.items():
                started = time.perf_counter()
                if with_strokes:
                    body = {"image": base64.b64encode(png).decode(), "strokes": strokes}
                    response = client.post("/api/read", json=body)
                else:
                    response = client.post("/api/read", data=png, content_type="image/png")
                elapsed = 1000 * (time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(
                        f"{name}: /api/read answered {response.status_code}: "
                        f"{response.get_data(as_text=True)[:200]}"
                    )
                if round_ == 0:  # the first request of each warms caches: not timed
                    read[name][key] = response.get_json()["number"]
                else:
                    times[name][key].append(elapsed)

    rows = []
    print(
        f"POST /api/read, ms (median / best of {args.rounds}); numbers of template digits "
        "written close"
    )
    header = f"{'configuration':34s} {'members':>7s} {'read right':>10s}" + "".join(
        f" {f'{side}px x{length}':>14s}" for side, length in numbers
    )
    print(header)
    for name, (_, members, _) in configs.items():
        cells = []
        for key in numbers:
            median, best = statistics.median(times[name][key]), min(times[name][key])
            cells.append(f" {median:7.1f} /{best:5.1f}")
            rows.append(
                {
                    "configuration": name,
                    "members": members,
                    "canvas": key[0],
                    "digits": key[1],
                    "median_ms": round(median, 2),
                    "best_ms": round(best, 2),
                    "number": numbers[key][1],
                    "read": read[name][key],
                }
            )
        right = sum(read[name][key] == numbers[key][1] for key in numbers)
        print(f"{name:34s} {members:7d} {f'{right} of {len(numbers)}':>10s}" + "".join(cells))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rounds": args.rounds, "rows": rows}, indent=2) + "\n")
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
