"""Residual units: He, Zhang, Ren & Sun 2015, "Deep Residual Learning for Image Recognition"
(basic and bottleneck units, shortcut options A/B/C) and 2016, "Identity Mappings in Deep
Residual Networks" (pre-activation); Zagoruyko & Komodakis 2016, "Wide Residual Networks"
(wider units, dropout between the convolutions); Xie, Girshick, Dollár, Tu & He 2017,
"Aggregated Residual Transformations for Deep Neural Networks" (grouped 3×3 convolution).

One definition, shared by the ImageNet and CIFAR residual families:

    residual_block(x, filters, name=..., block="bottleneck", strides=2, groups=32, width=128)

`filters` is the unit's "planes" (64, 128, 256, 512 at ImageNet scale); the output has
`filters × EXPANSION[block]` channels (1 for basic, 4 for bottleneck units), as in the papers
and in torchvision/keras.applications.
"""

import keras

from dlrecipes.blocks.conv import conv_bn_act
from dlrecipes.blocks.spatial import padded_conv
from dlrecipes.errors import ConfigError
from dlrecipes.layers import activation_layer
from dlrecipes.validation import check_choice, check_int, check_rate

BLOCKS = ("basic", "bottleneck")
EXPANSION = {"basic": 1, "bottleneck": 4}
# He et al. 2015 §4.1: (A) zero-padded identity shortcuts (parameter-free), (B) projections
# where the number of channels grows, identity elsewhere, (C) projections everywhere.
SHORTCUTS = ("A", "B", "C")
CONV_BIAS = (None, True, False)


def check_residual_options(*, block, groups, shortcut, conv_bias, dropout_rate):
    """Validate the options every residual unit of a network shares (ConfigError)."""
    check_choice("block", block, BLOCKS)
    check_int("groups", groups, minimum=1)
    if block == "basic" and groups != 1:
        raise ConfigError(
            "Grouped convolutions need bottleneck blocks (ResNeXt groups the bottleneck's 3x3 "
            f"convolution); basic blocks take groups=1. Received: block='basic', groups={groups}"
        )
    check_choice("shortcut", shortcut, SHORTCUTS)
    check_choice("conv_bias", conv_bias, CONV_BIAS)
    check_rate("dropout_rate", dropout_rate)


def bottleneck_width(filters, groups=1, width_per_group=64):
    """Channels of a bottleneck unit's grouped 3×3 convolution, torchvision's rule:
    ⌊filters · width_per_group / 64⌋ · groups (ResNet 64, ResNeXt 32×4d: 4·32 = 128 at the
    first stage, Wide ResNet-50-2: width_per_group 128)."""
    width = int(filters * (width_per_group / 64.0)) * groups
    if width < groups:
        raise ConfigError(
            "filters * width_per_group / 64 must be at least 1 channel per group. "
            f"Received: filters={filters}, width_per_group={width_per_group}, groups={groups}"
        )
    return width


def bn_act(x, *, name, activation="relu", bn_momentum=0.9, bn_epsilon=1.001e-5):
    """Batch norm (`{name}_bn`) then activation (`{name}_act`): the pre-activation of He et al.
    2016 and of DenseNet's BN-ReLU-Conv layers."""
    x = keras.layers.BatchNormalization(momentum=bn_momentum, epsilon=bn_epsilon, name=f"{name}_bn")(x)
    return activation_layer(activation, name=f"{name}_act")(x)


def subsample(x, strides, *, name):
    """Keep every `strides`-th row and column (x[:, ::s, ::s, :]), parameter-free: a 1×1 max
    pooling with stride s (output ⌈size / s⌉, like the strided convolutions)."""
    if strides == 1:
        return x
    return keras.layers.MaxPooling2D(1, strides=strides, name=name)(x)


def zero_pad_channels(x, channels, *, name):
    """Zero-pad the channel axis of a (batch, height, width, C) tensor to `channels`, half the
    zeros before and half after (option A of He et al. 2015, as in the CIFAR reference
    implementations). Built from parameter-free Keras layers only: move channels to a spatial
    axis (`{name}_to_cf`), zero-pad it (`{name}_pad`), move them back (`{name}`)."""
    missing = channels - x.shape[-1]
    if missing == 0:
        return x
    before = missing // 2
    x = keras.layers.Permute((3, 1, 2), name=f"{name}_to_cf")(x)  # (C, H, W)
    x = keras.layers.ZeroPadding2D(
        ((before, missing - before), (0, 0)), data_format="channels_last", name=f"{name}_pad"
    )(x)
    return keras.layers.Permute((2, 3, 1), name=name)(x)  # back to (H, W, C)


