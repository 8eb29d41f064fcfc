"""Losses, schedules and weight decay against hand computations and closed forms."""

import contextlib
import io
import math

import keras
import numpy as np
import pytest

from dlrecipes.errors import ConfigError
from dlrecipes.training.losses import MulticlassHinge, build_loss
from dlrecipes.training.optimizers import build_optimizer
from dlrecipes.training.regularizers import apply_weight_decay, l2_coefficient
from dlrecipes.training.schedules import build_schedule

from tests.conftest import jax_env, run_python


def test_multiclass_hinge_hand_computed():
    # CS231n's example: per example Σ_{j≠y} max(0, s_j − s_y + 1) = 2.9, 0, 12.9
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], "float32")
    labels = np.array([0, 1, 2])
    loss = build_loss("multiclass_hinge")
    assert float(loss(labels, scores)) == pytest.approx((2.9 + 0.0 + 12.9) / 3, rel=1e-5)
    assert float(MulticlassHinge(margin=0.0)(labels[:1], scores[:1])) == pytest.approx(1.9, rel=1e-5)


def test_crossentropy_from_logits_hand_computed():
    logits = np.array([[1.0, 2.0, 3.0]], "float32")
    expected = -math.log(math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3)))
    assert float(build_loss("crossentropy")(np.array([2]), logits)) == pytest.approx(expected, rel=1e-5)


def test_unknown_loss():
    with pytest.raises(ConfigError, match="loss must be one of.*Did you mean: multiclass_hinge"):
        build_loss("multiclass_hing")


def _lr(schedule, step):
    return float(keras.ops.convert_to_numpy(schedule(step)))


def test_step_schedule_changes_at_the_first_step_of_the_boundary_epoch():
    schedule, _ = build_schedule(
        "step", {"boundaries": (2, 4), "factor": 0.1}, learning_rate=0.1, steps_per_epoch=10, epochs=6
    )
    expected = {0: 0.1, 19: 0.1, 20: 0.01, 39: 0.01, 40: 0.001, 59: 0.001}
    for step, value in expected.items():
        assert _lr(schedule, step) == pytest.approx(value, rel=1e-6), step


def test_exponential_schedule_closed_form():
    schedule, _ = build_schedule(
        "exponential", {"decay_epochs": 2, "decay_rate": 0.5}, learning_rate=0.2, steps_per_epoch=5, epochs=9
    )
    for step in (0, 3, 10, 27):
        assert _lr(schedule, step) == pytest.approx(0.2 * 0.5 ** (step / 10), rel=1e-6)


def test_cosine_schedule_closed_form():
    schedule, _ = build_schedule("cosine", {"alpha": 0.1}, learning_rate=0.4, steps_per_epoch=4, epochs=5)
    for step in (0, 5, 10, 20):
        cosine = 0.5 * (1 + math.cos(math.pi * step / 20))
        assert _lr(schedule, step) == pytest.approx(0.4 * ((1 - 0.1) * cosine + 0.1), rel=1e-5)


def test_plateau_schedule_is_a_callback():
    learning_rate, callbacks = build_schedule("plateau", {"patience": 2}, learning_rate=0.1, steps_per_epoch=1, epochs=1)
    assert learning_rate == 0.1
    assert isinstance(callbacks[0], keras.callbacks.ReduceLROnPlateau) and callbacks[0].patience == 2


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("stepp", {}, "schedule.name must be one of.*Did you mean: step"),
        ("step", {"boundary": (3,)}, "has no option \\['boundary'\\]"),
        ("step", {"boundaries": (5, 3)}, "strictly increasing"),
        ("cosine", {"alpha": "x"}, None),
    ],
)
def test_schedule_errors(name, options, message):
    with pytest.raises((ConfigError, TypeError), match=message):
        build_schedule(name, options, learning_rate=0.1, steps_per_epoch=1, epochs=1)


def test_optimizer_rejects_unknown_setting():
    with pytest.raises(ConfigError, match="optimizer 'adam' has no setting \\['momentum'\\]"):
        build_optimizer("adam", 1e-3, {"momentum": 0.9})
    assert build_optimizer("sgd", 0.1, {"momentum": 0.9, "nesterov": True}).nesterov


def _conv_bn_dense_model():
    inputs = keras.Input((4, 4, 2))
    x = keras.layers.Conv2D(3, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="dense")(x))


