"""Data-parallel training on the backends' own machinery (`train(..., distribute=...)`).

TensorFlow: `tf.distribute.MirroredStrategy` over the local GPUs (the logical CPUs when there
is none) or `MultiWorkerMirroredStrategy` over the machines of `TF_CONFIG`; JAX:
`keras.distribution.DataParallel` over the local accelerators. Model building, compiling,
`fit` and `evaluate` run inside `scope()`; the input pipeline yields global batches, which the
strategy splits across the replicas. Every batch must split evenly: TensorFlow's per-replica
mean loss, scaled by 1/replicas, weighs an uneven split wrongly, and JAX refuses it. Under
tf.distribute, Keras' fit reads one batch before training (to build the metrics), so a seeded
reshuffling pipeline trains on another, equally seeded, order of examples than on one device.
"""

import contextlib
import json
import os

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice

STRATEGIES = ("mirrored", "multi-worker")
BACKENDS = {"tensorflow": STRATEGIES, "jax": ("mirrored",)}


def _check_tf_config():
    """TF_CONFIG names a worker cluster and this process's place in it."""
    text = os.environ.get("TF_CONFIG", "")
    example = '{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker", "index": 0}}'
    try:
        config = json.loads(text)
        task = config["task"]
        members = config["cluster"][task["type"]]
        valid = (
            task["type"] in ("worker", "chief") and isinstance(members, list)
            and isinstance(task["index"], int) and 0 <= task["index"] < len(members)
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise ConfigError(
            "distribute='multi-worker' needs the TF_CONFIG environment variable with the worker "
            f"addresses and this worker's index, e.g. TF_CONFIG='{example}'. "
            f"Received: TF_CONFIG={text!r}"
        )


def _multi_worker_strategy():
    """MultiWorkerMirroredStrategy (TF_CONFIG) whose `reduce` accepts what Keras 3's fit hands
    it (keras-team/keras#20585, tensorflow/tensorflow#72388): a nested (x, y) batch, reduced leaf
    by leaf as MirroredStrategy does, and scalar per-replica logs with axis=0, reduced across
    replicas only."""
    import tensorflow as tf

    class MultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        def reduce(self, reduce_op, value, axis=None):
            parent = super()

            def reduce_leaf(leaf):
                rank = self.experimental_local_results(leaf)[0].shape.rank
                return parent.reduce(reduce_op, leaf, axis if rank else None)

            return tf.nest.map_structure(reduce_leaf, value)

    return MultiWorkerMirroredStrategy()


class Distribution:
    """A started data-parallel setup: `replicas` model copies, `scope()` to build and train in.
    `Distribution(None)` is a single device."""

    def __init__(self, name=None):
        self.name = name
        self._strategy = None
        self.replicas = 1
        if name is None:
            return
        check_choice("distribute", name, STRATEGIES)
        backend = keras.backend.backend()
        if name not in BACKENDS.get(backend, ()):
            supported = {b: list(s) for b, s in BACKENDS.items()}
            raise ConfigError(
                f"distribute={name!r} is not available on the {backend} backend (supported: "
                f"{supported}); set KERAS_BACKEND accordingly. Received: distribute={name!r}"
            )
        if name == "multi-worker":
            _check_tf_config()
        if backend == "tensorflow":
            import tensorflow as tf

            if name == "multi-worker":  # first, before anything else initialises TensorFlow
                self._strategy = _multi_worker_strategy()
            else:
                devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
                self._strategy = tf.distribute.MirroredStrategy([d.name for d in devices])
            self.replicas = self._strategy.num_replicas_in_sync
        else:
            devices = keras.distribution.list_devices()
            self._strategy = keras.distribution.DataParallel(devices=devices)
            self.replicas = len(devices)

    def check_batches(self, data, batch_size):
        """Every batch of every split of `data` (the last, partial ones too) splits evenly
        across the replicas."""
        if self.replicas == 1:
            return
        if batch_size % self.replicas:
            raise ConfigError(
                f"With distribute={self.name!r} the batch size is the global batch and must be a "
                f"multiple of the {self.replicas} replicas. Received: batch_size={batch_size}"
            )
        for split in ("train", "validation", "test"):
            count = data.num_examples(split)
            last = count % batch_size
            if last % self.replicas:
                raise ConfigError(
                    f"With distribute={self.name!r} every batch must split evenly across the "
                    f"{self.replicas} replicas, but the last batch of the {split} split "
                    f"({count} examples) holds {last}. Choose a batch size (or, for the train "
                    f"split, max_train_examples / the validation size) that leaves a multiple of "
                    f"{self.replicas}. Received: batch_size={batch_size}"
                )

    def scope(self):
        """The context in which to build, compile, fit and evaluate the model."""
        return self._strategy.scope() if self._strategy is not None else contextlib.nullcontext()
