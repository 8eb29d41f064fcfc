"""L1, L2 and elastic-net penalties and max-norm constraints on every kernel of a built model.

Papers give λ for SGD weight decay (w ← w − lr·(g + λw)); Keras' `l2(c)` adds c·Σw² to the
loss (gradient 2c·w), so reproducing a paper's λ needs c = λ/2 (REFERENCE.md §4).
"""

import keras

from dlrecipes.validation import check_float

# kernel variable attribute -> the layer arguments that hold its regularizer and constraint
# (saved in the layer's config, so a reloaded model keeps its regularization).
_KERNELS = {
    "kernel": ("kernel_regularizer", "kernel_constraint"),
    "depthwise_kernel": ("depthwise_regularizer", "depthwise_constraint"),
    "pointwise_kernel": ("pointwise_regularizer", "pointwise_constraint"),
    "recurrent_kernel": ("recurrent_regularizer", "recurrent_constraint"),
}


def l2_coefficient(paper_weight_decay):
    """Keras L2 coefficient c equal to a paper's SGD weight decay λ: c = λ/2."""
    return check_float("paper_weight_decay", paper_weight_decay, minimum=0.0) / 2.0


def _kernels(model):
    """(layer, variable, regularizer argument, constraint argument) for every kernel of `model`
    and its nested layers (RNN cells included)."""
    for layer in model._flatten_layers(include_self=False):
        for variable_name, (regularizer, constraint) in _KERNELS.items():
            variable = getattr(layer, variable_name, None)
            if isinstance(variable, keras.Variable):
                yield layer, variable, regularizer, constraint


def _penalty(l1, l2):
    if l1 and l2:
        return keras.regularizers.L1L2(l1=l1, l2=l2)
    return keras.regularizers.L1(l1) if l1 else keras.regularizers.L2(l2)


def apply_regularization(model, *, l1=0.0, l2=0.0, max_norm=None):
    """Put l1·Σ|w| + l2·Σw² (L1, L2 or elastic net) and a MaxNorm(max_norm) constraint on
    every kernel (not biases, not batch-norm parameters) of `model`; zeros / None add nothing.
    MaxNorm bounds the L2 norm of each unit's incoming weights (all axes but the last)."""
    l1 = check_float("l1", l1, minimum=0.0)
    l2 = check_float("weight_decay", l2, minimum=0.0)
    if max_norm is not None:
        max_norm = check_float("max_norm", max_norm, minimum=1e-12)
    for layer, variable, regularizer_argument, constraint_argument in _kernels(model):
        if l1 or l2:
            variable.regularizer = _penalty(l1, l2)
            setattr(layer, regularizer_argument, variable.regularizer)
        if max_norm is not None:
            axes = list(range(len(variable.shape) - 1))
            variable.constraint = keras.constraints.MaxNorm(max_norm, axis=axes)
            setattr(layer, constraint_argument, variable.constraint)
    return model


def apply_weight_decay(model, weight_decay):
    """Put `keras.regularizers.L2(weight_decay)` on every kernel (not biases, not batch-norm
    parameters) of `model` and its nested layers; 0 leaves the model unchanged."""
    return apply_regularization(model, l2=weight_decay)
