"""GoogLeNet's Inception module and auxiliary classifier (Szegedy et al. 2015, "Going deeper
with convolutions")."""

import keras

from dlrecipes.blocks.conv import conv_bn_act
from dlrecipes.blocks.dense import dense_bn_act


def inception(
    x, branch1, branch2, branch3, branch4, *, name, branch3_kernel_size=5, **options
):
    """Four parallel branches concatenated on channels (`{name}_concat`):

    - `{name}_branch1`: 1×1 conv with `branch1` filters;
    - `{name}_branch2_conv1` → `_conv2`: 1×1 reduce then 3×3, `branch2 = (reduce, filters)`;
    - `{name}_branch3_conv1` → `_conv2`: 1×1 reduce then `branch3_kernel_size` (the paper's 5×5;
      torchvision's GoogLeNet has 3×3 here), `branch3 = (reduce, filters)`;
    - `{name}_branch4_pool` → `_conv1`: 3×3 stride-1 max pooling then a 1×1 projection.

    `options` go to every `conv_bn_act` (activation, batch norm, initializer, ...).
    """
    b1 = conv_bn_act(x, branch1, 1, name=f"{name}_branch1", **options)
    b2 = conv_bn_act(x, branch2[0], 1, name=f"{name}_branch2_conv1", **options)
    b2 = conv_bn_act(b2, branch2[1], 3, name=f"{name}_branch2_conv2", **options)
    b3 = conv_bn_act(x, branch3[0], 1, name=f"{name}_branch3_conv1", **options)
    b3 = conv_bn_act(b3, branch3[1], branch3_kernel_size, name=f"{name}_branch3_conv2", **options)
    b4 = keras.layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_branch4_pool")(x)
    b4 = conv_bn_act(b4, branch4, 1, name=f"{name}_branch4_conv1", **options)
    return keras.layers.Concatenate(name=f"{name}_concat")([b1, b2, b3, b4])


def inception_aux(
    x,
    *,
    num_classes,
    name,
    dropout_rate=0.7,
    classifier_activation=None,
    kernel_initializer="he_normal",
    **options,
):
    """GoogLeNet's auxiliary classifier: 5×5/3 average pooling (`{name}_pool`), 1×1 conv to 128
    (`{name}_conv`), flatten, FC 1024 + ReLU + dropout (`{name}_fc`) and the classifier
    (`{name}_predictions`). `options` go to the conv's `conv_bn_act`."""
    x = keras.layers.AveragePooling2D(5, 3, name=f"{name}_pool")(x)
    x = conv_bn_act(
        x, 128, 1, name=f"{name}_conv", kernel_initializer=kernel_initializer, **options
    )
    x = keras.layers.Flatten(name=f"{name}_flatten")(x)
    x = dense_bn_act(
        x, 1024, name=f"{name}_fc", dropout_rate=dropout_rate, kernel_initializer=kernel_initializer
    )
    return keras.layers.Dense(
        num_classes,
        activation=classifier_activation,
        kernel_initializer=kernel_initializer,
        name=f"{name}_predictions",
    )(x)
