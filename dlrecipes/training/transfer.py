"""Transfer learning (Yosinski et al. 2014, "How transferable are features in deep neural
networks?"; CS231n "Transfer learning"): start from the model of a finished run, replace its
head for the new classes, freeze the lower layers, fine-tune at a lower learning rate, and
optionally unfreeze later (a second run whose `transfer.source` is the first one)."""

import json
import pathlib

import keras

from dlrecipes.errors import ConfigError

HEAD = "predictions"
AUGMENTATION_PREFIX = "augment_"


def load_run_model(run_dir):
    """The trained `model.keras` of a run folder."""
    path = pathlib.Path(run_dir) / "model.keras"
    if not path.is_file():
        raise ConfigError(f"transfer.source must be a finished run folder holding model.keras. Received: {str(run_dir)!r}")
    return keras.saving.load_model(path)


def _start(model):
    """The tensor after the augmentation layers at the front of `model` (or its input)."""
    start = model.inputs[0]
    for layer in model.layers[1:]:
        if not layer.name.startswith(AUGMENTATION_PREFIX):
            break
        start = layer.output
    return start


def adapt(model, num_classes=None, *, new_head=True):
    """A flat copy of `model` that shares its layers, without its augmentation layers, and with
    `new_head`, a freshly initialised `predictions` Dense layer of `num_classes` outputs on the
    features the old one received."""
    names = [layer.name for layer in model.layers]
    if new_head and HEAD not in names:
        raise ConfigError(f"transfer.new_head needs a layer named {HEAD!r}; the model has {names[-3:]} at its top.")
    inputs = keras.Input(model.input_shape[1:], name="input")
    if not new_head:
        return keras.Model(inputs, keras.Model(_start(model), model.output).call(inputs), name=model.name)
    head = model.get_layer(HEAD)
    features = keras.Model(_start(model), head.input).call(inputs)
    outputs = keras.layers.Dense(
        num_classes, activation=head.activation, kernel_initializer="glorot_uniform", name=HEAD
    )(features)
    return keras.Model(inputs, outputs, name=model.name)


def freeze(model, *, below=None, train_top=None):
    """Freeze every layer before the layer named `below`, or all but the top `train_top` layers
    that have weights; both None leaves everything trainable. Frozen batch norm runs in
    inference mode. Returns the names of the trainable layers with weights."""
    layers = [layer for layer in model.layers if layer.weights]
    if below is not None:
        names = [layer.name for layer in model.layers]
        if below not in names:
            from dlrecipes.validation import suggest

            raise ConfigError(
                f"transfer.freeze_below must name a layer of {model.name}. Received: "
                f"transfer.freeze_below={below!r}." + suggest(below, names)
            )
        cut = names.index(below)
        trainable = {layer.name for layer in model.layers[cut:]}
    elif train_top is not None:
        trainable = {layer.name for layer in layers[len(layers) - train_top :]} if train_top else set()
    else:
        trainable = {layer.name for layer in layers}
    for layer in model.layers:
        layer.trainable = layer.name in trainable or not layer.weights
    return [layer.name for layer in layers if layer.trainable]


def check_source_model(source, model_name):
    """ConfigError unless the run in `source` trained the model `model_name`: a transfer run
    continues the source's network, so the recipe must name that architecture (its run folder
    and recipe.json would otherwise claim a model it did not train)."""
    saved = pathlib.Path(source) / "recipe.json"
    trained = json.loads(saved.read_text())["model"]["name"] if saved.is_file() else None
    if trained != model_name:
        raise ConfigError(
            f"transfer.source {str(source)!r} trained model {trained!r}, and a transfer run continues "
            f"that network: the recipe's model must be {trained!r}. Received: model={model_name!r}"
        )


def transferred_model(spec, num_classes, model_name):
    """The model a `TransferSpec` describes, for `num_classes` classes, frozen as it says; the
    source run must have trained `model_name` (`check_source_model`)."""
    model = adapt(load_run_model(spec.source), num_classes, new_head=spec.new_head)
    check_source_model(spec.source, model_name)
    if not spec.new_head and model.output_shape[-1] != num_classes:
        raise ConfigError(
            f"transfer.new_head=False keeps {model.output_shape[-1]} outputs but the recipe has "
            f"{num_classes} classes. Received: transfer.new_head=False"
        )
    freeze(model, below=spec.freeze_below, train_top=spec.train_top)
    return model
