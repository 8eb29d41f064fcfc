"""Kernel initializers of dense-prediction networks, registered serializable so that saved
models load after `import dlrecipes`: bilinear upsampling for transposed convolutions (Long et
al. 2015, "Fully convolutional networks for semantic segmentation", §3.3) and the identity for
convolutions (Yu & Koltun 2016, "Multi-scale context aggregation by dilated convolutions", §3)."""

import keras
import numpy as np


def bilinear_kernel(size):
    """The 1-D bilinear interpolation filter of length `size` (the FCN authors' upsample_filt):
    1 − |x − centre| / factor with factor = ceil(size / 2)."""
    factor = (size + 1) // 2
    centre = factor - 1 if size % 2 else factor - 0.5
    return 1 - np.abs(np.arange(size) - centre) / factor


@keras.saving.register_keras_serializable(package="dlrecipes")
class BilinearUpsampling(keras.initializers.Initializer):
    """Kernel (k, k, out, in) of a Conv2DTranspose that upsamples each channel on its own by
    bilinear interpolation: the outer product of `bilinear_kernel(k)` on the diagonal channel
    pairs (c, c), zeros elsewhere (Long et al. 2015, §3.3)."""

    def __call__(self, shape, dtype=None):
        rows, cols, outputs, inputs = shape
        kernel = np.zeros(shape, np.float32)
        diagonal = np.arange(min(outputs, inputs))
        kernel[:, :, diagonal, diagonal] = np.outer(bilinear_kernel(rows), bilinear_kernel(cols))[..., None]
        return keras.ops.convert_to_tensor(kernel, dtype=dtype)

    def get_config(self):
        return {}


@keras.saving.register_keras_serializable(package="dlrecipes")
class ConvIdentity(keras.initializers.Initializer):
    """Kernel (k, k, in, out) of a convolution that copies input channel c to output channel c:
    1 at the centre tap of each pair (c, c), 0 elsewhere (Yu & Koltun 2016, §3 "identity
    initialization"; PyTorch's dirac_)."""

    def __call__(self, shape, dtype=None):
        rows, cols, inputs, outputs = shape
        kernel = np.zeros(shape, np.float32)
        diagonal = np.arange(min(inputs, outputs))
        kernel[rows // 2, cols // 2, diagonal, diagonal] = 1.0
        return keras.ops.convert_to_tensor(kernel, dtype=dtype)

    def get_config(self):
        return {}