def test_weight_decay_is_c_times_sum_of_squared_kernels_only():
    model = apply_weight_decay(_conv_bn_dense_model(), 3e-3)
    rng = np.random.default_rng(0)
    for weight in model.weights:
        weight.assign(rng.normal(size=weight.shape).astype("float32"))
    kernels = [model.get_layer("conv").kernel, model.get_layer("dense").kernel]
    expected = 3e-3 * sum(float(np.sum(k.numpy() ** 2)) for k in kernels)
    assert float(sum(model.losses)) == pytest.approx(expected, rel=1e-5)  # biases, BN excluded
    assert model.get_layer("dense").get_config()["kernel_regularizer"]["config"]["l2"] == pytest.approx(3e-3)


def test_zero_weight_decay_adds_nothing_and_negative_raises():
    assert apply_weight_decay(_conv_bn_dense_model(), 0.0).losses == []
    with pytest.raises(ConfigError, match="weight_decay must be in \\[0.0, inf\\]"):
        apply_weight_decay(_conv_bn_dense_model(), -1e-4)


def test_paper_weight_decay_sgd_step():
    """With c = λ/2, one SGD step is w ← w − lr·(g + λw) (REFERENCE.md §4)."""
    lam, lr = 0.1, 0.5
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, use_bias=False, name="d")(inputs))
    apply_weight_decay(model, l2_coefficient(lam))
    w = np.array([[0.5], [-1.0], [2.0]], "float32")
    model.get_layer("d").kernel.assign(w)
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]], "float32")
    t = np.array([[1.0], [0.5]], "float32")
    model.compile(keras.optimizers.SGD(lr), loss="mse")
    model.train_on_batch(x, t)
    g = 2.0 / len(x) * x.T @ (x @ w - t)  # gradient of the mean squared error
    np.testing.assert_allclose(model.get_layer("d").kernel.numpy(), w - lr * (g + lam * w), rtol=1e-5)


READ_LEARNING_RATES = """
import keras, numpy as np
from dlrecipes.training.callbacks import learning_rate_reader
from dlrecipes.training.lr_schedules import OneCycle
weights = [keras.Variable(np.ones((3, 2), "float32"))]
scheduled = keras.optimizers.SGD(OneCycle(0.08, 100, max_factor=10.0, up_fraction=0.25), momentum=0.9)
constant = keras.optimizers.SGD(0.1)
for optimizer in (scheduled, constant):
    optimizer.build(weights)
read_scheduled, read_constant = learning_rate_reader(scheduled), learning_rate_reader(constant)
for step in (0, 1, 25, 60, 99, 100):
    scheduled.iterations.assign(step)
    print(step, read_scheduled(), float(keras.ops.convert_to_numpy(scheduled.learning_rate)))
constant.learning_rate.assign(0.025)  # as ReduceLROnPlateau lowers it
print("constant", read_constant())
"""


def _check_learning_rates(printed):
    *steps, constant = [line.split() for line in printed.splitlines()]
    # the one-cycle closed form: up over 25 steps, back down over 25, annealed over the last 50
    closed_form = {0: 0.08, 1: 0.08 + 0.72 / 25, 25: 0.8, 60: 0.08 - 0.0792 * 0.2, 99: 0.08 - 0.0792 * 0.98, 100: 8e-4}
    assert [int(step) for step, _, _ in steps] == list(closed_form)
    for step, read, eager in steps:
        assert float(read) == pytest.approx(float(eager), rel=1e-6)
        assert float(read) == pytest.approx(closed_form[int(step)], rel=1e-5)
    assert float(constant[1]) == pytest.approx(0.025)


def test_learning_rate_reader_reads_the_schedule_at_the_step_count():
    """On the suite's backend (TensorFlow), the optimizer's own eager read."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(READ_LEARNING_RATES, {})
    _check_learning_rates(printed.getvalue())


def test_learning_rate_reader_on_jax_is_one_compiled_program_with_the_same_values():
    """On JAX the rate is read by one compiled program: equal to the eager ops' value within float32
    rounding (XLA may fuse them), and following a rate variable a callback assigns."""
    result = run_python(READ_LEARNING_RATES, env=jax_env())
    assert result.returncode == 0, result.stderr[-3000:]
    _check_learning_rates(result.stdout)
