"""Batches of in-memory arrays without TensorFlow: what `DatasetSplits.as_dataset` hands Keras'
`fit` and `evaluate` where TensorFlow is not installed (JAX or PyTorch alone, e.g. on a GPU
machine), in place of its tf.data pipeline. Same batches: the same sizes, dtypes and
standardization; each epoch a new seeded permutation when shuffled (drawn by NumPy, not by
TensorFlow's stateless shuffle, so the order differs from the tf.data pipeline's for the same seed).
"""

import importlib.util

import keras
import numpy as np

from dlrecipes.data.datasets import batch_count


def tensorflow_installed():
    """Whether TensorFlow can be imported (found, not imported: as tfds_source.is_installed)."""
    return importlib.util.find_spec("tensorflow") is not None


class ArrayBatches(keras.utils.PyDataset):
    """(transform(x[batch]), y[batch] as int32) for each batch of `batch_size` examples.

    shuffle: a new permutation of the examples at the start of every epoch, drawn from a NumPy
    generator seeded with `seed`; otherwise the arrays' order. drop_remainder: leave out the
    last, partial batch."""

    def __init__(self, x, y, batch_size, *, shuffle, seed, transform, drop_remainder=False):
        super().__init__()
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.transform = transform
        self._batches = batch_count(len(x), batch_size, drop_remainder)
        self._rng = np.random.default_rng(seed)
        self._order = self._permutation()

    def _permutation(self):
        return self._rng.permutation(len(self.x)) if self.shuffle else None

    def __len__(self):
        return self._batches

    def __getitem__(self, index):
        if not 0 <= index < self._batches:
            raise IndexError(f"batch index {index} is out of range(0, {self._batches})")
        window = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self._order is None:
            x, y = self.x[window], self.y[window]
        else:
            rows = np.sort(self._order[window])  # gathering rows in order reads memory forwards
            x, y = self.x[rows], self.y[rows]
        return self.transform(x), y.astype(np.int32)

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._permutation()
