"""Residual networks from one generic builder, at ImageNet scale and in their CIFAR forms:

- ResNet v1: He, Zhang, Ren & Sun 2015, "Deep Residual Learning for Image Recognition"
  (resnet18/34 basic units, resnet50/101/152 bottleneck units, option B shortcuts; the stride
  on the bottleneck's 3×3 convolution like torchvision).
- ResNet v2: He, Zhang, Ren & Sun 2016, "Identity Mappings in Deep Residual Networks"
  (pre-activation units) in keras.applications' ResNet50V2 form: stride on the last unit of
  each stage, a bias on the convolutions that are not followed by batch norm.
- Wide ResNet: Zagoruyko & Komodakis 2016, "Wide Residual Networks" (wide_resnet50_2: the
  bottleneck twice as wide).
- ResNeXt: Xie, Girshick, Dollár, Tu & He 2017, "Aggregated Residual Transformations for Deep
  Neural Networks" (grouped 3×3 convolutions, 32×4d and 32×8d).

CIFAR forms (`CIFAR_VARIANTS`, 32×32 inputs, `resnet_cifar` and `wide_resnet` over `resnet`):
ResNet-20…1202 (He et al. 2015 §4.2, option A), pre-activation ResNet-164/1001 (2016),
WRN-d-k, ResNeXt-29 and ResNet-110 with stochastic depth (Huang, Sun, Liu, Sedra & Weinberger
2016, "Deep Networks with Stochastic Depth"; `drop_path_rate`, layers from
dlrecipes.layers.drop_path).

Every variant is a row of `VARIANTS`; `resnet()` turns any row into a model. Reproducing
keras.applications exactly: `resnet50(conv_bias=True, stride_in_1x1=True)` is the graph of
`keras.applications.ResNet50` (25,636,712 parameters in all); `resnet50_v2` as registered is
`keras.applications.ResNet50V2` (25,613,800).

Layer names: `stem_conv`, `stem_bn`, `stem_act`, `stem_pool`, then
`stage{i}_block{j}_{conv1,conv2,conv3,shortcut}_{conv,bn,act}`, `stage{i}_block{j}_add`,
`..._out` (v1) or `..._preact_bn` (v2), `..._drop_path`, `final_bn` (v2), `avg_pool`,
`predictions`. Option A shortcuts: `..._shortcut_pool` and `..._shortcut_pad`.
"""

import functools

import keras

from dlrecipes.blocks import min_input_size, model_input, padded_conv
from dlrecipes.blocks.residual import (
    EXPANSION,
    bn_act,
    bottleneck_width,
    check_residual_options,
    residual_block,
)
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.layers.drop_path import DROP_PATH_MODES, drop_path_layer, linear_drop_rates
from dlrecipes.registry import Paper, forwards_options, register_model
from dlrecipes.validation import check_choice, check_depth, check_int, check_num_classes, check_rate

STEMS = ("imagenet", "cifar")
DOWNSAMPLE = ("first", "last")


# Every halving must receive at least 2 pixels. Padded convolutions and poolings give ⌈n/2⌉,
# like an unpadded 2×2 window in ceil mode; unpadded 2×2 poolings (DenseNet) give ⌊n/2⌋. So five
# ceil halvings need 17 pixels (17 → 9 → 5 → 3 → 2 → 1): a 16-pixel input would reach the last
# "reduction" as a 1×1 map. (Every real window of a ResNet fits any input, 1×1 included.)
CEIL_HALVING = (2, 2, 0, True)
FLOOR_HALVING = (2, 2, 0, False)


def _stem(x, kind, filters, *, preact, conv):
    """ImageNet: 7×7/2 convolution (pad 3) and 3×3/2 max pooling (pad 1); CIFAR: 3×3/1.
    Pre-activation networks leave the stem convolution without BN-ReLU (keras.applications'
    ResNetV2: every unit starts with its own BN-ReLU)."""
    post = dict(activation=None, batch_norm=False) if preact else {}
    if kind == "cifar":
        return padded_conv(x, filters, 3, name="stem", padding=1, **post, **conv)
    x = padded_conv(x, filters, 7, name="stem", strides=2, padding=3, **post, **conv)
    # Zero padding before max pooling equals PyTorch's -inf padding after a ReLU; it is what
    # keras.applications does in every case.
    x = keras.layers.ZeroPadding2D(1, name="stem_pool_pad")(x)
    return keras.layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)


