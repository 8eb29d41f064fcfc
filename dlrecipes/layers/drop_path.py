"""Layers that drop whole paths of a network while training (backend-agnostic: keras.ops and
keras.random with a SeedGenerator, so they run and train on TensorFlow, JAX and PyTorch).

- `StochasticDepth`: Huang, Sun, Liu, Sedra & Weinberger 2016, "Deep Networks with Stochastic
  Depth": one Bernoulli gate per mini-batch on a residual branch, and at test time the branch
  scaled by its survival probability.
- `DropPath`: the per-example form of timm (`timm.layers.DropPath`): each example's branch is
  kept with probability 1 − rate and scaled by 1/(1 − rate), so inference is the identity.
- `FractalColumnSampler` and `FractalJoin`: Larsson, Maire & Shakhnarovich 2017, "FractalNet:
  Ultra-Deep Neural Networks without Residuals": joins average their inputs; drop-path is
  sampled per mini-batch, either local (each join drops each input with a fixed probability,
  keeping at least one) or global (one column is kept in every join of the network).

`drop_path_layer` and `linear_drop_rates` build the per-block layers of a residual network with
Huang et al.'s linear decay p_l = 1 − (l/L)(1 − p_L).
"""

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, check_float, check_int, check_rate

DROP_PATH_MODES = ("batch", "example")


class _Sampling(keras.layers.Layer):
    """A layer with a `seed` and the SeedGenerator its random draws advance."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed if seed is None else check_int("seed", seed, minimum=0)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def uniform(self, shape):
        return keras.random.uniform(shape, seed=self.seed_generator, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="dlrecipes")
class StochasticDepth(_Sampling):
    """Huang et al. 2016: training multiplies the input (a residual branch) by one gate
    b ~ Bernoulli(`survival_probability`) drawn per mini-batch, so a dropped block is the
    identity for the whole batch; inference multiplies it by `survival_probability`, the
    gate's expectation. (The paper also skips the dropped block's computation; a static graph
    computes it and multiplies by 0.)"""

    def __init__(self, survival_probability=0.5, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.survival_probability = check_float(
            "survival_probability", survival_probability, minimum=0.0, maximum=1.0
        )
        if self.survival_probability == 0.0:
            raise ConfigError("survival_probability must be in (0, 1]. Received: survival_probability=0.0")

    def call(self, inputs, training=False):
        if not training or self.survival_probability == 1.0:
            return inputs * self.survival_probability
        gate = keras.ops.cast(self.uniform(()) < self.survival_probability, self.compute_dtype)
        return inputs * gate

    def get_config(self):
        return {**super().get_config(), "survival_probability": self.survival_probability}


@keras.saving.register_keras_serializable(package="dlrecipes")
class DropPath(_Sampling):
    """timm's DropPath: training keeps each example's input with probability 1 − `rate` and
    divides the kept ones by 1 − `rate` (an unbiased estimate); inference is the identity."""

    def __init__(self, rate=0.0, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = check_rate("rate", rate)

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs
        keep = 1.0 - self.rate
        shape = (keras.ops.shape(inputs)[0],) + (1,) * (len(inputs.shape) - 1)
        return inputs * keras.ops.floor(keep + self.uniform(shape)) / keep

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


def linear_drop_rates(drop_path_rate, num_blocks):
    """Drop rates of blocks l = 1..L under Huang et al.'s linear decay of the survival
    probability, p_l = 1 − (l/L)(1 − p_L) with 1 − p_L = `drop_path_rate`: rate·l/L."""
    return [drop_path_rate * block / num_blocks for block in range(1, num_blocks + 1)]


def drop_path_layer(rate, *, mode="batch", name):
    """The layer that drops a residual branch with probability `rate` (None when 0): "batch"
    is StochasticDepth (Huang et al.), "example" is DropPath (timm)."""
    check_choice("drop_path_mode", mode, DROP_PATH_MODES)
    if not rate:
        return None
    if mode == "batch":
        return StochasticDepth(1.0 - rate, name=name)
    return DropPath(rate, name=name)


@keras.saving.register_keras_serializable(package="dlrecipes")
class FractalColumnSampler(_Sampling):
    """FractalNet's global drop-path switch, drawn once per mini-batch and shared by every
    `FractalJoin` of a network. Its input is only used for the batch size; its output has shape
    (batch, `num_columns`): all ones for a local batch (and always at inference), and for a
    global batch (probability `global_rate`) the one-hot row of one column drawn uniformly."""

    def __init__(self, num_columns, global_rate=0.5, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.num_columns = check_int("num_columns", num_columns, minimum=1)
        self.global_rate = check_float("global_rate", global_rate, minimum=0.0, maximum=1.0)

    def call(self, inputs, training=False):
        ones = keras.ops.ones((keras.ops.shape(inputs)[0], self.num_columns), dtype=self.compute_dtype)
        if not training or self.global_rate == 0.0:
            return ones
        draw = self.uniform((2,))
        column = keras.ops.minimum(
            keras.ops.cast(keras.ops.floor(draw[1] * self.num_columns), "int32"), self.num_columns - 1
        )
        one_hot = keras.ops.one_hot(column, self.num_columns, dtype=self.compute_dtype)
        return keras.ops.where(draw[0] < self.global_rate, one_hot * ones, ones)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_columns)

    def get_config(self):
        return {**super().get_config(), "num_columns": self.num_columns, "global_rate": self.global_rate}


@keras.saving.register_keras_serializable(package="dlrecipes")
class FractalJoin(_Sampling):
    """FractalNet's join: the element-wise mean of the inputs that survive drop-path.

    Called on `[x_1, ..., x_n, columns_mask]`: `columns[i]` is the column x_i comes from and
    `columns_mask` the output of the network's `FractalColumnSampler`. Training, per
    mini-batch: in a global batch only the input of the sampled column survives (a join the
    sampled column does not pass through is off its path, and averages all inputs); in a local
    batch each input is dropped with probability `drop_rate`, and if all are, one drawn
    uniformly is kept (as in the authors' Caffe layer). Inference averages all inputs.
    """

    def __init__(self, columns, drop_rate=0.15, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.columns = tuple(check_int(f"columns[{i}]", c, minimum=0) for i, c in enumerate(columns))
        if len(self.columns) < 2:
            raise ConfigError(f"A join needs at least 2 inputs. Received: columns={columns!r}")
        self.drop_rate = check_rate("drop_rate", drop_rate)

    def call(self, inputs, training=False):
        *branches, columns_mask = inputs
        count = len(branches)
        if training:
            keep = self._keep(columns_mask[0], count)
            weights = keep / keras.ops.sum(keep)
        else:
            weights = [1.0 / count] * count
        output = branches[0] * weights[0]
        for index in range(1, count):
            output = output + branches[index] * weights[index]
        return output

    def _keep(self, columns_mask, count):
        """The 0/1 survival of each input for this mini-batch."""
        draw = self.uniform((count + 1,))
        local = keras.ops.cast(draw[:count] >= self.drop_rate, self.compute_dtype)
        revived = keras.ops.minimum(keras.ops.cast(keras.ops.floor(draw[count] * count), "int32"), count - 1)
        local = keras.ops.where(keras.ops.max(local) > 0, local, keras.ops.one_hot(revived, count, dtype=self.compute_dtype))
        on_column = keras.ops.take(columns_mask, list(self.columns))
        on_column = keras.ops.where(keras.ops.max(on_column) > 0, on_column, keras.ops.ones_like(on_column))
        return keras.ops.where(keras.ops.min(columns_mask) > 0, local, on_column)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "columns": list(self.columns), "drop_rate": self.drop_rate}
