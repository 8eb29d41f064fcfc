"""dlrecipes.data on small synthetic raw files, on mocked tensorflow-datasets and on the real
Fashion-MNIST of Debian's dataset-fashion-mnist (skipped when absent)."""

import collections
import gzip
import pickle
import socket
import struct
import time

import numpy as np
import pytest

from dlrecipes.data import DataFileError, DatasetSplits, array_batches, datasets, list_datasets, load, tfds_source
from dlrecipes.errors import ConfigError, DataUnavailableError
from tests.conftest import ROOT, run_python

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


# ---------------------------------------------------------------- writers of raw files


def write_idx(path, array, dims=None):
    """An IDX file of unsigned bytes (gzipped when the name ends with .gz); `dims` may lie."""
    array = np.asarray(array, np.uint8)
    dims = array.shape if dims is None else dims
    data = bytes([0, 0, 0x08, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + array.tobytes()
    with (gzip.open if str(path).endswith(".gz") else open)(path, "wb") as f:
        f.write(data)


def make_idx(directory, n_train=40, n_test=10, size=(4, 5), suffix=".gz"):
    """A tiny MNIST-like dataset; training image i has pixel (0, 0) == i, to track examples."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, *size), dtype=np.uint8),
        "y_train": np.arange(n_train) % 10,
        "x_test": rng.integers(0, 256, (n_test, *size), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test),
    }
    arrays["x_train"][:, 0, 0] = np.arange(n_train)
    directory.mkdir(parents=True, exist_ok=True)
    for key, base in IDX_FILES.items():
        write_idx(directory / (base + suffix), arrays[key])
    return arrays


def write_pickle(path, content):
    path.write_bytes(pickle.dumps(content, protocol=2))


def make_cifar10(directory, per_batch=4, n_test=3, meta=True):
    """CIFAR-10 python batches with bytes keys, as Python 2 wrote them; returns rows, labels."""
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 256, (5 * per_batch + n_test, 3072), dtype=np.uint8)
    labels = rng.integers(0, 10, len(rows))
    directory.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        part = slice(i * per_batch, (i + 1) * per_batch if i < 5 else None)
        write_pickle(
            directory / name,
            {b"batch_label": name.encode(), b"data": rows[part], b"labels": labels[part].tolist()},
        )
    if meta:
        write_pickle(
            directory / "batches.meta", {b"label_names": [f"c{i}".encode() for i in range(10)]}
        )
    return rows, labels


def make_cifar100(directory, n_train=6, n_test=3):
    """CIFAR-100 pickles with str keys (as Python 3 writes them)."""
    rng = np.random.default_rng(2)
    split = {}
    for name, n in (("train", n_train), ("test", n_test)):
        split[name] = (rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 100, n))
        rows, fine = split[name]
        write_pickle(
            directory / name,
            {"data": rows, "fine_labels": fine.tolist(), "coarse_labels": (fine // 5).tolist()},
        )
    write_pickle(
        directory / "meta",
        {"fine_label_names": [f"f{i}" for i in range(100)], "coarse_label_names": []},
    )
    return split


# ---------------------------------------------------------------- fixtures

pytestmark = pytest.mark.usefixtures("offline_data")


@pytest.fixture
def mnist_dir(tmp_path):
    make_idx(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- reading raw files


def test_list_datasets():
    assert list_datasets() == [
        "cifar10", "cifar100", "coco_captions", "fashion_mnist", "fashion_scene_captions",
        "fashion_scenes", "imagenet2012", "mnist", "oxford_iiit_pet", "pystdlib_text",
    ]


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_idx_round_trip(tmp_path, suffix):
    raw = make_idx(tmp_path, suffix=suffix)
    splits = load("fashion_mnist", data_dir=tmp_path, validation=0)
    assert isinstance(splits, DatasetSplits)
    assert splits.x_train.dtype == np.uint8 and splits.y_train.dtype == np.int64
    assert splits.x_train.shape == (40, 4, 5, 1) and splits.x_test.shape == (10, 4, 5, 1)
    np.testing.assert_array_equal(splits.x_train[..., 0], raw["x_train"])
    np.testing.assert_array_equal(splits.y_train, raw["y_train"])
    np.testing.assert_array_equal(splits.x_test[..., 0], raw["x_test"])
    np.testing.assert_array_equal(splits.y_test, raw["y_test"])
    assert splits.input_shape == (4, 5, 1) and splits.num_classes == 10
    assert splits.class_names[0] == "T-shirt/top" and splits.class_names[-1] == "Ankle boot"
    assert splits.source == str(tmp_path)


def test_mnist_in_named_subfolder(tmp_path):
    make_idx(tmp_path / "mnist")
    splits = load("mnist", data_dir=str(tmp_path), validation=0)
    assert splits.source == str(tmp_path / "mnist")
    assert splits.class_names == tuple("0123456789")


def test_cifar10_channels_last_and_meta(tmp_path):
    rows, labels = make_cifar10(tmp_path / "cifar-10-batches-py")
    splits = load("cifar10", data_dir=tmp_path, validation=0)
    assert splits.x_train.shape == (20, 32, 32, 3) and splits.x_test.shape == (3, 32, 32, 3)
    # Rows hold channel-first planes: pixel (h, w, c) of image n is rows[n, 1024c + 32h + w].
    n, h, w, c = np.meshgrid(
        np.arange(20), np.arange(32), np.arange(32), np.arange(3), indexing="ij"
    )
    np.testing.assert_array_equal(splits.x_train[n, h, w, c], rows[n, 1024 * c + 32 * h + w])
    np.testing.assert_array_equal(splits.y_train, labels[:20])
    np.testing.assert_array_equal(
        splits.x_test[2, 5, 7], rows[22, [5 * 32 + 7 + 1024 * k for k in range(3)]]
    )
    assert splits.class_names == tuple(f"c{i}" for i in range(10))


def test_cifar10_without_meta_uses_standard_names(tmp_path):
    make_cifar10(tmp_path, meta=False)
    splits = load("cifar10", data_dir=tmp_path, validation=0)
    assert (
        splits.class_names[:3] == ("airplane", "automobile", "bird")
        and len(splits.class_names) == 10
    )


def test_cifar100_fine_labels(tmp_path):
    split = make_cifar100(tmp_path)
    splits = load("cifar100", data_dir=tmp_path, validation=0)
    assert splits.num_classes == 100 and splits.class_names[7] == "f7"
    np.testing.assert_array_equal(splits.y_test, split["test"][1])
    np.testing.assert_array_equal(splits.x_test[1, 0, 1], split["test"][0][1, [1, 1025, 2049]])


def test_standard_class_names():
    cifar100 = datasets.CLASS_NAMES["cifar100"]
    assert len(set(cifar100)) == 100 and list(cifar100) == sorted(cifar100)  # CIFAR's order
    assert {len(names) for name, names in datasets.CLASS_NAMES.items() if name != "cifar100"} == {
        10
    }


def test_reads_are_cached_until_files_change(tmp_path):
    make_idx(tmp_path, n_test=10)
    first, second = (load("mnist", data_dir=tmp_path, validation=v) for v in (0, 5))
    assert first.x_test is second.x_test
    make_idx(tmp_path, n_test=12)
    assert len(load("mnist", data_dir=tmp_path, validation=0).x_test) == 12


def test_arrays_are_read_only(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=5)
    with pytest.raises(ValueError):
        splits.x_test[0] = 0
    assert not splits.limit(train=3).x_train.flags.writeable


# ---------------------------------------------------------------- corrupt files


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _lie_about_dims(path):
    write_idx(path, np.zeros((10, 4, 5)), dims=(10, 5, 5))


@pytest.mark.parametrize(
    "name, corrupt, what",
    [
        ("train-images-idx3-ubyte.gz", _truncate, "gzip"),
        ("t10k-labels-idx1-ubyte.gz", lambda p: p.write_bytes(b"\0\0\x08\x01\0\0\0\0"), "gzip"),
        ("train-labels-idx1-ubyte.gz", lambda p: write_idx(p, np.zeros((40, 1))), "magic number"),
        ("t10k-images-idx3-ubyte.gz", _lie_about_dims, "declares"),
        ("train-labels-idx1-ubyte.gz", lambda p: write_idx(p, np.zeros(39)), "39 labels"),
        ("t10k-labels-idx1-ubyte.gz", lambda p: write_idx(p, np.full(10, 10)), "[0, 9]"),
    ],
    ids=["truncated gzip", "not gzip", "bad magic", "size mismatch", "label count", "label range"],
)
def test_corrupt_idx_files(mnist_dir, name, corrupt, what):
    corrupt(mnist_dir / name)
    with pytest.raises(DataFileError) as info:
        load("mnist", data_dir=mnist_dir)
    assert isinstance(info.value, ConfigError)
    assert str(mnist_dir / name) in str(info.value) and what in str(info.value)


@pytest.mark.parametrize(
    "content, what",
    [
        (b"\x80\x02garbage", "not a valid CIFAR pickle"),
        (pickle.dumps(collections.OrderedDict(data=1)), "collections.OrderedDict"),
        (pickle.dumps({b"data": np.zeros((4, 100), np.uint8), b"labels": [0] * 4}), "(N, 3072)"),
        (
            pickle.dumps({b"data": np.zeros((4, 3072), np.uint8), b"labels": [0] * 3}),
            "4 integer labels",
        ),
        (pickle.dumps({b"data": np.zeros((4, 3072), np.uint8)}), "no entry 'labels'"),
    ],
)
def test_corrupt_cifar_files(tmp_path, content, what):
    make_cifar10(tmp_path)
    (tmp_path / "data_batch_3").write_bytes(content)
    with pytest.raises(DataFileError, match="data_batch_3") as info:
        load("cifar10", data_dir=tmp_path)
    assert what in str(info.value)


# ---------------------------------------------------------------- arguments


def test_unknown_dataset_suggests_close_name():
    with pytest.raises(ConfigError, match="fashion_mnst") as info:
        load("fashion_mnst")
    assert "Did you mean: fashion_mnist" in str(info.value) and "cifar100" in str(info.value)


@pytest.mark.parametrize("validation", [-1, 40, 41, 2.5, "5", True])
def test_validation_out_of_range(mnist_dir, validation):
    with pytest.raises(ConfigError, match="validation"):
        load("mnist", data_dir=mnist_dir, validation=validation)


def test_empty_data_dir_names_expected_files(tmp_path, monkeypatch, mnist_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(mnist_dir))  # an explicit dir wins, no fallback
    with pytest.raises(ConfigError) as info:
        load("mnist", data_dir=empty)
    message = str(info.value)
    assert str(empty) in message
    assert all(f"{base}.gz" in message for base in IDX_FILES.values())


def test_missing_data_dir(tmp_path):
    with pytest.raises(ConfigError, match="existing directory"):
        load("mnist", data_dir=tmp_path / "nowhere")


# ---------------------------------------------------------------- validation split and statistics


def test_validation_split_is_deterministic_disjoint_and_complete(mnist_dir):
    raw = make_idx(mnist_dir)
    splits = load("mnist", data_dir=mnist_dir, validation=7, seed=3)
    ids_train, ids_val = splits.x_train[:, 0, 0, 0], splits.x_val[:, 0, 0, 0]
    assert len(ids_train) == 33 and len(ids_val) == 7
    assert sorted(np.concatenate([ids_train, ids_val]).tolist()) == list(range(40))
    assert set(ids_val.tolist()) == set(np.random.default_rng(3).permutation(40)[:7].tolist())
    np.testing.assert_array_equal(splits.x_val[..., 0], raw["x_train"][ids_val])
    np.testing.assert_array_equal(splits.y_train, raw["y_train"][ids_train])
    again = load("mnist", data_dir=mnist_dir, validation=7, seed=3)
    np.testing.assert_array_equal(again.x_val, splits.x_val)
    other = load("mnist", data_dir=mnist_dir, validation=7, seed=4)
    assert set(other.x_val[:, 0, 0, 0].tolist()) != set(ids_val.tolist())


def test_mean_std_by_hand(tmp_path):
    # Four constant 2x2 images: 0, 0, 255, 255.
    values = np.array([0, 0, 255, 255])
    write_idx(
        tmp_path / "train-images-idx3-ubyte", np.broadcast_to(values[:, None, None], (4, 2, 2))
    )
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(4))
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.full((1, 2, 2), 9))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", [0])
    full = load("mnist", data_dir=tmp_path, validation=0)
    np.testing.assert_allclose(full.mean, [0.5])
    np.testing.assert_allclose(full.std, [0.5])
    # Without one validation image, three remain: {0, 255, 255} or {0, 0, 255}.
    part = load("mnist", data_dir=tmp_path, validation=1)
    assert part.mean.dtype == np.float32 and part.mean.shape == (1,)
    ones = int((part.x_train[:, 0, 0, 0] == 255).sum())
    np.testing.assert_allclose(part.mean, [ones / 3], rtol=1e-6)
    np.testing.assert_allclose(part.std, [np.sqrt(2) / 3], rtol=1e-6)


def test_mean_std_per_channel_equal_numpy_on_train_only(tmp_path):
    make_cifar10(tmp_path)
    splits = load("cifar10", data_dir=tmp_path, validation=6)
    pixels = splits.x_train / 255.0
    np.testing.assert_allclose(splits.mean, pixels.mean(axis=(0, 1, 2)), rtol=1e-6)
    np.testing.assert_allclose(splits.std, pixels.std(axis=(0, 1, 2)), rtol=1e-6)
    with_val = np.concatenate([splits.x_train, splits.x_val]) / 255.0
    assert not np.allclose(splits.mean, with_val.mean(axis=(0, 1, 2)), rtol=1e-6)


# ---------------------------------------------------------------- DatasetSplits methods


def test_arrays_and_normalized(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    x, y = splits.arrays("validation")
    assert x is splits.x_val and y is splits.y_val
    xn, yn = splits.normalized("test")
    assert xn.dtype == np.float32 and yn is splits.y_test
    np.testing.assert_allclose(xn, (splits.x_test / 255.0 - splits.mean) / splits.std, rtol=1e-5)
    with pytest.raises(ConfigError, match="Did you mean: validation"):
        splits.arrays("valid")


def test_no_validation_split(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=0)
    assert splits.x_val.shape == (0, 4, 5, 1) and len(splits.x_train) == 40
    with pytest.raises(ConfigError, match="validation=0"):
        splits.arrays("validation")
    with pytest.raises(ConfigError, match="validation=0"):
        splits.as_dataset("validation", 4)


def test_as_dataset_batches_normalized_test_split_in_order(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    batches = list(splits.as_dataset("test", 4).as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int32
    assert batches[0][0].shape == (4, 4, 5, 1)
    x = np.concatenate([b[0] for b in batches])
    np.testing.assert_allclose(x, splits.normalized("test")[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), splits.y_test)
    dropped = splits.as_dataset("test", 4, drop_remainder=True, cache=False)
    assert [len(b[0]) for b in dropped.as_numpy_iterator()] == [4, 4]


def test_as_dataset_shuffles_train_only(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=7)

    def ids(split, **kwargs):
        dataset = splits.as_dataset(split, 8, normalize=False, **kwargs)
        return [
            np.concatenate([x[:, 0, 0, 0] for x, _ in dataset.as_numpy_iterator()])
            for _ in range(2)
        ]

    first, second = ids("train", seed=1)
    assert sorted(first) == sorted(splits.x_train[:, 0, 0, 0]) and list(first) != list(second)
    np.testing.assert_array_equal(ids("train", seed=1)[0], first)  # seeded
    np.testing.assert_array_equal(ids("train")[1], ids("train")[1])  # seed 0, the default, too
    for epoch in ids("validation") + ids("train", shuffle=False):
        assert list(epoch) == sorted(epoch)  # both keep file order


def test_in_memory_pipelines_prefetch_without_autotuning(mnist_dir):
    # deleting an autotuned iterator stalled epochs' starts up to 10 s (docs/BENCHMARKS.md)
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    for split in ("train", "validation", "test"):
        dataset = splits.as_dataset(split, 4)
        assert dataset.options().autotune.enabled is False
        batches = -(-splits.num_examples(split) // 4)
        assert dataset.cardinality() == len(list(dataset.as_numpy_iterator())) == batches  # Keras counts steps


def test_without_tensorflow_numpy_batches_equal_the_pipelines(mnist_dir, monkeypatch):
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    pipeline = list(splits.as_dataset("test", 4).as_numpy_iterator())
    monkeypatch.setattr(array_batches, "tensorflow_installed", lambda: False)
    batches = splits.as_dataset("test", 4)
    assert isinstance(batches, array_batches.ArrayBatches) and len(batches) == len(pipeline) == 3
    for (x, y), (want_x, want_y) in zip((batches[i] for i in range(3)), pipeline, strict=True):
        assert x.dtype == np.float32 and y.dtype == np.int32
        np.testing.assert_allclose(x, want_x, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(y, want_y)
    assert len(splits.as_dataset("test", 4, drop_remainder=True)) == 2
    np.testing.assert_array_equal(splits.as_dataset("test", 4, normalize=False)[2][0], splits.x_test[8:])
    with pytest.raises(IndexError, match="out of range"):
        batches[3]


def test_without_tensorflow_train_batches_reshuffle_every_epoch_seeded(mnist_dir, monkeypatch):
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    monkeypatch.setattr(array_batches, "tensorflow_installed", lambda: False)

    def ids(split, **kwargs):
        batches = splits.as_dataset(split, 8, normalize=False, **kwargs)
        epochs = []
        for _ in range(2):
            epochs.append(np.concatenate([batches[i][0][:, 0, 0, 0] for i in range(len(batches))]))
            batches.on_epoch_end()
        return epochs

    first, second = ids("train", seed=1)
    assert sorted(first) == sorted(splits.x_train[:, 0, 0, 0]) and list(first) != list(second)
    np.testing.assert_array_equal(ids("train", seed=1)[0], first)  # seeded
    for epoch in ids("validation") + ids("train", shuffle=False):
        np.testing.assert_array_equal(epoch, splits.x_val[:, 0, 0, 0] if len(epoch) == 7 else splits.x_train[:, 0, 0, 0])


def test_limit(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=7)
    small = splits.limit(train=5, test=3)
    assert (len(small.x_train), len(small.x_val), len(small.x_test)) == (5, 7, 3)
    np.testing.assert_array_equal(small.x_train, splits.x_train[:5])
    np.testing.assert_array_equal(small.y_test, splits.y_test[:3])
    assert small.mean is splits.mean and len(splits.x_train) == 33
    assert len(splits.limit(validation=100).x_val) == 7
    for bad in (0, -1, 2.5, "3"):
        with pytest.raises(ConfigError, match="train"):
            splits.limit(train=bad)


def test_steps_per_epoch(mnist_dir):
    splits = load("mnist", data_dir=mnist_dir, validation=7)  # 33 training examples
    assert [splits.steps_per_epoch(b) for b in (1, 10, 11, 33, 64)] == [33, 4, 3, 1, 1]
    with pytest.raises(ConfigError, match="batch_size"):
        splits.steps_per_epoch(0)


# ---------------------------------------------------------------- sources


def test_env_var_dir(monkeypatch, mnist_dir):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(mnist_dir))
    assert load("mnist", validation=0).source == str(mnist_dir)


def test_system_dir_after_empty_env_dir(monkeypatch, tmp_path):
    make_idx(tmp_path / "system")
    (tmp_path / "env").mkdir()
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path / "env"))
    monkeypatch.setattr(datasets, "SYSTEM_DIRS", {"fashion_mnist": str(tmp_path / "system")})
    assert load("fashion_mnist", validation=0).source == str(tmp_path / "system")


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10", "cifar100"])
def test_offline_tfds_fails_fast_naming_all_ways(monkeypatch, tmp_path, name):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(datasets, "SYSTEM_DIRS", {"fashion_mnist": str(tmp_path)})
    start = time.monotonic()
    with pytest.raises(DataUnavailableError) as info:
        load(name)
    assert time.monotonic() - start < 10
    message = str(info.value)
    for part in ("DLRECIPES_DATA_DIR", "data_dir=", "apt-get install dataset-fashion-mnist",
                 "tensorflow-datasets", "internet", "cannot reach 127.0.0.1"):  # fmt: skip
        assert part in message
    expected = {"cifar10": "data_batch_1", "cifar100": "train"}.get(
        name, "train-images-idx3-ubyte.gz"
    )
    assert expected in message and str(tmp_path) in message


@pytest.fixture
def listening_host(monkeypatch):
    """tfds' download hosts answer (a local socket stands in for them)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        monkeypatch.setattr(
            tfds_source, "TFDS_HOSTS", dict.fromkeys(list_datasets(), server.getsockname())
        )
        yield


@pytest.mark.parametrize("name, shape", [("mnist", (28, 28, 1)), ("cifar10", (32, 32, 3))])
def test_tfds_source_with_mock_data(listening_host, name, shape):
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=12):
        splits = load(name, validation=3)
    assert splits.source == "tensorflow-datasets"
    assert (splits.x_train.shape, splits.x_val.shape, splits.x_test.shape) == (
        (9, *shape),
        (3, *shape),
        (12, *shape),
    )
    assert splits.x_train.dtype == np.uint8 and splits.y_test.dtype == np.int64
    assert splits.y_train.min() >= 0 and splits.y_train.max() < 10
    assert splits.input_shape == shape and splits.class_names == datasets.CLASS_NAMES[name]


