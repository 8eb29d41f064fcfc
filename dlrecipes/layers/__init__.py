"""Custom layers and activations (backend-agnostic, registered serializable)."""

from dlrecipes.layers.activations import ACTIVATIONS, activation_layer, scaled_tanh
from dlrecipes.layers.maxout import Maxout  # noqa: F401
from dlrecipes.layers.lrn import LocalResponseNormalization  # noqa: F401

__all__ = ["ACTIVATIONS", "activation_layer", "scaled_tanh"]
