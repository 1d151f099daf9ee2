"""Data, architectures, training, evaluation and export of the digit model."""
