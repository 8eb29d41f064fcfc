"""COCO captions for the captioning task, streamed from tensorflow-datasets.

Chen et al. 2015, "Microsoft COCO Captions: Data Collection and Evaluation Server",
https://arxiv.org/abs/1504.00325 — about five human captions per image; tfds name
"coco_captions" (Karpathy's splits: 82,783 train, 5,000 test; "val" and "restval" unused).
Captions are lower-cased, every character but a-z, 0-9 and space becomes a space, and the words
are split on spaces (`words`); they are cut after `MAX_WORDS` words (Karpathy's neuraltalk
keeps 16). The vocabulary holds the train captions' words seen at least `MIN_COUNT` times
(neuraltalk: 5), after the specials of captions.py ("<pad>" = 0, masked by show_and_tell).

An example is one image with one of its captions, as for the Fashion-MNIST scenes: batches are
((float32 image, int32 tokens[:-1]), int32 tokens[1:]); a training image gets one of its
captions drawn at random each time it is read, validation and test images their first one.
Images are resized to `IMAGE_SIZE`×`IMAGE_SIZE` (bilinear, aspect ratio not kept) and
standardized with ImageNet's statistics.

The data must already be prepared by tfds (`load` fails at once otherwise, never downloads).
"""

import dataclasses
import re

import numpy as np

from dlrecipes.data import tfds_source
from dlrecipes.data.captions import CAPTIONING, END, PAD, SPECIALS, START, UNKNOWN
from dlrecipes.data.datasets import (
    StreamedInfo,
    StreamedSplits,
    _check_validation,
    _tfds_dir,
    register_dataset,
    require_prepared,
    streamed_ranges,
)
from dlrecipes.data.vocabulary import Vocabulary
from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_int

NAME = "coco_captions"
IMAGE_SIZE = 224  # read at load time, like MAX_WORDS and MIN_COUNT
MAX_WORDS = 16
MIN_COUNT = 5
REPORT_IMAGES = 1000  # test images the captioning report decodes and scores with BLEU
INFO = StreamedInfo(
    num_classes=0,  # the vocabulary's size, known once the train captions are read
    train_examples=82_783,  # tfds coco_captions 2014
    test_split="test",
    test_examples=5_000,
    raw_files=(),
    resize=IMAGE_SIZE,
    crop=IMAGE_SIZE,
    mean=(0.485, 0.456, 0.406),
    std=(0.229, 0.224, 0.225),
)
_NOT_A_WORD = "[^a-z0-9 ]"


def words(text):
    """The words of a caption: lower-cased, characters other than a-z, 0-9, space dropped."""
    return re.sub(_NOT_A_WORD, " ", text.lower()).split()


@dataclasses.dataclass(frozen=True)
class CocoCaptionSplits(StreamedSplits):
    """Streamed captioning splits with the train captions' `vocabulary` and the length of the
    token rows, `caption_tokens`; the task's report decodes the first `REPORT_IMAGES` test
    images (`report_examples`)."""

    vocabulary: Vocabulary = dataclasses.field(default=None, repr=False)
    caption_tokens: int = MAX_WORDS + 2

    encoded = ()
    task = CAPTIONING

    def _image(self, image, normalize=True):
        import tensorflow as tf

        resized = tf.image.resize(image, self.input_shape[:2], antialias=True)
        return self._standardized(resized, normalize)

    def _preprocessing(self, split, *, seed, normalize):
        import tensorflow as tf

        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(self.vocabulary.tokens), tf.range(len(self.vocabulary), dtype=tf.int32)
            ),
            default_value=self.vocabulary.id(UNKNOWN),
        )
        start, end, pad = (self.vocabulary.id(t) for t in (START, END, PAD))
        length, random_caption = self.caption_tokens, split == "train"

        def prepare(example):
            texts = example["captions"]["text"]
            pick = tf.random.uniform((), 0, tf.shape(texts)[0], tf.int32, seed=seed) if random_caption else 0
            text = tf.strings.regex_replace(tf.strings.lower(texts[pick]), _NOT_A_WORD, " ")
            ids = table.lookup(tf.strings.split(text)[: length - 2])
            ids = tf.concat([[start], ids, [end]], 0)
            tokens = tf.pad(ids, [[0, length - tf.shape(ids)[0]]], constant_values=pad)
            tokens = tf.ensure_shape(tokens, (length,))
            return (self._image(example["image"], normalize), tokens[:-1]), tokens[1:]

        return prepare

    def report_examples(self, split):
        """(normalized images, uint8 images, per image its captions as word lists) of the
        first `REPORT_IMAGES` images of `split`, for the captioning report."""
        import tensorflow as tf

        self._check_split(split)
        tfds_split, start, stop = self.ranges[split]
        stop = min(stop, start + REPORT_IMAGES)
        dataset = tfds_source.read(self.name, f"{tfds_split}[{start}:{stop}]", encoded=())
        dataset = dataset.map(lambda e: (self._image(e["image"], normalize=False), e["captions"]["text"]))
        pictures, references = [], []
        for image, texts in dataset.prefetch(tf.data.AUTOTUNE).as_numpy_iterator():
            pictures.append(np.clip(np.round(image), 0, 255).astype(np.uint8))
            references.append([words(t.decode("utf-8")) for t in texts])
        pictures = np.stack(pictures)
        return ((pictures / np.float32(255) - self.mean) / self.std).astype(np.float32), pictures, references


