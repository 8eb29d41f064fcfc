"""Learning-rate schedules by name, configured in epochs and built as Keras schedules over steps
(or, for "plateau", as Keras' ReduceLROnPlateau callback). Any of them can be preceded by a
linear warm-up and updated per step or per epoch (ScheduleSpec.warmup_epochs / interval).

With α0 the recipe's learning rate and t in epochs (fractional within an epoch when per step):

    constant       α0
    step           α0·factor^i after the i-th of `boundaries` (epochs)
    piecewise      α0·values[i] between boundaries i−1 and i
    exponential    α0·decay_rate^(t/decay_epochs)    (e.g. 0.1^(t/s); staircase floors t/s)
    natural_exp    α0·e^(−k·t)
    inverse_time   α0 / (1 + decay_rate·t/decay_epochs)                     (1/t decay)
    inverse_sqrt   α0 / √(1 + t/decay_epochs)
    cosine         α0·(alpha + (1 − alpha)·(1 + cos(π·t/T))/2) over the run of T epochs
    cosine_restarts  SGDR (Loshchilov & Hutter 2017): cosine cycles of first_epochs, ×t_mul longer
                   and ×m_mul lower each restart
    linear         α0 → end_factor·α0 linearly over the run
    polynomial     α0 → end_factor·α0 as (1 − t/T)^power
    one_cycle      1cycle (Smith 2018): up to max_factor·α0 and back, then down to final_factor·α0
    plateau        ÷(1/factor) when `monitor` stalls for `patience` epochs (ReduceLROnPlateau)
"""

import math

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.training import lr_schedules
from dlrecipes.validation import check_choice, check_float, check_int, suggest

MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
INTERVALS = ("step", "epoch")

# name -> its options and their defaults
SCHEDULES = {
    "constant": {},
    "step": {"boundaries": (), "factor": 0.1},
    "piecewise": {"boundaries": (), "values": (1.0,)},
    "exponential": {"decay_epochs": 1.0, "decay_rate": 0.1, "staircase": False},
    "natural_exp": {"k": 0.1},
    "inverse_time": {"decay_epochs": 1.0, "decay_rate": 1.0},
    "inverse_sqrt": {"decay_epochs": 1.0},
    "cosine": {"alpha": 0.0},
    "cosine_restarts": {"first_epochs": 10.0, "t_mul": 2.0, "m_mul": 1.0, "alpha": 0.0},
    "linear": {"end_factor": 0.0},
    "polynomial": {"power": 0.5, "end_factor": 0.0},
    "one_cycle": {"max_factor": 10.0, "up_fraction": 0.45, "final_factor": 0.01},
    "plateau": {"factor": 0.1, "patience": 5, "min_lr": 0.0, "monitor": "val_loss"},
}

_RANGES = {
    "factor": (0.0, 1.0),
    "alpha": (0.0, 1.0),
    "decay_epochs": (1e-9, None),
    "decay_rate": (0.0, None),
    "min_lr": (0.0, None),
    "k": (0.0, None),
    "first_epochs": (1e-9, None),
    "t_mul": (1e-9, None),
    "m_mul": (0.0, None),
    "end_factor": (0.0, 1.0),
    "power": (1e-9, None),
    "max_factor": (1.0, None),
    "up_fraction": (1e-9, 0.5),
    "final_factor": (0.0, 1.0),
}


def _check_boundaries(merged):
    boundaries = [check_int("schedule.boundaries", b, minimum=1) for b in merged["boundaries"]]
    if boundaries != sorted(set(boundaries)):
        raise ConfigError(
            "schedule.boundaries must be strictly increasing epochs. "
            f"Received: schedule.boundaries={merged['boundaries']!r}"
        )
    return tuple(boundaries)


def schedule_options(name, options):
    """`options` completed with the defaults of schedule `name`; unknown ones raise."""
    check_choice("schedule.name", name, SCHEDULES)
    defaults = SCHEDULES[name]
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise ConfigError(
            f"schedule {name!r} has no option {unknown}. Allowed: {sorted(defaults)}."
            + suggest(unknown[0], defaults)
        )
    merged = {**defaults, **options}
    if "boundaries" in merged:
        merged["boundaries"] = _check_boundaries(merged)
    if name == "piecewise":
        values = tuple(check_float("schedule.values", v, minimum=0.0) for v in merged["values"])
        if len(values) != len(merged["boundaries"]) + 1:
            raise ConfigError(
                "schedule.values must hold one learning-rate factor more than boundaries. "
                f"Received: schedule.values={merged['values']!r}, boundaries={merged['boundaries']!r}"
            )
        merged["values"] = values
    for option, (low, high) in _RANGES.items():
        if option in merged:
            check_float(f"schedule.{option}", merged[option], minimum=low, maximum=high)
    if name == "plateau":
        check_int("schedule.patience", merged["patience"], minimum=0)
        check_choice("schedule.monitor", merged["monitor"], MONITORS)
    if not isinstance(merged.get("staircase", False), bool):
        raise ConfigError(f"schedule.staircase must be True or False. Received: {merged['staircase']!r}")
    return merged


