"""DenseNet: Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected Convolutional
Networks". The ImageNet DenseNet-BC models (growth rate k = 32, 2k = 64 stem channels,
bottleneck 4k, compression 0.5, BN-ReLU-Conv) from one builder whose arguments also cover
the CIFAR DenseNet and DenseNet-BC (`stem="cifar"`, `bn_size=0`, `compression=1.0`).

As registered, `densenet121` is the graph of `keras.applications.DenseNet121` (8,062,504
parameters in all, 7,978,856 trainable like torchvision's).

Layer names: `stem_conv`, `stem_bn`, `stem_act`, `stem_pool`,
`stage{i}_layer{j}_{conv1,conv2}_{bn,act,conv}`, `stage{i}_layer{j}_concat`,
`transition{i}_{bn,act,conv,pool}`, `final_bn`, `final_act`, `avg_pool`, `predictions`.
"""

import functools

import keras

from dlrecipes.blocks import min_input_size, model_input, padded_conv
from dlrecipes.blocks.dense_connectivity import dense_block, transition, transition_channels
from dlrecipes.blocks.residual import bn_act
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.models.resnet import CEIL_HALVING, FLOOR_HALVING, STEMS
from dlrecipes.registry import Paper, forwards_options, register_model
from dlrecipes.validation import check_choice, check_depth, check_float, check_int, check_num_classes, check_rate


