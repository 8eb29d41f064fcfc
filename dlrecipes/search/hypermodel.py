"""`RecipeHyperModel` and the keras-tuner tuners that run it.

The hypermodel never builds or trains a model itself: `build` turns a trial's hyperparameters
into a recipe and asks the engine's `compiled_model` for the compiled model; `fit` calls
`model.fit` on the engine's data pipeline (`DatasetSplits.as_dataset`) with EarlyStopping on the
objective, TerminateOnNaN and the recipe's learning-rate schedule.
"""

import contextlib
import gc
import math
import time

import keras
import keras_tuner
import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice

OBJECTIVE = "val_accuracy"


def objective_direction(name):
    return "max" if name.endswith("accuracy") else "min"


def validation_metrics(data):
    """The validation metrics a trial on `data` reports: val_loss and its task's metrics."""
    from dlrecipes.tasks import task_of

    names = ["loss", *(m if isinstance(m, str) else m.name for m in task_of(data).metrics(data))]
    return [f"val_{name}" for name in names]


class RecipeHyperModel(keras_tuner.HyperModel):
    """Models of the recipes a `SearchSpace` describes, for the data `data` (a DatasetSplits).

    Args:
        space: a `dlrecipes.search.SearchSpace`.
        data: the DatasetSplits trials train and validate on.
        epochs: epochs per trial (the recipe's `epochs`, so schedules span the trial);
            Hyperband passes its own per-round epochs to `fit`, and a round that continues a
            trial (`initial_epoch` > 0, weights reloaded with a fresh optimizer) starts at
            that epoch's optimizer step, so a step-based schedule continues instead of
            restarting.
        patience: EarlyStopping patience on the objective (the base recipe's when None; no
            early stopping when both are None).
        objective: the metric the search optimises (e.g. "val_accuracy", maximised).
        grid: declare floats without a step on the course's coarse grid (GridSearch).
    """

    def __init__(self, space, data, *, epochs=None, patience=None, objective=OBJECTIVE, grid=False):
        super().__init__(name=space.name, tunable=True)
        self.space = space
        self.data = data
        self.epochs = epochs
        self.patience = patience if patience is not None else space.base.early_stopping.patience
        self.objective = check_choice("objective", objective, validation_metrics(data))
        self.grid = grid
        self._schedule_callbacks = []

    def declare_hyperparameters(self, hp):
        self.space.declare(hp, grid=self.grid)

    def values(self, hp):
        """{dotted field: value} of the active hyperparameters of `hp`."""
        return self.space.declare(hp, grid=self.grid)

    def recipe(self, hp):
        """The recipe of a trial (ConfigError when the combination is invalid)."""
        settings = {} if self.epochs is None else {"epochs": self.epochs}
        return self.space.recipe_for(self.values(hp), **settings)

    def build(self, hp):
        from dlrecipes.training.engine import compiled_model

        try:
            recipe = self.recipe(hp)
            keras.utils.set_random_seed(recipe.seed)
            model, self._schedule_callbacks = compiled_model(recipe, self.data)
        except ConfigError as error:  # e.g. too many poolings for the input: skip the trial
            raise keras_tuner.errors.FailedTrialError(f"cannot build this configuration: {error}") from error
        return model

    def fit(self, hp, model, *args, epochs=None, initial_epoch=0, callbacks=(), verbose=0, **kwargs):
        recipe = self.recipe(hp)
        mode = objective_direction(self.objective)
        trial_callbacks = [keras.callbacks.TerminateOnNaN(), *self._schedule_callbacks]
        if self.patience is not None:
            trial_callbacks.append(
                keras.callbacks.EarlyStopping(monitor=self.objective, mode=mode, patience=self.patience)
            )
        if initial_epoch:  # Hyperband resumes a trial from weights only: step-based schedules go on
            model.optimizer.iterations.assign(initial_epoch * self.data.steps_per_epoch(recipe.batch_size))
        start = time.perf_counter()
        try:
            history = model.fit(
                self.data.as_dataset("train", recipe.batch_size, seed=recipe.seed),
                validation_data=self.data.as_dataset("validation", recipe.batch_size),
                epochs=epochs or recipe.epochs,
                initial_epoch=initial_epoch,
                callbacks=[*trial_callbacks, *callbacks],
                shuffle=False,
                verbose=verbose,
            ).history
        except Exception as error:  # out of memory: record the trial as failed, go on
            if "ResourceExhausted" in type(error).__name__ or "out of memory" in str(error).lower():
                raise keras_tuner.errors.FailedTrialError(f"out of memory: {error}") from error
            raise
        seconds = time.perf_counter() - start
        losses = history.get("loss", [])
        scores = history.get(self.objective, [])
        if not scores or any(not math.isfinite(v) for v in losses + scores):
            raise keras_tuner.errors.FailedTrialError(
                f"training diverged (loss {losses[-1] if losses else 'missing'}): NaN trial"
            )
        best = int(np.argmax(scores) if mode == "max" else np.argmin(scores))
        results = {name: float(values[best]) for name, values in history.items() if name.startswith("val_")}
        results.update(
            best_epoch=initial_epoch + best + 1,  # 1-based: epochs needed to reach the best
            epochs_run=len(scores),
            time_s=seconds,
        )
        return results