def _base_schedule(name, o, lr, spe, epochs):
    """The schedule without warm-up: a float or a keras LearningRateSchedule over steps."""
    schedules = keras.optimizers.schedules
    total = epochs * spe
    if name in ("step", "piecewise"):
        if not o["boundaries"]:
            return lr * (o["values"][0] if name == "piecewise" else 1.0)
        factors = o["values"] if name == "piecewise" else [o["factor"] ** i for i in range(len(o["boundaries"]) + 1)]
        # PiecewiseConstantDecay keeps values[i] while step <= boundary: the last step of the
        # epoch before each boundary is b·steps_per_epoch − 1 (steps count from 0).
        steps = [b * spe - 1 for b in o["boundaries"]]
        return schedules.PiecewiseConstantDecay(steps, [lr * f for f in factors])
    if name == "exponential":
        return schedules.ExponentialDecay(
            lr, decay_steps=o["decay_epochs"] * spe, decay_rate=o["decay_rate"], staircase=o["staircase"]
        )
    if name == "natural_exp":
        return schedules.ExponentialDecay(lr, decay_steps=spe, decay_rate=math.exp(-o["k"]))
    if name == "inverse_time":
        return schedules.InverseTimeDecay(lr, decay_steps=o["decay_epochs"] * spe, decay_rate=o["decay_rate"])
    if name == "inverse_sqrt":
        return lr_schedules.InverseSqrtDecay(lr, decay_steps=o["decay_epochs"] * spe)
    if name == "cosine":
        return schedules.CosineDecay(lr, decay_steps=total, alpha=o["alpha"])
    if name == "cosine_restarts":
        return schedules.CosineDecayRestarts(
            lr, first_decay_steps=o["first_epochs"] * spe, t_mul=o["t_mul"], m_mul=o["m_mul"], alpha=o["alpha"]
        )
    if name in ("linear", "polynomial"):
        return schedules.PolynomialDecay(
            lr, decay_steps=total, end_learning_rate=lr * o["end_factor"], power=o.get("power", 1.0)
        )
    if name == "one_cycle":
        return lr_schedules.OneCycle(lr, total, o["max_factor"], o["up_fraction"], o["final_factor"])
    return lr  # constant, plateau


def build_schedule(
    name,
    options,
    *,
    learning_rate,
    steps_per_epoch,
    epochs,
    warmup_epochs=0.0,
    warmup_start=0.0,
    interval="step",
):
    """(learning rate or LearningRateSchedule for the optimizer, callbacks it needs).

    `warmup_epochs` > 0 prepends a linear warm-up from warmup_start·α(0); `interval` "epoch"
    holds the learning rate constant within each epoch."""
    options = schedule_options(name, options)
    check_int("epochs", epochs, minimum=1)
    check_int("steps_per_epoch", steps_per_epoch, minimum=1)
    check_float("schedule.warmup_epochs", warmup_epochs, minimum=0.0)
    check_float("schedule.warmup_start", warmup_start, minimum=0.0, maximum=1.0)
    check_choice("schedule.interval", interval, INTERVALS)
    schedule = _base_schedule(name, options, learning_rate, steps_per_epoch, epochs)
    warmup_steps = round(warmup_epochs * steps_per_epoch)
    callbacks = []
    if name == "plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(verbose=1, **options))
        if warmup_steps:  # the callback owns a float learning rate: warm it up by callback too
            callbacks.insert(0, lr_schedules.WarmupCallback(learning_rate, warmup_steps, warmup_start))
        return learning_rate, callbacks
    if warmup_steps:
        schedule = lr_schedules.LinearWarmup(schedule, warmup_steps, warmup_start)
    if interval == "epoch" and isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        schedule = lr_schedules.PerEpoch(schedule, steps_per_epoch)
    return schedule, callbacks


def schedule_values(name, options, *, learning_rate, steps_per_epoch, epochs, **spec):
    """The learning rate at every optimizer step of a run, as a list of floats (for plots)."""
    if name == "plateau":
        raise ConfigError(
            "schedule 'plateau' lowers the learning rate when a monitored metric stalls; it has "
            "no closed form to plot. Received: name='plateau'"
        )
    schedule, _ = build_schedule(
        name, options, learning_rate=learning_rate, steps_per_epoch=steps_per_epoch, epochs=epochs, **spec
    )
    steps = range(epochs * steps_per_epoch)
    if not callable(schedule):
        return [float(schedule)] * len(steps)
    return [float(keras.ops.convert_to_numpy(schedule(step))) for step in steps]
