"""Linear classifier s = Wx + b, trained with softmax cross-entropy or the multiclass SVM hinge
loss of Weston & Watkins 1999, "Support vector machines for multi-class pattern recognition"."""

import keras

from dlrecipes.blocks import model_input
from dlrecipes.heads import classifier_head
from dlrecipes.registry import Paper, register_model


def linear(
    *,
    input_shape,
    num_classes,
    kernel_initializer="glorot_uniform",
    include_top=True,
    classifier_activation=None,
    name="linear",
):
    """Flatten → `predictions` (one Dense layer of class scores)."""
    inputs = model_input(input_shape, model=name, rank=None)
    x = keras.layers.Flatten(name="flatten")(inputs)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


register_model(
    linear,
    name="linear",
    family="linear",
    task="classification",
    paper=Paper(
        "Support vector machines for multi-class pattern recognition",
        "Weston, Watkins",
        1999,
        "https://www.esann.org/sites/default/files/proceedings/legacy/es1999-461.pdf",
    ),
    default_input_shape=(28, 28, 1),
    min_input_size=None,
    num_params=28 * 28 * 10 + 10,
)
