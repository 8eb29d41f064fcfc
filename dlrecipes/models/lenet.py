"""LeNet-5: LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
recognition". conv6@5×5 → pool → conv16@5×5 → pool → fc120 → fc84 → classifier on 32×32 input
(MNIST padded by 2), with full C3 connections: 61,706 trainable parameters for 10 classes
(REFERENCE.md §1). `lenet5` is the classic form (tanh, average pooling); `lenet5_modern` uses
ReLU and max pooling."""

import functools

import keras

from dlrecipes.blocks import conv_bn_act, model_input
from dlrecipes.heads import classifier_head
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice, check_int

_SUBSAMPLING = {"avg": keras.layers.AveragePooling2D, "max": keras.layers.MaxPooling2D}
_MIN_SIZE = 16  # 5×5 valid conv, 2×2 pool, 5×5 valid conv, 2×2 pool: (s - 4) // 2 - 4 >= 2


def lenet5(
    *,
    input_shape,
    num_classes,
    activation="tanh",
    subsampling="avg",
    input_padding=0,
    batch_norm=False,
    dropout_rate=0.0,
    kernel_initializer="glorot_uniform",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="lenet5",
):
    """LeNet-5. `input_padding` zero-pads each side first (2 turns 28×28 MNIST into the paper's
    32×32); `subsampling` is "avg" (paper) or "max"; `dropout_rate` applies after fc1 and fc2."""
    check_choice("subsampling", subsampling, tuple(_SUBSAMPLING))
    check_int("input_padding", input_padding, minimum=0)
    inputs = model_input(input_shape, model=name, min_size=_MIN_SIZE - 2 * input_padding)
    x = inputs
    if input_padding:
        x = keras.layers.ZeroPadding2D(input_padding, name="input_padding")(x)
    for index, filters in enumerate((6, 16), start=1):
        x = conv_bn_act(
            x,
            filters,
            5,
            name=f"conv{index}",
            padding="valid",
            activation=activation,
            batch_norm=batch_norm,
            kernel_initializer=kernel_initializer,
        )
        x = _SUBSAMPLING[subsampling](2, name=f"pool{index}")(x)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        flatten=True,
        hidden_units=(120, 84),
        activation=activation,
        batch_norm=batch_norm,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


_PAPER = Paper(
    "Gradient-based learning applied to document recognition",
    "LeCun, Bottou, Bengio, Haffner",
    1998,
    "https://doi.org/10.1109/5.726791",
)
VARIANTS = {
    "lenet5": dict(activation="tanh", subsampling="avg"),
    "lenet5_modern": dict(activation="relu", subsampling="max"),
}
for _name, _options in VARIANTS.items():
    register_model(
        functools.partial(lenet5, name=_name, **_options),
        name=_name,
        family="lenet",
        task="classification",
        paper=_PAPER,
        default_input_shape=(32, 32, 1),
        min_input_size=_MIN_SIZE,
        num_params=61_706,
    )
