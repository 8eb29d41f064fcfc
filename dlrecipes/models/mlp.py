"""Multilayer perceptron: Rumelhart, Hinton & Williams 1986, "Learning representations by
back-propagating errors". With `activation="maxout"` each hidden layer is a maxout layer
(Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013, "Maxout Networks"): a Dense layer of
`hidden_units[i]` = k·n outputs followed by the max over groups of k = `maxout_pieces`, n units.

`maxout_mlp` is the paper's permutation-invariant MNIST network: two maxout layers of 240
units with 5 pieces, dropout 0.2 on the input and 0.5 on the hidden layers (the paper also
bounds each unit's weight norm, a training-time constraint: RegularizationSpec.max_norm). At
28×28×1 with 10 classes: 784·1200+1200 + 240·1200+1200 + 240·10+10 = 1,233,610 parameters.
"""

import functools

import keras

from dlrecipes.blocks import dense_bn_act, model_input
from dlrecipes.errors import ConfigError
from dlrecipes.heads import classifier_head
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_int, check_rate


def mlp(
    *,
    input_shape,
    num_classes,
    hidden_units=(256, 128, 100),
    activation="relu",
    maxout_pieces=2,
    batch_norm=False,
    dropout_rate=0.0,
    input_dropout_rate=0.0,
    kernel_initializer="glorot_uniform",
    include_top=True,
    classifier_activation=None,
    name="mlp",
):
    """Flatten → optional dropout `input_dropout_rate` (`input_dropout`) → `hidden_units` dense
    blocks (`fc1`, `fc2`, ... with optional batch norm and dropout after each) →
    `predictions`. Any input rank; `include_top=False` returns the last hidden layer.
    A maxout activation keeps the max of each group of `maxout_pieces` of a layer's units."""
    units = tuple(hidden_units)
    for index, width in enumerate(units):
        check_int(f"hidden_units[{index}]", width, minimum=1)
    check_rate("dropout_rate", dropout_rate)
    check_rate("input_dropout_rate", input_dropout_rate)
    pieces = check_int("maxout_pieces", maxout_pieces, minimum=1)
    if activation == "maxout" and any(width % pieces for width in units):
        raise ConfigError(
            "With activation='maxout', every hidden layer needs a multiple of maxout_pieces units. "
            f"Received: hidden_units={units}, maxout_pieces={pieces}"
        )
    inputs = model_input(input_shape, model=name, rank=None)
    x = keras.layers.Flatten(name="flatten")(inputs)
    if input_dropout_rate:
        x = keras.layers.Dropout(input_dropout_rate, name="input_dropout")(x)
    for index, width in enumerate(units, start=1):
        x = dense_bn_act(
            x,
            width,
            name=f"fc{index}",
            activation=activation,
            batch_norm=batch_norm,
            dropout_rate=dropout_rate,
            kernel_initializer=kernel_initializer,
            activation_options={"num_pieces": pieces} if activation == "maxout" else None,
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
register_model(
    functools.partial(
        mlp,
        name="maxout_mlp",
        hidden_units=(1200, 1200),
        activation="maxout",
        maxout_pieces=5,
        dropout_rate=0.5,
        input_dropout_rate=0.2,
    ),
    name="maxout_mlp",
    family="maxout",
    task="classification",
    paper=Paper("Maxout Networks", "Goodfellow, Warde-Farley, Mirza, Courville, Bengio", 2013,
                "https://arxiv.org/abs/1302.4389"),
    default_input_shape=(28, 28, 1),
    min_input_size=None,
    num_params=1_233_610,  # formula in the module docstring
)
