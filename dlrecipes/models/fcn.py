"""Dense prediction on a registered backbone: FCN-32s, FCN-16s and FCN-8s (Long, Shelhamer &
Darrell 2015, "Fully convolutional networks for semantic segmentation") and the dilated front
end and context network (Yu & Koltun 2016, "Multi-scale context aggregation by dilated
convolutions"). Outputs are per-pixel logits (B, H, W, num_classes) at the input's size.

FCN: the backbone's fully connected layers become convolutions (fc6 7×7 and fc7 1×1, 4096
channels, ReLU and dropout 0.5), a 1×1 `score_fr` scores the stride-32 map, and learnable
Conv2DTranspose layers initialised to bilinear interpolation upsample it: by 32 at once
(32s), or by 2 and fused (summed) with 1×1 scores of the stride-16 map (`score_pool4`, 16s)
and then of the stride-8 map (`score_pool3`, 8s) before the final upsampling. Every score
layer starts at zero. Instead of the paper's 100-pixel padding of conv1_1 and its fixed crop
offsets, the input is zero-padded at the bottom/right to a multiple of 32 and every upsampled
map is cropped by the alignment rule of `dlrecipes.blocks.dense_prediction` (the same rule
gives the paper's offsets for its padding; at 64×64 the paper's padding would cost 16× the
computation).

Dilated (Yu & Koltun's front end): VGG-16 without pool4 and pool5, conv5 dilated by 2 and fc6
by 4 (config "D" entries in place of the last two "M"), fc7, a 1×1 `final` classifier at stride
8 and a fixed bilinear ×8 upsampling; `dilated_context` puts the basic context module
(3×3 convs with dilation 1, 1, 2, 4, 8, 16, 1 and a 1×1, identity-initialised) between
`final` and the upsampling.

Trainable parameters at the reference configuration (21 classes; independent of the input
size): VGG-16 convs 14,714,688 + fc6 7·7·512·4096 + 4096 + fc7 4096·4096 + 4096 + score_fr
4096·21 + 21 = 134,346,581, plus the upsamplings (k·k·21·21, no bias) and skip scores:
FCN-32s + 64·64·441 = 136,152,917; FCN-16s + score_pool4 10,773 + 4·4·441 + 32·32·441 =
134,815,994; FCN-8s + 10,773 + score_pool3 5,397 + 2·4·4·441 + 16·16·441 = 134,489,759, all
the paper's "134M" (REFERENCE.md §1) within 2 %; the front end (fixed upsampling) has
134,346,581 and the context module adds 7·(9·21·21 + 21) + 21·21 + 21 = 28,392.

`width` multiplies every backbone and fc channel count (at least 1) so that a CPU recipe can
train a narrow version.
"""

import dataclasses
import functools

import keras

from dlrecipes.blocks import model_input
from dlrecipes.blocks.dense_prediction import context_module, upsample
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options
from dlrecipes.models.vgg import CONFIGS, VARIANTS
from dlrecipes.registry import Paper, build_model, register_model
from dlrecipes.validation import check_choice, check_float


@dataclasses.dataclass(frozen=True)
class Backbone:
    """A registered backbone as dense prediction uses it: its conv `config` (scaled by `width`,
    passed to its builder) and the names of its stride-8, -16 and -32 layers."""

    config: tuple
    layers: tuple = ("block3_pool", "block4_pool", "block5_pool")


# VGG variants in floor mode (vgg16_bn_cifar's ceil-mode pools break the alignment rule).
BACKBONES = {name: Backbone(tuple(CONFIGS[config])) for name, (config, _, _) in VARIANTS.items()}
FC_UNITS = 4096


def _scaled(config, width):
    return [item if isinstance(item, str) else max(1, round(item * width)) for item in config]


def _check_common(name, num_classes, backbone, width, dropout_rate, classifier_activation):
    check_choice("backbone", backbone, sorted(BACKBONES))
    check_float("width", width, minimum=1e-3)
    check_head_options(
        include_top=True, pooling=None, classifier_activation=classifier_activation, dropout_rate=dropout_rate
    )
    if num_classes < 2:
        raise ConfigError(f"{name} scores every pixel and needs num_classes >= 2. Received: num_classes={num_classes}")


def _features(inputs, backbone, config, stride, layers=None):
    """The backbone's maps `layers` (default: its output) for `inputs` zero-padded at the
    bottom/right to a multiple of `stride`, from a nested model named after the backbone."""
    height, width = inputs.shape[1:3]
    padding = ((0, -height % stride), (0, -width % stride))
    x = keras.layers.ZeroPadding2D(padding, name="pad")(inputs) if any(p for _, p in padding) else inputs
    network = build_model(backbone, input_shape=x.shape[1:], num_classes=0, include_top=False, config=config)
    outputs = [network.get_layer(layer).output for layer in layers] if layers else network.output
    taps = keras.Model(network.input, outputs, name=backbone)
    return taps(x)