def test_prepared_tfds_data_loads_without_probe(monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(tfds_source, "is_prepared", lambda name: True)  # hosts stay unreachable
    with tfds.testing.mock_data(num_examples=6):
        assert load("fashion_mnist", validation=1).x_test.shape == (6, 28, 28, 1)


# ---------------------------------------------------------------- ImageNet, streamed from tfds

IMAGENET_FILES = ("ILSVRC2012_img_train.tar", "ILSVRC2012_img_val.tar")


def test_offline_imagenet_fails_fast_naming_both_ways(monkeypatch, tmp_path):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    start = time.monotonic()
    with pytest.raises(DataUnavailableError) as info:
        load("imagenet2012")
    assert time.monotonic() - start < 10
    message = str(info.value)
    for part in (*IMAGENET_FILES, str(tmp_path), "data_dir=", "DLRECIPES_DATA_DIR", "TFDS_DATA_DIR",
                 "tfds build imagenet2012", "image-net.org"):  # fmt: skip
        assert part in message


@pytest.fixture
def imagenet_archives(tmp_path):
    """Stand-ins for the two ImageNet archives in tmp_path/imagenet2012."""
    folder = tmp_path / "imagenet2012"
    folder.mkdir()
    for name in IMAGENET_FILES:
        (folder / name).touch()
    return folder


def test_imagenet_is_prepared_from_the_archives(monkeypatch, tmp_path, imagenet_archives):
    with pytest.raises(ConfigError, match="data_dir must be an existing directory"):
        load("imagenet2012", data_dir=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"must hold the raw files of imagenet2012: \['ILSVRC2012"):
        load("imagenet2012", data_dir=tmp_path / "empty")
    prepared = []
    monkeypatch.setattr(tfds_source, "prepare", lambda name, folder: prepared.append((name, folder)))
    for data_dir in (imagenet_archives, tmp_path):  # the archives directly or in the subfolder
        splits = load("imagenet2012", data_dir=data_dir, validation=0)
        assert prepared.pop() == ("imagenet2012", str(imagenet_archives))
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    assert load("imagenet2012").source == "tensorflow-datasets" and prepared
    assert splits.num_classes == 1000 and len(splits.class_names) == 1000
    assert splits.num_examples("validation") == 0


@pytest.fixture
def mock_imagenet(monkeypatch):
    """tfds' mock ImageNet (random JPEGs of a few dozen pixels), as if prepared."""
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(tfds_source, "is_prepared", lambda name: True)
    with tfds.testing.mock_data(num_examples=3):
        yield


def test_imagenet_streams_cropped_standardized_batches(mock_imagenet):
    splits = load("imagenet2012", validation=1000)
    assert isinstance(splits, datasets.StreamedSplits) and splits.source == "tensorflow-datasets"
    assert splits.input_shape == (224, 224, 3) and splits.class_names[0] == "n01440764"
    sizes = [splits.num_examples(s) for s in ("train", "validation", "test")]
    assert sizes == [1_281_167 - 1000, 1000, 50_000]  # ILSVRC-2012; test = its val set
    assert splits.steps_per_epoch(256) == -(-1_280_167 // 256)
    assert splits.limit(train=2, test=5).ranges == {
        "train": ("train", 0, 2), "validation": ("train", 1_280_167, 1_281_167), "test": ("validation", 0, 5),
    }  # fmt: skip
    x, y = next(iter(splits.as_dataset("train", 3)))
    assert x.shape == (3, 224, 224, 3) and x.dtype == "float32" and y.dtype == "int32"
    assert -3 < float(np.min(x)) < float(np.max(x)) < 3  # standardized
    pixels = [next(iter(splits.as_dataset("test", 3, normalize=False)))[0].numpy() for _ in range(2)]
    assert np.array_equal(*pixels) and -1 < pixels[0].min() < pixels[0].max() < 256  # centre crops
    with pytest.raises(ConfigError, match="imagenet2012 is streamed"):
        splits.arrays("train")
    with pytest.raises(ConfigError, match="'validation' of imagenet2012 holds none"):
        load("imagenet2012", validation=0).as_dataset("validation", 3)


def test_package_imports_neither_tensorflow_nor_tfds():
    # Import dlrecipes.data under a bare parent package: dlrecipes/__init__ itself loads Keras.
    code = f"""
import sys, types
parent = types.ModuleType("dlrecipes")
parent.__path__ = [{str(ROOT / "dlrecipes")!r}]
sys.modules["dlrecipes"] = parent
import dlrecipes.data
heavy = ("tensorflow", "tensorflow_datasets", "keras")
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
"""
    result = run_python(code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- the real Fashion-MNIST


def test_real_fashion_mnist(monkeypatch, fashion_mnist_dir):
    monkeypatch.setattr(datasets, "SYSTEM_DIRS", {"fashion_mnist": str(fashion_mnist_dir)})
    splits = load("fashion_mnist")
    assert splits.source == str(fashion_mnist_dir)
    assert (len(splits.x_train), len(splits.x_val), len(splits.x_test)) == (55000, 5000, 10000)
    assert splits.input_shape == (28, 28, 1) and splits.num_classes == 10
    assert np.bincount(splits.y_test).tolist() == [1000] * 10
    assert np.bincount(np.concatenate([splits.y_train, splits.y_val])).tolist() == [6000] * 10
    assert abs(splits.mean[0] - 0.2860) < 0.002 and abs(splits.std[0] - 0.3530) < 0.002
