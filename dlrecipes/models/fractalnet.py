"""FractalNet: Larsson, Maire & Shakhnarovich 2017, "FractalNet: Ultra-Deep Neural Networks
without Residuals". B fractal blocks of C columns (depth B·2^(C-1) convolutions on the longest
path), each followed by 2×2 max pooling, then the classifier; no residual connections.

Regularization as in the paper: joins average their inputs, drop-path is sampled per
mini-batch, local (each join drops each input with probability `drop_path_rate`, 15%, keeping
at least one) or, for a fraction `global_drop_path_rate` of the batches (50%), global (one
column for the whole network); dropout grows linearly over the blocks (0, 10, 20, 30, 40% for
`dropout_rate=0.4`). Inference uses every column.

Parameter count: the paper reports 38.6M for its 20-layer CIFAR network (C=3, B=5, channels
64-128-256-512-512), but the authors' Caffe generator, which widens the channels in the first
convolution of every column, gives 33.7M. A 1×1 conv-BN-ReLU in front of each block that sets
its channels (`entry_conv=True`, khanrc/pt.fractalnet's "doubling") gives 38.9M, within 1% of
the paper's figure: the registered default; `entry_conv=False` is the authors' layout.

Layer names: `drop_path_sampler`, `block{b}_entry_{conv,bn,act}`,
`block{b}_col{c}_conv{i}_{conv,bn,act,dropout}`, `block{b}_join{j}`, `block{b}_pool`,
`avg_pool`, `predictions`.
"""

import keras

from dlrecipes.blocks import conv_bn_act, fractal_block, max_pool, min_input_size, model_input
from dlrecipes.errors import ConfigError
from dlrecipes.heads import check_head_options, classifier_head
from dlrecipes.layers.drop_path import FractalColumnSampler
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_float, check_int, check_num_classes, check_rate

WIDTHS = (64, 128, 256, 512, 512)


def _min_size(num_blocks):
    """2×2 max pooling in ceil mode after each block (Caffe's pooling): 17 for 5 blocks."""
    return min_input_size([(2, 2, 0, True)] * num_blocks)


def fractalnet(
    *,
    input_shape,
    num_classes,
    columns=3,
    widths=WIDTHS,
    entry_conv=True,
    drop_path_rate=0.15,
    global_drop_path_rate=0.5,
    dropout_rate=0.4,
    include_top=True,
    pooling=None,
    classifier_activation=None,
    kernel_initializer="he_normal",
    bn_momentum=0.9,
    bn_epsilon=1e-5,
    name="fractalnet",
):
    """FractalNet with `columns` columns and one block per entry of `widths` (its channels).

    - `entry_conv`: a 1×1 conv-BN-ReLU (`block{b}_entry`) sets each block's channels (see the
      module docstring); otherwise the first convolution of every column does.
    - `drop_path_rate`: local drop-path probability of each join input; `global_drop_path_rate`:
      fraction of mini-batches that keep one column for the whole network instead.
    - `dropout_rate`: dropout of the last block, after each conv-BN-ReLU unit; block b of B
      gets dropout_rate·b/(B−1) (0, 10, ..., 40% in the paper).
    - `bn_momentum` 0.9 is PyTorch's 0.1.
    """
    columns = check_int("columns", columns, minimum=1)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or not widths:
        raise ConfigError(f"widths must be a non-empty tuple of positive integers. Received: widths={widths!r}")
    widths = tuple(check_int(f"widths[{i}]", w, minimum=1) for i, w in enumerate(widths))
    if not isinstance(entry_conv, bool):
        raise ConfigError(f"entry_conv must be True or False. Received: entry_conv={entry_conv!r}")
    check_rate("drop_path_rate", drop_path_rate)
    check_float("global_drop_path_rate", global_drop_path_rate, minimum=0.0, maximum=1.0)
    check_rate("dropout_rate", dropout_rate)
    check_head_options(include_top=include_top, pooling=pooling, classifier_activation=classifier_activation)
    check_num_classes(num_classes)

    inputs = model_input(input_shape, model=name, min_size=_min_size(len(widths)))
    conv = dict(kernel_initializer=kernel_initializer, bn_momentum=bn_momentum, bn_epsilon=bn_epsilon)
    mask = None
    if columns > 1:
        mask = FractalColumnSampler(columns, global_drop_path_rate, name="drop_path_sampler")(inputs)
    x = inputs
    for index, filters in enumerate(widths, start=1):
        block = f"block{index}"
        if entry_conv:
            x = conv_bn_act(x, filters, 1, name=f"{block}_entry", **conv)
        x = fractal_block(
            x,
            filters,
            columns=columns,
            columns_mask=mask,
            name=block,
            drop_rate=drop_path_rate,
            dropout_rate=dropout_rate * (index - 1) / max(len(widths) - 1, 1),
            **conv,
        )
        x = max_pool(x, 2, 2, name=f"{block}_pool", ceil_mode=True)
    outputs = classifier_head(
        x,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
    )
    return keras.Model(inputs, outputs, name=name)


register_model(
    fractalnet,
    name="fractalnet20",
    family="fractalnet",
    task="classification",
    paper=Paper(
        "FractalNet: Ultra-Deep Neural Networks without Residuals",
        "Larsson, Maire, Shakhnarovich",
        2017,
        "https://arxiv.org/abs/1605.07648",
    ),
    default_input_shape=(32, 32, 3),
    min_input_size=_min_size(len(WIDTHS)),
    num_params=38_912_202,  # see the module docstring
    tags=("cifar",),
)
