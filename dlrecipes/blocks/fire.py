"""SqueezeNet's fire module (Iandola et al. 2016, "SqueezeNet: AlexNet-level accuracy with 50x
fewer parameters and <0.5MB model size")."""

import keras

from dlrecipes.blocks.conv import conv_bn_act


def fire(x, squeeze, expand1x1, expand3x3, *, name, **options):
    """squeeze 1×1 conv (`{name}_squeeze`) → expand 1×1 (`{name}_expand1x1`) ‖ expand 3×3
    (`{name}_expand3x3`), concatenated on channels (`{name}_concat`); a ReLU after each conv.
    `options` go to `conv_bn_act` (default here: no batch norm, conv with bias)."""
    options.setdefault("batch_norm", False)
    x = conv_bn_act(x, squeeze, 1, name=f"{name}_squeeze", **options)
    left = conv_bn_act(x, expand1x1, 1, name=f"{name}_expand1x1", **options)
    right = conv_bn_act(x, expand3x3, 3, name=f"{name}_expand3x3", **options)
    return keras.layers.Concatenate(name=f"{name}_concat")([left, right])
