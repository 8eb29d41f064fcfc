"""Segmentation scenes made of real Fashion-MNIST images, deterministic by seed.

A scene is a `size`×`size` black canvas with 1 to 3 items pasted at random places. Items never
overlap: their 28×28 boxes are disjoint, so every pixel belongs to at most one item, the image
is an exact copy of each item inside its box, and relations such as "left of" stay well
defined for captions. The per-pixel label is 1 + the item's class where the item's pixel is
on (value >= `ON_THRESHOLD`) and 0 (background) elsewhere, including the item's faint fringe.

`load("fashion_scenes", validation=n)` builds train scenes from Fashion-MNIST training images,
`n` validation scenes from `HELD_OUT_IMAGES` training images held out of them (disjoint) and
test scenes from the test images only.
"""

import dataclasses

import numpy as np

from dlrecipes.data.datasets import _channel_stats, load, register_dataset
from dlrecipes.data.segmentation import SegmentationSplits
from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_int

ON_THRESHOLD = 32  # an item's pixel is "on" from 32/255 (12.5 % of full brightness)
TRAIN_SCENES = 10_000
TEST_SCENES = 2_000
HELD_OUT_IMAGES = 10_000  # Fashion-MNIST training images reserved for the validation scenes
_RESTARTS = 100  # placements tried before a shuffled grid; at 64×64 half the tries fit 3 items


@dataclasses.dataclass(frozen=True)
class Scenes:
    """Generated scenes.

    images: uint8 (N, S, S, 1); masks: uint8 (N, S, S), 0 = background, 1 + class index where
    an item's pixel is on; items: per scene, a tuple of (class_index, row, col) of each item's
    top-left corner, in placement order; source_indices: per scene, the index of each item's
    image in the array the scenes were made from, in the same order.
    """

    images: np.ndarray = dataclasses.field(repr=False)
    masks: np.ndarray = dataclasses.field(repr=False)
    items: tuple = dataclasses.field(repr=False)
    source_indices: tuple = dataclasses.field(repr=False)

    def __len__(self):
        return len(self.images)


