"""Data-parallel training (dlrecipes.training.distribute): two replicas on two logical CPU
devices train to the same weights as one device, on TensorFlow (MirroredStrategy) and JAX
(DataParallel); a two-process MultiWorkerMirroredStrategy run on 127.0.0.1 ends with equal
weights on both workers; bad settings fail before any computation.

Tolerance. Four SGD steps of the MLP (dropout 0, no batch norm, no augmentation: nothing
random or batch-statistic dependent differs between one and two replicas) on the same global
batch: the train split is one batch of 250, seen for 4 epochs, because Keras' fit under
tf.distribute reads one batch before training, so a seeded reshuffling pipeline is read in
another order than on one device; only the set of examples in a global batch, not their order,
fixes its gradient up to rounding. The replicas' gradients are each a mean over half the batch,
all-reduced (sum, then the loss scaled by 1/replicas), so they differ from one device's only in
float32 summation order: a relative error of at most about n·eps = 250 · 1.2e-7 = 3e-5 of a
gradient entry (~0.1), times lr = 0.1, i.e. ~3e-7 absolute per step (measured after 4 steps:
3e-8). ATOL = 1e-5 leaves a margin of 30, and the runs' updates (checked ≥ 100·ATOL) are large
enough that any real error (a gradient scaled by 1/2 or 2, a batch seen twice or dropped)
exceeds it by far.
"""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from dlrecipes import ConfigError, train
from dlrecipes.cli import cli, parser
from tests.conftest import ROOT, jax_env, run_python

ATOL = 1e-5
BATCH = 250
# 4 steps of one batch of 250 on the MLP; validation and test batches split evenly too
# (250 and 10,000 = 40·250): few steps of evaluation.
SMALL = dict(
    max_train_examples=BATCH, epochs=4, batch_size=BATCH, validation=BATCH, early_stopping="off", verbose=0,
    **{"model.dropout_rate": 0.0, "optimizer.name": "sgd", "optimizer.learning_rate": 0.1},
)

TWO_TF_DEVICES = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""

# Trains SMALL with distribute=None and each of DISTRIBUTES, saving initial and final weights
# and test metrics to OUT/<name>.npz / .json; then the divisibility errors of the global batch.
COMPARE = """
import json, pathlib
import keras, numpy as np
from dlrecipes import ConfigError, train

out = pathlib.Path({out!r})
for name in [None, *{distributes!r}]:
    initial = []
    record = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: initial.extend(record.model.get_weights()))
    run = train("mlp_fashion_mnist", data_dir={data_dir!r}, out=str(out / "runs" / str(name)), callbacks=[record],
                distribute=name, **{small!r})
    np.savez(out / f"{{name}}.npz", *initial, *run.model.get_weights())
    (out / f"{{name}}.json").write_text(json.dumps(run.metrics))
errors = []
for changes in ({{"batch_size": 249}}, {{"max_train_examples": 255}}):
    try:
        train("mlp_fashion_mnist", data_dir={data_dir!r}, out=str(out / "refused"), distribute="mirrored",
              **{{**{small!r}, **changes}})
    except ConfigError as error:
        errors.append(str(error))
(out / "errors.json").write_text(json.dumps({{"errors": errors, "wrote": (out / "refused").exists()}}))
"""


