"""The learning-rate schedules Keras lacks, as registered (saveable) LearningRateSchedules over
optimizer steps t = 0, 1, 2, ...; everything else comes from keras.optimizers.schedules."""

import keras

ops = keras.ops
_schedules = keras.optimizers.schedules


def _value(learning_rate, step):
    """A float learning rate, or a schedule's value at `step`."""
    if isinstance(learning_rate, _schedules.LearningRateSchedule):
        return learning_rate(step)
    return ops.convert_to_tensor(learning_rate, "float32")


def _serialize(learning_rate):
    if isinstance(learning_rate, _schedules.LearningRateSchedule):
        return _schedules.serialize(learning_rate)
    return float(learning_rate)


def _deserialize(learning_rate):
    return _schedules.deserialize(learning_rate) if isinstance(learning_rate, dict) else learning_rate


@keras.saving.register_keras_serializable(package="dlrecipes")
class InverseSqrtDecay(_schedules.LearningRateSchedule):
    """α_t = α0 / √(1 + t/s) (Vaswani et al. 2017 use the 1/√t tail after warm-up)."""

    def __init__(self, initial_learning_rate, decay_steps):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = float(decay_steps)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        return self.initial_learning_rate / ops.sqrt(1.0 + t / self.decay_steps)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps}


@keras.saving.register_keras_serializable(package="dlrecipes")
class OneCycle(_schedules.LearningRateSchedule):
    """1cycle policy (Smith 2018, "A disciplined approach to neural network hyper-parameters"):
    linear from α0 up to max_factor·α0 over the first up_fraction of the `total_steps`, linear back
    to α0 over the same number of steps, then linear down to final_factor·α0 at the end."""

    def __init__(self, initial_learning_rate, total_steps, max_factor=10.0, up_fraction=0.45, final_factor=0.01):
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = float(total_steps)
        self.max_factor = float(max_factor)
        self.up_fraction = float(up_fraction)
        self.final_factor = float(final_factor)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        low, high = self.initial_learning_rate, self.initial_learning_rate * self.max_factor
        up = max(self.up_fraction * self.total_steps, 1.0)
        rest = max(self.total_steps - 2 * up, 1.0)
        end = low * self.final_factor
        rising = low + (high - low) * t / up
        falling = high - (high - low) * (t - up) / up
        annealing = low - (low - end) * ops.minimum((t - 2 * up) / rest, 1.0)
        return ops.where(t < up, rising, ops.where(t < 2 * up, falling, annealing))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps,
            "max_factor": self.max_factor,
            "up_fraction": self.up_fraction,
            "final_factor": self.final_factor,
        }


@keras.saving.register_keras_serializable(package="dlrecipes")
class LinearWarmup(_schedules.LearningRateSchedule):
    """Linear warm-up (Goyal et al. 2017) in front of any schedule or constant: for t < w,
    α_t = α(0)·(s + (1 − s)·t/w) with s = `start_factor`; afterwards α_t = α(t − w), so the
    wrapped schedule starts where the warm-up ends."""

    def __init__(self, learning_rate, warmup_steps, start_factor=0.0):
        self.learning_rate = _deserialize(learning_rate)
        self.warmup_steps = float(warmup_steps)
        self.start_factor = float(start_factor)

    def __call__(self, step):
        t = ops.cast(step, "float32")
        ramp = self.start_factor + (1.0 - self.start_factor) * t / self.warmup_steps
        warm = _value(self.learning_rate, 0) * ramp
        return ops.where(t < self.warmup_steps, warm, _value(self.learning_rate, ops.maximum(t - self.warmup_steps, 0.0)))

    def get_config(self):
        return {
            "learning_rate": _serialize(self.learning_rate),
            "warmup_steps": self.warmup_steps,
            "start_factor": self.start_factor,
        }


@keras.saving.register_keras_serializable(package="dlrecipes")
class PerEpoch(_schedules.LearningRateSchedule):
    """A schedule updated once per epoch: α_t = α(⌊t / steps_per_epoch⌋ · steps_per_epoch)."""

    def __init__(self, learning_rate, steps_per_epoch):
        self.learning_rate = _deserialize(learning_rate)
        self.steps_per_epoch = int(steps_per_epoch)

    def __call__(self, step):
        epoch_start = (ops.cast(step, "int32") // self.steps_per_epoch) * self.steps_per_epoch
        return self.learning_rate(ops.cast(epoch_start, "float32"))

    def get_config(self):
        return {"learning_rate": _serialize(self.learning_rate), "steps_per_epoch": self.steps_per_epoch}


class WarmupCallback(keras.callbacks.Callback):
    """Linear warm-up for a float learning rate that a callback (ReduceLROnPlateau) owns:
    sets α(0)·(s + (1 − s)·t/w) before each of the first w steps."""

    def __init__(self, learning_rate, warmup_steps, start_factor=0.0):
        super().__init__()
        self.learning_rate, self.warmup_steps, self.start_factor = learning_rate, warmup_steps, start_factor

    def on_train_batch_begin(self, batch, logs=None):
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        if step <= self.warmup_steps:
            ramp = self.start_factor + (1.0 - self.start_factor) * min(step / self.warmup_steps, 1.0)
            self.model.optimizer.learning_rate = self.learning_rate * ramp