@contextlib.contextmanager
def frozen_collector():
    """What exists before a search (the frameworks' modules, the loaded data) outlives it: frozen
    out of the garbage collector while the search runs (and unfrozen however it ends), so that the
    full collections around every trial (`clear_session` here and in keras-tuner's `_try_build`)
    scan only the trials' own objects. Before, each took 0.27 s, four per trial: 4.3 of the 7.7 s
    of a 4-trial search of `linear_svm_fashion_mnist` on 2 CPU cores (300 examples, 1 epoch;
    cProfile, 2026-12-02); frozen, the search took 4.0 s."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _RecipeTuner:
    """Mixin for keras-tuner tuners: the space is declared from data (no model is built to
    discover conditional hyperparameters) and memory is released after every trial."""

    def _populate_initial_space(self):
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        self.oracle.update_space(hp)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)  # saves the oracle's state
        self.hypermodel._schedule_callbacks = []
        keras.backend.clear_session()  # and a full garbage collection
        self.budget.trial_ended()  # a recycled child process may end here

    def on_search_end(self):
        super().on_search_end()
        self.budget.write()

    @property
    def budget(self):
        from dlrecipes.search.distributed import TrialBudget

        if not hasattr(self, "_budget"):
            self._budget = TrialBudget(self.directory)
        return self._budget


class RandomSearch(_RecipeTuner, keras_tuner.RandomSearch):
    pass


class GridSearch(_RecipeTuner, keras_tuner.GridSearch):
    pass


class Hyperband(_RecipeTuner, keras_tuner.Hyperband):
    pass


class BayesianOptimization(_RecipeTuner, keras_tuner.BayesianOptimization):
    pass


TUNERS = {
    "random": RandomSearch,
    "grid": GridSearch,
    "hyperband": Hyperband,
    "bayesian": BayesianOptimization,
}


def make_tuner(
    kind,
    hypermodel,
    *,
    directory,
    project_name="tuner",
    max_trials=10,
    max_epochs=None,
    factor=3,
    seed=0,
    overwrite=False,
    max_consecutive_failed_trials=10,
):
    """A keras-tuner tuner of `kind` ("random", "grid", "hyperband", "bayesian") over
    `hypermodel`; `seed` seeds the oracle (keras-tuner treats 0 as "no seed", hence seed + 1)."""
    objective = keras_tuner.Objective(hypermodel.objective, objective_direction(hypermodel.objective))
    common = dict(
        hypermodel=hypermodel,
        objective=objective,
        seed=seed + 1,
        directory=str(directory),
        project_name=project_name,
        overwrite=overwrite,
        max_consecutive_failed_trials=max_consecutive_failed_trials,
    )
    if kind == "hyperband":
        tuner = Hyperband(max_epochs=max_epochs or hypermodel.epochs, factor=factor, **common)
        if max_trials:
            tuner.oracle.max_trials = max_trials
        return tuner
    if kind not in TUNERS:
        raise ConfigError(f"tuner must be one of {sorted(TUNERS)}. Received: tuner={kind!r}")
    return TUNERS[kind](max_trials=max_trials, **common)


def hyperband_budget(max_epochs, factor=3, iterations=1):
    """(trials, epochs) a Hyperband search runs at most, with keras-tuner's own bracket sizes:
    each trial of a later round continues from its predecessor's checkpoint, so it costs only
    the epochs it adds."""
    oracle = keras_tuner.oracles.HyperbandOracle(
        objective=keras_tuner.Objective(OBJECTIVE, "max"), max_epochs=max_epochs, factor=factor
    )
    trials = epochs = 0
    for bracket in range(oracle._get_num_brackets()):
        previous = 0
        for round_ in range(bracket + 1):
            size = oracle._get_size(bracket, round_)
            round_epochs = oracle._get_epochs(bracket, round_)
            trials += size
            epochs += size * (round_epochs - previous)
            previous = round_epochs
    return trials * iterations, epochs * iterations
