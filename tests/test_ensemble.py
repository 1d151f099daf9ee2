"""model.ensemble: the shipped model is the mean of its members' probabilities."""

import numpy as np

from model.architectures import ARCHITECTURES
from model.ensemble import average_of


def test_ensemble_answers_the_mean_of_its_members():
    members = [ARCHITECTURES["mlp"]() for _ in range(2)]  # different random weights
    x = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    each = [member.predict(x, verbose=0) for member in members]
    assert not np.allclose(each[0], each[1])
    together = average_of(members).predict(x, verbose=0)
    np.testing.assert_allclose(together, (each[0] + each[1]) / 2, atol=1e-6)
    np.testing.assert_allclose(together.sum(axis=1), 1.0, atol=1e-5)
