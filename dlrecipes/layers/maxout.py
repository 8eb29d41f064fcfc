"""Maxout (Goodfellow et al. 2013, "Maxout networks")."""

import keras

from dlrecipes.validation import check_int


@keras.saving.register_keras_serializable(package="dlrecipes")
class Maxout(keras.layers.Layer):
    """h_i = max_j z_{i·k + j} over groups of `num_pieces` = k consecutive features of the last
    axis: a Dense or Conv layer with k·n outputs followed by Maxout gives n maxout units. Its
    width must be divisible by k."""

    def __init__(self, num_pieces=2, **kwargs):
        super().__init__(**kwargs)
        self.num_pieces = check_int("num_pieces", num_pieces, minimum=1)

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] % self.num_pieces:
            raise ValueError(
                f"Maxout needs a last dimension divisible by num_pieces={self.num_pieces}. "
                f"Received: input_shape={tuple(input_shape)}"
            )

    def call(self, inputs):
        shape = keras.ops.shape(inputs)
        grouped = keras.ops.reshape(inputs, (*shape[:-1], shape[-1] // self.num_pieces, self.num_pieces))
        return keras.ops.max(grouped, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.num_pieces)

    def get_config(self):
        return {**super().get_config(), "num_pieces": self.num_pieces}
