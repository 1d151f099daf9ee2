"""Calibration of the digit model's confidence: expected calibration error and its bins."""

import numpy as np
import pytest

from model.metrics import calibration


def one_hot_ish(top, labels, answers):
    """Probabilities whose top is `top` on `answers`, the rest spread over the other digits."""
    p = np.full((len(top), 10), 0.0)
    p[:] = ((1 - np.asarray(top)) / 9)[:, None]
    p[np.arange(len(top)), answers] = top
    return p


def test_calibration_of_a_model_right_as_often_as_it_says_is_zero():
    # 0.8 sure on 10 images, 8 of them right: perfectly calibrated.
    labels = np.zeros(10, dtype=int)
    answers = np.array([0] * 8 + [1] * 2)
    result = calibration(one_hot_ish([0.8] * 10, labels, answers), labels)
    assert result["ece"] == pytest.approx(0.0, abs=1e-9)
    (full,) = [row for row in result["reliability"] if row["count"]]
    assert full["count"] == 10 and full["accuracy"] == 0.8 and full["confidence"] == 0.8


def test_calibration_of_an_overconfident_model_is_the_gap_weighted_by_bin():
    labels = np.zeros(4, dtype=int)
    # Two images 0.99 sure, one right: gap 0.49; two 0.5 sure, both right: gap 0.5.
    answers = np.array([0, 1, 0, 0])
    result = calibration(one_hot_ish([0.99, 0.99, 0.5, 0.5], labels, answers), labels)
    assert result["ece"] == pytest.approx(0.5 * 0.49 + 0.5 * 0.5)
    assert result["bins"] == 15 and len(result["reliability"]) == 15
    assert sum(row["count"] for row in result["reliability"]) == 4
