"""Export a trained Keras model to the LiteRT (TFLite) file the server loads.

python -m model.export                       # model/saved/digits.keras -> digits.tflite
python -m model.export --model other.keras
"""

import argparse
import os
from pathlib import Path

from reading.models import DIGITS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def export_tflite(model, path):
    """Convert a Keras model to a float32 TFLite flatbuffer at path (no quantization: exact parity)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    Path(path).write_bytes(converter.convert())
    print(f"Exported {path} for serving with LiteRT.", flush=True)
    return Path(path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m model.export",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DIGITS.keras,
        help=f"the .keras model to export (default: {DIGITS.keras})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the .tflite file (default: next to the model)",
    )
    args = parser.parse_args(argv)

    from model.architectures import load_model

    export_tflite(load_model(args.model), args.out or args.model.with_suffix(".tflite"))


if __name__ == "__main__":
    main()
