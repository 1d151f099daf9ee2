"""Classify image files with a saved model, through the same preprocessing as the server.

python -m model.predict drawing.png [more.png ...]
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from PIL import Image, UnidentifiedImageError  # noqa: E402

from reading.models import DIGITS
from reading.preprocess import EmptyDrawing, preprocess_image  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.predict",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("images", nargs="+", type=Path, help="PNG, JPEG or WebP files")
    parser.add_argument(
        "--model",
        type=Path,
        default=DIGITS.keras,
        help=f"the .keras model (default: {DIGITS.keras})",
    )
    args = parser.parse_args(argv)

    from model.architectures import load_model

    model = load_model(args.model)
    failed = False
    for path in args.images:
        try:
            x = preprocess_image(Image.open(path))
        except (OSError, UnidentifiedImageError, EmptyDrawing) as error:
            print(f"{path}: {error}", file=sys.stderr)
            failed = True
            continue
        probabilities = model.predict(x[None, ..., None], verbose=0)[0]
        digit = int(probabilities.argmax())
        print(f"{path}: {digit} ({probabilities[digit] * 100:.1f} %)")
        print("  " + "  ".join(f"{d}: {p:.4f}" for d, p in enumerate(probabilities)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