def _fc_convs(x, *, units, dilation, dropout_rate, kernel_initializer):
    """fc6 (7×7, dilated by `dilation`) and fc7 (1×1) as ReLU convolutions, each followed by dropout."""
    for index, kernel in ((6, 7), (7, 1)):
        x = keras.layers.Conv2D(
            units,
            kernel,
            padding="same",
            dilation_rate=dilation if kernel > 1 else 1,
            activation="relu",
            kernel_initializer=kernel_initializer,
            name=f"fc{index}",
        )(x)
        x = keras.layers.Dropout(dropout_rate, name=f"drop{index}")(x)
    return x


def _score(x, num_classes, name):
    return keras.layers.Conv2D(num_classes, 1, kernel_initializer="zeros", name=name)(x)


def _output(x, classifier_activation):
    if classifier_activation is None:
        return x
    return keras.layers.Activation(classifier_activation, name="probabilities")(x)


def fcn(
    *,
    input_shape,
    num_classes,
    stride=32,
    backbone="vgg16",
    width=1.0,
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    classifier_activation=None,
    name="fcn",
):
    """FCN-`stride`s (32, 16 or 8) on the registered `backbone` (see the module docstring)."""
    check_choice("stride", stride, (32, 16, 8))
    _check_common(name, num_classes, backbone, width, dropout_rate, classifier_activation)
    spec = BACKBONES[backbone]
    inputs = model_input(input_shape, model=name, min_size=32)
    pool3, pool4, pool5 = _features(inputs, backbone, _scaled(spec.config, width), 32, spec.layers)
    x = _fc_convs(
        pool5, units=max(1, round(FC_UNITS * width)), dilation=1, dropout_rate=dropout_rate,
        kernel_initializer=kernel_initializer,
    )
    score = _score(x, num_classes, "score_fr")
    skips = ((pool4, 4, "upscore2"), (pool3, 3, "upscore_pool4"))[: {32: 0, 16: 1, 8: 2}[stride]]
    for skip, pool, upsampler in skips:
        upscored = upsample(score, 2, skip.shape[1:3], name=upsampler)
        score = keras.layers.Add(name=f"fuse_pool{pool}")([upscored, _score(skip, num_classes, f"score_pool{pool}")])
    outputs = upsample(score, stride, inputs.shape[1:3], name=f"upscore{stride}")
    return keras.Model(inputs, _output(outputs, classifier_activation), name=name)


def front_end_config(config):
    """`config` with its last two poolings replaced by dilation ("D"), Yu & Koltun's front end."""
    pools = [index for index, item in enumerate(config) if item == "M"]
    return [("D" if index in pools[-2:] else item) for index, item in enumerate(config)]


def dilated(
    *,
    input_shape,
    num_classes,
    context=False,
    backbone="vgg16",
    width=1.0,
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    classifier_activation=None,
    name="dilated",
):
    """Yu & Koltun's front end on `backbone`, with the basic context module if `context`."""
    _check_common(name, num_classes, backbone, width, dropout_rate, classifier_activation)
    spec = BACKBONES[backbone]
    config = front_end_config(_scaled(spec.config, width))
    stride = 2 ** config.count("M")
    inputs = model_input(input_shape, model=name, min_size=stride)
    x = _features(inputs, backbone, config, stride)
    x = _fc_convs(
        x, units=max(1, round(FC_UNITS * width)), dilation=2 ** config.count("D"), dropout_rate=dropout_rate,
        kernel_initializer=kernel_initializer,
    )
    x = keras.layers.Conv2D(num_classes, 1, kernel_initializer=kernel_initializer, name="final")(x)
    if context:
        x = context_module(x)
    outputs = upsample(x, stride, inputs.shape[1:3], name=f"upscore{stride}", trainable=False)
    return keras.Model(inputs, _output(outputs, classifier_activation), name=name)


_FCN_PAPER = Paper(
    "Fully convolutional networks for semantic segmentation",
    "Long, Shelhamer, Darrell",
    2015,
    "https://arxiv.org/abs/1411.4038",
)
_DILATED_PAPER = Paper(
    "Multi-scale context aggregation by dilated convolutions",
    "Yu, Koltun",
    2016,
    "https://arxiv.org/abs/1511.07122",
)
# name: (builder, family, paper, minimum input size, trainable parameters at 21 classes (module docstring))
_VARIANTS = {
    "fcn32s": (functools.partial(fcn, stride=32), "fcn", _FCN_PAPER, 32, 136_152_917),
    "fcn16s": (functools.partial(fcn, stride=16), "fcn", _FCN_PAPER, 32, 134_815_994),
    "fcn8s": (functools.partial(fcn, stride=8), "fcn", _FCN_PAPER, 32, 134_489_759),
    "dilated_frontend": (functools.partial(dilated, context=False), "dilated", _DILATED_PAPER, 8, 134_346_581),
    "dilated_context": (functools.partial(dilated, context=True), "dilated", _DILATED_PAPER, 8, 134_374_973),
}
for _name, (_builder, _family, _paper, _min_size, _num_params) in _VARIANTS.items():
    register_model(
        functools.partial(_builder, name=_name),
        name=_name,
        family=_family,
        task="segmentation",
        paper=_paper,
        default_input_shape=(224, 224, 3),
        default_num_classes=21,
        min_input_size=_min_size,
        num_params=_num_params,
        tags=("vgg16",),
    )
