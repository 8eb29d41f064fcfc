"""L2 weight decay on every kernel of a built model.

Papers give λ for SGD weight decay (w ← w − lr·(g + λw)); Keras' `l2(c)` adds c·Σw² to the
loss (gradient 2c·w), so reproducing a paper's λ needs c = λ/2 (REFERENCE.md §4).
"""

import keras

from dlrecipes.validation import check_float

# kernel variable attribute -> the layer argument that holds its regularizer (and is saved in
# the layer's config, so a reloaded model keeps its regularization).
_KERNELS = {
    "kernel": "kernel_regularizer",
    "depthwise_kernel": "depthwise_regularizer",
    "pointwise_kernel": "pointwise_regularizer",
    "recurrent_kernel": "recurrent_regularizer",
}


def l2_coefficient(paper_weight_decay):
    """Keras L2 coefficient c equal to a paper's SGD weight decay λ: c = λ/2."""
    return check_float("paper_weight_decay", paper_weight_decay, minimum=0.0) / 2.0


def apply_weight_decay(model, weight_decay):
    """Put `keras.regularizers.L2(weight_decay)` on every kernel (not biases, not batch-norm
    parameters) of `model` and its nested layers; 0 leaves the model unchanged."""
    weight_decay = check_float("weight_decay", weight_decay, minimum=0.0)
    if weight_decay == 0.0:
        return model
    regularizer = keras.regularizers.L2(weight_decay)
    for layer in model._flatten_layers(include_self=False):  # every nested layer and RNN cell
        for variable_name, argument in _KERNELS.items():
            variable = getattr(layer, variable_name, None)
            if isinstance(variable, keras.Variable):
                variable.regularizer = regularizer
                setattr(layer, argument, regularizer)
    return model
