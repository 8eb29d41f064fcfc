"""GoogLeNet (Inception v1): Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke &
Rabinovich 2015, "Going deeper with convolutions". torchvision's batch-norm form: every conv is
conv (no bias) → BN (eps 1e-3) → ReLU, the "5×5" branch uses a 3×3 kernel as in torchvision
(`branch3_kernel_size=5` gives the paper's), ceil-mode pooling; 6,624,904 trainable parameters
without the auxiliary heads (REFERENCE.md §1).

Auxiliary classifiers: with `aux_logits=True` the heads on inception4a and inception4d (5×5/3
average pooling → 1×1 conv 128 → FC 1024 + ReLU → dropout 0.7 → classifier) become extra
outputs: the model returns `[predictions, aux1_predictions, aux2_predictions]`. Train it with
the paper's loss weights, e.g. `model.compile(loss=[loss] * 3, loss_weights=[1.0, 0.3, 0.3])`
and `y` given three times; at inference the paper discards them:
`keras.Model(model.input, model.outputs[0])`. The aux heads flatten a map that is 4×4 at
224×224 (their FC size follows the input size) and need inputs of at least 79×79.
"""

import keras

from dlrecipes.blocks import (
    inception,
    inception_aux,
    max_pool,
    min_input_size,
    model_input,
    padded_conv,
)
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice, check_int, check_rate

# Stem then stages: ("pool", size) is ceil-mode max pooling of stride 2; an Inception module is
# (name, #1×1, (#3×3 reduce, #3×3), (#5×5 reduce, #5×5), pool proj) — the paper's Table 1.
STEM = (("conv1", 64, 7, 2, 3), ("pool1", 3), ("conv2", 64, 1, 1, 0), ("conv3", 192, 3, 1, 1),
        ("pool2", 3))
STAGES = (
    ("3a", 64, (96, 128), (16, 32), 32),
    ("3b", 128, (128, 192), (32, 96), 64),
    ("pool3", 3),
    ("4a", 192, (96, 208), (16, 48), 64),
    ("4b", 160, (112, 224), (24, 64), 64),
    ("4c", 128, (128, 256), (24, 64), 64),
    ("4d", 112, (144, 288), (32, 64), 64),
    ("4e", 256, (160, 320), (32, 128), 128),
    ("pool4", 2),
    ("5a", 256, (160, 320), (32, 128), 128),
    ("5b", 384, (192, 384), (48, 128), 128),
)
AUX_AFTER = ("4a", "4d")


ROW_FORM = (
    "(name, pool size) or (name, #1×1, (#3×3 reduce, #3×3), (#5×5 reduce, #5×5), pool proj)"
)


def _check_row(index, row):
    """Stage row `index` as a tuple of ints after its name; ConfigError naming what is wrong."""
    argument = f"stages[{index}]"
    if not isinstance(row, (tuple, list)) or len(row) not in (2, 5) or not isinstance(row[0], str):
        raise ConfigError(f"{argument} must be {ROW_FORM}. Received: {argument}={row!r}")
    if len(row) == 2:
        return row[0], check_int(f"{argument} pool size", row[1], minimum=1)
    name, branch1, branch2, branch3, branch4 = row
    for branch, pair in (("#3×3", branch2), ("#5×5", branch3)):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ConfigError(
                f"{argument}'s {branch} branch must be (reduce, filters). Received: {pair!r}"
            )
    return (
        name,
        check_int(f"{argument} #1×1", branch1, minimum=1),
        tuple(check_int(f"{argument} #3×3", n, minimum=1) for n in branch2),
        tuple(check_int(f"{argument} #5×5", n, minimum=1) for n in branch3),
        check_int(f"{argument} pool proj", branch4, minimum=1),
    )


def _check_stages(stages, aux_logits):
    """`stages` as a tuple of checked rows (STAGES' form) with unique names, holding the aux
    heads' modules when `aux_logits`."""
    if isinstance(stages, str) or not isinstance(stages, (tuple, list)) or not stages:
        raise ConfigError(
            f"stages must be a non-empty list of {ROW_FORM}. Received: stages={stages!r}"
        )
    checked = tuple(_check_row(index, row) for index, row in enumerate(stages))
    names = [row[0] for row in STEM + checked]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(
            f"stages' names must be unique and differ from the stem's {[r[0] for r in STEM]}. "
            f"Repeated: {repeated}"
        )
    modules = [row[0] for row in checked if len(row) == 5]
    if aux_logits and not set(AUX_AFTER) <= set(modules):
        raise ConfigError(
            f"aux_logits=True puts its heads on modules {list(AUX_AFTER)}, which stages must "
            f"contain. Received modules: {modules}"
        )
    return checked


