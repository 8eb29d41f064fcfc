"""Readers for the datasets' raw files: IDX for the MNIST family, python pickles for CIFAR.

Every problem with a file is raised as `DataFileError` naming the file and what is wrong.
"""

import dataclasses
import functools
import gzip
import io
import math
import pickle
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from dlrecipes.errors import ConfigError


class DataFileError(ConfigError):
    """A raw data file exists but cannot be read: corrupt, truncated or of the wrong format."""


class Arrays(NamedTuple):
    """A dataset as numpy arrays: x uint8 NHWC, y int64; class_names is None when unknown."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple | None


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where a dataset's raw files live and what they are called."""

    train: tuple  # files holding the training examples
    test: tuple  # files holding the test examples
    meta: str | None  # optional file with the class names
    subdirs: tuple  # folders of a data directory that may hold the files
    label_key: str | None = None  # CIFAR: the batch's label entry; None for IDX files
    names_key: str | None = None  # CIFAR: the meta file's class-name entry

    @property
    def required(self):
        """The file names that must all be present."""
        return self.train + self.test


_IDX_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_IDX_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

LAYOUTS = {
    "mnist": Layout(_IDX_TRAIN, _IDX_TEST, None, ("mnist",)),
    "fashion_mnist": Layout(_IDX_TRAIN, _IDX_TEST, None, ("fashion_mnist", "fashion-mnist")),
    "cifar10": Layout(
        tuple(f"data_batch_{i}" for i in range(1, 6)),
        ("test_batch",),
        "batches.meta",
        ("cifar10", "cifar-10-batches-py"),
        label_key="labels",
        names_key="label_names",
    ),
    "cifar100": Layout(
        ("train",),
        ("test",),
        "meta",
        ("cifar100", "cifar-100-python"),
        label_key="fine_labels",
        names_key="fine_label_names",
    ),
}


def expected_files(name):
    """Human-readable list of the files `name` needs, for error messages."""
    layout = LAYOUTS[name]
    text = ", ".join(layout.required)
    if layout.required[0].endswith(".gz"):
        text += " (or the same without .gz)"
    if layout.meta:
        text += f", optionally {layout.meta} for the class names"
    return text


@dataclasses.dataclass(frozen=True)
class RawFiles:
    """The files found for a dataset, with a stamp so that the read cache sees rewritten files."""

    name: str
    directory: str
    paths: tuple  # (expected name, path found) pairs
    stamp: tuple  # (modification time, size) of each path

    def path(self, expected):
        """The path found for an expected file name, or None."""
        return dict(self.paths).get(expected)


def _find_file(directory, expected):
    """`directory/expected`, or for a .gz name also its uncompressed twin; None if absent."""
    names = (expected, expected.removesuffix(".gz"))
    return next((directory / n for n in names if (directory / n).is_file()), None)


def locate(name, directory):
    """The first of `directory` and its dataset subfolders that holds all files of `name`."""
    layout = LAYOUTS[name]
    root = Path(directory)
    for folder in [root] + [root / sub for sub in layout.subdirs]:
        found = {e: _find_file(folder, e) for e in layout.required + (layout.meta,) if e}
        if all(found[e] for e in layout.required):
            paths = tuple((e, str(p)) for e, p in found.items() if p)
            stamp = tuple((s.st_mtime_ns, s.st_size) for s in (Path(p).stat() for _, p in paths))
            return RawFiles(name, str(folder), paths, stamp)
    return None


def _read_bytes(path):
    """The file's content, gunzipped when its name ends with .gz."""
    if not path.endswith(".gz"):
        return Path(path).read_bytes()
    try:
        with gzip.open(path) as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise DataFileError(f"{path} is not a valid gzip file ({err}).") from None