def residual_block(
    x,
    filters,
    *,
    name,
    block="bottleneck",
    strides=1,
    width=None,
    groups=1,
    preact=False,
    shortcut="B",
    stride_in_1x1=False,
    conv_bias=None,
    dropout_rate=0.0,
    residual_layer=None,
    activation="relu",
    kernel_initializer="he_normal",
    bn_momentum=0.9,
    bn_epsilon=1.001e-5,
):
    """One residual unit; returns its output tensor (`filters × EXPANSION[block]` channels).

    - `block`: "basic" (two 3×3 convolutions, `{name}_conv1`, `{name}_conv2`) or "bottleneck"
      (1×1 → 3×3 → 1×1, `{name}_conv1..3`, the 1×1 expanding to 4·filters).
    - `width`: channels of the inner convolutions (default `filters`; see `bottleneck_width`
      for ResNeXt/WRN). `groups` splits the bottleneck's 3×3 convolution (ResNeXt).
    - `strides`: on the 3×3 convolution (torchvision, "ResNet v1.5"), or on the first 1×1 with
      `stride_in_1x1=True` (the original paper and keras.applications' ResNet).
    - `preact`: He et al. 2016: BN-ReLU first (`{name}_preact`), the projection shortcut taking
      the pre-activated input and the identity taking the raw input, no BN after the last conv
      and no activation after the addition. Otherwise conv-BN-ReLU units with ReLU after the
      addition (`{name}_out`).
    - `shortcut`: "A" subsampling + zero-padded channels (no parameters), "B" a 1×1 projection
      (+ BN when not `preact`) when the channels change, "C" a projection in every unit.
      Where only the resolution changes, A and B subsample the identity.
    - `conv_bias`: None puts a bias only on convolutions not followed by batch norm; True on
      every convolution (keras.applications' ResNet50/101/152); False on none.
    - `dropout_rate`: dropout before the last convolution (WRN: between the two 3×3 convs).
    - `residual_layer`: a layer (or callable) applied to the residual branch before the
      addition, the hook for stochastic depth / drop-path.
    """
    check_residual_options(
        block=block, groups=groups, shortcut=shortcut, conv_bias=conv_bias, dropout_rate=dropout_rate
    )
    filters = check_int("filters", filters, minimum=1)
    strides = check_int("strides", strides, minimum=1)
    width = filters if width is None else check_int("width", width, minimum=1)
    in_channels = x.shape[-1]
    out_channels = filters * EXPANSION[block]
    if block == "bottleneck" and width % groups:
        raise ConfigError(
            "groups must divide the width of the grouped 3x3 convolution. "
            f"Received: width={width}, groups={groups}"
        )
    if shortcut == "A" and out_channels < in_channels:
        raise ConfigError(
            "Shortcut option A zero-pads channels, so it cannot reduce them. "
            f"Received: shortcut='A', input channels {in_channels}, output channels {out_channels}"
        )
    bn = dict(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
    conv = dict(kernel_initializer=kernel_initializer, use_bias=conv_bias, **bn)

    branch_input = x
    if preact:
        branch_input = bn_act(x, name=f"{name}_preact", activation=activation, **bn)

    if shortcut == "C" or (shortcut == "B" and out_channels != in_channels):
        # He et al. 2016 project the pre-activated input (and put no BN after the projection).
        residual = conv_bn_act(
            branch_input,
            out_channels,
            1,
            name=f"{name}_shortcut",
            strides=strides,
            padding="valid",
            activation=None,
            batch_norm=not preact,
            **conv,
        )
    else:
        residual = subsample(x, strides, name=f"{name}_shortcut_pool")
        if out_channels != in_channels:
            residual = zero_pad_channels(residual, out_channels, name=f"{name}_shortcut")

    if block == "basic":
        convs = [(width, 3, strides), (out_channels, 3, 1)]
    else:
        first, second = (strides, 1) if stride_in_1x1 else (1, strides)
        convs = [(width, 1, first), (width, 3, second), (out_channels, 1, 1)]
    y = branch_input
    for index, (channels, kernel_size, conv_strides) in enumerate(convs, start=1):
        last = index == len(convs)
        if last and dropout_rate:
            y = keras.layers.Dropout(dropout_rate, name=f"{name}_dropout")(y)
        # Symmetric padding k // 2 (torchvision/keras.applications): an explicit `_pad` layer
        # where the convolution is strided, Keras "same" elsewhere.
        y = padded_conv(
            y,
            channels,
            kernel_size,
            name=f"{name}_conv{index}",
            strides=conv_strides,
            padding=kernel_size // 2,
            groups=groups if kernel_size == 3 and block == "bottleneck" else 1,
            activation=None if last else activation,
            batch_norm=not (last and preact),
            **conv,
        )
    if residual_layer is not None:
        y = residual_layer(y)
    y = keras.layers.Add(name=f"{name}_add")([residual, y])
    if not preact:
        y = activation_layer(activation, name=f"{name}_out")(y)
    return y