def _window(row):
    """A stem or stage row's (size, stride, padding, ceil mode); an Inception module keeps the
    map's size."""
    if len(row) == 2:
        return row[1], 2, 0, True
    return (1, 1, 0, False) if isinstance(row[2], tuple) else (*row[2:], False)


def _min_size(aux_logits, stages=STAGES):
    """31 without aux heads (conv1 (s-1)//2+1 = 16 → pool1 8 → pool2 4 → pool3 2 → pool4 1),
    79 with them (the last aux head's module, 4d, must be 5×5 for their 5×5 average pooling)."""
    rows = STEM + stages
    if aux_logits:
        last = max(index for index, row in enumerate(rows) if row[0] in AUX_AFTER)
        rows = rows[: last + 1]
    windows = [_window(row) for row in rows]
    return min_input_size(windows + [(5, 3, 0, False)] if aux_logits else windows)


def googlenet(
    *,
    input_shape,
    num_classes,
    aux_logits=False,
    stages=STAGES,
    branch3_kernel_size=3,
    dropout_rate=0.4,
    aux_dropout_rate=0.7,
    bn_momentum=0.9,
    bn_epsilon=1e-3,
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="googlenet",
):
    """GoogLeNet: stem `conv1`..`conv3` and `pool1`, `pool2`; modules `inception3a` ...
    `inception5b` (branches `inception4a_branch2_conv1` ...); global average pooling, dropout
    `dropout_rate` (paper 0.4) and `predictions`. `aux_logits` adds `aux1_*` (on 4a) and
    `aux2_*` (on 4d) with dropout `aux_dropout_rate` as extra outputs (see the module doc).
    `stages` replaces the paper's Table 1 (STAGES) after the stem: rows of the same form, e.g.
    fewer or narrower modules (the aux heads need modules named 4a and 4d).
    `bn_momentum`/`bn_epsilon` default to torchvision's (PyTorch momentum 0.1, eps 1e-3)."""
    check_head_options(include_top=include_top, pooling=pooling,
                       classifier_activation=classifier_activation, dropout_rate=dropout_rate)
    if not isinstance(aux_logits, bool):
        raise ConfigError(f"aux_logits must be True or False. Received: aux_logits={aux_logits!r}")
    check_choice("branch3_kernel_size", branch3_kernel_size, (3, 5))
    check_rate("aux_dropout_rate", aux_dropout_rate)
    stages = _check_stages(stages, aux_logits)
    if aux_logits and (not include_top or num_classes == 0):
        raise ConfigError(
            "aux_logits=True needs the classifier (include_top=True and num_classes > 0). "
            f"Received: include_top={include_top!r}, num_classes={num_classes!r}"
        )
    inputs = model_input(input_shape, model=name, min_size=_min_size(aux_logits, stages))
    conv_options = dict(
        kernel_initializer=kernel_initializer, bn_momentum=bn_momentum, bn_epsilon=bn_epsilon
    )
    x = inputs
    for row in STEM:
        if len(row) == 2:
            x = max_pool(x, row[1], 2, name=row[0], ceil_mode=True)
        else:
            layer_name, filters, kernel_size, strides, padding = row
            x = padded_conv(x, filters, kernel_size, name=layer_name, strides=strides,
                            padding=padding, **conv_options)
    aux_outputs = []
    for row in stages:
        if len(row) == 2:
            x = max_pool(x, row[1], 2, name=row[0], ceil_mode=True)
            continue
        x = inception(x, *row[1:], name=f"inception{row[0]}",
                      branch3_kernel_size=branch3_kernel_size, **conv_options)
        if aux_logits and row[0] in AUX_AFTER:
            aux_outputs.append(
                inception_aux(
                    x,
                    num_classes=num_classes,
                    name=f"aux{len(aux_outputs) + 1}",
                    dropout_rate=aux_dropout_rate,
                    classifier_activation=classifier_activation,
                    **conv_options,
                )
            )
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, [outputs, *aux_outputs] if aux_outputs else outputs, name=name)


register_model(
    googlenet,
    name="googlenet",
    family="googlenet",
    task="classification",
    paper=Paper(
        "Going deeper with convolutions",
        "Szegedy, Liu, Jia, Sermanet, Reed, Anguelov, Erhan, Vanhoucke, Rabinovich",
        2015,
        "https://arxiv.org/abs/1409.4842",
    ),
    default_input_shape=(224, 224, 3),
    default_num_classes=1000,
    min_input_size=_min_size(aux_logits=False),
    num_params=6_624_904,  # torchvision num_params, aux heads not counted (REFERENCE.md §1)
)
