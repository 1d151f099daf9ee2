"""Export a trained Keras model to the LiteRT (TFLite) file the server loads.

python -m model.export                       # model/saved/digits.keras -> digits.tflite, quantized
python -m model.export --model other.keras
python -m model.export --float               # float32: the same answers as Keras (to 1e-4)

The digit model is served dynamic-range quantized (DIGITS_QUANTIZED); every other model float32.
"""

import argparse
import os
from pathlib import Path

from reading.models import DIGITS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The digit model's weights are served as int8: a third of the float file's time per image (0.10
# against 0.32 ms on one core) for the same MNIST test accuracy (99.55 % against 99.54 %) and the
# same drawn-digit figures within noise (docs/experiments/quantized-digits.md). Every path that
# exports the digit model passes this.
DIGITS_QUANTIZED = True

FLOAT = "LiteRT, float32"
DYNAMIC_RANGE = "LiteRT, dynamic-range quantized: int8 weights, float32 input and output"


def served_format(quantize):
    """What the card says of the exported file (its `served` key)."""
    return DYNAMIC_RANGE if quantize else FLOAT


def export_tflite(model, path, quantize=False):
    """Convert a Keras model to a TFLite flatbuffer at path.

    Float32 by default: the same answers as Keras to 1e-4. `quantize`: dynamic-range
    quantization, the weights stored as int8 and the arithmetic done on them (input, output and
    activations stay float, no calibration data): a quarter of the file and a third of the time
    per image for the digit ensemble, its answers within a few hundredths of Keras'.
    """
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    Path(path).write_bytes(converter.convert())
    print(f"Exported {path} ({served_format(quantize)}) for serving with LiteRT.", flush=True)
    return Path(path)


def note_served(path, quantize):
    """Say in the digit model's card beside `path`, if there is one, how the file was exported."""
    from model.card import card_path, read_card, write_card

    if card_path(path).exists():
        write_card(path, {**read_card(path), "served": served_format(quantize)})


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
        help=f"the digit model to export (default: {DIGITS.keras})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the .tflite file (default: next to the model)",
    )
    parser.add_argument(
        "--float",
        action="store_true",
        help="export float32, not dynamic-range quantized (the same answers as Keras)",
    )
    args = parser.parse_args(argv)

    from model.architectures import load_model

    quantize = DIGITS_QUANTIZED and not args.float
    out = args.out or args.model.with_suffix(".tflite")
    export_tflite(load_model(args.model), out, quantize=quantize)
    note_served(out, quantize)


if __name__ == "__main__":
    main()
