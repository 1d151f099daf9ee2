"""Data, architectures, training, evaluation and export of the digit model."""

from pathlib import Path

# The shipped model; its .tflite, card and plots sit next to it.
SHIPPED_MODEL = Path(__file__).parent / "saved" / "digits.keras"
