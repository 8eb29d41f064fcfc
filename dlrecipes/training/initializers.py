"""Weight initializers by name: Keras' own (Glorot/Xavier uniform and normal — Glorot & Bengio
2010; He — He et al. 2015; LeCun — LeCun et al. 1998) and the course's cautionary "small random
numbers" W = 0.01·N(0, 1) (CS231n), registered so that `kernel_initializer="small_normal"` works
in every builder and in saved models."""

import keras

from dlrecipes.errors import ConfigError


@keras.saving.register_keras_serializable(package="dlrecipes")
class SmallNormal(keras.initializers.RandomNormal):
    """W = 0.01·N(0, 1): fine for small nets, makes activations vanish in deep ones."""

    def __init__(self, stddev=0.01, seed=None):
        super().__init__(mean=0.0, stddev=stddev, seed=seed)

    def get_config(self):
        return {"stddev": self.stddev, "seed": self.seed}


# String names Keras resolves (keras.initializers.get) to our initializers.
keras.saving.get_custom_objects()["small_normal"] = SmallNormal

INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "small_normal",
    "orthogonal",
    "zeros",
)


def check_initializer(argument, value):
    """A name in INITIALIZERS, or anything `keras.initializers.get` accepts; else ConfigError."""
    if isinstance(value, str) and value in INITIALIZERS:
        return value
    try:
        keras.initializers.get(value)
    except (ValueError, TypeError):
        from dlrecipes.validation import suggest

        raise ConfigError(
            f"{argument} must be one of {list(INITIALIZERS)} or a Keras initializer. "
            f"Received: {argument}={value!r}." + suggest(value, INITIALIZERS)
        ) from None
    return value
