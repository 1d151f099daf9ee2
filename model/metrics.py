"""The figures a model card reports, computed the same way by training and evaluation."""

import numpy as np


def classification_report(probabilities, labels):
    """Accuracy, per-digit accuracy and confusion matrix (rows = true digit) as plain lists."""
    predicted = np.argmax(probabilities, axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_digit = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "test_accuracy": round(float((predicted == labels).mean()), 6),
        "test_errors": int((predicted != labels).sum()),
        "per_digit_accuracy": {str(d): round(float(a), 6) for d, a in enumerate(per_digit)},
        "confusion_matrix": confusion.tolist(),
    }
