"""The classifier head shared by every builder, in keras.applications' vocabulary:
`include_top`, `pooling` (None, "avg", "max"), `num_classes` (0 = feature extractor),
`classifier_activation` (None = logits)."""

import keras

from dlrecipes.blocks import dense_bn_act
from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, check_int, check_rate

POOLINGS = (None, "avg", "max")
_POOL_LAYERS = {"avg": keras.layers.GlobalAveragePooling2D, "max": keras.layers.GlobalMaxPooling2D}


def check_head_options(*, include_top, pooling, classifier_activation, dropout_rate=0.0, hidden_units=()):
    """Validate the head's arguments before anything is built."""
    for index, units in enumerate(hidden_units):
        check_int(f"hidden_units[{index}]", units, minimum=1)
    if not isinstance(include_top, bool):
        raise ConfigError(f"include_top must be True or False. Received: include_top={include_top!r}")
    check_choice("pooling", pooling, POOLINGS)
    check_rate("dropout_rate", dropout_rate)
    if classifier_activation is not None:
        try:
            keras.activations.get(classifier_activation)
        except (ValueError, TypeError):
            raise ConfigError(
                "classifier_activation must be None (logits) or a Keras activation name such as "
                f"'softmax'. Received: classifier_activation={classifier_activation!r}"
            ) from None


def global_pool(x, pooling):
    """Global average/max pooling of a feature map (`pooling` None keeps it as it is)."""
    if pooling is None or len(x.shape) == 2:
        return x
    return _POOL_LAYERS[pooling](name=f"{pooling}_pool")(x)


def classifier_head(
    x,
    *,
    num_classes,
    include_top=True,
    pooling=None,
    flatten=False,
    hidden_units=(),
    activation="relu",
    batch_norm=False,
    dropout_rate=0.0,
    classifier_activation=None,
    kernel_initializer="glorot_uniform",
):
    """Turn features `x` into the model's output.

    With `include_top` and `num_classes` > 0: flatten (`flatten=True`, the LeNet/AlexNet/VGG
    head) or global pooling (`pooling`, default "avg"), hidden dense blocks `fc1`, `fc2`, ...
    each followed by dropout, and the `predictions` Dense layer (dropout before it when there
    are no hidden layers). Otherwise the features, globally pooled if `pooling` is set.
    """
    check_head_options(
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        dropout_rate=dropout_rate,
        hidden_units=hidden_units,
    )
    check_int("num_classes", num_classes, minimum=0)
    if not include_top or num_classes == 0:
        return global_pool(x, pooling)
    if len(x.shape) > 2:
        x = keras.layers.Flatten(name="flatten")(x) if flatten else global_pool(x, pooling or "avg")
    for index, units in enumerate(hidden_units, start=1):
        x = dense_bn_act(
            x,
            units,
            name=f"fc{index}",
            activation=activation,
            batch_norm=batch_norm,
            dropout_rate=dropout_rate,
            kernel_initializer=kernel_initializer,
        )
    if dropout_rate and not hidden_units:
        x = keras.layers.Dropout(dropout_rate, name="head_dropout")(x)
    return keras.layers.Dense(
        num_classes,
        activation=classifier_activation,
        kernel_initializer=kernel_initializer,
        name="predictions",
    )(x)