def densenet(
    *,
    input_shape,
    num_classes,
    block_config=(6, 12, 24, 16),
    growth_rate=32,
    init_features=64,
    bn_size=4,
    compression=0.5,
    stem="imagenet",
    dropout_rate=0.0,
    include_top=True,
    pooling=None,
    classifier_activation=None,
    kernel_initializer="he_normal",
    bn_momentum=0.9,
    bn_epsilon=1.001e-5,
    name="densenet",
):
    """Stem → dense blocks `stage1..N` (`block_config` layers each) with transitions between
    them → final BN-ReLU → head.

    - `growth_rate` k: maps each dense layer adds; `init_features`: stem channels (2k for BC).
    - `bn_size`: 1×1 bottleneck of bn_size·k maps before each 3×3 (0: no bottleneck).
    - `compression` θ in (0, 1]: transitions keep ⌊θ·m⌋ of m maps.
    - `stem`: "imagenet" (7×7/2 conv-BN-ReLU, 3×3/2 max pool) or "cifar" (one 3×3 conv; the
      first dense layer's BN-ReLU follows it).
    - `dropout_rate`: after every convolution of the dense layers and transitions.
    - `bn_momentum` 0.9 is PyTorch's 0.1; `bn_epsilon` 1.001e-5 is keras.applications' value.
    """
    if isinstance(block_config, (str, bytes)) or not hasattr(block_config, "__len__") or not block_config:
        raise ConfigError(
            "block_config must be a non-empty tuple of positive integers (layers per dense block). "
            f"Received: block_config={block_config!r}"
        )
    block_config = tuple(check_int(f"block_config[{i}]", n, minimum=1) for i, n in enumerate(block_config))
    check_int("growth_rate", growth_rate, minimum=1)
    check_int("init_features", init_features, minimum=1)
    check_int("bn_size", bn_size, minimum=0)
    check_float("compression", compression, minimum=0.0, maximum=1.0)
    check_choice("stem", stem, STEMS)
    check_rate("dropout_rate", dropout_rate)
    check_head_options(include_top=include_top, pooling=pooling, classifier_activation=classifier_activation)
    check_num_classes(num_classes)
    channels = init_features
    for index, layers in enumerate(block_config[:-1], start=1):
        channels = transition_channels(channels + layers * growth_rate, compression)
        if channels < 1:
            raise ConfigError(
                f"compression leaves transition{index} without channels. "
                f"Received: compression={compression}, init_features={init_features}, "
                f"growth_rate={growth_rate}, block_config={block_config}"
            )

    halvings = [CEIL_HALVING] * (2 if stem == "imagenet" else 0)
    halvings += [FLOOR_HALVING] * (len(block_config) - 1)
    inputs = model_input(input_shape, model=name, min_size=min_input_size(halvings))
    bn = dict(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
    options = dict(dropout_rate=dropout_rate, kernel_initializer=kernel_initializer, **bn)
    if stem == "imagenet":
        x = padded_conv(
            inputs, init_features, 7, name="stem", strides=2, padding=3, kernel_initializer=kernel_initializer, **bn
        )
        x = keras.layers.ZeroPadding2D(1, name="stem_pool_pad")(x)
        x = keras.layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    else:
        x = keras.layers.Conv2D(
            init_features,
            3,
            padding="same",
            use_bias=False,
            kernel_initializer=kernel_initializer,
            name="stem_conv",
        )(inputs)
    for index, layers in enumerate(block_config, start=1):
        x = dense_block(x, layers, growth_rate, name=f"stage{index}", bn_size=bn_size, **options)
        if index < len(block_config):
            x = transition(x, name=f"transition{index}", compression=compression, **options)
    x = bn_act(x, name="final", **bn)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


_PAPER = Paper(
    "Densely Connected Convolutional Networks",
    "Huang, Liu, van der Maaten, Weinberger",
    2017,
    "https://arxiv.org/abs/1608.06993",
)
# name: (block_config, trainable parameters at 224×224×3, 1000 classes: torchvision's
# num_params, REFERENCE.md §1). Growth 32, 64 stem channels, bottleneck 4k, compression 0.5.
VARIANTS = {
    "densenet121": ((6, 12, 24, 16), 7_978_856),
    "densenet169": ((6, 12, 32, 32), 14_149_480),
    "densenet201": ((6, 12, 48, 32), 20_013_928),
}
# Stem conv and pool (⌈n/2⌉ each), three unpadded 2×2 poolings (⌊n/2⌋): ⌈n/4⌉ >= 8, n >= 29.
_MIN_SIZE = min_input_size([CEIL_HALVING] * 2 + [FLOOR_HALVING] * 3)

for _name, (_blocks, _params) in VARIANTS.items():
    register_model(
        functools.partial(densenet, name=_name, block_config=_blocks),
        name=_name,
        family="densenet",
        task="classification",
        paper=_PAPER,
        default_input_shape=(224, 224, 3),
        default_num_classes=1000,
        min_input_size=_MIN_SIZE,
        num_params=_params,
        tags=("imagenet",),
    )


# --- CIFAR forms (32×32 inputs): one 3×3 stem convolution, three dense blocks ------------------


@forwards_options(densenet, fixed=("block_config", "init_features", "bn_size", "compression", "stem"))
def densenet_cifar(*, input_shape, num_classes, depth=100, growth_rate=12, bc=True, name=None, **options):
    """The CIFAR DenseNets of Huang et al. 2017 §3: a 3×3 stem convolution, three dense blocks
    of n layers with transitions between them, then BN-ReLU, global average pooling and the
    classifier. Plain DenseNet (`bc=False`): 16 stem channels, one 3×3 BN-ReLU-Conv per layer,
    transitions keep the channels; depth = 3n+4. DenseNet-BC: 2k stem channels, 1×1 bottleneck
    of 4k maps before each 3×3, transitions halve the channels; depth = 6n+4. `dropout_rate`
    0.2 is the paper's setting without data augmentation."""
    if not isinstance(bc, bool):
        raise ConfigError(f"bc must be True or False. Received: bc={bc!r}")
    growth_rate = check_int("growth_rate", growth_rate, minimum=1)
    if bc:
        per_block = check_depth(depth, per_unit=6, offset=4, examples=(40, 100, 190, 250))
    else:
        per_block = check_depth(depth, per_unit=3, offset=4, examples=(40, 100))
    return densenet(
        input_shape=input_shape,
        num_classes=num_classes,
        block_config=(per_block,) * 3,
        growth_rate=growth_rate,
        init_features=2 * growth_rate if bc else 16,
        bn_size=4 if bc else 0,
        compression=0.5 if bc else 1.0,
        stem="cifar",
        name=name or f"densenet{'_bc' if bc else ''}{depth}_k{growth_rate}",
        **options,
    )


# name: (depth, growth rate, DenseNet-BC, trainable parameters at 32×32×3 with 10 classes,
# counted by tests/test_zoo_small.py's formula, within 3% of the paper's Table 2, REFERENCE.md §1)
CIFAR_VARIANTS = {
    "densenet40_k12": (40, 12, False, 1_019_722),
    "densenet_bc100_k12": (100, 12, True, 769_162),
    "densenet_bc190_k40": (190, 40, True, 25_624_430),
}
for _name, (_depth, _growth, _bc, _params) in CIFAR_VARIANTS.items():
    register_model(
        functools.partial(densenet_cifar, name=_name, depth=_depth, growth_rate=_growth, bc=_bc),
        name=_name,
        family="densenet",
        task="classification",
        paper=_PAPER,
        default_input_shape=(32, 32, 3),
        min_input_size=min_input_size([FLOOR_HALVING] * 2),  # two 2×2 transitions: 4
        num_params=_params,
        tags=("cifar", "bc") if _bc else ("cifar",),
    )