def _how_to_provide(name, reason):
    return (
        f"Dataset {name!r} is not available: {reason}. It is read from tensorflow-datasets' "
        "prepared data only (never downloaded during load). Provide it one of two ways:\n"
        f"  1. With internet access, once: `tfds build {name}`; it downloads the COCO 2014 "
        "images and captions (~38 GB) from https://cocodataset.org and prepares them in "
        "$TFDS_DATA_DIR.\n"
        "  2. Prepared tensorflow-datasets data copied from another machine: set TFDS_DATA_DIR "
        f"to the directory that holds {name}/ (now: {_tfds_dir()})."
    )


def train_vocabulary(train_examples, min_count):
    """The `Vocabulary` of the captions of tfds' first `train_examples` train images (one pass
    over the train records; the images are not decoded)."""
    dataset = tfds_source.read(NAME, f"train[0:{train_examples}]", encoded=("image",))
    texts = (t for example in dataset.as_numpy_iterator() for t in example["captions"]["text"])
    tokens = (word for text in texts for word in words(text.decode("utf-8")))
    return Vocabulary.from_tokens(tokens, specials=SPECIALS, unknown=UNKNOWN, min_count=min_count)


def load_coco_captions(data_dir=None, validation=5000, seed=0, *, size=None, min_count=None):
    """The "coco_captions" `CocoCaptionSplits`: the last `validation` images of tfds' train
    split for validation, its test split (Karpathy's 5,000) for test; `size` (default
    `IMAGE_SIZE`) is the side of the square images, `min_count` (default `MIN_COUNT`) the
    least number of train captions a word needs to enter the vocabulary. `seed` is unused:
    `as_dataset(seed=...)` draws the captions of the training images."""
    if data_dir is not None:
        raise ConfigError(
            f"{NAME} is read from tensorflow-datasets' data directory: set TFDS_DATA_DIR instead "
            f"of data_dir. Received: data_dir={data_dir!r}"
        )
    size = check_int("size", IMAGE_SIZE if size is None else size, minimum=1)
    min_count = check_int("min_count", MIN_COUNT if min_count is None else min_count, minimum=1)
    _check_validation(NAME, validation, INFO.train_examples)
    require_prepared(NAME, _how_to_provide)
    ranges = streamed_ranges(INFO, validation)
    vocabulary = train_vocabulary(ranges["train"][2], min_count)
    return CocoCaptionSplits(
        name=NAME,
        info=INFO,
        ranges=ranges,
        num_classes=len(vocabulary),
        class_names=(),
        input_shape=(size, size, 3),
        mean=np.array(INFO.mean, np.float32),
        std=np.array(INFO.std, np.float32),
        source=f"tensorflow-datasets ({_tfds_dir()})",
        vocabulary=vocabulary,
        caption_tokens=MAX_WORDS + 2,
    )


register_dataset(
    NAME,
    num_classes=0,  # the vocabulary's size is known once loaded
    loader=load_coco_captions,
    description="COCO 2014 images with ~5 captions each (tfds, prepared; Karpathy splits)",
)
