"""Custom layers and activations (backend-agnostic, registered serializable)."""

from dlrecipes.layers.activations import ACTIVATIONS, activation_layer, scaled_tanh
from dlrecipes.layers.maxout import Maxout  # noqa: F401
from dlrecipes.layers.lrn import LocalResponseNormalization  # noqa: F401
from dlrecipes.layers.initializers import BilinearUpsampling, ConvIdentity  # noqa: F401
from dlrecipes.layers.drop_path import (  # noqa: F401
    DropPath,
    FractalColumnSampler,
    FractalJoin,
    StochasticDepth,
)

__all__ = ["ACTIVATIONS", "activation_layer", "scaled_tanh"]