def read_idx(path, ndim):
    """An IDX file of unsigned bytes with `ndim` dimensions as a read-only uint8 array."""
    data = _read_bytes(path)
    magic = bytes([0, 0, 0x08, ndim])
    if data[:4] != magic:
        raise DataFileError(
            f"{path} is not an IDX file of {ndim}-D unsigned bytes: its magic number is "
            f"0x{data[:4].hex()}, expected 0x{magic.hex()}."
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFileError(f"{path} is truncated: its header needs {header} bytes.")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    size = len(data) - header
    if size != math.prod(dims):
        raise DataFileError(
            f"{path} declares dimensions {dims}, i.e. {math.prod(dims)} bytes of data, "
            f"but holds {size}."
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(dims)


def _check_labels(y, num_classes, path):
    """Labels must lie in [0, num_classes)."""
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise DataFileError(
            f"{path} holds labels in [{y.min()}, {y.max()}], expected [0, {num_classes - 1}]."
        )


def _read_idx_pair(images_path, labels_path, num_classes):
    """Images (N, H, W, 1) and labels (N,) from an IDX image file and its label file."""
    x = read_idx(images_path, 3)
    y = read_idx(labels_path, 1).astype(np.int64)
    if len(x) != len(y):
        raise DataFileError(
            f"{labels_path} holds {len(y)} labels but {images_path} holds {len(x)} images."
        )
    _check_labels(y, num_classes, labels_path)
    return x[..., None], y


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, strings and numpy arrays, and refuses any other object."""

    _ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"it holds a {module}.{name}, which CIFAR files never do")
        return super().find_class(module, name)


def _unpickle(path):
    """A CIFAR pickle as a dict with str keys."""
    try:
        content = _ArrayUnpickler(io.BytesIO(Path(path).read_bytes()), encoding="bytes").load()
    except Exception as err:  # a corrupt pickle can raise almost anything
        raise DataFileError(f"{path} is not a valid CIFAR pickle ({err}).") from None
    if not isinstance(content, dict):
        raise DataFileError(f"{path} must hold a dict. Received: {type(content).__name__}")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in content.items()}


def _entry(content, key, path):
    """content[key], or a DataFileError naming the file."""
    if key not in content:
        raise DataFileError(f"{path} has no entry {key!r}; it holds {sorted(content)}.")
    return content[key]


def _read_cifar_batch(path, label_key, num_classes):
    """Images (N, 32, 32, 3) and labels (N,) of a CIFAR batch, stored (N, 3072) channel-first."""
    batch = _unpickle(path)
    data = np.asarray(_entry(batch, "data", path))
    labels = np.asarray(_entry(batch, label_key, path))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataFileError(
            f"{path}: 'data' must be a uint8 array of shape (N, 3072). "
            f"Received: {data.dtype} array of shape {data.shape}"
        )
    if labels.shape != (len(data),) or not np.issubdtype(labels.dtype, np.integer):
        raise DataFileError(
            f"{path}: {label_key!r} must hold {len(data)} integer labels, one per image. "
            f"Received: {labels.dtype} array of shape {labels.shape}"
        )
    labels = labels.astype(np.int64)
    _check_labels(labels, num_classes, path)
    x = np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return x, labels


def _read_class_names(path, key, num_classes):
    """The class names stored under `key` of a CIFAR meta file."""
    names = _entry(_unpickle(path), key, path)
    if not isinstance(names, (list, tuple)) or len(names) != num_classes:
        raise DataFileError(f"{path}: {key!r} must list {num_classes} class names.")
    return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)


def _read_split(files, expected, label_key, num_classes):
    """x, y of one split from its IDX pair (label_key None) or its CIFAR batches."""
    paths = [files.path(e) for e in expected]
    if label_key is None:
        return _read_idx_pair(*paths, num_classes)
    parts = [_read_cifar_batch(p, label_key, num_classes) for p in paths]
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))


@functools.lru_cache(maxsize=4)
def read(files, num_classes):
    """The dataset in `files` (from `locate`) as `Arrays`; cached per files and their stamps."""
    layout = LAYOUTS[files.name]
    x_train, y_train = _read_split(files, layout.train, layout.label_key, num_classes)
    x_test, y_test = _read_split(files, layout.test, layout.label_key, num_classes)
    if x_train.shape[1:] != x_test.shape[1:]:
        raise DataFileError(
            f"{files.directory}: test images have shape {x_test.shape[1:]} "
            f"but training images {x_train.shape[1:]}."
        )
    meta = files.path(layout.meta) if layout.meta else None
    names = _read_class_names(meta, layout.names_key, num_classes) if meta else None
    return Arrays(x_train, y_train, x_test, y_test, names)
