"""Blocks of dense-prediction networks: learnable upsampling initialised to bilinear
interpolation (Long et al. 2015, "Fully convolutional networks for semantic segmentation") and
the identity-initialised context module of dilated convolutions (Yu & Koltun 2016, "Multi-scale
context aggregation by dilated convolutions").

Alignment convention: cell i of a stride-s feature map sits at the centre of the input block
[s·i, s·i + s), i.e. at input coordinate s·i + (s − 1)/2 (exact for 2×2/2 max pooling). A
transposed convolution with stride f and kernel 2f ("valid") puts input cell i at output
f·i + f − 1/2 once its bilinear kernel is centred, so its output index j sits at the stride-s/f
position j − f/2: cropping f/2 at the top/left aligns it with the finer map. This is the rule
behind the fixed offsets of the paper's Caffe models (which depend on their 100-pixel padding).
"""

import keras

from dlrecipes.layers.initializers import BilinearUpsampling, ConvIdentity


def upsample(x, factor, size, *, name, trainable=True):
    """Upsample `x` by the even integer `factor` with a bias-free Conv2DTranspose (`name`,
    kernel 2·factor, stride factor, bilinear-initialised, learnable unless `trainable` is
    False) and crop it (`{name}_crop`) to `size` (height, width) aligned by the module's rule:
    factor/2 pixels off the top/left, the rest off the bottom/right. `size` must be at most
    factor × the input size (the caller pads its input to a multiple of the total stride)."""
    x = keras.layers.Conv2DTranspose(
        x.shape[-1],
        2 * factor,
        strides=factor,
        use_bias=False,
        kernel_initializer=BilinearUpsampling(),
        trainable=trainable,
        name=name,
    )(x)
    crop = factor // 2
    bottom, right = (total - crop - wanted for total, wanted in zip(x.shape[1:3], size))
    return keras.layers.Cropping2D(((crop, bottom), (crop, right)), name=f"{name}_crop")(x)


BASIC_CONTEXT_DILATIONS = (1, 1, 2, 4, 8, 16, 1)


def context_module(x, *, dilations=BASIC_CONTEXT_DILATIONS, name="ctx"):
    """Yu & Koltun's basic context module on C = x.shape[-1] channels: 3×3 convolutions with
    the given dilations (`{name}_conv{i}`), each followed by ReLU truncation, then a 1×1
    convolution (`{name}_final`), all identity-initialised with zero biases. At initialisation it
    therefore returns its input wherever the input is non-negative (the truncations clip
    negative values, as in the paper)."""
    channels = x.shape[-1]
    for index, dilation in enumerate(dilations, start=1):
        x = keras.layers.Conv2D(
            channels,
            3,
            padding="same",
            dilation_rate=dilation,
            activation="relu",
            kernel_initializer=ConvIdentity(),
            name=f"{name}_conv{index}",
        )(x)
    return keras.layers.Conv2D(channels, 1, kernel_initializer=ConvIdentity(), name=f"{name}_final")(x)
