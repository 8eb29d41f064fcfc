"""SqueezeNet: Iandola, Han, Moskewicz, Ashraf, Dally & Keutzer 2016, "SqueezeNet:
AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size". Fire modules
(squeeze 1×1 → expand 1×1 ‖ expand 3×3), 3×3/2 ceil-mode max pooling, and NiN's
all-convolutional head: dropout 0.5 → conv10 1×1 to `num_classes` maps → ReLU → global average
pooling, no FC layer. `squeezenet1_0` is the paper's net (conv1 96 7×7/2); `squeezenet1_1`
the authors' v1.1 (conv1 64 3×3/2, pools after conv1, fire3, fire5), 2.4× cheaper.
torchvision's layout and counts: 1,248,424 / 1,235,496 (REFERENCE.md §1).

`squeezenet_small` is v1.1 for 28×28 and 32×32 inputs: conv1 3×3 with stride 1 and padding 1,
so the three poolings leave 4×4 maps of a 32×32 input (3×3 of 28×28). Its count at 32×32×3
with 10 classes is v1.1's with conv10 for 10 classes: 1,235,496 − (512·1000+1000)
+ (512·10+10) = 727,626.
"""

import functools

import keras

from dlrecipes.blocks import (
    conv_classifier,
    fire,
    max_pool,
    min_input_size,
    model_input,
    padded_conv,
)
from dlrecipes.heads import check_head_options
from dlrecipes.registry import Paper, register_model

# conv1 (filters, kernel, stride, padding), then "M" (3×3/2 ceil-mode max pooling) or fire
# (squeeze, expand1x1, expand3x3); fire modules are numbered fire2..fire9 as in the paper.
CONFIGS = {
    "1_0": ((96, 7, 2, 0), ["M", (16, 64, 64), (16, 64, 64), (32, 128, 128), "M", (32, 128, 128),
                            (48, 192, 192), (48, 192, 192), (64, 256, 256), "M", (64, 256, 256)]),
    "1_1": ((64, 3, 2, 0), ["M", (16, 64, 64), (16, 64, 64), "M", (32, 128, 128), (32, 128, 128), "M",
                            (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)]),
}
CONFIGS["small"] = ((64, 3, 1, 1), CONFIGS["1_1"][1])


def _min_size(conv1, layers):
    """conv1 then 3×3/2 ceil-mode pools: 29 for v1.0, 25 for v1.1, 12 for the small form."""
    windows = [(*conv1[1:], False)]
    windows += [(3, 2, 0, True) for item in layers if item == "M"]
    return min_input_size(windows)


def squeezenet(
    *,
    input_shape,
    num_classes,
    conv1,
    layers,
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="squeezenet",
):
    """SqueezeNet from a table: `conv1_conv`/`_act`, pools `pool{i}`, `fire{n}_*` modules, then
    `conv_classifier` (`head_dropout`, `classifier_conv` = the paper's conv10, `avg_pool`,
    `predictions`). Without top (or `num_classes=0`) the last fire module's 512 maps."""
    check_head_options(include_top=include_top, pooling=pooling,
                       classifier_activation=classifier_activation, dropout_rate=dropout_rate)
    inputs = model_input(input_shape, model=name, min_size=_min_size(conv1, layers))
    filters, kernel_size, strides, padding = conv1
    x = padded_conv(
        inputs,
        filters,
        kernel_size,
        name="conv1",
        strides=strides,
        padding=padding,
        batch_norm=False,
        kernel_initializer=kernel_initializer,
    )
    pools, fires = 0, 1
    for item in layers:
        if item == "M":
            pools += 1
            x = max_pool(x, 3, 2, name=f"pool{pools}", ceil_mode=True)
        else:
            fires += 1
            x = fire(x, *item, name=f"fire{fires}", kernel_initializer=kernel_initializer)
    outputs = conv_classifier(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


_PAPER = Paper(
    "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size",
    "Iandola, Han, Moskewicz, Ashraf, Dally, Keutzer",
    2016,
    "https://arxiv.org/abs/1602.07360",
)
# torchvision num_params (REFERENCE.md §1); the small form at 32×32×3 with 10 classes
NUM_PARAMS = {"1_0": 1_248_424, "1_1": 1_235_496, "small": 727_626}
for _version, (_conv1, _layers) in CONFIGS.items():
    _small = _version == "small"
    _name = "squeezenet_small" if _small else f"squeezenet{_version}"
    register_model(
        functools.partial(squeezenet, name=_name, conv1=_conv1, layers=_layers),
        name=_name,
        family="squeezenet",
        task="classification",
        paper=_PAPER,
        default_input_shape=(32, 32, 3) if _small else (224, 224, 3),
        default_num_classes=10 if _small else 1000,
        min_input_size=_min_size(_conv1, _layers),
        num_params=NUM_PARAMS[_version],
        tags=("cifar",) if _small else (),
    )
