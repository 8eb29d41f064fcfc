"""AlexNet and ZFNet: five convolutions with overlapping 3×3/2 max pooling, then a
4096-4096 fully connected head with dropout.

- AlexNet: Krizhevsky, Sutskever & Hinton 2012, "ImageNet classification with deep
  convolutional neural networks". `alexnet` is torchvision's single-tower form (64-192-384-256-256
  filters, no grouped convolutions, no LRN): 61,100,840 trainable parameters (REFERENCE.md §1).
  `original=True` adds the paper's local response normalization (k=2, n=5, α=1e-4, β=0.75)
  after the ReLU of conv1 and conv2; it has no weights.
- ZFNet: Zeiler & Fergus 2014, "Visualizing and understanding convolutional networks": conv1
  7×7 stride 2 (96 filters), conv2 5×5 stride 2 (256), conv3–5 widened to 512/1024/512
  (their best single model, section 5.1), ceil-mode pooling as in their Caffe-style setup, so
  a 224×224 input gives the paper's maps 110-55-26-13-13-13-6. `original=True` adds
  cross-channel normalization after pool1 and pool2 (where the paper puts its contrast
  normalization), with LRN's parameters.

`alexnet_small` is a small-image form for 28×28 and 32×32 inputs: torchvision's five
convolution widths (64-192-384-256-256) with a 5×5 stride-1 conv1 (pad 2) in place of 11×11/4,
the three overlapping 3×3/2 poolings, and a 1024-1024 head (dropout 0.5). At 32×32×3 with 10
classes the final map is 3×3×256: convs 5·5·3·64+64 + 5·5·64·192+192 + 3·3·192·384+384
+ 3·3·384·256+256 + 3·3·256·256+256 = 2,451,264; fc1 2304·1024+1024 = 2,360,320; fc2
1024·1024+1024 = 1,049,600; predictions 1024·10+10 = 10,250; total 5,871,434.

Input sizes: the head flattens whatever final map the input gives (keras.applications'
convention), so the first FC layer's size depends on the input size and the reference counts
hold at 224×224. torchvision instead inserts an adaptive average pool to 6×6, the identity at
224. For an input-size-independent head use `include_top=False` with `pooling`.
"""

import functools

import keras

from dlrecipes.blocks import max_pool, min_input_size, model_input, padded_conv
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.layers.lrn import LocalResponseNormalization
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice


def alexnet(
    *,
    input_shape,
    num_classes,
    convs,
    lrn_after,
    ceil_mode,
    original=False,
    unit_biases=False,
    hidden_units=(4096, 4096),
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="alexnet",
):
    """AlexNet-style network from a table: `convs` rows are (filters, kernel, stride,
    torchvision padding, max-pool after), the layers are `conv{i}_conv`/`_act`, `pool{i}`
    (3×3 stride 2, ceil mode if `ceil_mode`) and, with `original`, `conv{i}_lrn` on conv1 and
    conv2 after the ReLU (`lrn_after="act"`) or after the pooling (`"pool"`). The head is
    flatten → `hidden_units` (fc1 4096 → fc2 4096; ReLU, then dropout `dropout_rate`) →
    `predictions`. `unit_biases` starts the biases of conv2, conv4, conv5 and the hidden FC
    layers at 1 instead of 0, as AlexNet's paper does (§5: "accelerates the early stages of
    learning by providing the ReLUs with positive inputs")."""
    check_head_options(include_top=include_top, pooling=pooling, classifier_activation=classifier_activation,
                       dropout_rate=dropout_rate, hidden_units=hidden_units)
    check_choice("lrn_after", lrn_after, ("act", "pool"))
    for flag, value in (("original", original), ("unit_biases", unit_biases)):
        if not isinstance(value, bool):
            raise ConfigError(f"{flag} must be True or False. Received: {flag}={value!r}")
    inputs = model_input(input_shape, model=name, min_size=_min_size(convs, ceil_mode))
    x = inputs
    for index, (filters, kernel_size, strides, padding, pool) in enumerate(convs, start=1):
        x = padded_conv(
            x,
            filters,
            kernel_size,
            name=f"conv{index}",
            strides=strides,
            padding=padding,
            batch_norm=False,
            kernel_initializer=kernel_initializer,
        )
        normalize = original and index <= 2
        if normalize and lrn_after == "act":
            x = LocalResponseNormalization(name=f"conv{index}_lrn")(x)
        if pool:
            x = max_pool(x, 3, 2, name=f"pool{index}", ceil_mode=ceil_mode)
        if normalize and lrn_after == "pool":
            x = LocalResponseNormalization(name=f"conv{index}_lrn")(x)
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
    model = keras.Model(inputs, outputs, name=name)
    if unit_biases:
        hidden = [f"fc{i}_dense" for i in range(1, len(hidden_units) + 1)] if include_top else []
        for layer_name in ("conv2_conv", "conv4_conv", "conv5_conv", *hidden):
            bias = model.get_layer(layer_name).bias
            bias.assign(keras.ops.ones_like(bias))
    return model


