"""Local response normalization across channels (Krizhevsky, Sutskever & Hinton 2012,
"ImageNet classification with deep convolutional neural networks", section 3.3)."""

import keras

from dlrecipes.validation import check_float, check_int


@keras.saving.register_keras_serializable(package="dlrecipes")
class LocalResponseNormalization(keras.layers.Layer):
    """AlexNet's brightness normalization across channels:

        b[c] = a[c] / (k + alpha · Σ_{j = c - size//2}^{c + (size-1)//2} a[j]²) ** beta

    with the sum over existing channels only (the window is cut at the ends). This is the
    paper's formula, where `alpha` multiplies the sum itself; Caffe and
    `torch.nn.LocalResponseNorm` divide alpha by `size` (their alpha is `size` times ours),
    TensorFlow's `tf.nn.local_response_normalization` matches ours with `depth_radius =
    size // 2`. Defaults are the paper's k=2, n=5, α=1e-4, β=0.75. No trainable weights.
    """

    def __init__(self, size=5, alpha=1e-4, beta=0.75, k=2.0, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.size = check_int("size", size, minimum=1)
        self.alpha = check_float("alpha", alpha, minimum=0.0)
        self.beta = check_float("beta", beta, minimum=0.0)
        self.k = check_float("k", k, minimum=0.0)
        self.axis = check_int("axis", axis)
        self.supports_masking = True

    def call(self, inputs):
        channels = inputs.shape[self.axis]
        axis = self.axis % len(inputs.shape)
        squares = keras.ops.square(inputs)
        padding = [[0, 0]] * len(inputs.shape)
        padding[axis] = [self.size // 2, (self.size - 1) // 2]
        squares = keras.ops.pad(squares, padding)
        window_sum = 0.0
        for offset in range(self.size):
            index = [slice(None)] * len(inputs.shape)
            index[axis] = slice(offset, offset + channels)
            window_sum = window_sum + squares[tuple(index)]
        return inputs / keras.ops.power(self.k + self.alpha * window_sum, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, alpha=self.alpha, beta=self.beta, k=self.k, axis=self.axis)
        return config
