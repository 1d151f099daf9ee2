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


def calibration(probabilities, labels, bins=15):
    """Expected calibration error of the top probability (equal-width bins) and each bin's
    count, mean confidence and accuracy: the reliability diagram as plain data."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    # Bin b holds confidences in (edges[b], edges[b + 1]]; the first also holds 0.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        row = {
            "low": round(float(edges[b]), 4),
            "high": round(float(edges[b + 1]), 4),
            "count": count,
            "confidence": None,
            "accuracy": None,
        }
        if count:
            row["confidence"] = round(float(confidence[inside].mean()), 6)
            row["accuracy"] = round(float(correct[inside].mean()), 6)
            ece += count / len(confidence) * abs(row["accuracy"] - row["confidence"])
        rows.append(row)
    return {"bins": bins, "ece": round(ece, 6), "reliability": rows}
