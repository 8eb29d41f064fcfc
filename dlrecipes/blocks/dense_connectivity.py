"""Dense connectivity: Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected
Convolutional Networks". Every layer of a dense block sees the concatenation of all earlier
feature maps and adds `growth_rate` new ones; transition layers between blocks compress the
channels (θ = `compression`) and halve the resolution.

Composite function BN-ReLU-Conv; DenseNet-B adds a 1×1 bottleneck of `bn_size × growth_rate`
channels (4k in the paper), DenseNet-C compresses in the transitions (θ = 0.5), DenseNet-BC
does both. `bn_size=0` and `compression=1` give the plain DenseNet of the CIFAR experiments.
"""

import keras

from dlrecipes.blocks.residual import bn_act


def bn_act_conv(
    x,
    filters,
    kernel_size,
    *,
    name,
    activation="relu",
    dropout_rate=0.0,
    kernel_initializer="he_normal",
    bn_momentum=0.9,
    bn_epsilon=1.001e-5,
):
    """BN (`{name}_bn`) → activation (`{name}_act`) → bias-free convolution (`{name}_conv`,
    "same" padding) → optional dropout (`{name}_dropout`)."""
    x = bn_act(x, name=name, activation=activation, bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        padding="same",
        use_bias=False,
        kernel_initializer=kernel_initializer,
        name=f"{name}_conv",
    )(x)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name=f"{name}_dropout")(x)
    return x


def dense_layer(x, growth_rate, *, name, bn_size=4, **options):
    """One layer of a dense block: [BN-ReLU-Conv 1×1, `bn_size·growth_rate` maps
    (`{name}_conv1`) when bn_size > 0] → BN-ReLU-Conv 3×3, `growth_rate` maps (`{name}_conv2`)
    → concatenation with its input (`{name}_concat`). `options` go to `bn_act_conv`
    (dropout after each convolution, as in the paper's experiments without augmentation)."""
    y = x
    if bn_size:
        y = bn_act_conv(y, bn_size * growth_rate, 1, name=f"{name}_conv1", **options)
    y = bn_act_conv(y, growth_rate, 3, name=f"{name}_conv2", **options)
    return keras.layers.Concatenate(axis=-1, name=f"{name}_concat")([x, y])


def dense_block(x, num_layers, growth_rate, *, name, bn_size=4, **options):
    """`num_layers` dense layers `{name}_layer1`, `{name}_layer2`, ...: the output has
    input channels + num_layers × growth_rate channels."""
    for index in range(1, num_layers + 1):
        x = dense_layer(x, growth_rate, name=f"{name}_layer{index}", bn_size=bn_size, **options)
    return x


def transition_channels(channels, compression):
    """Channels after a transition layer: ⌊θ·m⌋ (the paper's rule, torchvision's and
    keras.applications')."""
    return int(channels * compression)


def transition(x, *, name, compression=0.5, **options):
    """Transition layer: BN-ReLU-Conv 1×1 to ⌊compression · channels⌋ (`{name}_conv`) →
    2×2 average pooling, stride 2, unpadded (`{name}_pool`, output ⌊size / 2⌋)."""
    x = bn_act_conv(x, transition_channels(x.shape[-1], compression), 1, name=name, **options)
    return keras.layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)
