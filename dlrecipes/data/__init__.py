"""Datasets: local raw files, the system dataset directory or tensorflow-datasets, split into
train / validation / test, as numpy arrays or tf.data pipelines (ImageNet: streamed only)."""

from dlrecipes.data.datasets import DatasetSplits, StreamedSplits, list_datasets, load
from dlrecipes.data.raw import DataFileError
from dlrecipes.data import scenes  # noqa: F401  (registers "fashion_scenes")
from dlrecipes.data import text  # noqa: F401  (registers "pystdlib_text")
from dlrecipes.data import captions  # noqa: F401  (registers "fashion_scene_captions")

__all__ = ["DataFileError", "DatasetSplits", "StreamedSplits", "list_datasets", "load"]
