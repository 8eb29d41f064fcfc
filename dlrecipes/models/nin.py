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

`nin_cifar` is the paper's CIFAR-10 model (the authors' Caffe definition): mlpconv 192-160-96
(5×5), 3×3/2 max pooling, dropout, 192-192-192 (5×5), 3×3/2 average pooling, dropout, 192-192
(3×3) and the class maps; 28×28 inputs reduce to 7×7 maps, 32×32 to 8×8. Its count at
32×32×3, 10 classes: 5·5·3·192+192 + 192·160+160 + 160·96+96 = 60,928; 5·5·96·192+192
+ 2·(192·192+192) = 535,104; 3·3·192·192+192 + 192·192+192 = 369,024; classifier
192·10+10 = 1,930; total 966,986.
"""

import functools

import keras

from dlrecipes.blocks import conv_classifier, max_pool, min_input_size, mlpconv, model_input
from dlrecipes.heads import check_head_options
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice

# (filters of the k×k conv and its 1×1 convs, kernel, stride, torchvision padding, pool after:
# True or "max" for 3×3/2 ceil-mode max pooling, "avg" for 3×3/2 "same" average pooling)
BLOCKS = (
    ((96, 96, 96), 11, 4, 0, True),
    ((256, 256, 256), 5, 1, 2, True),
    ((384, 384, 384), 3, 1, 1, True),
    ((1024, 1024), 3, 1, 1, False),
)
CIFAR_BLOCKS = (
    ((192, 160, 96), 5, 1, 2, "max"),
    ((192, 192, 192), 5, 1, 2, "avg"),
    ((192, 192), 3, 1, 1, False),
)
DROPOUT_AFTER = ("last_pool", "every_pool")
# min_input_size windows: ceil-mode max pooling; Keras "same" average pooling gives ⌈n/2⌉
_POOL_WINDOWS = {True: (3, 2, 0, True), "max": (3, 2, 0, True), "avg": (3, 2, 1, False)}


def _min_size(blocks):
    """55 for the ImageNet table: conv1 (s-11)//4+1 = 12 → pool1 6 → pool2 3 → pool3 1;
    3 for the CIFAR table (two halvings)."""
    windows = []
    for _, kernel_size, strides, padding, pool in blocks:
        windows.append((kernel_size, strides, padding, False))
        if pool:
            windows.append(_POOL_WINDOWS[pool])
    return min_input_size(windows)


def nin(
    *,
    input_shape,
    num_classes,
    blocks=BLOCKS,
    dropout_rate=0.5,
    dropout_after="last_pool",
    kernel_initializer="he_normal",
    include_top=True,
    pooling=None,
    classifier_activation=None,
    name="nin",
):
    """Network in Network from a table of mlpconv blocks (`block{b}_conv{i}_conv`/`_act`,
    `block{b}_pool`); dropout `dropout_rate` (`block{b}_dropout`) after the last pooling, i.e.
    before the last block, as in the authors' ImageNet model, or after every pooling
    (`dropout_after="every_pool"`, their CIFAR model); then `conv_classifier`:
    1×1 conv to `num_classes` maps + ReLU + global average pooling → `predictions`."""
    check_head_options(include_top=include_top, pooling=pooling,
                       classifier_activation=classifier_activation, dropout_rate=dropout_rate)
    check_choice("dropout_after", dropout_after, DROPOUT_AFTER)
    for index, row in enumerate(blocks):
        check_choice(f"blocks[{index}] pooling", row[4], (False, None, *_POOL_WINDOWS))
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
        if pool == "avg":
            x = keras.layers.AveragePooling2D(3, 2, padding="same", name=f"block{index}_pool")(x)
        elif pool:
            x = max_pool(x, 3, 2, name=f"block{index}_pool", ceil_mode=True)
        if dropout_rate and (index == last_pool or (pool and dropout_after == "every_pool")):
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


_PAPER = Paper("Network In Network", "Lin, Chen, Yan", 2014, "https://arxiv.org/abs/1312.4400")
register_model(
    nin,
    name="nin",
    family="nin",
    task="classification",
    paper=_PAPER,
    default_input_shape=(224, 224, 3),
    default_num_classes=1000,
    min_input_size=_min_size(BLOCKS),
    num_params=7_595_176,  # formula in the module docstring
)
register_model(
    functools.partial(nin, name="nin_cifar", blocks=CIFAR_BLOCKS, dropout_after="every_pool"),
    name="nin_cifar",
    family="nin",
    task="classification",
    paper=_PAPER,
    default_input_shape=(32, 32, 3),
    min_input_size=_min_size(CIFAR_BLOCKS),
    num_params=966_986,  # formula in the module docstring
    tags=("cifar",),
)
