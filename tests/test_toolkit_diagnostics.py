"""Babysitting diagnostics on tiny Fashion-MNIST slices and tiny MLPs, and `dlrecipes
schedule` / `dlrecipes diagnose`."""

import json
import math

import numpy as np
import pytest

import dlrecipes
from dlrecipes.cli import cli
from dlrecipes.training import diagnostics
from dlrecipes.training.engine import load_data
from tests.conftest import jax_env, run_python


@pytest.fixture(scope="module")
def mlp_setup(fashion_mnist_dir):
    recipe = dlrecipes.get_recipe("mlp_fashion_mnist").override({"model.options.hidden_units": (64,), "batch_size": 32})
    return recipe, load_data(recipe, max_train_examples=1000)


def test_initial_loss_is_near_ln_c_and_rises_with_regularization(mlp_setup):
    recipe, data = mlp_setup
    small = recipe.override({"model.options.kernel_initializer": "small_normal"})  # scores ≈ 0
    result = diagnostics.initial_loss(small, data, examples=256)
    assert result["expected"] == pytest.approx(math.log(10))
    assert result["measured"] == pytest.approx(math.log(10), abs=0.01)
    # same weights, so the rise is c·Σw²: proportional to c (0, 1e-3, 1e-2)
    loss0, loss1, loss2 = result["losses"]
    assert result["rises_with_regularization"] and (loss2 - loss0) / (loss1 - loss0) == pytest.approx(10, rel=1e-3)


def test_overfits_twenty_examples(mlp_setup):
    result = diagnostics.overfit_tiny(*mlp_setup, examples=20, epochs=25, learning_rate=1e-2)
    assert result["examples"] == 20 and result["final_accuracy"] == 1.0


def test_lr_range_rates_follow_the_exponential_sweep(mlp_setup):
    result = diagnostics.lr_range_test(*mlp_setup, min_lr=1e-5, max_lr=10.0, steps=30)
    rates = result["learning_rates"]
    assert rates[0] == pytest.approx(1e-5) and rates[15] == pytest.approx(1e-5 * 1e6**0.5, rel=1e-6)
    assert result["suggested_lr"] == pytest.approx(result["min_loss_lr"] / 10)
    assert 1e-4 < result["min_loss_lr"] < 10  # the loss falls before it diverges


def test_small_normal_init_vanishes_where_glorot_and_he_keep_the_scale():
    shape = dict(depth=6, width=200, examples=256)
    small = diagnostics.layer_statistics(activation="tanh", initializer="small_normal", **shape)
    glorot = diagnostics.layer_statistics(activation="tanh", initializer="glorot_normal", **shape)
    he = diagnostics.layer_statistics(activation="relu", initializer="he_normal", **shape)
    # tanh ≈ identity near 0: each layer multiplies the std by ≈ 0.01·√200 ≈ 0.14
    ratios = np.array(small["activation_std"][1:]) / np.array(small["activation_std"][:-1])
    np.testing.assert_allclose(ratios, 0.01 * math.sqrt(200), rtol=0.15)
    assert glorot["activation_std"][-1] > 0.15 and small["activation_std"][-1] < 1e-4
    assert max(small["gradient_std"]) < 1e-4 * min(glorot["gradient_std"])
    assert 0.5 < he["activation_std"][-1] / he["activation_std"][0] < 2.0


def test_first_nonfinite_layer_is_named():
    model = dlrecipes.build_model("mlp", input_shape=(4,), num_classes=2, hidden_units=(3, 3))
    x = np.ones((2, 4), "float32")
    assert diagnostics.first_nonfinite_layer(model, x) is None
    kernel = model.get_layer("fc2_dense").kernel
    kernel.assign(np.where(np.eye(3, dtype=bool), np.inf, kernel.numpy()).astype("float32"))
    assert diagnostics.first_nonfinite_layer(model, x) == "fc2_dense"


def test_time_per_epoch_is_per_batch_times_steps(mlp_setup):
    recipe, data = mlp_setup
    result = diagnostics.time_per_epoch(recipe, data, batches=2)
    assert result["steps_per_epoch"] == math.ceil(1000 / 32)
    assert result["seconds_per_epoch"] == pytest.approx(result["seconds_per_batch"] * result["steps_per_epoch"])


def test_schedule_command_prints_and_plots(capsys, tmp_path):
    code = cli(["schedule", "step", "--lr", "0.5", "--epochs", "4", "--steps-per-epoch", "3",
                "--option", "boundaries=[2]", "--plot", str(tmp_path / "s.png")])
    out = capsys.readouterr().out
    assert code == 0 and "epoch    1  lr 0.5" in out and "epoch    2  lr 0.05" in out
    assert (tmp_path / "s.png").stat().st_size > 0
    assert cli(["schedule", "cosine", "--option", "alpa=0.1"]) == 2
    assert "has no option ['alpa']" in capsys.readouterr().err


@pytest.mark.parametrize("recipe, task", [("char_lstm_pystdlib", "language_model"), ("fcn32s_scenes", "segmentation")])
def test_diagnose_refuses_tasks_other_than_classification_before_writing(tmp_path, recipe, task):
    """Its checks assume images and classes: a language model once died on an AttributeError."""
    with pytest.raises(dlrecipes.ConfigError, match=f"diagnose runs image-classification checks.*a {task} task"):
        diagnostics.diagnose(recipe, out=tmp_path, max_train_examples=100)
    assert list(tmp_path.iterdir()) == []


def test_diagnose_command_writes_report_and_plots(capsys, tmp_path, fashion_mnist_dir, monkeypatch):
    defaults = diagnostics.diagnose.__kwdefaults__
    monkeypatch.setattr(diagnostics.diagnose, "__kwdefaults__",
                        {**defaults, "lr_steps": 20, "overfit_epochs": 40, "depth": 4, "width": 64})
    code = cli(["diagnose", "linear_svm_fashion_mnist", "--out", str(tmp_path), "--max-train-examples", "600"])
    out = capsys.readouterr().out
    assert code == 0, out
    (run_dir,) = (tmp_path / "linear_svm_fashion_mnist").iterdir()
    assert {"report.md", "report.json", "lr_range.png", "layer_statistics.png"} <= {p.name for p in run_dir.iterdir()}
    report = json.loads((run_dir / "report.json").read_text())
    assert report["initial_loss"]["expected"] == 9.0  # hinge: (C − 1)·Δ
    assert report["first_nonfinite_layer"] is None and "Initial loss" in out


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_gradients_equal_the_least_squares_formula_on_every_backend(backend):
    # loss = mean((x·w − y)²) of a bias-free Dense(1): ∂loss/∂w = (2/N)·xᵀ(x·w − y).
    pytest.importorskip(backend)
    result = run_python(
        """
import keras, numpy as np
from dlrecipes.training.diagnostics import _gradients
rng = np.random.default_rng(0)
x, y, w = rng.normal(size=(8, 3)), rng.normal(size=(8, 1)), rng.normal(size=(3, 1))
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
model.set_weights([w])
(gradient,) = _gradients(model, x.astype("float32"), y.astype("float32"), keras.losses.MeanSquaredError())
np.testing.assert_allclose(gradient, 2 / 8 * x.T @ (x @ w - y), rtol=1e-4, atol=1e-6)
print("ok", keras.backend.backend())
""",
        env={"KERAS_BACKEND": backend, **(jax_env() if backend == "jax" else {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"ok {backend}" in result.stdout
