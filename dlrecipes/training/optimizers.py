"""Optimizers by name, built from keras.optimizers with validated settings."""

import inspect

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, suggest

OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adagrad": keras.optimizers.Adagrad,
    "rmsprop": keras.optimizers.RMSprop,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
}


def optimizer_arguments(name):
    """Settings the optimizer `name` accepts besides learning_rate."""
    check_choice("optimizer.name", name, OPTIMIZERS)
    parameters = inspect.signature(OPTIMIZERS[name].__init__).parameters
    return sorted(p for p in parameters if p not in ("self", "learning_rate", "kwargs", "name"))


def check_optimizer_options(name, options):
    """Unknown settings raise, naming the ones the optimizer has."""
    allowed = optimizer_arguments(name)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ConfigError(
            f"optimizer {name!r} has no setting {unknown}. Allowed: {allowed}."
            + suggest(unknown[0], allowed)
        )


def build_optimizer(name, learning_rate, options):
    """`keras.optimizers.<name>(learning_rate, **options)`; `learning_rate` may be a schedule."""
    check_optimizer_options(name, options)
    return OPTIMIZERS[name](learning_rate=learning_rate, **options)
