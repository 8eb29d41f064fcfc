"""The training engine on real Fashion-MNIST slices: run folder, falling loss, reload in a fresh
process, resume after a kill, and bad input rejected before anything is written."""

import json
import pathlib
import signal
import types

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.errors import ConfigError
from dlrecipes.training import reporting

from tests.conftest import jax_env, run_python

SHORT = dict(max_train_examples=2000, validation=1000, verbose=0)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory, fashion_mnist_dir):
    out = tmp_path_factory.mktemp("runs")
    return dlrecipes.train("lenet5_fashion_mnist", out=out, epochs=3, batch_size=64, **SHORT)


def test_run_folder_contents(short_run):
    names = {p.name for p in short_run.run_dir.iterdir()}
    assert {"recipe.json", "model.keras", "checkpoint.keras", "history.csv", "metrics.json", "curves.png"} <= names
    assert short_run.run_dir.parent.name == "lenet5_fashion_mnist"
    saved = dlrecipes.Recipe.from_dict(json.loads((short_run.run_dir / "recipe.json").read_text()))
    assert saved.to_json() == dlrecipes.get_recipe("lenet5_fashion_mnist").override(
        {"epochs": 3, "batch_size": 64, "validation": 1000}
    ).to_json()


def test_best_epoch_is_checkpointed_only_on_validation_data(tmp_path):
    from dlrecipes.training.callbacks import run_callbacks

    kinds = lambda name, monitor: [  # noqa: E731
        type(c).__name__ for c in run_callbacks(dlrecipes.get_recipe(name), tmp_path, monitor=monitor)]
    assert "ModelCheckpoint" in kinds("lenet5_fashion_mnist", "val_loss")  # validation=5000
    # without a validation split the "best" epoch is judged on training data: no checkpoint
    assert dlrecipes.get_recipe("fashion_mnist_fast").validation == 0
    assert "ModelCheckpoint" not in kinds("fashion_mnist_fast", "accuracy")
    assert "IntervalBackup" in kinds("fashion_mnist_fast", "accuracy")


@pytest.mark.parametrize("interval_s, backed_up", [(10, [None, None, 3, 3, 3, 3]), (0, [1, 2, 3, 4, 5, 5])])
def test_backups_wait_for_their_interval_and_skip_the_last_epoch(tmp_path, monkeypatch, interval_s, backed_up):
    """Six epochs of 4 s each: with a 10 s interval the backup follows the third epoch (12 s in)
    and not the sixth (12 s later, but Keras deletes the backup when training ends); with 0,
    every epoch but the last. `backed_up`: the epoch a run killed then would resume from."""
    from dlrecipes.training import callbacks

    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(callbacks, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    backup_dir = tmp_path / "backup"
    backup = callbacks.IntervalBackup(str(backup_dir), interval_s)
    backup.set_model(model)
    backup.set_params({"epochs": 6})
    backup.on_train_begin()
    resumes_from = []
    for epoch in range(6):
        clock.now += 4.0
        backup.on_epoch_end(epoch)
        metadata = backup_dir / "training_metadata.json"
        resumes_from.append(json.loads(metadata.read_text())["epoch"] if metadata.exists() else None)
    assert resumes_from == backed_up
    restarted = callbacks.IntervalBackup(str(backup_dir), interval_s)
    restarted.set_model(model)
    restarted.on_train_begin()
    assert model._initial_epoch == backed_up[-1]  # where Keras' fit starts a resumed run


def test_loss_falls_and_metrics_are_consistent(short_run):
    history, metrics = short_run.history, short_run.metrics
    assert history["loss"][-1] < history["loss"][0]
    assert metrics["epochs_run"] == 3 == len(history["epoch"])
    assert metrics["train_examples"] == 2000
    assert metrics["trainable_params"] == 61_706  # REFERENCE.md §1
    assert metrics["dtype_policy"] == "float32"  # the recipe sets no mixed precision
    assert metrics["best_epoch"] == reporting.best_epoch(history, "val_loss")
    assert metrics["test_accuracy"] > 0.5  # ten classes: chance is 0.1
    # the wall time of fit: its epochs' training and, split by where it went, the rest
    overhead = [metrics[key] for key in ("fit_setup_s", "between_epochs_s", "fit_teardown_s")]
    assert min(overhead) >= 0 and metrics["between_epochs_s"] > 0  # validation is between epochs
    assert sum(overhead) + sum(history["train_time_s"]) == pytest.approx(metrics["wall_time_s"], abs=1e-3)
    on_disk = json.loads((short_run.run_dir / "metrics.json").read_text())
    assert on_disk == pytest.approx(metrics)
    assert history["learning_rate"] == pytest.approx([1e-3] * 3)


def test_model_reloads_in_fresh_process_with_identical_predictions(short_run, tmp_path):
    x = np.random.default_rng(0).normal(size=(8, 28, 28, 1)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    expected = short_run.model.predict(x, verbose=0)
    result = run_python(
        f"""
import numpy as np, keras
model = keras.saving.load_model({str(short_run.run_dir / "model.keras")!r})
np.save({str(tmp_path / "y.npy")!r}, model.predict(np.load({str(tmp_path / "x.npy")!r}), verbose=0))
"""
    )
    assert result.returncode == 0, result.stderr[-3000:]
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), expected)


