"""Network-in-Network pieces (Lin, Chen & Yan 2014, "Network In Network"): the mlpconv block
and the head that replaced fully connected layers by global average pooling of class maps,
reused by SqueezeNet's conv10."""

import keras

from dlrecipes.blocks.spatial import padded_conv
from dlrecipes.validation import check_int


def mlpconv(x, filters, kernel_size, *, name, strides=1, padding=0, **options):
    """A k×k convolution followed by 1×1 convolutions (a "micro MLP" shared across positions),
    each with a ReLU: `filters[0]` is the k×k conv `{name}_conv1`, the rest are 1×1 convs
    `{name}_conv2`, `{name}_conv3`, ... `padding` is torchvision's explicit padding of the
    first conv; `options` go to `conv_bn_act`."""
    for index, width in enumerate(filters, start=1):
        first = index == 1
        x = padded_conv(
            x,
            width,
            kernel_size if first else 1,
            name=f"{name}_conv{index}",
            strides=strides if first else 1,
            padding=padding if first else 0,
            **options,
        )
    return x


def conv_classifier(
    x,
    *,
    num_classes,
    include_top=True,
    pooling=None,
    dropout_rate=0.0,
    classifier_activation=None,
    kernel_initializer="he_normal",
):
    """The all-convolutional classifier of NiN and SqueezeNet: dropout (`head_dropout`),
    a 1×1 conv to one map per class (`classifier_conv`) with a ReLU (`classifier_act`, as in
    the authors' Caffe models and torchvision), global average pooling (`avg_pool`) and
    `predictions` (the `classifier_activation`, linear when None). Without top (or with
    `num_classes=0`) the features, globally pooled if `pooling` is set."""
    # heads imports dlrecipes.blocks, so it is imported here, not at module level.
    from dlrecipes.heads import check_head_options, global_pool

    check_head_options(
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        dropout_rate=dropout_rate,
    )
    check_int("num_classes", num_classes, minimum=0)
    if not include_top or num_classes == 0:
        return global_pool(x, pooling)
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name="head_dropout")(x)
    x = keras.layers.Conv2D(
        num_classes, 1, kernel_initializer=kernel_initializer, name="classifier_conv"
    )(x)
    x = keras.layers.Activation("relu", name="classifier_act")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.layers.Activation(classifier_activation or "linear", name="predictions")(x)
