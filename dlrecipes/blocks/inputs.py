"""The model input, validated before any layer is built."""

import keras

from dlrecipes.validation import check_input_shape


def model_input(input_shape, *, model, rank=3, min_size=None):
    """`keras.Input` named "input" after checking the shape (rank None: any rank)."""
    if rank is None:
        shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
        rank = len(shape) if isinstance(shape, tuple) and shape else 1
    shape = check_input_shape(input_shape, rank, min_size=min_size, model=model)
    return keras.Input(shape=shape, name="input")
