"""Image classification datasets split into train / validation / test, with their metadata.

Sources, in order: an explicit `data_dir` or $DLRECIPES_DATA_DIR holding the raw files, the
system dataset directory (Debian's dataset-fashion-mnist), then tensorflow-datasets. The splits
come out as numpy arrays for any backend or as tf.data pipelines (TensorFlow imported lazily).
Datasets too big for memory (ImageNet, `STREAMED`) are read from tensorflow-datasets as they
are used: `StreamedSplits` hands out tf.data pipelines only.
"""

import dataclasses
import os

import numpy as np

from dlrecipes.data import raw, tfds_source
from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.validation import check_choice, check_int

DATA_DIR_ENV = "DLRECIPES_DATA_DIR"

# Where an operating-system package installs a dataset's raw files; tests monkeypatch this.
SYSTEM_DIRS = {"fashion_mnist": "/usr/share/datasets/fashion-mnist"}
_DEBIAN_PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}

# Standard class names, used when the data carries none; their number is num_classes.
CLASS_NAMES = {
    "mnist": tuple("0123456789"),
    "fashion_mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
    "cifar10": (
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ),
    "cifar100": (
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
        "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle",
        "caterpillar", "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch",
        "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest",
        "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower",
        "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
        "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum", "rabbit",
        "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk",
        "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar", "sunflower",
        "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor", "train",
        "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ),
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class StreamedInfo:
    """A dataset streamed from tensorflow-datasets: what is known before tfds is imported.

    `train_examples` of tfds' "train" split; `test_split` (`test_examples`) is the labelled tfds
    split used as test; `raw_files` are the archives tfds prepares it from; images have their
    shorter side resized to `resize`, then are cropped to `crop`×`crop` and standardized with
    the RGB `mean` and `std` (of x / 255).
    """

    num_classes: int
    train_examples: int
    test_split: str
    test_examples: int
    raw_files: tuple
    resize: int
    crop: int
    mean: tuple
    std: tuple


STREAMED = {
    # ILSVRC-2012 (Russakovsky et al. 2015): its 50,000-image "val" set, on which the papers
    # report, is our test split. 256 → 224 crops as AlexNet, VGG (S = 256) and ResNet test;
    # the RGB statistics of torchvision's ImageNet models.
    "imagenet2012": StreamedInfo(
        num_classes=1000,
        train_examples=1_281_167,
        test_split="validation",
        test_examples=50_000,
        raw_files=("ILSVRC2012_img_train.tar", "ILSVRC2012_img_val.tar"),
        resize=256,
        crop=224,
        mean=(0.485, 0.456, 0.406),
        std=(0.229, 0.224, 0.225),
    ),
}


@dataclasses.dataclass(frozen=True)
class GeneratedInfo:
    """A dataset with its own loader module: made from data every machine has (scenes built
    from Fashion-MNIST, Python's standard-library sources) or streamed from prepared
    tensorflow-datasets data for other tasks (pets.py, coco.py): `load` calls
    `loader(data_dir=..., validation=..., seed=...)`, which returns an object with the engine's
    splits interface (num_classes, input_shape, task, as_dataset, num_examples,
    steps_per_epoch, limit)."""

    num_classes: int
    loader: object
    description: str = ""


GENERATED = {}


def register_dataset(name, *, num_classes, loader, description=""):
    """Make the generated dataset `name` loadable by `load` and usable in recipes."""
    if name in GENERATED or name in CLASS_NAMES or name in STREAMED:
        raise ConfigError(f"A dataset named {name!r} is already registered.")
    GENERATED[name] = GeneratedInfo(num_classes, loader, description)


SHUFFLE_BUFFER = 10_000  # encoded images (ImageNet JPEGs average ~110 kB: ~1 GB)

# Split name -> suffix of its DatasetSplits fields (x_val, y_val for "validation").
_SUFFIXES = {"train": "train", "validation": "val", "test": "test"}
SPLITS = tuple(_SUFFIXES)
_ARRAY_FIELDS = tuple(f"{kind}_{suffix}" for suffix in _SUFFIXES.values() for kind in "xy")


def list_datasets():
    """The names `load` accepts, sorted."""
    return sorted([*CLASS_NAMES, *STREAMED, *GENERATED])


def num_classes(name):
    """The number of classes of dataset `name`."""
    check_choice("dataset", name, list_datasets())
    if name in STREAMED or name in GENERATED:
        return {**STREAMED, **GENERATED}[name].num_classes
    return len(CLASS_NAMES[name])


def _standardize(x, mean, std):
    """(x / 255 - mean) / std per channel, for float32 numpy arrays and tensors alike."""
    return (x / 255.0 - mean) / std


# Batches an in-memory pipeline computes ahead of training.
PREFETCH_BATCHES = 2


def batch_count(n, batch_size, drop_remainder=False):
    """Batches of `batch_size` in n examples: the last one partial unless `drop_remainder`."""
    return n // batch_size if drop_remainder else -(-n // batch_size)


def in_memory_batches(n, batch_size, batch_of_rows, *, shuffle, seed, drop_remainder=False, cache=False):
    """A tf.data.Dataset of `batch_of_rows(rows)` for batches of row indices into n in-memory
    examples, prefetched (`prefetched_in_memory`). Shuffled, each iteration (epoch) reads a new
    permutation (a stateless shuffle seeded from `tf.data.Dataset.random(seed)`); else rows in
    order, the batches kept after the first pass if `cache`. Batches gather their rows: a shuffle
    buffer of the examples themselves copied all n in at every epoch's start, 6 % of a LeNet-5
    epoch on Fashion-MNIST (docs/BENCHMARKS.md, "Input pipeline vs data in memory")."""
    import tensorflow as tf

    if shuffle:
        epoch_seed = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2).take(1)
        order = epoch_seed.map(lambda pair: tf.random.experimental.stateless_shuffle(tf.range(n), seed=pair))
    else:
        order = tf.data.Dataset.from_tensors(tf.range(n))
    rows = order.flat_map(
        lambda rows: tf.data.Dataset.from_tensor_slices(rows).batch(batch_size, drop_remainder=drop_remainder)
    )
    # flat_map hides the number of batches from Keras, which counts an epoch's steps by it
    rows = rows.apply(tf.data.experimental.assert_cardinality(batch_count(n, batch_size, drop_remainder)))
    dataset = rows.map(batch_of_rows)
    if cache and not shuffle:
        dataset = dataset.cache()
    return prefetched_in_memory(dataset)


def prefetched_in_memory(dataset):
    """`dataset` (batches of arrays held in memory) prefetching PREFETCH_BATCHES batches, with
    tf.data's autotuning off. Autotuning has nothing to tune on in-memory batches, and deleting
    an autotuned iterator at an epoch's end waits on its optimisation thread: epochs started up
    to 10 s late with the CPU idle (TF 2.21; docs/BENCHMARKS.md, "Stalls at the start of an
    epoch")."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(PREFETCH_BATCHES).with_options(options)


def unstandardize(x, mean, std):
    """The uint8 images (0..255) of standardized float images x, for pictures."""
    return np.clip(np.round((np.asarray(x) * std + mean) * 255.0), 0, 255).astype(np.uint8)


class _Splits:
    """What in-memory and streamed splits share: split sizes and the steps of an epoch."""

    def num_examples(self, split):
        """The number of examples of split "train", "validation" or "test"."""
        check_choice("split", split, SPLITS)
        return self._sizes()[split]

    def _check_split(self, split):
        """`split` is a split name and holds examples."""
        if self.num_examples(split) == 0:
            why = " (load(..., validation=0) keeps none for validation)" * (split == "validation")
            raise ConfigError(
                f"split must hold examples; {split!r} of {self.name} holds none{why}. "
                f"Received: split={split!r}"
            )

    def steps_per_epoch(self, batch_size):
        """Batches in one pass over the train split, the last one possibly partial."""
        batch_size = check_int("batch_size", batch_size, minimum=1)
        return batch_count(self.num_examples("train"), batch_size)


@dataclasses.dataclass(frozen=True, eq=False)
class DatasetSplits(_Splits):
    """A dataset split into train, validation and test, with metadata; its arrays are read-only.

    x arrays are uint8 (N, H, W, C), y arrays int64 (N,). mean and std are float32 (C,)
    statistics of x / 255 over the train split (validation excluded).
    """

    name: str
    x_train: np.ndarray = dataclasses.field(repr=False)
    y_train: np.ndarray = dataclasses.field(repr=False)
    x_val: np.ndarray = dataclasses.field(repr=False)
    y_val: np.ndarray = dataclasses.field(repr=False)
    x_test: np.ndarray = dataclasses.field(repr=False)
    y_test: np.ndarray = dataclasses.field(repr=False)
    num_classes: int
    class_names: tuple
    input_shape: tuple
    mean: np.ndarray
    std: np.ndarray
    source: str

    def __post_init__(self):
        # Arrays may be shared with the read cache and with other splits: nobody writes to them.
        for field in _ARRAY_FIELDS + ("mean", "std"):
            getattr(self, field).flags.writeable = False

    def _sizes(self):
        return {split: len(getattr(self, f"y_{suffix}")) for split, suffix in _SUFFIXES.items()}

    def arrays(self, split):
        """(x, y) of split "train", "validation" or "test"."""
        self._check_split(split)
        suffix = _SUFFIXES[split]
        return getattr(self, f"x_{suffix}"), getattr(self, f"y_{suffix}")

    def normalized(self, split):
        """(x, y) of `split` with x as float32 (x / 255 - mean) / std, for any backend."""
        x, y = self.arrays(split)
        return _standardize(x.astype(np.float32), self.mean, self.std), y

    def as_dataset(
        self,
        split,
        batch_size,
        *,
        shuffle=None,
        seed=0,
        normalize=True,
        cache=True,
        drop_remainder=False,
    ):
        """A tf.data.Dataset of (float32 x, int32 y) batches of `split`; where TensorFlow is not
        installed, the same batches as an `array_batches.ArrayBatches` (a keras PyDataset).

        Args:
            shuffle: reshuffle (seeded) on every iteration; default True for "train" only.
            normalize: x as (x / 255 - mean) / std with the train statistics; else 0..255.
            cache: keep the converted batches in memory after the first pass (unshuffled
                datasets only: caching would freeze a shuffled order; no effect without
                TensorFlow).
        """
        x, y = self.arrays(split)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        shuffle = split == "train" if shuffle is None else shuffle
        mean, std = self.mean, self.std

        from dlrecipes.data import array_batches  # imports Keras: not at dlrecipes.data's import

        if not array_batches.tensorflow_installed():
            def to_float_array(images):
                images = images.astype(np.float32)
                return _standardize(images, mean, std) if normalize else images

            return array_batches.ArrayBatches(
                x, y, batch_size, shuffle=shuffle, seed=seed, transform=to_float_array,
                drop_remainder=drop_remainder,
            )

        import tensorflow as tf

        images, labels = tf.constant(x), tf.constant(y.astype(np.int32))

        def gathered(rows):
            batch = tf.cast(tf.gather(images, rows), tf.float32)
            return (_standardize(batch, mean, std) if normalize else batch), tf.gather(labels, rows)

        return in_memory_batches(
            len(x), batch_size, gathered, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder, cache=cache
        )

    def limit(self, train=None, validation=None, test=None):
        """A copy keeping at most the first n examples of each split given; mean/std unchanged."""
        changes = {}
        for split, n in zip(SPLITS, (train, validation, test), strict=True):
            if n is not None:
                n = check_int(split, n, minimum=1)
                for kind in "xy":
                    field = f"{kind}_{_SUFFIXES[split]}"
                    changes[field] = getattr(self, field)[:n]
        return dataclasses.replace(self, **changes)

    def select_classes(self, classes=(), train_per_class=None):
        """A copy with only `classes` (relabelled 0, 1, ... in the given order; () keeps all) and
        at most the first `train_per_class` training examples of each; mean/std unchanged."""
        classes = tuple(classes) or tuple(range(self.num_classes))
        for c in classes:
            check_choice("classes", c, range(self.num_classes))
        relabel = np.full(self.num_classes, -1)
        relabel[list(classes)] = np.arange(len(classes))
        changes = {}
        for suffix in _SUFFIXES.values():
            y = getattr(self, f"y_{suffix}")
            keep = relabel[y] >= 0
            if suffix == "train" and train_per_class is not None:
                check_int("train_per_class", train_per_class, minimum=1)
                rank = np.zeros(len(y), int)  # position of each example within its class
                for c in classes:
                    rank[y == c] = np.arange(np.sum(y == c))
                keep &= rank < train_per_class
            changes[f"x_{suffix}"] = getattr(self, f"x_{suffix}")[keep]
            changes[f"y_{suffix}"] = relabel[y[keep]].astype(y.dtype)
        names = tuple(self.class_names[c] for c in classes)
        return dataclasses.replace(self, num_classes=len(classes), class_names=names, **changes)


@dataclasses.dataclass(frozen=True)
class StreamedSplits(_Splits):
    """A dataset too big for memory (see `STREAMED`), read from tensorflow-datasets as tf.data
    pipelines: the engine's interface of `DatasetSplits` (num_classes, input_shape, as_dataset,
    limit, steps_per_epoch, num_examples) without arrays.

    `ranges` maps each split to (tfds split, start, stop): train is the first examples of tfds'
    "train", validation its last `validation` ones (tfds shuffled the examples when it prepared
    them), test the dataset's labelled `test_split`.

    This class prepares ImageNet-style classification examples; other streamed datasets
    (pets.py, coco.py) subclass it and override `encoded` (the features read undecoded) and
    `_preprocessing` (one tfds example dict -> one (x, y) pair).
    """

    name: str
    info: StreamedInfo = dataclasses.field(repr=False)
    ranges: dict
    num_classes: int
    class_names: tuple = dataclasses.field(repr=False)
    input_shape: tuple
    mean: np.ndarray
    std: np.ndarray
    source: str

    encoded = ("image",)  # tfds features handed to `_preprocessing` as encoded bytes

    def _sizes(self):
        return {split: stop - start for split, (_, start, stop) in self.ranges.items()}

    def as_dataset(self, split, batch_size, *, shuffle=None, seed=0, normalize=True, drop_remainder=False):
        """A tf.data.Dataset of (x, y) batches of `split`, decoded and prepared as it is read.

        Args:
            shuffle: shuffle files and a buffer of `SHUFFLE_BUFFER` examples (seeded) on every
                iteration; default True for "train" only.
            normalize: images as (x / 255 - mean) / std; else 0..255.
        """
        self._check_split(split)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        shuffle = split == "train" if shuffle is None else shuffle

        import tensorflow as tf

        tfds_split, start, stop = self.ranges[split]
        dataset = tfds_source.read(
            self.name, f"{tfds_split}[{start}:{stop}]", shuffle_files=shuffle, seed=seed, encoded=self.encoded
        )
        if shuffle:
            dataset = dataset.shuffle(SHUFFLE_BUFFER, seed=seed, reshuffle_each_iteration=True)
        prepare = self._preprocessing(split, seed=seed, normalize=normalize)
        dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)

    def _standardized(self, image, normalize):
        """float32 `image` (0..255) standardized with the dataset's mean and std, or as it is."""
        return _standardize(image, self.mean, self.std) if normalize else image

    def _preprocessing(self, split, *, seed, normalize):
        """example -> (float32 image, int32 label). Every image has its shorter side resized to
        `info.resize` (bilinear, antialiased), then is cropped to `info.crop`×`info.crop`: at a
        random place for "train", in the centre otherwise (the single-scale protocol of AlexNet
        and VGG with S = 256; scale jitter, colour jitter and multi-crop testing are not
        reproduced; flips come from the recipe)."""
        import tensorflow as tf

        resize, crop, random_crop = self.info.resize, self.info.crop, split == "train"

        def prepare(example):
            image = tf.io.decode_jpeg(example["image"], channels=3)
            shape = tf.cast(tf.shape(image)[:2], tf.float32)
            size = tf.cast(tf.round(shape * resize / tf.reduce_min(shape)), tf.int32)
            image = tf.image.resize(image, size, antialias=True)
            if random_crop:
                image = tf.image.random_crop(image, (crop, crop, 3), seed=seed)
            else:
                image = tf.image.resize_with_crop_or_pad(image, crop, crop)
            return self._standardized(image, normalize), tf.cast(example["label"], tf.int32)

        return prepare

    def limit(self, train=None, validation=None, test=None):
        """A copy keeping at most the first n examples of each split given."""
        ranges = dict(self.ranges)
        for split, n in zip(SPLITS, (train, validation, test), strict=True):
            if n is not None:
                n = check_int(split, n, minimum=1)
                tfds_split, start, stop = ranges[split]
                ranges[split] = (tfds_split, start, min(stop, start + n))
        return dataclasses.replace(self, ranges=ranges)

    def _not_in_memory(self, *args, **kwargs):
        raise ConfigError(
            f"{self.name} is streamed from tensorflow-datasets: it has no in-memory arrays and "
            "no class selection; use as_dataset(), or a dataset that fits in memory "
            f"({', '.join(sorted(CLASS_NAMES))})."
        )

    arrays = normalized = select_classes = _not_in_memory


