"""The fractal block of Larsson, Maire & Shakhnarovich 2017, "FractalNet: Ultra-Deep Neural
Networks without Residuals": the expansion rule f_1(z) = conv(z),
f_{C+1}(z) = join(f_C(f_C(z)), conv(z)), with the joins that meet at one place merged into one
(the paper's Figure 1 and the authors' Caffe generator), so the last join of a C-column block
has C inputs. Column 1 is the shallowest (one convolution), column C the deepest (2^(C-1)).
"""

import itertools

import keras

from dlrecipes.blocks.conv import conv_bn_act
from dlrecipes.layers.drop_path import FractalJoin


def fractal_block(x, filters, *, columns, columns_mask, name, drop_rate=0.15, dropout_rate=0.0, **options):
    """A fractal block of `columns` columns of 3×3 conv-BN-ReLU units with `filters` channels
    (`{name}_col{c}_conv{i}`, dropout `dropout_rate` after each: `..._dropout`), joined by
    `FractalJoin` layers (`{name}_join{j}`) that take the network's `columns_mask` (see
    `FractalColumnSampler`) and drop each input with probability `drop_rate` in local
    batches. `options` go to `conv_bn_act`."""
    convs = [0] * columns
    joins = itertools.count(1)

    def conv(z, column):
        convs[column] += 1
        unit = f"{name}_col{column + 1}_conv{convs[column]}"
        z = conv_bn_act(z, filters, 3, name=unit, **options)
        if dropout_rate:
            z = keras.layers.Dropout(dropout_rate, name=f"{unit}_dropout")(z)
        return z

    def join(branches):
        if len(branches) == 1:
            return branches[0][1]
        column_ids, tensors = zip(*branches)
        return FractalJoin(column_ids, drop_rate, name=f"{name}_join{next(joins)}")([*tensors, columns_mask])

    def expand(z, depth):
        """f_depth(z) before its last join: (column, tensor) pairs, the shallowest first."""
        shallow = [(columns - depth, conv(z, columns - depth))]
        if depth == 1:
            return shallow
        return shallow + expand(join(expand(z, depth - 1)), depth - 1)

    return join(expand(x, columns))