def _run_compare(out, data_dir, distributes, env=None, prelude=""):
    code = prelude + COMPARE.format(out=str(out), data_dir=str(data_dir), distributes=distributes, small=SMALL)
    result = run_python(code, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def _arrays(path):
    arrays = np.load(path)
    return [arrays[f"arr_{i}"] for i in range(len(arrays.files))]


def _weights(path):
    """(initial, trained) weights saved by COMPARE."""
    values = _arrays(path)
    half = len(values) // 2
    return values[:half], values[half:]


def _max_difference(a, b):
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def tf_runs(tmp_path_factory, fashion_mnist_dir):
    """One device and MirroredStrategy over two logical CPUs, in one TensorFlow process."""
    out = tmp_path_factory.mktemp("tf")
    _run_compare(out, fashion_mnist_dir, ["mirrored"], prelude=TWO_TF_DEVICES)
    return out


def _check_same_training(out, name):
    initial, single = _weights(out / "None.npz")
    initial_replicated, replicated = _weights(out / f"{name}.npz")
    assert _max_difference(initial, initial_replicated) == 0.0  # same seeded initial weights
    assert _max_difference(initial, single) >= 100 * ATOL  # the steps moved the weights
    assert _max_difference(single, replicated) <= ATOL
    metrics = json.loads((out / f"{name}.json").read_text())
    reference = json.loads((out / "None.json").read_text())
    assert (metrics["distribute"], metrics["replicas"]) == (name, 2)
    assert (reference["distribute"], reference["replicas"]) == (None, 1)
    # the distributed evaluation of the (equal) weights sees the same 10,000 test examples
    assert metrics["test_loss"] == pytest.approx(reference["test_loss"], rel=1e-5)
    assert metrics["test_accuracy"] == pytest.approx(reference["test_accuracy"], abs=1e-4)


def test_mirrored_on_two_devices_trains_like_one_device(tf_runs):
    _check_same_training(tf_runs, "mirrored")


def _check_refusals(out):
    refused = json.loads((out / "errors.json").read_text())
    batch, last = refused["errors"]
    assert "multiple of the 2 replicas" in batch and "Received: batch_size=249" in batch
    # 255 training examples in batches of 250: the last one holds 5, which 2 replicas cannot split
    assert "train split (255 examples) holds 5" in last
    assert not refused["wrote"]  # refused before any run folder was made


def test_global_batch_must_split_evenly_before_any_computation(tf_runs):
    _check_refusals(tf_runs)


def test_jax_data_parallel_on_two_devices_trains_like_one_device(tmp_path, fashion_mnist_dir):
    env = jax_env()
    env["XLA_FLAGS"] = f"{env['XLA_FLAGS']} --xla_force_host_platform_device_count=2"
    _run_compare(tmp_path, fashion_mnist_dir, ["mirrored"], env=env)
    _check_same_training(tmp_path, "mirrored")
    _check_refusals(tmp_path)


WORKER = """
import sys
import numpy as np
from dlrecipes import train

run = train("mlp_fashion_mnist", data_dir={data_dir!r}, out=sys.argv[1], distribute="multi-worker", **{small!r})
np.savez(sys.argv[1] + "/weights.npz", *run.model.get_weights())
print("replicas", run.metrics["replicas"])
"""


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_process_multi_worker_run(tmp_path, fashion_mnist_dir, tf_runs):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    code = WORKER.format(data_dir=str(fashion_mnist_dir), small=SMALL)
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(config), "TF_CPP_MIN_LOG_LEVEL": "2"}
        processes.append(subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / f"worker{index}")],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    try:
        outputs = [p.communicate(timeout=300) for p in processes]
    finally:
        for p in processes:
            p.kill()
    for p, (stdout, stderr) in zip(processes, outputs):
        assert p.returncode == 0, stderr[-3000:]
        assert "replicas 2" in stdout
    first, second = (_arrays(tmp_path / f"worker{i}" / "weights.npz") for i in range(2))
    assert _max_difference(first, second) == 0.0  # both apply the same all-reduced gradient
    # and, one replica per worker on the same global batches, they train like one device
    assert _max_difference(first, _weights(tf_runs / "None.npz")[1]) <= ATOL


def test_unknown_strategy_is_refused():
    with pytest.raises(ConfigError, match=r"distribute must be one of \['mirrored', 'multi-worker'\]"):
        train("mlp_fashion_mnist", distribute="horovod")


@pytest.mark.parametrize(
    "tf_config",
    [None, "not json", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 1}}'],
)
def test_multi_worker_needs_a_valid_tf_config(monkeypatch, tf_config):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ConfigError, match="needs the TF_CONFIG environment variable"):
        train("mlp_fashion_mnist", distribute="multi-worker")


@pytest.mark.parametrize("backend, distribute", [("torch", "mirrored"), ("jax", "multi-worker")])
def test_unsupported_backend_is_refused(monkeypatch, backend, distribute):
    monkeypatch.setattr(keras.backend, "backend", lambda: backend)
    with pytest.raises(ConfigError, match=f"not available on the {backend} backend"):
        train("mlp_fashion_mnist", distribute=distribute)


def test_cli_flag(monkeypatch, capsys):
    args = parser().parse_args(["train", "mlp_fashion_mnist", "--distribute", "mirrored"])
    assert args.distribute == "mirrored"
    with pytest.raises(SystemExit):
        parser().parse_args(["train", "mlp_fashion_mnist", "--distribute", "ring"])
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert cli(["train", "mlp_fashion_mnist", "--distribute", "multi-worker"]) == 2
    assert "TF_CONFIG" in capsys.readouterr().err
