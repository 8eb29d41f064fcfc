"""Dense → batch norm → activation → dropout, the unit of MLPs and classifier heads."""

import keras

from dlrecipes.layers import activation_layer


def dense_bn_act(
    x,
    units,
    *,
    name,
    activation="relu",
    batch_norm=False,
    dropout_rate=0.0,
    kernel_initializer="glorot_uniform",
    activation_options=None,
):
    """Dense (`{name}_dense`, bias only without batch norm), optional BatchNormalization
    (`{name}_bn`), activation (`{name}_act`, `activation_options` to its layer) and inverted
    dropout (`{name}_dropout`)."""
    x = keras.layers.Dense(
        units, use_bias=not batch_norm, kernel_initializer=kernel_initializer, name=f"{name}_dense"
    )(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = activation_layer(activation, name=f"{name}_act", **(activation_options or {}))(x)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name=f"{name}_dropout")(x)
    return x