def _check_sources(images, labels):
    """(images as (N, h, w) uint8, labels as int64 (N,)), or ConfigError."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.dtype != np.uint8 or images.ndim != 3 or len(images) == 0:
        raise ConfigError(
            "images must be a non-empty uint8 array (N, h, w) or (N, h, w, 1). "
            f"Received: images of dtype {images.dtype} and shape {images.shape}"
        )
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer) or (
        labels.min() < 0 or labels.max() > 254
    ):
        raise ConfigError(
            f"labels must be {len(images)} integer class indices in 0..254, one per image. "
            f"Received: labels of dtype {labels.dtype} and shape {labels.shape}"
        )
    return images, labels.astype(np.int64)


def _check_items(items, size, item_shape):
    """(low, high) item counts that always fit without overlap, or ConfigError."""
    if not isinstance(items, (tuple, list)) or len(items) != 2:
        raise ConfigError(f"items must be a (min, max) pair of item counts. Received: items={items!r}")
    low, high = (check_int("items", n, minimum=1) for n in items)
    capacity = (size // item_shape[0]) * (size // item_shape[1])
    if low > high or high > capacity:
        raise ConfigError(
            f"items must be (min, max) with 1 <= min <= max <= {capacity}, the number of "
            f"{item_shape[0]}x{item_shape[1]} items that fit without overlap on a {size}x{size} "
            f"canvas. Received: items={items!r}"
        )
    return low, high


def _placement(rng, count, size, item_shape):
    """Top-left corners of `count` disjoint item boxes: each item uniformly among the corners
    still free, starting again when an early item leaves no room for a later one."""
    h, w = item_shape
    for _ in range(_RESTARTS):
        free = np.ones((size - h + 1, size - w + 1), bool)
        corners = []
        for _ in range(count):
            candidates = np.flatnonzero(free)
            if len(candidates) == 0:
                break
            r, c = (int(v) for v in np.unravel_index(rng.choice(candidates), free.shape))
            free[max(r - h + 1, 0) : r + h, max(c - w + 1, 0) : c + w] = False
            corners.append((r, c))
        else:
            return corners
    cells = [(i * h, j * w) for i in range(size // h) for j in range(size // w)]
    return [cells[k] for k in rng.permutation(len(cells))[:count]]


def _source_stream(rng, n):
    """Indices into the n source images: one permutation after another, so that every image
    is used once before any is used twice."""
    while True:
        yield from (int(i) for i in rng.permutation(n))


def _generate(images, labels, count, size, items, rng):
    low, high = items
    h, w = images.shape[1:]
    canvas = np.zeros((count, size, size), np.uint8)
    masks = np.zeros((count, size, size), np.uint8)
    sources = _source_stream(rng, len(images))
    scene_items, scene_sources = [], []
    for n in range(count):
        chosen = [next(sources) for _ in range(int(rng.integers(low, high + 1)))]
        corners = _placement(rng, len(chosen), size, (h, w))
        for index, (r, c) in zip(chosen, corners):
            canvas[n, r : r + h, c : c + w] = images[index]
            masks[n, r : r + h, c : c + w] = np.where(images[index] >= ON_THRESHOLD, 1 + labels[index], 0)
        scene_items.append(tuple((int(labels[i]), r, c) for i, (r, c) in zip(chosen, corners)))
        scene_sources.append(tuple(chosen))
    return Scenes(canvas[..., None], masks, tuple(scene_items), tuple(scene_sources))


def make_scenes(images, labels, *, count, size=64, items=(1, 3), seed=0):
    """`count` scenes of `size`×`size` pixels with between items[0] and items[1] (inclusive)
    non-overlapping items each, drawn from `images` (uint8 (N, h, w[, 1])) and their class
    `labels`: every image is used once before any is reused. Deterministic by `seed`."""
    images, labels = _check_sources(images, labels)
    count = check_int("count", count, minimum=0)
    size = check_int("size", size, minimum=max(images.shape[1:]))
    items = _check_items(items, size, images.shape[1:])
    seed = check_int("seed", seed, minimum=0)
    return _generate(images, labels, count, size, items, np.random.default_rng(seed))


SPLIT_SEEDS = {"train": 0, "validation": 1, "test": 2}


def scene_sets(
    data_dir=None, validation=1000, seed=0, *, train=TRAIN_SCENES, test=TEST_SCENES, size=64, items=(1, 3)
):
    """(fashion, scenes): the Fashion-MNIST `DatasetSplits` the scenes are made from and the
    `Scenes` of each split, whose source_indices index `fashion.arrays(split)`. Train and
    validation scenes come from disjoint parts of the training images (`load`'s seeded hold-out
    of `HELD_OUT_IMAGES`), test scenes from the test images only. Each split has its own random
    stream derived from `seed`."""
    counts = {
        "train": check_int("train", train, minimum=1),
        "validation": check_int("validation", validation, minimum=0),
        "test": check_int("test", test, minimum=1),
    }
    seed = check_int("seed", seed, minimum=0)
    fashion = load("fashion_mnist", data_dir=data_dir, validation=HELD_OUT_IMAGES, seed=seed)
    size = check_int("size", size, minimum=max(fashion.input_shape[:2]))
    items = _check_items(items, size, fashion.input_shape[:2])
    scenes = {}
    for split, count in counts.items():
        images, labels = _check_sources(*fashion.arrays(split))
        rng = np.random.default_rng([seed, SPLIT_SEEDS[split]])
        scenes[split] = _generate(images, labels, count, size, items, rng)
    return fashion, scenes


def load_scenes(data_dir=None, validation=1000, seed=0):
    """The "fashion_scenes" dataset: `SegmentationSplits` of 64×64 scenes, 11 classes
    (background + the 10 Fashion-MNIST classes), x (N, 64, 64, 1) uint8 and y (N, 64, 64) masks."""
    fashion, scenes = scene_sets(data_dir, validation, seed, train=TRAIN_SCENES, test=TEST_SCENES)
    train, val, test = scenes["train"], scenes["validation"], scenes["test"]
    mean, std = _channel_stats(train.images)
    return SegmentationSplits(
        name="fashion_scenes",
        x_train=train.images,
        y_train=train.masks,
        x_val=val.images,
        y_val=val.masks,
        x_test=test.images,
        y_test=test.masks,
        num_classes=1 + fashion.num_classes,
        class_names=("background", *fashion.class_names),
        input_shape=train.images.shape[1:],
        mean=mean,
        std=std,
        source=f"scenes of Fashion-MNIST from {fashion.source}",
    )


register_dataset(
    "fashion_scenes",
    num_classes=11,
    loader=load_scenes,
    description="64x64 scenes of 1-3 Fashion-MNIST items; per-pixel labels, 0 = background",
)
