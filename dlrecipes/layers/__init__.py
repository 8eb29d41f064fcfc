"""Custom layers and activations (backend-agnostic, registered serializable)."""

from dlrecipes.layers.activations import ACTIVATIONS, activation_layer, scaled_tanh

__all__ = ["ACTIVATIONS", "activation_layer", "scaled_tanh"]
