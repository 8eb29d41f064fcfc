"""The callbacks every run uses, in the order they must run."""

import time

import keras

from dlrecipes.data.array_batches import tensorflow_installed

# Seconds of training a killed run may lose at most, besides the epoch in progress (IntervalBackup).
BACKUP_INTERVAL_S = 60.0


def learning_rate_reader(optimizer):
    """A function of no argument returning `optimizer`'s learning rate now (its schedule's value at
    its step count) as a float. On JAX, one compiled program of the optimizer's variables
    (`keras.StatelessScope` binds them to its argument) instead of the schedule's eager ops, each
    compiled on first use. On JAX on 2 CPU cores (2026-12-04, two runs each before and after this
    reader, `dlrecipes train fashion_mnist_fast_gpu --max-train-examples 500 --epochs 4 --set
    'model.options.config=[8, "M"]'`, metrics.json): `fit`'s time between epochs 0.35–0.38
    s reading the one-cycle rate op by op, 0.04–0.05 s compiled; `fit` 2.72–2.75 → 2.16–2.19 s."""
    if keras.backend.backend() != "jax":
        return lambda: float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    import jax

    variables = list(optimizer.variables)

    def learning_rate(values):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return keras.ops.convert_to_tensor(optimizer.learning_rate)

    compiled = jax.jit(learning_rate)
    return lambda: float(compiled([variable.value for variable in variables]))


class TrainingLogger(keras.callbacks.Callback):
    """Adds to each epoch's logs the learning rate in use and `train_time_s`, the epoch's time
    without validation (for examples per second), and keeps where the rest of `fit`'s time goes
    (`fit_overhead`). First in the callback list, so that its epoch starts before every other
    callback's."""

    def on_train_begin(self, logs=None):
        self._first_start, self._epoch_end, self._between_epochs = time.perf_counter(), None, 0.0
        self._learning_rate = learning_rate_reader(self.model.optimizer)

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._train_end = None
        if self._epoch_end is None:
            self._first_start = self._start
        else:
            self._between_epochs += self._start - self._epoch_end

    def on_test_begin(self, logs=None):
        if self._train_end is None:
            self._train_end = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self._epoch_end = self._train_end or time.perf_counter()  # the end of the epoch's training
        if logs is None:
            return
        logs["train_time_s"] = self._epoch_end - self._start
        logs["learning_rate"] = self._learning_rate()

    def fit_overhead(self, fit_start, fit_end):
        """Where the seconds of a `fit` call from `fit_start` to `fit_end` (perf_counter) went
        besides its epochs' training (`train_time_s`), which they add up to: before the first epoch
        (Keras' setup, the callbacks' on_train_begin), between one epoch's training and the next's
        (validation, the learning-rate read, the other callbacks' end-of-epoch work: backups, logs)
        and after the last epoch's training (the same, then on_train_end)."""
        return {
            "fit_setup_s": self._first_start - fit_start,
            "between_epochs_s": self._between_epochs,
            "fit_teardown_s": fit_end - (self._epoch_end or self._first_start),
        }


class IntervalBackup(keras.callbacks.BackupAndRestore):
    """Keras' BackupAndRestore (a killed run resumes from its last backup), writing its end-of-epoch
    backup only once `interval_s` seconds have passed since the last one (or since training
    began), and never after the last epoch, whose backup Keras deletes as training ends.
    `interval_s=0` backs up after every epoch but the last. A backup writes the weights and the
    optimizer's state: for the GPU speed recipe's 1.70 M-parameter network (JAX, 2 CPU cores,
    2026-12-04, two runs each of `KERAS_BACKEND=jax dlrecipes train fashion_mnist_fast_gpu
    --max-train-examples 500 --epochs 8 --backup-interval 0` and `60`, metrics.json's
    `between_epochs_s`), `fit`'s time between epochs was
    0.76–0.88 s backing up after each of the first 7 epochs and 0.33–0.36 s with no backup: 57–78
    ms a backup. PyTorch Lightning's ModelCheckpoint(train_time_interval=...) has the same idea."""

    def __init__(self, backup_dir, interval_s=BACKUP_INTERVAL_S):
        super().__init__(backup_dir)
        self.interval_s = float(interval_s)  # checked by train(), before anything is written
        self._last_backup = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._last_backup = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        last_epoch = epoch + 1 >= self.params.get("epochs", float("inf"))
        if not last_epoch and time.monotonic() - self._last_backup >= self.interval_s:
            super().on_epoch_end(epoch, logs)
            self._last_backup = time.monotonic()


def run_callbacks(recipe, run_dir, *, monitor, schedule_callbacks=(), extra=(), backup_interval_s=BACKUP_INTERVAL_S):
    """Logger, IntervalBackup (a killed run resumes from its last backup, at most
    `backup_interval_s` seconds of training old), TerminateOnNaN, ModelCheckpoint of the
    best epoch on validation data (none without a validation split: the best epoch by a training
    metric is not a model worth keeping beside the final one, and a whole model saved per epoch
    is a cost), EarlyStopping (best weights restored), the schedule's, CSVLogger, TensorBoard
    (where TensorFlow is installed: Keras writes its logs with tf.summary), then the caller's
    `extra` callbacks."""
    mode = "max" if monitor.endswith("accuracy") else "min"
    callbacks = [
        TrainingLogger(),
        IntervalBackup(str(run_dir / "backup"), backup_interval_s),
        keras.callbacks.TerminateOnNaN(),
    ]
    if recipe.validation:
        callbacks.append(keras.callbacks.ModelCheckpoint(
            str(run_dir / "checkpoint.keras"), monitor=monitor, mode=mode, save_best_only=True
        ))
    if recipe.early_stopping.patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor,
                mode=mode,
                patience=recipe.early_stopping.patience,
                min_delta=recipe.early_stopping.min_delta,
                restore_best_weights=True,
                verbose=1,
            )
        )
    callbacks += [
        *schedule_callbacks,
        keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True),
        *([keras.callbacks.TensorBoard(str(run_dir / "logs"))] if tensorflow_installed() else []),
        *extra,
    ]
    return callbacks
