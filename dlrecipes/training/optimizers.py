"""Optimizers by name, built from keras.optimizers with validated settings.

`DEFAULTS` holds the course's settings (CS231n, "Training neural networks"): momentum 0.9 for
SGD + momentum and Nesterov; Adam / AdamW β1 0.9, β2 0.999, ε 1e-8 (Kingma & Ba 2015); AdaGrad's
accumulator starts at 0 (Duchi et al. 2011); RMSProp decay ρ 0.9 (Tieleman & Hinton 2012).
A recipe's own options override them.
"""

import inspect

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, suggest

OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "momentum": keras.optimizers.SGD,
    "nesterov": keras.optimizers.SGD,
    "adagrad": keras.optimizers.Adagrad,
    "rmsprop": keras.optimizers.RMSprop,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
}

DEFAULTS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9, "nesterov": True},
    "adagrad": {"initial_accumulator_value": 0.0, "epsilon": 1e-8},
    "rmsprop": {"rho": 0.9, "epsilon": 1e-8},
    "adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
    "adamw": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
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
    """`keras.optimizers.<class>(learning_rate, **DEFAULTS[name], **options)`; `learning_rate`
    may be a schedule."""
    check_optimizer_options(name, options)
    return OPTIMIZERS[name](learning_rate=learning_rate, **{**DEFAULTS[name], **options})
