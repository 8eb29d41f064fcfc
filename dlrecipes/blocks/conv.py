"""Convolution → batch norm → activation, the unit every CNN here is made of."""

import keras

from dlrecipes.layers import activation_layer


def conv_bn_act(
    x,
    filters,
    kernel_size,
    *,
    name,
    strides=1,
    padding="same",
    activation="relu",
    batch_norm=True,
    use_bias=None,
    groups=1,
    dilation_rate=1,
    kernel_initializer="he_normal",
    bn_momentum=0.99,
    bn_epsilon=1e-3,
):
    """Conv2D (`{name}_conv`), optional BatchNormalization (`{name}_bn`) and activation
    (`{name}_act`, skipped when `activation` is None). The conv has a bias only without batch
    norm unless `use_bias` says otherwise (a bias before BN is redundant)."""
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        groups=groups,
        dilation_rate=dilation_rate,
        use_bias=(not batch_norm) if use_bias is None else use_bias,
        kernel_initializer=kernel_initializer,
        name=f"{name}_conv",
    )(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(
            momentum=bn_momentum, epsilon=bn_epsilon, name=f"{name}_bn"
        )(x)
    if activation is not None:
        x = activation_layer(activation, name=f"{name}_act")(x)
    return x
