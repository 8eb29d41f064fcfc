"""VGG: Simonyan & Zisserman 2015, "Very deep convolutional networks for large-scale image
recognition". Configurations A, B, D, E (VGG-11/13/16/19) as torchvision's lists of 3×3 conv
widths with "M" for 2×2/2 max pooling, plus the batch-norm variants, which, like torchvision's,
keep the conv bias before batch norm: a BN variant has the plain count plus γ and β for every
conv channel (VGG-11: 132,863,336 + 2·2,752 = 132,868,840, REFERENCE.md §1).

The head flattens the final map (keras.applications' convention; torchvision's adaptive 7×7
average pool is the identity at 224), so fc1's size depends on the input size and the
reference counts hold at 224×224. `vgg16`/`vgg19` have keras.applications' VGG16/VGG19 graph.

`vgg16_bn_cifar` is the small-image VGG-16 with batch norm of the CIFAR literature
(chengyangfu/pytorch-vgg-cifar10): configuration D, ceil-mode pooling so that 28×28 inputs
reach 1×1 like 32×32 ones, and a 512-512 head with dropout 0.5. At 32×32×3 with 10 classes:
convs 14,714,688 (as VGG-16) + BN 2·4,224 + fc1/fc2 2·(512·512+512) + 512·10+10 = 15,253,578.
"""

import functools

import keras

from dlrecipes.blocks import bn_act, conv_bn_act, max_pool, min_input_size, model_input
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.layers import activation_layer
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_int

CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
          512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _min_size(config, ceil_mode=False):
    """Each "M" halves the map (2×2/2): 2 ** (number of poolings), 32 for VGG; in ceil mode
    2 ** (poolings − 1) + 1, 17 for VGG."""
    return min_input_size((2, 2, 0, ceil_mode) for item in config if item == "M")


def vgg(
    *,
    input_shape,
    num_classes,
    config,
    batch_norm=False,
    bn_momentum=0.9,
    bn_epsilon=1e-5,
    ceil_mode=False,
    pool_first=False,
    hidden_units=(4096, 4096),
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="vgg",
):
    """VGG from a config list: 3×3 "same" convs (`block{b}_conv{i}_conv`, with bias; `_bn` when
    `batch_norm`, `_act` ReLU) and max pooling `block{b}_pool` at each "M" (floor or
    `ceil_mode`; a "D" in place of an "M" drops that pooling and dilates the following convs
    twice as much, as Yu & Koltun 2016's front end). With `pool_first` a conv followed by an "M"
    is pooled straight away, before its batch norm and ReLU (the order of Jordan 2024, "94% on
    CIFAR-10 in 3.29 seconds on a single GPU"): without batch norm the same function (max
    pooling commutes with ReLU), with it the statistics are taken over the pooled map, and the
    normalisation and activation touch 4× fewer values. Then flatten → `hidden_units` (fc1 4096 →
    fc2 4096; ReLU, dropout `dropout_rate`) → `predictions`. `bn_momentum` and `bn_epsilon`
    default to torchvision's (PyTorch momentum 0.1 = Keras 0.9, eps 1e-5) and only matter with
    `batch_norm`."""
    check_head_options(include_top=include_top, pooling=pooling, classifier_activation=classifier_activation,
                       dropout_rate=dropout_rate, hidden_units=hidden_units)
    for index, item in enumerate(config):
        if item not in ("M", "D"):
            check_int(f"config[{index}]", item, minimum=1)
    if pool_first and ceil_mode:
        raise ConfigError(
            "pool_first needs floor-mode pooling: ceil mode pads with zeros, exact only after a ReLU. "
            f"Received: pool_first={pool_first!r}, ceil_mode={ceil_mode!r}"
        )
    inputs = model_input(input_shape, model=name, min_size=_min_size(config, ceil_mode))
    x = inputs
    block, conv, dilation, pooled = 1, 0, 1, False
    for index, item in enumerate(config):
        if item in ("M", "D"):
            if item == "M" and not pooled:
                x = max_pool(x, 2, 2, name=f"block{block}_pool", ceil_mode=ceil_mode)
            elif item == "D":
                dilation *= 2
            block, conv, pooled = block + 1, 0, False
            continue
        conv += 1
        unit = f"block{block}_conv{conv}"
        pooled = pool_first and index + 1 < len(config) and config[index + 1] == "M"
        x = conv_bn_act(
            x,
            item,
            3,
            name=unit,
            batch_norm=batch_norm and not pooled,
            activation=None if pooled else "relu",
            dilation_rate=dilation,
            use_bias=True,
            kernel_initializer=kernel_initializer,
            bn_momentum=bn_momentum,
            bn_epsilon=bn_epsilon,
        )
        if pooled:
            x = max_pool(x, 2, 2, name=f"block{block}_pool")
            if batch_norm:
                x = bn_act(x, name=unit, bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
            else:
                x = activation_layer("relu", name=f"{unit}_act")(x)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        flatten=True,
        hidden_units=hidden_units,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


_PAPER = Paper(
    "Very deep convolutional networks for large-scale image recognition",
    "Simonyan, Zisserman",
    2015,
    "https://arxiv.org/abs/1409.1556",
)
# name: (config, batch_norm, torchvision num_params at 224×224×3 / 1000 classes, REFERENCE.md §1)
VARIANTS = {
    "vgg11": ("A", False, 132_863_336),
    "vgg13": ("B", False, 133_047_848),
    "vgg16": ("D", False, 138_357_544),
    "vgg19": ("E", False, 143_667_240),
    "vgg11_bn": ("A", True, 132_868_840),
    "vgg13_bn": ("B", True, 133_053_736),
    "vgg16_bn": ("D", True, 138_365_992),
    "vgg19_bn": ("E", True, 143_678_248),
}
for _name, (_config, _batch_norm, _num_params) in VARIANTS.items():
    register_model(
        functools.partial(vgg, name=_name, config=CONFIGS[_config], batch_norm=_batch_norm),
        name=_name,
        family="vgg",
        task="classification",
        paper=_PAPER,
        default_input_shape=(224, 224, 3),
        default_num_classes=1000,
        min_input_size=_min_size(CONFIGS[_config]),
        num_params=_num_params,
        tags=("batch_norm",) if _batch_norm else (),
    )
register_model(
    functools.partial(
        vgg, name="vgg16_bn_cifar", config=CONFIGS["D"], batch_norm=True, ceil_mode=True, hidden_units=(512, 512)
    ),
    name="vgg16_bn_cifar",
    family="vgg",
    task="classification",
    paper=_PAPER,
    default_input_shape=(32, 32, 3),
    min_input_size=_min_size(CONFIGS["D"], ceil_mode=True),
    num_params=15_253_578,  # formula in the module docstring
    tags=("batch_norm", "cifar"),
)