def _stage_strides(depths, downsample):
    """Stride of every unit: stages after the first halve the resolution in their first unit,
    or ("last", keras.applications' ResNetV2) in the last unit of the stage before."""
    strides = [[1] * depth for depth in depths]
    for stage in range(1, len(depths)):
        if downsample == "first":
            strides[stage][0] = 2
        else:
            strides[stage - 1][-1] = 2
    return strides


def _check_positive_tuple(argument, values):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or len(values) == 0:
        raise ConfigError(
            f"{argument} must be a non-empty tuple of positive integers. Received: {argument}={values!r}"
        )
    return tuple(check_int(f"{argument}[{i}]", v, minimum=1) for i, v in enumerate(values))


def resnet(
    *,
    input_shape,
    num_classes,
    block="bottleneck",
    depths=(3, 4, 6, 3),
    widths=(64, 128, 256, 512),
    groups=1,
    width_per_group=64,
    preact=False,
    shortcut="B",
    stem="imagenet",
    stem_filters=64,
    downsample="first",
    stride_in_1x1=False,
    conv_bias=None,
    dropout_rate=0.0,
    drop_path_rate=0.0,
    drop_path_mode="batch",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    kernel_initializer="he_normal",
    bn_momentum=0.9,
    bn_epsilon=1.001e-5,
    name="resnet",
):
    """A residual network: stem → stages of residual units → (v2: final BN-ReLU) → head.

    - `block`, `depths`, `widths`: unit type, units per stage and planes per stage (the output
      of stage i has `widths[i] × EXPANSION[block]` channels).
    - `groups`, `width_per_group`: bottleneck width ⌊planes · width_per_group / 64⌋ · groups
      (ResNeXt 32×4d: groups=32, width_per_group=4; WRN-50-2: width_per_group=128).
    - `preact`: pre-activation units (He et al. 2016) and a final BN-ReLU (`final_bn`).
    - `shortcut`: "A", "B" or "C" (He et al. 2015 §4.1; see `residual_block`).
    - `stem`: "imagenet" (7×7/2 conv + 3×3/2 max pool, `stem_filters` channels) or "cifar"
      (one 3×3 conv).
    - `downsample`: "first" (the first unit of each later stage is strided) or "last" (the
      last unit of each earlier stage: keras.applications' ResNetV2).
    - `stride_in_1x1`, `conv_bias`: keras.applications' ResNet50/101/152 use True, True.
    - `dropout_rate`: dropout between the convolutions of every unit (WRN).
    - `drop_path_rate`: stochastic depth with linear decay (Huang et al. 2016): unit l of L
      drops its residual branch with probability rate·l/L (`{unit}_drop_path`), per mini-batch
      with test-time scaling (`drop_path_mode="batch"`, the paper) or per example with
      inverted scaling ("example", timm's DropPath).
    - `bn_momentum` 0.9 is PyTorch's 0.1; `bn_epsilon` 1.001e-5 is keras.applications' value.
    """
    check_residual_options(
        block=block, groups=groups, shortcut=shortcut, conv_bias=conv_bias, dropout_rate=dropout_rate
    )
    check_rate("drop_path_rate", drop_path_rate)
    check_choice("drop_path_mode", drop_path_mode, DROP_PATH_MODES)
    depths = _check_positive_tuple("depths", depths)
    widths = _check_positive_tuple("widths", widths)
    if len(widths) != len(depths):
        raise ConfigError(
            f"depths and widths need one entry per stage. Received: depths={depths}, widths={widths}"
        )
    check_int("width_per_group", width_per_group, minimum=1)
    if block == "basic" and width_per_group != 64:
        raise ConfigError(
            "width_per_group widens bottleneck blocks; widen basic blocks through widths. "
            f"Received: block='basic', width_per_group={width_per_group}"
        )
    check_int("stem_filters", stem_filters, minimum=1)
    check_choice("stem", stem, STEMS)
    check_choice("downsample", downsample, DOWNSAMPLE)
    for argument, value in (("preact", preact), ("stride_in_1x1", stride_in_1x1)):
        if not isinstance(value, bool):
            raise ConfigError(f"{argument} must be True or False. Received: {argument}={value!r}")
    check_head_options(include_top=include_top, pooling=pooling, classifier_activation=classifier_activation)
    check_num_classes(num_classes)
    inner = [bottleneck_width(w, groups, width_per_group) if block == "bottleneck" else w for w in widths]
    channels = stem_filters
    for planes in widths:
        if shortcut == "A" and planes * EXPANSION[block] < channels:
            raise ConfigError(
                "Shortcut option A zero-pads channels, so stage widths cannot shrink. "
                f"Received: shortcut='A', stem_filters={stem_filters}, widths={widths}"
            )
        channels = planes * EXPANSION[block]

    halvings = [CEIL_HALVING] * ((2 if stem == "imagenet" else 0) + len(depths) - 1)
    inputs = model_input(input_shape, model=name, min_size=min_input_size(halvings))
    bn = dict(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
    conv = dict(kernel_initializer=kernel_initializer, use_bias=conv_bias, **bn)
    x = _stem(inputs, stem, stem_filters, preact=preact, conv=conv)
    drop_rates = iter(linear_drop_rates(drop_path_rate, sum(depths)))
    for stage, (planes, width, unit_strides) in enumerate(
        zip(widths, inner, _stage_strides(depths, downsample)), start=1
    ):
        for index, strides in enumerate(unit_strides, start=1):
            unit = f"stage{stage}_block{index}"
            x = residual_block(
                x,
                planes,
                name=unit,
                block=block,
                strides=strides,
                width=width,
                groups=groups,
                preact=preact,
                shortcut=shortcut,
                stride_in_1x1=stride_in_1x1,
                conv_bias=conv_bias,
                dropout_rate=dropout_rate,
                residual_layer=drop_path_layer(next(drop_rates), mode=drop_path_mode, name=f"{unit}_drop_path"),
                kernel_initializer=kernel_initializer,
                **bn,
            )
    if preact:
        x = bn_act(x, name="final", **bn)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


_PAPERS = {
    "v1": Paper(
        "Deep Residual Learning for Image Recognition",
        "He, Zhang, Ren, Sun",
        2015,
        "https://arxiv.org/abs/1512.03385",
    ),
    "v2": Paper(
        "Identity Mappings in Deep Residual Networks",
        "He, Zhang, Ren, Sun",
        2016,
        "https://arxiv.org/abs/1603.05027",
    ),
    "wide": Paper("Wide Residual Networks", "Zagoruyko, Komodakis", 2016, "https://arxiv.org/abs/1605.07146"),
    "resnext": Paper(
        "Aggregated Residual Transformations for Deep Neural Networks",
        "Xie, Girshick, Dollár, Tu, He",
        2017,
        "https://arxiv.org/abs/1611.05431",
    ),
}
_B, _BB = "basic", "bottleneck"
# Trainable parameters at 224×224×3, 1000 classes: torchvision's num_params (REFERENCE.md §1).
# The v2 rows have no torchvision count: keras.applications' total count_params (ResNet50V2
# 25,613,800, ResNet101V2 44,675,560, ResNet152V2 60,380,648) minus the moving mean and
# variance of their 22,720 / 48,832 / 71,872 batch-norm channels.
#   name:               (paper,    block, depths,         groups, width_per_group, preact, downsample, trainable)
VARIANTS = {
    "resnet18":         ("v1",      _B,  (2, 2, 2, 2),    1,  64, False, "first", 11_689_512),
    "resnet34":         ("v1",      _B,  (3, 4, 6, 3),    1,  64, False, "first", 21_797_672),
    "resnet50":         ("v1",      _BB, (3, 4, 6, 3),    1,  64, False, "first", 25_557_032),
    "resnet101":        ("v1",      _BB, (3, 4, 23, 3),   1,  64, False, "first", 44_549_160),
    "resnet152":        ("v1",      _BB, (3, 8, 36, 3),   1,  64, False, "first", 60_192_808),
    "resnet50_v2":      ("v2",      _BB, (3, 4, 6, 3),    1,  64, True,  "last",  25_613_800 - 2 * 22_720),
    "resnet101_v2":     ("v2",      _BB, (3, 4, 23, 3),   1,  64, True,  "last",  44_675_560 - 2 * 48_832),
    "resnet152_v2":     ("v2",      _BB, (3, 8, 36, 3),   1,  64, True,  "last",  60_380_648 - 2 * 71_872),
    "wide_resnet50_2":  ("wide",    _BB, (3, 4, 6, 3),    1, 128, False, "first", 68_883_240),
    "resnext50_32x4d":  ("resnext", _BB, (3, 4, 6, 3),   32,   4, False, "first", 25_028_904),
    "resnext101_32x8d": ("resnext", _BB, (3, 4, 23, 3),  32,   8, False, "first", 88_791_336),
}  # fmt: skip
_MIN_SIZE = min_input_size([CEIL_HALVING] * 5)  # stem conv, stem pool, three strided stages: 17

for _name, (_paper, _block, _depths, _groups, _wpg, _preact, _down, _params) in VARIANTS.items():
    register_model(
        functools.partial(
            resnet,
            name=_name,
            block=_block,
            depths=_depths,
            groups=_groups,
            width_per_group=_wpg,
            preact=_preact,
            downsample=_down,
        ),
        name=_name,
        family="resnet",
        task="classification",
        paper=_PAPERS[_paper],
        default_input_shape=(224, 224, 3),
        default_num_classes=1000,
        min_input_size=_MIN_SIZE,
        num_params=_params,
        tags=("imagenet", _paper),
    )


# --- CIFAR forms (32×32 inputs): one 3×3 stem convolution, three stages, no max pooling -------

CIFAR_WIDTHS = (16, 32, 64)
# Convolutions per unit: ResNet depth = units_per_stage · 3 stages · this + 2 (stem and classifier).
_CONVS_PER_UNIT = {"basic": 2, "bottleneck": 3}
_DEPTH_EXAMPLES = {"basic": (20, 32, 44, 56, 110, 1202), "bottleneck": (29, 56, 110, 164, 1001)}


@forwards_options(resnet, fixed=("depths", "stem"))
def resnet_cifar(
    *, input_shape, num_classes, depth=20, block="basic", shortcut="A", widths=CIFAR_WIDTHS, stem_filters=16,
    conv_bias=False, name=None, **options,
):  # fmt: skip
    """The CIFAR ResNets of He et al. 2015 §4.2 and 2016 (pre-activation, `preact=True`):
    a 3×3 convolution with `stem_filters` channels, three stages of n units with `widths`
    planes (stages 2 and 3 halve the resolution), global average pooling and the classifier.
    depth = 6n+2 with basic units, 9n+2 with bottleneck units (output 4·planes). Shortcut
    option "A" (parameter-free, the paper's CIFAR choice) or "B" (projections where the
    channels change). Convolutions have no bias (`conv_bias=False`), as in the authors' Torch
    code, also where pre-activation leaves one without batch norm after it. Every other option
    is `resnet`'s."""
    check_choice("block", block, tuple(_CONVS_PER_UNIT))
    per_stage = check_depth(depth, per_unit=3 * _CONVS_PER_UNIT[block], offset=2, examples=_DEPTH_EXAMPLES[block])
    return resnet(
        input_shape=input_shape,
        num_classes=num_classes,
        depths=(per_stage,) * 3,
        block=block,
        shortcut=shortcut,
        widths=widths,
        stem="cifar",
        stem_filters=stem_filters,
        conv_bias=conv_bias,
        name=name or f"resnet{depth}",
        **options,
    )


@forwards_options(resnet_cifar, fixed=("widths", "block", "preact", "shortcut", "stem_filters"))
def wide_resnet(*, input_shape, num_classes, depth=28, widen_factor=10, name=None, **options):
    """WRN-d-k (Zagoruyko & Komodakis 2016): the CIFAR pre-activation ResNet with basic units
    k times wider (16k, 32k, 64k planes after a 16-channel stem), projection shortcuts where
    the channels change, depth d = 6n+4 (the paper counts the three projections), and
    `dropout_rate` between the two 3×3 convolutions of each unit (0.3 in the paper's dropout
    experiments)."""
    per_stage = check_depth(depth, per_unit=6, offset=4, examples=(10, 16, 22, 28, 40))
    check_int("widen_factor", widen_factor, minimum=1)
    return resnet_cifar(
        input_shape=input_shape,
        num_classes=num_classes,
        depth=6 * per_stage + 2,
        widths=tuple(widen_factor * width for width in CIFAR_WIDTHS),
        preact=True,
        shortcut="B",
        name=name or f"wrn{depth}_{widen_factor}",
        **options,
    )


_PAPERS["stochastic_depth"] = Paper(
    "Deep Networks with Stochastic Depth",
    "Huang, Sun, Liu, Sedra, Weinberger",
    2016,
    "https://arxiv.org/abs/1603.05382",
)
_PREACT = dict(block="bottleneck", preact=True, shortcut="B")
# ResNeXt-29 (Xie et al. 2017 §5.3): 64-channel stem, bottleneck template [1×1, 64·d/64·C;
# 3×3 grouped; 1×1, 256] doubling per stage, projection shortcuts.
_RESNEXT = dict(depth=29, block="bottleneck", shortcut="B", widths=(64, 128, 256), stem_filters=64, width_per_group=64)
# Trainable parameters at 32×32×3 with 10 classes, counted by tests/test_zoo_small.py's formulas
# and within 3% of the papers' rounded figures (REFERENCE.md §1).
#   name:               (paper,              builder,       options,                                    trainable)
CIFAR_VARIANTS = {
    "resnet20":          ("v1",               resnet_cifar, dict(depth=20),                              269_722),
    "resnet32":          ("v1",               resnet_cifar, dict(depth=32),                              464_154),
    "resnet44":          ("v1",               resnet_cifar, dict(depth=44),                              658_586),
    "resnet56":          ("v1",               resnet_cifar, dict(depth=56),                              853_018),
    "resnet110":         ("v1",               resnet_cifar, dict(depth=110),                           1_727_962),
    "resnet1202":        ("v1",               resnet_cifar, dict(depth=1202),                         19_421_274),
    "resnet110_sd":      ("stochastic_depth", resnet_cifar, dict(depth=110, drop_path_rate=0.5),       1_727_962),
    "preact_resnet164":  ("v2",               resnet_cifar, dict(depth=164, **_PREACT),                1_703_258),
    "preact_resnet1001": ("v2",               resnet_cifar, dict(depth=1001, **_PREACT),              10_327_706),
    "wrn16_8":           ("wide",             wide_resnet,  dict(depth=16, widen_factor=8),           10_961_370),
    "wrn28_10":          ("wide",             wide_resnet,  dict(depth=28, widen_factor=10),          36_479_194),
    "wrn40_4":           ("wide",             wide_resnet,  dict(depth=40, widen_factor=4),            8_949_210),
    "wrn":               ("wide",             wide_resnet,  {},                                       36_479_194),
    "resnext29_8x64d":   ("resnext",          resnet_cifar, dict(**_RESNEXT, groups=8),               34_426_698),
    "resnext29_16x64d":  ("resnext",          resnet_cifar, dict(**_RESNEXT, groups=16),              68_155_210),
}  # fmt: skip

for _name, (_paper, _builder, _options, _params) in CIFAR_VARIANTS.items():
    register_model(
        functools.partial(_builder, name=_name, **_options),
        name=_name,
        family="resnet",
        task="classification",
        paper=_PAPERS[_paper],
        default_input_shape=(32, 32, 3),
        min_input_size=min_input_size([CEIL_HALVING] * 2),  # stages 2 and 3 halve: 3
        num_params=_params,
        tags=("cifar", _paper),
    )
