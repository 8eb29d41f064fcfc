"""Activations by name, including LeCun's scaled tanh and the parametric ones that are layers."""

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.layers.maxout import Maxout
from dlrecipes.validation import check_choice


@keras.saving.register_keras_serializable(package="dlrecipes")
def scaled_tanh(x):
    """LeCun et al. 1998, "Gradient-based learning applied to document recognition", App. A:
    f(a) = 1.7159·tanh(2a/3), so that f(±1) = ±1."""
    return 1.7159 * keras.ops.tanh(x * (2.0 / 3.0))


_FUNCTIONS = {
    "linear": "linear",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "scaled_tanh": scaled_tanh,
    "relu": "relu",
    "leaky_relu": "leaky_relu",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "swish": "swish",
}
# "maxout" keeps the max of each group of `num_pieces` features (2 unless given), so it divides
# the width of what it follows.
_LAYERS = {"prelu": keras.layers.PReLU, "maxout": Maxout}
ACTIVATIONS = tuple(sorted([*_FUNCTIONS, *_LAYERS]))


def activation_layer(activation, name, **options):
    """A layer applying the activation called `activation` (one of ACTIVATIONS); `options` go
    to the layer of a parametric one (Maxout's `num_pieces`)."""
    check_choice("activation", activation, ACTIVATIONS)
    if activation in _LAYERS:
        return _LAYERS[activation](name=name, **options)
    if options:
        raise ConfigError(f"activation {activation!r} takes no options. Received: {options!r}")
    return keras.layers.Activation(_FUNCTIONS[activation], name=name)
