"""The corrections people sent, as a data set for retraining.

    python -m model.correction_data export                          # default database -> runs/feedback/
    python -m model.correction_data export --database postgresql://... --out some/folder

Writes corrections.npz (x: the 28x28 inputs the model saw, y: the labels people gave,
predicted: what the model had answered, ids, model_version) and corrections.png, a contact
sheet of every correction with its label and the model's answer, to look at before training.
"""

import argparse
import math
import os
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from PIL import Image, ImageDraw

from corrections import store

TILE = 56  # px per correction on the contact sheet: the 28x28 input at 2x


def database_from(source):
    """A SQLAlchemy URL from a URL or a path to a SQLite file."""
    return source if "://" in source else f"sqlite:///{Path(source).resolve()}"


def load_corrections(source):
    """(x float32 (N, 28, 28), y int64 (N,), predicted int64 (N,)) from a database or an .npz."""
    source = str(source)
    if source.endswith(".npz"):
        with np.load(source) as data:
            return data["x"], data["y"], data["predicted"]
    corrections = read_arrays(database_from(source))
    return corrections["x"], corrections["y"], corrections["predicted"]


def read_arrays(url):
    """Every stored correction of the database at url as arrays: x (the inputs), y (the labels),
    predicted (the model's answers), ids and model_version.

    The rows are streamed from the database and only the columns training needs are read (not
    the sent images), so memory holds the arrays and one batch of rows, whatever the table's size.
    """
    engine = store.open_engine(url)
    inputs, labels, answers, ids, versions = [], [], [], [], []
    try:
        for row in store.stream_training_rows(engine):
            inputs.append(row["input"])
            labels.append(row["label"])
            answers.append(row["predicted"])
            ids.append(row["id"])
            versions.append(row["model_version"])
    except sa.exc.SQLAlchemyError as error:
        raise SystemExit(
            f"Could not read corrections from {engine.url!r} ({error.orig or error}). "
            "Is it the database the server writes to (DATABASE_URL)?"
        ) from None
    finally:
        engine.dispose()
    return {
        "x": np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.float32),
        "y": np.array(labels, dtype=np.int64),
        "predicted": np.array(answers, dtype=np.int64),
        "ids": np.array(ids, dtype=np.int64),
        "model_version": np.array(versions, dtype=str),
    }


def export(url, out):
    """Write corrections.npz and corrections.png to folder out; returns how many."""
    corrections = read_arrays(url)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "corrections.npz", **corrections)
    contact_sheet(corrections["x"], corrections["y"], corrections["predicted"]).save(
        out / "corrections.png"
    )
    return len(corrections["ids"])


def contact_sheet(x, y, predicted, columns=16):
    """Every input with 'label (model's answer)' under it, ink dark on white."""
    rows = max(1, math.ceil(len(x) / columns))
    sheet = Image.new("L", (columns * TILE, rows * (TILE + 12)), 255)
    pen = ImageDraw.Draw(sheet)
    for i, (image, label, answer) in enumerate(zip(x, y, predicted)):
        left, top = (i % columns) * TILE, (i // columns) * (TILE + 12)
        tile = Image.fromarray(np.uint8(255 - 255 * np.clip(image, 0, 1)), "L")
        sheet.paste(tile.resize((TILE, TILE), Image.Resampling.NEAREST), (left, top))
        pen.text((left + 4, top + TILE), f"{label} (said {answer})", fill=0)
    return sheet


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.correction_data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export_parser = commands.add_parser("export", help="write corrections.npz and .png")
    export_parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL") or str(store.DEFAULT_DATABASE),
        help="a database URL or a SQLite file (default: $DATABASE_URL, else the server's "
        f"default, {store.DEFAULT_DATABASE})",
    )
    export_parser.add_argument(
        "--out",
        type=Path,
        default=Path("runs") / "feedback",
        help="folder for corrections.npz and corrections.png (default: runs/feedback)",
    )
    args = parser.parse_args(argv)
    count = export(database_from(args.database), args.out)
    print(
        f"Exported {count} corrections to {args.out / 'corrections.npz'} and "
        f"{args.out / 'corrections.png'}."
    )


if __name__ == "__main__":
    main()