def _min_size(convs, ceil_mode):
    """Smallest input the table reduces: 63 for both (alexnet: conv1 (s+4-11)//4+1 = 15 →
    pool1 7 → pool2 3 → pool5 1; zfnet: conv1 (s+2-7)//2+1 = 30 → pool1 15 → conv2 6 →
    pool2 3 → pool5 1)."""
    windows = []
    for _, kernel_size, strides, padding, pool in convs:
        windows.append((kernel_size, strides, padding, False))
        if pool:
            windows.append((3, 2, 0, ceil_mode))
    return min_input_size(windows)


VARIANTS = {
    "alexnet": dict(
        convs=(
            (64, 11, 4, 2, True),
            (192, 5, 1, 2, True),
            (384, 3, 1, 1, False),
            (256, 3, 1, 1, False),
            (256, 3, 1, 1, True),
        ),
        lrn_after="act",
        ceil_mode=False,
    ),
    "zfnet": dict(
        convs=(
            (96, 7, 2, 1, True),
            (256, 5, 2, 0, True),
            (512, 3, 1, 1, False),
            (1024, 3, 1, 1, False),
            (512, 3, 1, 1, True),
        ),
        lrn_after="pool",
        ceil_mode=True,
    ),
    "alexnet_small": dict(
        convs=(
            (64, 5, 1, 2, True),
            (192, 5, 1, 2, True),
            (384, 3, 1, 1, False),
            (256, 3, 1, 1, False),
            (256, 3, 1, 1, True),
        ),
        lrn_after="act",
        ceil_mode=False,
        hidden_units=(1024, 1024),
    ),
}
_ALEXNET = Paper(
    "ImageNet classification with deep convolutional neural networks",
    "Krizhevsky, Sutskever, Hinton",
    2012,
    "https://papers.nips.cc/paper/4824",
)
_PAPERS = {
    "alexnet": _ALEXNET,
    "alexnet_small": _ALEXNET,
    "zfnet": Paper(
        "Visualizing and understanding convolutional networks",
        "Zeiler, Fergus",
        2014,
        "https://arxiv.org/abs/1311.2901",
    ),
}
NUM_PARAMS = {
    "alexnet": 61_100_840,  # torchvision num_params (REFERENCE.md §1)
    # zfnet at 224×224×3, 1000 classes (weights + biases):
    #   conv1 7·7·3·96+96 = 14,208; conv2 5·5·96·256+256 = 614,656;
    #   conv3 3·3·256·512+512 = 1,180,160; conv4 3·3·512·1024+1024 = 4,719,616;
    #   conv5 3·3·1024·512+512 = 4,719,104; fc1 6·6·512·4096+4096 = 75,501,568;
    #   fc2 4096·4096+4096 = 16,781,312; predictions 4096·1000+1000 = 4,097,000.
    "zfnet": 107_627_624,
    "alexnet_small": 5_871_434,  # at 32×32×3, 10 classes: formula in the module docstring
}
for _name, _options in VARIANTS.items():
    _small = _name == "alexnet_small"
    register_model(
        functools.partial(alexnet, name=_name, **_options),
        name=_name,
        family="alexnet",
        task="classification",
        paper=_PAPERS[_name],
        default_input_shape=(32, 32, 3) if _small else (224, 224, 3),
        default_num_classes=10 if _small else 1000,
        min_input_size=_min_size(_options["convs"], _options["ceil_mode"]),
        num_params=NUM_PARAMS[_name],
        tags=("cifar",) if _small else (),
    )
