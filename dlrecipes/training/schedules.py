"""Learning-rate schedules by name, configured in epochs and built as Keras schedules over steps
(or, for "plateau", as Keras' ReduceLROnPlateau callback)."""

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, check_float, check_int, suggest

MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")

# name -> its options and their defaults
SCHEDULES = {
    "constant": {},
    "step": {"boundaries": (), "factor": 0.1},  # lr·factor^i after the i-th boundary epoch
    "exponential": {"decay_epochs": 1.0, "decay_rate": 0.1, "staircase": False},
    "cosine": {"alpha": 0.0},  # from lr to alpha·lr over the whole run
    "plateau": {"factor": 0.1, "patience": 5, "min_lr": 0.0, "monitor": "val_loss"},
}

_RANGES = {
    "factor": (0.0, 1.0),
    "alpha": (0.0, 1.0),
    "decay_epochs": (1e-9, None),
    "decay_rate": (0.0, None),
    "min_lr": (0.0, None),
}


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
    if name == "step":
        boundaries = [check_int("schedule.boundaries", b, minimum=1) for b in merged["boundaries"]]
        if boundaries != sorted(set(boundaries)):
            raise ConfigError(
                "schedule.boundaries must be strictly increasing epochs. "
                f"Received: schedule.boundaries={merged['boundaries']!r}"
            )
        merged["boundaries"] = tuple(boundaries)
    for option, (low, high) in _RANGES.items():
        if option in merged:
            check_float(f"schedule.{option}", merged[option], minimum=low, maximum=high)
    if name == "plateau":
        check_int("schedule.patience", merged["patience"], minimum=0)
        check_choice("schedule.monitor", merged["monitor"], MONITORS)
    if not isinstance(merged.get("staircase", False), bool):
        raise ConfigError(f"schedule.staircase must be True or False. Received: {merged['staircase']!r}")
    return merged


def build_schedule(name, options, *, learning_rate, steps_per_epoch, epochs):
    """(learning rate or LearningRateSchedule for the optimizer, callbacks it needs)."""
    options = schedule_options(name, options)
    if name == "step":
        if not options["boundaries"]:
            return learning_rate, []
        values = [learning_rate * options["factor"] ** i for i in range(len(options["boundaries"]) + 1)]
        # PiecewiseConstantDecay keeps values[i] while step <= boundary: the last step of the
        # epoch before each boundary is b·steps_per_epoch − 1 (steps count from 0).
        steps = [b * steps_per_epoch - 1 for b in options["boundaries"]]
        return keras.optimizers.schedules.PiecewiseConstantDecay(steps, values), []
    if name == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            learning_rate,
            decay_steps=options["decay_epochs"] * steps_per_epoch,
            decay_rate=options["decay_rate"],
            staircase=options["staircase"],
        ), []
    if name == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps=epochs * steps_per_epoch, alpha=options["alpha"]
        ), []
    if name == "plateau":
        return learning_rate, [keras.callbacks.ReduceLROnPlateau(verbose=1, **options)]
    return learning_rate, []