# Run first in a fresh process: TensorFlow and tfds then look not installed, to imports
# (ModuleNotFoundError) and to importlib.util.find_spec (None) alike.
WITHOUT_TENSORFLOW = """
import importlib.abc, importlib.util, sys
MISSING = ("tensorflow", "tensorflow_datasets")
class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in MISSING:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NotInstalled())
find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, package=None: (
    None if name.partition(".")[0] in MISSING else find_spec(name, package))
"""


def test_trains_on_jax_without_tensorflow_installed(tmp_path, fashion_mnist_dir):
    """JAX alone, as on a GPU machine without TensorFlow: NumPy batches the in-memory data
    (data.array_batches) and the run writes everything but TensorBoard's logs."""
    pytest.importorskip("jax")
    result = run_python(
        WITHOUT_TENSORFLOW
        + f"""
import json, dlrecipes
run = dlrecipes.train("lenet5_fashion_mnist", out={str(tmp_path)!r}, epochs=2, batch_size=64, **{SHORT!r})
assert "tensorflow" not in sys.modules
print(json.dumps({{"run_dir": str(run.run_dir), "metrics": run.metrics, "history": run.history}}))
""",
        env=jax_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads(result.stdout.splitlines()[-1])
    names = {p.name for p in pathlib.Path(run["run_dir"]).iterdir()}
    assert {"recipe.json", "model.keras", "history.csv", "metrics.json", "curves.png"} <= names
    assert "logs" not in names
    history, metrics = run["history"], run["metrics"]
    assert len(history["val_loss"]) == 2 and history["loss"][1] < history["loss"][0]
    assert metrics["train_examples"] == 2000 and metrics["trainable_params"] == 61_706
    assert metrics["test_accuracy"] > 0.5  # ten classes: chance is 0.1


def test_tensorflow_backend_without_tensorflow_is_a_clear_error():
    result = run_python(WITHOUT_TENSORFLOW + "import dlrecipes", env={"KERAS_BACKEND": "tensorflow"})
    assert result.returncode == 1
    assert "ImportError: Keras' backend is TensorFlow" in result.stderr
    assert "KERAS_BACKEND=jax or KERAS_BACKEND=torch" in result.stderr


def test_best_epoch_rule():
    history = {"val_loss": [0.9, 0.5, 0.7], "val_accuracy": [0.1, 0.8, 0.9]}
    assert reporting.best_epoch(history, "val_loss") == 2
    assert reporting.best_epoch(history, "val_accuracy") == 3


class _EpochRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_killed_run_resumes_from_its_last_epoch(tmp_path, fashion_mnist_dir):
    killed = run_python(
        f"""
import os, signal, keras, dlrecipes

class KillAfterSecondEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

dlrecipes.train("mlp_fashion_mnist", out={str(tmp_path)!r}, epochs=4, callbacks=[KillAfterSecondEpoch()],
                max_train_examples=1000, validation=500, verbose=0, backup_interval_s=0)
"""
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    (run_dir,) = (tmp_path / "mlp_fashion_mnist").iterdir()
    assert not (run_dir / "metrics.json").exists()

    recorder = _EpochRecorder()
    result = dlrecipes.train(
        "mlp_fashion_mnist", resume=run_dir, epochs=4, callbacks=[recorder],
        max_train_examples=1000, validation=500, verbose=0,
    )
    assert recorder.epochs == [2, 3]  # continued, not restarted
    assert result.history["epoch"] == [0, 1, 2, 3]
    assert result.metrics["epochs_run"] == 4
    with pytest.raises(ConfigError, match="already finished"):
        dlrecipes.train("mlp_fashion_mnist", resume=run_dir, epochs=4, validation=500)


def test_resume_with_another_recipe_is_refused(short_run, tmp_path):
    unfinished = tmp_path / "run"
    unfinished.mkdir()
    (unfinished / "recipe.json").write_text((short_run.run_dir / "recipe.json").read_text())
    with pytest.raises(ConfigError, match="different recipe"):
        dlrecipes.train("lenet5_fashion_mnist", resume=unfinished, epochs=5, validation=1000)
    with pytest.raises(ConfigError, match="resume must be a run folder"):
        dlrecipes.train("lenet5_fashion_mnist", resume=tmp_path / "missing")


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(epochs=0), "epochs must be >= 1. Received: epochs=0"),
        (dict(batch_size=-8), "batch_size must be >= 1. Received: batch_size=-8"),
        ({"model.dropout_rate": 1.0}, "model.dropout_rate must be in \\[0.0, 1.0\\)"),
        (dict(lr=-0.1), "optimizer.learning_rate must be in"),
        (dict(dataset="fashion_mnst"), "Did you mean: fashion_mnist"),
        ({"optimizer.learning_rat": 0.1}, "no field 'optimizer.learning_rat'"),
        (dict(max_train_examples=0), "max_train_examples must be >= 1"),
        ({"model.options": {"input_padding": -1}}, "input_padding must be >= 0"),
        (dict(backup_interval_s=-1), "backup_interval_s must be in \\[0.0, inf\\]"),
    ],
)
def test_bad_input_fails_before_anything_is_written(tmp_path, overrides, message, fashion_mnist_dir):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.train("lenet5_fashion_mnist", out=tmp_path, **overrides)
    assert list(tmp_path.iterdir()) == []


