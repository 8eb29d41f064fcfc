"""Network in Network: Lin, Chen & Yan 2014, "Network In Network" (ICLR). The ImageNet model of
the authors' Caffe model zoo: four mlpconv blocks (a k×k conv followed by two 1×1 convs, ReLU
after each), 3×3/2 ceil-mode max pooling after the first three, dropout 0.5 before the last,
and no fully connected layer: the last 1×1 conv outputs one map per class, averaged globally.

Blocks: conv1 96 11×11/4 → 96 → 96; conv2 256 5×5 → 256 → 256; conv3 384 3×3 → 384 → 384;
conv4 1024 3×3 → 1024 → (classifier) num_classes. Without top, the features are block4's
1024 maps. The reference count (224×224×3, 1000 classes, weights + biases):
  block1 11·11·3·96+96 + 2·(96·96+96) = 53,568; block2 5·5·96·256+256 + 2·(256·256+256)
  = 746,240; block3 3·3·256·384+384 + 2·(384·384+384) = 1,180,800; block4 3·3·384·1024+1024
  + 1024·1024+1024 = 4,589,568; classifier 1024·1000+1000 = 1,025,000; total 7,595,176.
"""

import keras

from dlrecipes.blocks import conv_classifier, max_pool, min_input_size, mlpconv, model_input
from dlrecipes.heads import check_head_options
from dlrecipes.registry import Paper, register_model

# (filters of the k×k conv and its 1×1 convs, kernel, stride, torchvision padding, pool after)
BLOCKS = (
    ((96, 96, 96), 11, 4, 0, True),
    ((256, 256, 256), 5, 1, 2, True),
    ((384, 384, 384), 3, 1, 1, True),
    ((1024, 1024), 3, 1, 1, False),
)


def _min_size(blocks):
    """55 for the ImageNet table: conv1 (s-11)//4+1 = 12 → pool1 6 → pool2 3 → pool3 1."""
    windows = []
    for _, kernel_size, strides, padding, pool in blocks:
        windows.append((kernel_size, strides, padding, False))
        if pool:
            windows.append((3, 2, 0, True))
    return min_input_size(windows)


def nin(
    *,
    input_shape,
    num_classes,
    blocks=BLOCKS,
    dropout_rate=0.5,
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="nin",
):
    """Network in Network from a table of mlpconv blocks (`block{b}_conv{i}_conv`/`_act`,
    `block{b}_pool`); dropout `dropout_rate` (`block{b}_dropout`) after the last pooling, i.e.
    before the last block, as in the authors' ImageNet model; then `conv_classifier`:
    1×1 conv to `num_classes` maps + ReLU + global average pooling → `predictions`."""
    check_head_options(include_top=include_top, pooling=pooling,
                       classifier_activation=classifier_activation, dropout_rate=dropout_rate)
    inputs = model_input(input_shape, model=name, min_size=_min_size(blocks))
    x = inputs
    last_pool = max((index for index, row in enumerate(blocks, start=1) if row[4]), default=0)
    for index, (filters, kernel_size, strides, padding, pool) in enumerate(blocks, start=1):
        x = mlpconv(
            x,
            filters,
            kernel_size,
            name=f"block{index}",
            strides=strides,
            padding=padding,
            batch_norm=False,
            kernel_initializer=kernel_initializer,
        )
        if pool:
            x = max_pool(x, 3, 2, name=f"block{index}_pool", ceil_mode=True)
        if index == last_pool and dropout_rate:
            x = keras.layers.Dropout(dropout_rate, name=f"block{index}_dropout")(x)
    outputs = conv_classifier(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        kernel_initializer=kernel_initializer,
    )
    return keras.Model(inputs, outputs, name=name)


register_model(
    nin,
    name="nin",
    family="nin",
    task="classification",
    paper=Paper("Network In Network", "Lin, Chen, Yan", 2014, "https://arxiv.org/abs/1312.4400"),
    default_input_shape=(224, 224, 3),
    default_num_classes=1000,
    min_input_size=_min_size(BLOCKS),
    num_params=7_595_176,  # formula in the module docstring
)
