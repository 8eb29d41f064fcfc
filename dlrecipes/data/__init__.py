"""Datasets: local raw files, the system dataset directory or tensorflow-datasets, split into
train / validation / test, as numpy arrays or tf.data pipelines (ImageNet: streamed only)."""

from dlrecipes.data.datasets import DatasetSplits, StreamedSplits, list_datasets, load
from dlrecipes.data.raw import DataFileError

__all__ = ["DataFileError", "DatasetSplits", "StreamedSplits", "list_datasets", "load"]
