"""The spatial arithmetic of the classic Caffe/torchvision networks, in Keras layers.

Keras offers "same" and "valid" padding only; the classic networks were defined with explicit
symmetric padding (torchvision `padding=p`) and Caffe's/torchvision's ceil-mode pooling. These
two helpers reproduce both exactly, so feature-map sizes, parameter counts and weights line up
with the reference implementations at every input size.
"""

import math

import keras

from dlrecipes.blocks.conv import conv_bn_act


def padded_conv(x, filters, kernel_size, *, name, strides=1, padding=0, **options):
    """`conv_bn_act` with torchvision's explicit symmetric zero padding of `padding` pixels.

    Stride 1 with `padding == kernel_size // 2` is Keras "same" (no extra layer); anything else
    is a `ZeroPadding2D` (`{name}_pad`) followed by a "valid" convolution. (Keras "same" with
    stride 2 pads the bottom/right more than the top/left, which shifts the sampling grid.)
    """
    if padding and (strides != 1 or 2 * padding != kernel_size - 1):
        x = keras.layers.ZeroPadding2D(padding, name=f"{name}_pad")(x)
        padding_mode = "valid"
    else:
        padding_mode = "same" if padding else "valid"
    return conv_bn_act(x, filters, kernel_size, name=name, strides=strides,
                       padding=padding_mode, **options)


def max_pool(x, pool_size, strides, *, name, ceil_mode=False):
    """`MaxPooling2D` without padding (`name`), optionally in ceil mode.

    Ceil mode (Caffe's only mode, torchvision's `ceil_mode=True`) has
    `ceil((n - pool_size) / strides) + 1` outputs instead of the floor: a last, partial window
    at the bottom/right. It is emulated by zero padding the bottom/right (`{name}_pad`) just
    enough for that window, which is exact for non-negative inputs: every place these networks
    use it follows a ReLU. A window larger than the map is left to Keras, which rejects it.
    """
    padding = []
    for size in x.shape[1:3]:
        extra = 0
        if ceil_mode and size is not None and size >= pool_size:
            outputs = math.ceil((size - pool_size) / strides) + 1
            extra = (outputs - 1) * strides + pool_size - size
        padding.append((0, extra))
    if any(extra for _, extra in padding):
        x = keras.layers.ZeroPadding2D(tuple(padding), name=f"{name}_pad")(x)
    return keras.layers.MaxPooling2D(pool_size, strides, name=name)(x)


def output_size(size, kernel_size, strides=1, padding=0, ceil_mode=False):
    """Output length of a convolution/pooling window over `size` pixels with symmetric
    `padding`; 0 when the window does not fit."""
    span = size + 2 * padding - kernel_size
    if span < 0:
        return 0
    return (math.ceil(span / strides) if ceil_mode else span // strides) + 1


def min_input_size(windows, limit=10_000):
    """Smallest input size for which every window of `windows` fits, in order. Each window is
    (kernel_size, strides, padding, ceil_mode), the spatial arithmetic of the layers that
    shrink the map (the "same"-padded ones can be left out). Families derive this list from the
    same table their builder reads, so the minimum follows the architecture."""
    windows = list(windows)
    for size in range(1, limit + 1):
        current = size
        for window in windows:
            current = output_size(current, *window)
            if current < 1:
                break
        else:
            return size
    raise ValueError(f"No input size up to {limit} fits the windows {windows}.")
