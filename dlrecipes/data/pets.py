"""The Oxford-IIIT Pet dataset for semantic segmentation, streamed from tensorflow-datasets.

Parkhi, Vedaldi, Zisserman and Jawahar 2012, "Cats and dogs" (CVPR),
https://www.robots.ox.ac.uk/~vgg/data/pets/ — 7,349 photos of 37 breeds of cats and dogs with
pixel-level trimaps; tfds name "oxford_iiit_pet" (3,680 train, 3,669 test). The trimap values
1 = pet, 2 = background, 3 = border (unclassified pixels around the pet's outline) become the
labels 0, 1, 2. Images are resized to `IMAGE_SIZE`×`IMAGE_SIZE` (bilinear, aspect ratio not
kept, as in Keras' own pets segmentation example), masks with nearest neighbour so that labels
stay labels.

The data must already be prepared by tfds (it is not downloaded on the fly: `load` fails at
once with the ways to provide it).
"""

import numpy as np

from dlrecipes.data.datasets import (
    StreamedInfo,
    StreamedSplits,
    _check_validation,
    _tfds_dir,
    register_dataset,
    require_prepared,
    streamed_ranges,
)
from dlrecipes.data.segmentation import SEGMENTATION
from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_int

NAME = "oxford_iiit_pet"
IMAGE_SIZE = 128  # side of the square images and masks handed out (read at load time)
CLASS_NAMES = ("pet", "background", "border")
INFO = StreamedInfo(
    num_classes=len(CLASS_NAMES),
    train_examples=3_680,  # tfds oxford_iiit_pet 4.0.0
    test_split="test",
    test_examples=3_669,
    raw_files=(),
    resize=IMAGE_SIZE,
    crop=IMAGE_SIZE,
    mean=(0.485, 0.456, 0.406),  # ImageNet's RGB statistics (of x / 255), as for transfer
    std=(0.229, 0.224, 0.225),
)


class StreamedSegmentationSplits(StreamedSplits):
    """Streamed segmentation splits: (float32 image (S, S, 3), int32 mask (S, S)) examples, S =
    `input_shape[0]`; their task is segmentation."""

    encoded = ()  # tfds decodes the PNG masks and JPEG images
    task = SEGMENTATION

    def _preprocessing(self, split, *, seed, normalize):
        import tensorflow as tf

        size = self.input_shape[:2]

        def prepare(example):
            image = tf.image.resize(example["image"], size, antialias=True)
            mask = tf.image.resize(example["segmentation_mask"], size, method="nearest")
            labels = tf.clip_by_value(tf.cast(mask[..., 0], tf.int32) - 1, 0, self.num_classes - 1)
            return self._standardized(image, normalize), labels

        return prepare


def _how_to_provide(name, reason):
    return (
        f"Dataset {name!r} is not available: {reason}. It is read from tensorflow-datasets' "
        "prepared data only (never downloaded during load). Provide it one of two ways:\n"
        f"  1. With internet access, once: `tfds build {name}` (or "
        f"tfds.builder({name!r}).download_and_prepare()); it downloads ~800 MB from "
        "https://www.robots.ox.ac.uk/~vgg/data/pets/ and prepares it in $TFDS_DATA_DIR.\n"
        f"  2. Prepared tensorflow-datasets data copied from another machine: set TFDS_DATA_DIR "
        f"to the directory that holds {name}/ (now: {_tfds_dir()})."
    )


def load_pets(data_dir=None, validation=500, seed=0, *, size=None):
    """The "oxford_iiit_pet" `StreamedSegmentationSplits`: the last `validation` examples of
    tfds' train split for validation, its test split for test; `size` (default `IMAGE_SIZE`)
    is the side of the square images. `seed` is unused (tfds fixed the order)."""
    if data_dir is not None:
        raise ConfigError(
            f"{NAME} is read from tensorflow-datasets' data directory: set TFDS_DATA_DIR instead "
            f"of data_dir. Received: data_dir={data_dir!r}"
        )
    size = check_int("size", IMAGE_SIZE if size is None else size, minimum=32)
    _check_validation(NAME, validation, INFO.train_examples)
    require_prepared(NAME, _how_to_provide)
    return StreamedSegmentationSplits(
        name=NAME,
        info=INFO,
        ranges=streamed_ranges(INFO, validation),
        num_classes=INFO.num_classes,
        class_names=CLASS_NAMES,
        input_shape=(size, size, 3),
        mean=np.array(INFO.mean, np.float32),
        std=np.array(INFO.std, np.float32),
        source=f"tensorflow-datasets ({_tfds_dir()})",
    )


register_dataset(
    NAME,
    num_classes=len(CLASS_NAMES),
    loader=load_pets,
    description="Oxford-IIIT Pet trimaps (tfds, prepared): pet / background / border per pixel",
)
