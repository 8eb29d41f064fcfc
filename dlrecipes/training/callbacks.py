"""The callbacks every run uses, in the order they must run."""

import time

import keras

from dlrecipes.data.array_batches import tensorflow_installed


class TrainingLogger(keras.callbacks.Callback):
    """Adds to each epoch's logs the learning rate in use and `train_time_s`, the epoch's time
    without validation (for examples per second), and keeps where the rest of `fit`'s time goes
    (`fit_overhead`). First in the callback list, so that its epoch starts before every other
    callback's."""

    def on_train_begin(self, logs=None):
        self._first_start, self._epoch_end, self._between_epochs = time.perf_counter(), None, 0.0

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
        learning_rate = self.model.optimizer.learning_rate
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(learning_rate))

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


def run_callbacks(recipe, run_dir, *, monitor, schedule_callbacks=(), extra=()):
    """Logger, BackupAndRestore (a killed run resumes), TerminateOnNaN, ModelCheckpoint of the
    best epoch on validation data (none without a validation split: the best epoch by a training
    metric is not a model worth keeping beside the final one, and a whole model saved per epoch
    is a cost), EarlyStopping (best weights restored), the schedule's, CSVLogger, TensorBoard
    (where TensorFlow is installed: Keras writes its logs with tf.summary), then the caller's
    `extra` callbacks."""
    mode = "max" if monitor.endswith("accuracy") else "min"
    callbacks = [
        TrainingLogger(),
        keras.callbacks.BackupAndRestore(str(run_dir / "backup")),
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