def load(name, data_dir=None, validation=5000, seed=0):
    """Load dataset `name` and split it into train, validation and test.

    Args:
        name: one of `list_datasets()`.
        data_dir: directory holding the raw files (or a subfolder named after the dataset);
            default $DLRECIPES_DATA_DIR, then the system dataset directory, then
            tensorflow-datasets.
        validation: number of training examples held out for validation, chosen by a
            permutation from `numpy.random.default_rng(seed)`; both parts keep file order.
            Streamed datasets hold out the last ones of tfds' (shuffled) train split instead.
        seed: seed of that permutation.

    Returns:
        A `DatasetSplits`, or a `StreamedSplits` for the datasets of `STREAMED`.
    """
    check_choice("name", name, list_datasets())
    validation = check_int("validation", validation, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    if name in STREAMED:
        return _streamed(name, data_dir, validation)
    if name in GENERATED:
        return GENERATED[name].loader(data_dir=data_dir, validation=validation, seed=seed)
    arrays, source = _read(name, data_dir)
    return _split(name, arrays, source, validation, seed)


def _fallback_dirs(name):
    """The directories searched when no data_dir is given: $DLRECIPES_DATA_DIR, system dir."""
    return [d for d in (os.environ.get(DATA_DIR_ENV), SYSTEM_DIRS.get(name)) if d]


def _read(name, data_dir):
    """The dataset's `raw.Arrays` and where they came from, trying the sources in order."""
    if data_dir is not None:
        files = _locate_explicit(name, data_dir)
    else:
        files = next(filter(None, (raw.locate(name, d) for d in _fallback_dirs(name))), None)
    if files is not None:
        return raw.read(files, len(CLASS_NAMES[name])), files.directory
    return _from_tfds(name), "tensorflow-datasets"


def _check_data_dir(data_dir):
    if not isinstance(data_dir, (str, os.PathLike)) or not os.path.isdir(data_dir):
        raise ConfigError(
            f"data_dir must be an existing directory. Received: data_dir={data_dir!r}"
        )


def _missing_files(name, data_dir, expected, subdirs):
    return ConfigError(
        f"data_dir must hold the raw files of {name}: {expected}, directly or in a subfolder "
        f"named {' or '.join(subdirs)}. Received: data_dir={os.fspath(data_dir)!r}"
    )


def _locate_explicit(name, data_dir):
    """The raw files in the directory the user named; no fallback when they are missing."""
    _check_data_dir(data_dir)
    files = raw.locate(name, data_dir)
    if files is None:
        raise _missing_files(name, data_dir, raw.expected_files(name), raw.LAYOUTS[name].subdirs)
    return files


def _from_tfds(name):
    """The dataset from tensorflow-datasets, or a DataUnavailableError within seconds."""
    if not tfds_source.is_installed():
        reason = "tensorflow-datasets is not installed"
    elif tfds_source.is_prepared(name) or tfds_source.is_reachable(name):
        return tfds_source.load(name)
    else:
        host, port = tfds_source.TFDS_HOSTS[name]
        reason = (
            f"tensorflow-datasets has not prepared it and cannot reach {host}:{port} "
            "to download it"
        )
    raise DataUnavailableError(_how_to_provide(name, reason))


def _how_to_provide(name, reason):
    """The message naming the three ways to make `name` available."""
    dirs = _fallback_dirs(name)
    searched = f"no raw files in {', '.join(dirs)}" if dirs else f"{DATA_DIR_ENV} is not set"
    package = _DEBIAN_PACKAGES.get(name)
    system = (
        f"apt-get install {package} (Debian) installs the files where load() finds them."
        if package
        else f"there is none for {name} (Debian packages only Fashion-MNIST: "
        "apt-get install dataset-fashion-mnist)."
    )
    return (
        f"Dataset {name!r} is not available: {searched}, and {reason}. Provide it one of "
        "three ways:\n"
        f"  1. Raw files: put {raw.expected_files(name)} in a directory and pass "
        f"load({name!r}, data_dir=...) or set {DATA_DIR_ENV} to it.\n"
        f"  2. System dataset directory: {system}\n"
        f"  3. tensorflow-datasets with internet access: run once online; it downloads and "
        "prepares the data in $TFDS_DATA_DIR (default ~/tensorflow_datasets) for offline use."
    )


def _archive_dir(name, directory):
    """`directory` or its subfolder `name` if it holds all the raw files of streamed `name`."""
    for folder in (os.fspath(directory), os.path.join(directory, name)):
        if all(os.path.isfile(os.path.join(folder, f)) for f in STREAMED[name].raw_files):
            return folder
    return None


def _streamed(name, data_dir, validation):
    """The `StreamedSplits` of `name`, prepared by tfds (from raw archives if need be), or a
    DataUnavailableError without touching the network (ImageNet cannot be downloaded)."""
    info = STREAMED[name]
    _check_validation(name, validation, info.train_examples)
    if data_dir is not None:
        _check_data_dir(data_dir)
        archives = _archive_dir(name, data_dir)
        if archives is None:
            raise _missing_files(name, data_dir, list(info.raw_files), (name,))
    else:
        archives = next(filter(None, (_archive_dir(name, d) for d in _fallback_dirs(name))), None)
    if archives is not None and tfds_source.is_installed() and not tfds_source.is_prepared(name):
        tfds_source.prepare(name, archives)
    else:
        require_prepared(name, _how_to_provide_streamed)
    return StreamedSplits(
        name=name,
        info=info,
        ranges=streamed_ranges(info, validation),
        num_classes=info.num_classes,
        class_names=tfds_source.class_names(name),
        input_shape=(info.crop, info.crop, 3),
        mean=np.array(info.mean, np.float32),
        std=np.array(info.std, np.float32),
        source="tensorflow-datasets",
    )


def require_prepared(name, how_to_provide):
    """Return if tfds has prepared `name`; else raise DataUnavailableError with the message
    `how_to_provide(name, reason)`, at once and without touching the network."""
    if not tfds_source.is_installed():
        raise DataUnavailableError(how_to_provide(name, "tensorflow-datasets is not installed"))
    if not tfds_source.is_prepared(name):
        raise DataUnavailableError(how_to_provide(name, f"tensorflow-datasets has not prepared it in {_tfds_dir()}"))


def streamed_ranges(info, validation):
    """`StreamedSplits.ranges` of a `StreamedInfo`: train and validation from tfds' "train"
    (validation its last `validation` examples), test `info.test_split`."""
    train = info.train_examples - validation
    return {
        "train": ("train", 0, train),
        "validation": ("train", train, info.train_examples),
        "test": (info.test_split, 0, info.test_examples),
    }


def _tfds_dir():
    return tfds_source.data_dir() or "~/tensorflow_datasets"


def _how_to_provide_streamed(name, reason):
    """The message naming the two ways to make streamed dataset `name` available."""
    dirs, files = _fallback_dirs(name), STREAMED[name].raw_files
    searched = f"no {' and '.join(files)} in {', '.join(dirs)}" if dirs else f"{DATA_DIR_ENV} is not set"
    return (
        f"Dataset {name!r} is not available: {searched}, and {reason}. It cannot be downloaded "
        "automatically (its archives need a registration at https://image-net.org). Provide it "
        "one of two ways:\n"
        f"  1. Raw files: put {list(files)} in a directory and pass "
        f"load({name!r}, data_dir=...) or set {DATA_DIR_ENV} to it; tensorflow-datasets then "
        "prepares them once (hours, ~150 GB) in $TFDS_DATA_DIR.\n"
        f"  2. Prepared tensorflow-datasets data: set TFDS_DATA_DIR to a directory where "
        f"`tfds build {name}` has run (now: {_tfds_dir()})."
    )


def _check_validation(name, validation, n):
    if validation >= n:
        raise ConfigError(
            f"validation must be smaller than the {n} training examples of {name}. "
            f"Received: validation={validation}"
        )


def _channel_stats(x):
    """Per-channel mean and std of uint8 x / 255 as float32, from exact integer sums of x and x²
    (a histogram by np.bincount took 0.7 s on Fashion-MNIST's training images, these 0.05 s)."""
    pixels = x.reshape(-1, x.shape[-1])
    n = len(pixels)
    sums = pixels.sum(axis=0, dtype=np.int64)
    squares = np.einsum("ij,ij->j", pixels, pixels, dtype=np.int64)
    mean = [int(total) / (n * 255) for total in sums]
    var = [(n * int(square) - int(total) ** 2) / (n * 255) ** 2 for total, square in zip(sums, squares, strict=True)]
    return np.float32(mean), np.sqrt(var).astype(np.float32)


def _split(name, arrays, source, validation, seed):
    """Carve `validation` examples out of the training set and compute the train statistics."""
    n = len(arrays.x_train)
    _check_validation(name, validation, n)
    order = np.random.default_rng(seed).permutation(n)
    val, train = np.sort(order[:validation]), np.sort(order[validation:])
    x_train = arrays.x_train[train]
    mean, std = _channel_stats(x_train)
    return DatasetSplits(
        name=name,
        x_train=x_train,
        y_train=arrays.y_train[train],
        x_val=arrays.x_train[val],
        y_val=arrays.y_train[val],
        x_test=arrays.x_test,
        y_test=arrays.y_test,
        num_classes=len(CLASS_NAMES[name]),
        class_names=arrays.class_names or CLASS_NAMES[name],
        input_shape=x_train.shape[1:],
        mean=mean,
        std=std,
        source=source,
    )
