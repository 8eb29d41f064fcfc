"""Optimizers (two steps on a quadratic vs the hand-computed updates) and learning-rate
schedules (values at chosen steps vs their closed forms)."""

import math

import keras
import numpy as np
import pytest

from dlrecipes.errors import ConfigError
from dlrecipes.training.optimizers import build_optimizer
from dlrecipes.training.recipe import ScheduleSpec
from dlrecipes.training.schedules import build_schedule, schedule_values

A = np.array([1.0, 4.0, 0.5])  # f(w) = ½ Σ a_i w_i², gradient a·w
W0 = np.array([1.0, -2.0, 3.0])
LR = 0.1


def _sgd(momentum=0.0, nesterov=False):
    def update(w, g, state, t):
        v = momentum * state.get("v", 0.0) - LR * g
        state["v"] = v
        return w + (momentum * v - LR * g if nesterov else v)
    return update


def _adagrad(w, g, state, t):
    state["acc"] = state.get("acc", 0.0) + g**2
    return w - LR * g / np.sqrt(state["acc"] + 1e-8)


def _rmsprop(w, g, state, t):
    state["v"] = 0.9 * state.get("v", 0.0) + 0.1 * g**2
    return w - LR * g / np.sqrt(state["v"] + 1e-8)


def _adam(decay=0.0):
    def update(w, g, state, t):
        w = w - LR * decay * w  # AdamW: decoupled decay (Loshchilov & Hutter 2019)
        state["m"] = 0.9 * state.get("m", 0.0) + 0.1 * g
        state["v"] = 0.999 * state.get("v", 0.0) + 0.001 * g**2
        alpha = LR * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        return w - alpha * state["m"] / (np.sqrt(state["v"]) + 1e-8)
    return update


@pytest.mark.parametrize(
    "name, update",
    [
        ("sgd", _sgd()),
        ("momentum", _sgd(0.9)),
        ("nesterov", _sgd(0.9, nesterov=True)),
        ("adagrad", _adagrad),
        ("rmsprop", _rmsprop),
        ("adam", _adam()),
        ("adamw", _adam(0.004)),
    ],
)
def test_two_steps_on_a_quadratic_match_the_hand_computed_updates(name, update):
    optimizer = build_optimizer(name, LR, {})
    w = keras.Variable(W0.astype("float32"))
    expected, state = W0.copy(), {}
    for t in (1, 2):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(A * w.numpy(), "float32"), w)])
        expected = update(expected, A * expected, state, t)
        np.testing.assert_allclose(w.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_course_defaults_and_overrides():
    adam = build_optimizer("adam", 1e-3, {})
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == (0.9, 0.999, 1e-8)
    assert build_optimizer("momentum", 0.1, {}).momentum == 0.9
    assert build_optimizer("nesterov", 0.1, {"momentum": 0.95}).momentum == 0.95


def _values(name, options=None, *, lr=1.0, spe=10, epochs=10, **spec):
    return schedule_values(name, options or {}, learning_rate=lr, steps_per_epoch=spe, epochs=epochs, **spec)


def _sgdr(t):
    start, length, peak = 0.0, 2.0, 1.0
    while t >= start + length:
        start, length, peak = start + length, 2 * length, peak / 2
    return peak * 0.5 * (1 + math.cos(math.pi * (t - start) / length))


@pytest.mark.parametrize(
    "name, options, closed_form",
    [
        ("piecewise", {"boundaries": (2, 5), "values": (1.0, 0.5, 0.2)}, lambda t: 1.0 if t < 2 else 0.5 if t < 5 else 0.2),
        ("exponential", {"decay_epochs": 4, "decay_rate": 0.1}, lambda t: 0.1 ** (t / 4)),
        ("natural_exp", {"k": 0.3}, lambda t: math.exp(-0.3 * t)),
        ("inverse_time", {"decay_epochs": 2}, lambda t: 1 / (1 + t / 2)),
        ("inverse_sqrt", {"decay_epochs": 2}, lambda t: 1 / math.sqrt(1 + t / 2)),
        ("cosine", {}, lambda t: 0.5 * (1 + math.cos(math.pi * t / 10))),
        ("linear", {"end_factor": 0.1}, lambda t: 1 - 0.9 * t / 10),
        ("polynomial", {"power": 0.5}, lambda t: (1 - t / 10) ** 0.5),
        # SGDR, cycles of 2, 4 then 8 epochs, restart peaks ×0.5
        ("cosine_restarts", {"first_epochs": 2, "t_mul": 2.0, "m_mul": 0.5}, _sgdr),
        # 1cycle: 1 → 10 over 4.5 epochs, back to 1 at 9, then to 0.01 at 10
        ("one_cycle", {}, lambda t: 1 + 9 * t / 4.5 if t < 4.5 else 10 - 9 * (t - 4.5) / 4.5 if t < 9 else 1 - 0.99 * (t - 9)),
    ],
)
def test_schedules_equal_their_closed_forms(name, options, closed_form):
    values = _values(name, options)  # t = step / 10 epochs
    for step in (0, 7, 20, 33, 45, 61, 90, 95, 99):
        assert values[step] == pytest.approx(closed_form(step / 10), rel=1e-4, abs=1e-6), step


def test_linear_warmup_then_shifted_schedule_and_per_epoch_interval():
    values = _values("exponential", {"decay_epochs": 1, "decay_rate": 0.5}, warmup_epochs=2, warmup_start=0.1)
    for step in (0, 5, 19):
        assert values[step] == pytest.approx(0.1 + 0.9 * step / 20, rel=1e-5)
    for step in (20, 25, 40):
        assert values[step] == pytest.approx(0.5 ** ((step - 20) / 10), rel=1e-5)
    per_epoch = _values("cosine", interval="epoch")
    for step in (0, 13, 57):
        epoch = step // 10
        assert per_epoch[step] == pytest.approx(0.5 * (1 + math.cos(math.pi * epoch / 10)), rel=1e-5)


def test_plateau_with_warmup_uses_a_warmup_callback():
    lr, callbacks = build_schedule("plateau", {}, learning_rate=0.1, steps_per_epoch=5, epochs=3, warmup_epochs=1)
    assert lr == 0.1 and [type(c).__name__ for c in callbacks] == ["WarmupCallback", "ReduceLROnPlateau"]
    with pytest.raises(ConfigError, match="no closed form"):
        _values("plateau")


def test_custom_schedules_survive_serialization():
    schedule, _ = build_schedule("one_cycle", {}, learning_rate=0.1, steps_per_epoch=4, epochs=5, warmup_epochs=1, interval="epoch")
    restored = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(schedule))
    for step in (0, 3, 9, 17):
        assert float(restored(step)) == pytest.approx(float(schedule(step)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(name="one_cycle", options={"up_fraction": 0.7}), "schedule.up_fraction must be in"),
        (dict(name="piecewise", options={"boundaries": (3,), "values": (1.0,)}), "one learning-rate factor more"),
        (dict(interval="batch"), "schedule.interval must be one of"),
        (dict(warmup_epochs=-1), "schedule.warmup_epochs must be in"),
    ],
)
def test_schedule_spec_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ScheduleSpec(**kwargs)
