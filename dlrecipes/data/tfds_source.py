"""tensorflow-datasets as a source: prepared data, a download after a quick reachability probe,
or preparation from local archives (ImageNet, which tfds cannot download).

tensorflow_datasets is imported inside the functions: it is slow to import and optional.
"""

import functools
import importlib.util
import os
import socket
import threading

from dlrecipes.data.raw import Arrays

# The host each dataset's tfds builder downloads from; tests point these at a closed local port.
TFDS_HOSTS = {
    "mnist": ("storage.googleapis.com", 443),
    "fashion_mnist": ("fashion-mnist.s3-website.eu-central-1.amazonaws.com", 80),
    "cifar10": ("www.cs.toronto.edu", 443),
    "cifar100": ("www.cs.toronto.edu", 443),
}
PROBE_TIMEOUT = 3.0  # seconds, name resolution included


def data_dir():
    """tfds' data directory: $TFDS_DATA_DIR read now (tfds reads it once, at import), or None."""
    return os.environ.get("TFDS_DATA_DIR")


def is_installed():
    """Whether tensorflow_datasets can be imported."""
    return importlib.util.find_spec("tensorflow_datasets") is not None


def is_prepared(name):
    """Whether tfds has `name` prepared in its data directory."""
    import tensorflow_datasets as tfds

    return tfds.builder(name, data_dir=data_dir()).is_prepared()


def is_reachable(name, timeout=PROBE_TIMEOUT):
    """Whether a TCP connection to the download host of `name` opens within `timeout` seconds."""
    opened = []

    def connect():
        try:
            socket.create_connection(TFDS_HOSTS[name], timeout=timeout).close()
            opened.append(True)
        except OSError:
            pass

    # A thread bounds the whole probe: create_connection's timeout does not cover DNS.
    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(opened)


def prepare(name, manual_dir):
    """Prepare `name` in tfds' data directory from the archives in `manual_dir`, once (for
    datasets tfds cannot download, such as ImageNet; hours for it)."""
    import tensorflow_datasets as tfds

    config = tfds.download.DownloadConfig(manual_dir=os.fspath(manual_dir))
    tfds.builder(name, data_dir=data_dir()).download_and_prepare(download_config=config)


def read(name, split, *, shuffle_files=False, seed=0, encoded=("image",)):
    """Prepared `split` (tfds syntax, "train[0:1000]") of `name` as a tf.data.Dataset of
    feature dicts; the features named in `encoded` stay encoded bytes, so that the caller's
    pipeline decodes them (in parallel, fused with its resizing)."""
    import tensorflow_datasets as tfds

    return tfds.load(
        name,
        split=split,
        data_dir=data_dir(),
        download=False,
        shuffle_files=shuffle_files,
        read_config=tfds.ReadConfig(shuffle_seed=seed),
        decoders={feature: tfds.decode.SkipDecoding() for feature in encoded} or None,
    )


def class_names(name):
    """The class names of `name` as tfds' builder knows them (ImageNet: WordNet ids)."""
    import tensorflow_datasets as tfds

    return tuple(tfds.builder(name, data_dir=data_dir()).info.features["label"].names)


def load(name):
    """`name` from tfds (downloading and preparing it if needed) as `Arrays`."""
    return _load(name, data_dir())


@functools.lru_cache(maxsize=4)
def _load(name, directory):
    import tensorflow_datasets as tfds

    splits = tfds.load(name, split=["train", "test"], as_supervised=True, data_dir=directory)
    # One batch of the whole split; batch_size=-1 would batch by the split sizes in the
    # dataset info, which tfds.testing.mock_data leaves at 0 (TensorFlow then aborts).
    (x_train, y_train), (x_test, y_test) = (
        tfds.as_numpy(ds.batch(len(ds)).get_single_element()) for ds in splits
    )
    # Class names: tfds knows CIFAR's only once prepared, so the caller's standard names serve.
    return Arrays(x_train, y_train.astype("int64"), x_test, y_test.astype("int64"), None)