def test_data_dir_without_files_is_named(tmp_path):
    with pytest.raises(ConfigError, match="train-images-idx3-ubyte"):
        dlrecipes.train("lenet5_fashion_mnist", out=tmp_path / "runs", data_dir=tmp_path)
    assert not (tmp_path / "runs").exists()


def test_unknown_recipe_suggests():
    with pytest.raises(ConfigError, match="Unknown recipe 'lenet_fashion_mnist'.*lenet5_fashion_mnist"):
        dlrecipes.train("lenet_fashion_mnist")


def test_auxiliary_outputs_add_weighted_losses_in_training_only(tmp_path):
    from dlrecipes.training.engine import AuxiliaryLossModel

    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, name="hidden", kernel_regularizer=keras.regularizers.l2(0.01))(inputs)
    outputs = [keras.layers.Dense(3, name=name)(hidden) for name in ("predictions", "aux1", "aux2")]
    model = AuxiliaryLossModel(keras.Model(inputs, outputs, name="net"), aux_loss_weight=0.3)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.SGD(0.0), loss=loss, metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    y = np.arange(8) % 3
    history = model.fit(x, y, batch_size=8, validation_data=(x, y), verbose=0).history
    main, aux1, aux2 = (p for p in model.network.predict(x, verbose=0))
    penalty = 0.01 * float(np.sum(model.network.get_layer("hidden").kernel.numpy() ** 2))
    expected = float(loss(y, main)) + 0.3 * (float(loss(y, aux1)) + float(loss(y, aux2))) + penalty
    assert history["loss"] == pytest.approx([expected], rel=1e-5)
    assert history["val_loss"] == pytest.approx([float(loss(y, main)) + penalty], rel=1e-5)
    assert history["accuracy"] == pytest.approx([np.mean(main.argmax(-1) == y)])
    model.save(tmp_path / "aux.keras")
    reloaded = keras.saving.load_model(tmp_path / "aux.keras")
    np.testing.assert_allclose(reloaded.network.predict(x, verbose=0)[0], main, atol=1e-6)
    inference = model.main_model()
    assert inference.output_shape == (None, 3) and [l.name for l in inference.layers][-1] == "predictions"
