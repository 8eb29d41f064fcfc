"""Multilayer perceptron: Rumelhart, Hinton & Williams 1986, "Learning representations by
back-propagating errors"."""

import keras

from dlrecipes.blocks import dense_bn_act, model_input
from dlrecipes.heads import classifier_head
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_int, check_rate


def mlp(
    *,
    input_shape,
    num_classes,
    hidden_units=(256, 128, 100),
    activation="relu",
    batch_norm=False,
    dropout_rate=0.0,
    kernel_initializer="glorot_uniform",
    include_top=True,
    classifier_activation=None,
    name="mlp",
):
    """Flatten → `hidden_units` dense blocks (`fc1`, `fc2`, ... with optional batch norm and
    dropout after each) → `predictions`. Any input rank; `include_top=False` returns the last
    hidden layer."""
    units = tuple(hidden_units)
    for index, width in enumerate(units):
        check_int(f"hidden_units[{index}]", width, minimum=1)
    check_rate("dropout_rate", dropout_rate)
    inputs = model_input(input_shape, model=name, rank=None)
    x = keras.layers.Flatten(name="flatten")(inputs)
    for index, width in enumerate(units, start=1):
        x = dense_bn_act(
            x,
            width,
            name=f"fc{index}",
            activation=activation,
            batch_norm=batch_norm,
            dropout_rate=dropout_rate,
            kernel_initializer=kernel_initializer,
        )
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


register_model(
    mlp,
    name="mlp",
    family="mlp",
    task="classification",
    paper=Paper(
        "Learning representations by back-propagating errors",
        "Rumelhart, Hinton, Williams",
        1986,
        "https://doi.org/10.1038/323533a0",
    ),
    default_input_shape=(28, 28, 1),
    min_input_size=None,
    # 784·256+256 + 256·128+128 + 128·100+100 + 100·10+10: the 256-128-100 MLP of the
    # Fashion-MNIST benchmark table (REFERENCE.md §2).
    num_params=247_766,
)
