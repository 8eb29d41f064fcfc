"""Datasets: local raw files, the system dataset directory or tensorflow-datasets, split into
train / validation / test, as numpy arrays or tf.data pipelines (ImageNet, Oxford-IIIT Pet, COCO
captions: streamed only)."""

from dlrecipes.data.datasets import DatasetSplits, StreamedSplits, list_datasets, load
from dlrecipes.data.raw import DataFileError
from dlrecipes.data import scenes  # noqa: F401  (registers "fashion_scenes")
from dlrecipes.data import text  # noqa: F401  (registers "pystdlib_text")
from dlrecipes.data import captions  # noqa: F401  (registers "fashion_scene_captions")
from dlrecipes.data import pets  # noqa: F401  (registers "oxford_iiit_pet", streamed from tfds)
from dlrecipes.data import coco  # noqa: F401  (registers "coco_captions", streamed from tfds)

__all__ = ["DataFileError", "DatasetSplits", "StreamedSplits", "list_datasets", "load"]
