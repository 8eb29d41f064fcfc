"""The one training engine: recipe in, trained model and run folder out."""

import dataclasses
import datetime
import json
import pathlib
import sys
import time

import keras

from dlrecipes.errors import ConfigError
from dlrecipes.training import reporting
from dlrecipes.training.callbacks import BACKUP_INTERVAL_S, run_callbacks
from dlrecipes.training.compile_defaults import compile_options, dtype_policy, use_compilation_cache
from dlrecipes.training.distribute import Distribution
from dlrecipes.training.ensembles import snapshot_callbacks
from dlrecipes.training.losses import build_loss
from dlrecipes.training.optimizers import build_optimizer
from dlrecipes.training.recipe import Recipe
from dlrecipes.training.recipes import get_recipe
from dlrecipes.training.regularizers import apply_regularization
from dlrecipes.training.schedules import build_schedule
from dlrecipes.tasks import task_of
from dlrecipes.validation import check_float, check_int, make_folder

# Short flags of the CLI and recipe scripts -> recipe fields.
SHORTHANDS = {"lr": "optimizer.learning_rate"}


@dataclasses.dataclass
class RunResult:
    """A finished run: its folder, test metrics, trained model and per-epoch history."""

    run_dir: pathlib.Path
    metrics: dict
    model: keras.Model
    history: dict


def resolve_recipe(recipe, overrides):
    """A Recipe from a Recipe or a recipe name, with `overrides` (field names, dotted paths or
    SHORTHANDS; None values ignored) applied and validated."""
    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    if not isinstance(recipe, Recipe):
        raise ConfigError(f"recipe must be a Recipe or a recipe name. Received: recipe={recipe!r}")
    return recipe.override({SHORTHANDS.get(k, k): v for k, v in overrides.items()})


def _new_run_dir(recipe, out):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = pathlib.Path(out) / recipe.name / stamp
    run_dir, suffix = base, 1
    while run_dir.exists():
        suffix += 1
        run_dir = base.with_name(f"{stamp}-{suffix}")
    make_folder(run_dir, out=out)
    (run_dir / "recipe.json").write_text(recipe.to_json() + "\n")
    return run_dir


def _check_resumable(recipe, resume):
    run_dir = pathlib.Path(resume)
    saved = run_dir / "recipe.json"
    if not saved.is_file():
        raise ConfigError(f"resume must be a run folder holding recipe.json. Received: resume={str(resume)!r}")
    if (run_dir / "metrics.json").exists():
        raise ConfigError(f"The run in {run_dir} has already finished; there is nothing to resume.")
    if json.loads(saved.read_text()) != json.loads(recipe.to_json()):
        raise ConfigError(
            f"The run in {run_dir} was started with a different recipe; resume it with the same "
            "recipe and overrides (see its recipe.json)."
        )


def _progress(verbose):
    """Keras' progress bar on a terminal, one line per epoch in logs and CI."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    return verbose


def _monitor(recipe):
    monitor = recipe.early_stopping.monitor
    return monitor if recipe.validation else monitor.removeprefix("val_")


@keras.saving.register_keras_serializable(package="dlrecipes")
class AuxiliaryLossModel(keras.Model):
    """Trains `network`, whose first output is the prediction and whose other outputs are
    auxiliary classifiers (GoogLeNet's, Szegedy et al. 2015): the training loss is the compiled
    loss of the first output plus `aux_loss_weight` times the same loss of each other output;
    evaluation and metrics see the first output only, so the logs keep their names ("loss",
    "accuracy"). `main_model()` is the network without the auxiliary outputs, for inference."""

    def __init__(self, network, aux_loss_weight=0.3, **kwargs):
        super().__init__(**kwargs)
        self.network = network
        self.aux_loss_weight = float(aux_loss_weight)
        self.built = True  # as `network` is

    def call(self, inputs, training=None):
        return self.network(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        main, *auxiliary = y_pred
        loss = super().compute_loss(x, y, main, sample_weight, training)
        for output in auxiliary if training else ():
            loss = loss + self.aux_loss_weight * self.loss(y, output, sample_weight)
        return loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        return super().compute_metrics(x, y, y_pred[0], sample_weight)

    def main_model(self):
        return keras.Model(self.network.inputs, self.network.outputs[0], name=self.network.name)

    def get_config(self):
        network = keras.saving.serialize_keras_object(self.network)
        return {"name": self.name, "network": network, "aux_loss_weight": self.aux_loss_weight}

    @classmethod
    def from_config(cls, config):
        return cls(**{**config, "network": keras.saving.deserialize_keras_object(config["network"])})


def load_data(recipe, data_dir=None, max_train_examples=None):
    """The recipe's dataset split, restricted to its `classes` / `examples_per_class` and to the
    first `max_train_examples` training examples."""
    from dlrecipes.data import load

    if max_train_examples is not None:
        check_int("max_train_examples", max_train_examples, minimum=1)
    data = load(recipe.dataset, data_dir=data_dir, validation=recipe.validation, seed=recipe.seed)
    if recipe.classes or recipe.examples_per_class is not None:
        data = data.select_classes(recipe.classes, recipe.examples_per_class)
    if max_train_examples is not None:
        data = data.limit(train=max_train_examples)
    return data


def build_recipe_model(recipe, data):
    """The recipe's model for `data`'s shapes (built, or transferred from `transfer.source`),
    with its kernel penalties and constraints and its augmentation layers in front."""
    from dlrecipes.data.augmentation import with_augmentation
    from dlrecipes.registry import build_model
    from dlrecipes.training.transfer import transferred_model

    if recipe.transfer.source:
        model = transferred_model(recipe.transfer, data.num_classes, recipe.model.name)
    else:
        model = build_model(
            recipe.model.name,
            input_shape=data.input_shape,
            num_classes=data.num_classes,
            **task_of(data).builder_kwargs(recipe, data),
            **recipe.model.builder_kwargs(),
        )
    regularization = recipe.regularization
    apply_regularization(
        model, l1=regularization.l1, l2=regularization.weight_decay, max_norm=regularization.max_norm
    )
    return with_augmentation(model, recipe.augmentation, seed=recipe.seed, data=data)


def compiled_model(recipe, data):
    """(model, schedule callbacks): the recipe's model for `data`'s shapes, compiled with its
    optimizer, learning-rate schedule, loss and regularization, and its (or the backend's
    measured default) jit_compile and steps_per_execution, built under its mixed-precision
    policy; an `AuxiliaryLossModel` around it when it has several outputs. On JAX on an
    accelerator, XLA's compilations are cached on disk (`use_compilation_cache`, set before the
    model's first one: JAX decides at its first compilation whether a process uses the cache)."""
    use_compilation_cache()
    with dtype_policy(recipe.mixed_precision):
        model = build_recipe_model(recipe, data)
    if len(model.outputs) > 1:
        model = AuxiliaryLossModel(model, recipe.aux_loss_weight, name=model.name)
    learning_rate, schedule_callbacks = build_schedule(
        recipe.schedule.name,
        recipe.schedule.options,
        learning_rate=recipe.optimizer.learning_rate,
        steps_per_epoch=data.steps_per_epoch(recipe.batch_size),
        epochs=recipe.epochs,
        **recipe.schedule.build_kwargs(),
    )
    logits = recipe.model.options.get("classifier_activation") is None
    loss = build_loss(recipe.loss, from_logits=logits, label_smoothing=recipe.regularization.label_smoothing)
    model.compile(
        optimizer=build_optimizer(recipe.optimizer.name, learning_rate, recipe.optimizer.options),
        loss=loss,
        metrics=task_of(data).metrics(data),
        **compile_options(recipe.jit_compile, recipe.steps_per_execution),
    )
    return model, schedule_callbacks


def _metrics(recipe, data, model, history, test, *, monitor, wall_time):
    from dlrecipes.registry import count_params

    epochs_run = len(history["epoch"])
    return {
        "recipe": recipe.name,
        **{f"test_{name}": float(value) for name, value in test.items()},
        "best_epoch": reporting.best_epoch(history, monitor),
        "monitor": monitor,
        "epochs_run": epochs_run,
        "wall_time_s": wall_time,
        "examples_per_s": data.num_examples("train") * epochs_run / sum(history["train_time_s"]),
        "train_examples": data.num_examples("train"),
        "trainable_params": count_params(model)[0],
        "backend": keras.backend.backend(),
        "dtype_policy": model.dtype_policy.name,
        "keras_version": keras.__version__,
        "data_source": data.source,
        "reference": recipe.reference,
    }


def train(
    recipe,
    *,
    data_dir=None,
    out="runs",
    resume=None,
    callbacks=(),
    max_train_examples=None,
    verbose="auto",
    distribute=None,
    backup_interval_s=BACKUP_INTERVAL_S,
    **overrides,
):
    """Train `recipe` (a Recipe or a recipe name) and write `<out>/<recipe>/<timestamp>/`.

    `overrides` replace recipe fields (`epochs=3`, `lr=0.01`, `**{"optimizer.name": "sgd"}`).
    `resume` is the folder of a killed run of the same recipe: training continues from the
    epoch after its last backup. `max_train_examples` trains on the first n training examples only.
    `distribute` ("mirrored", "multi-worker") trains data-parallel, `batch_size` being the
    global batch (training.distribute). `backup_interval_s`: the backup a killed run resumes from
    is written at the end of an epoch once this many seconds have passed since the last one
    (callbacks.IntervalBackup; 0: after every epoch but the last); multi-worker runs take 0, as
    the workers' clocks could disagree on when a backup is due. Every argument is checked, the
    data loaded and the model built before anything is written.
    """
    recipe = resolve_recipe(recipe, overrides)
    if max_train_examples is not None:
        check_int("max_train_examples", max_train_examples, minimum=1)
    check_float("backup_interval_s", backup_interval_s, minimum=0.0)
    if resume:
        _check_resumable(recipe, resume)
    distribution = Distribution(distribute)  # first: multi-worker must start before TF does
    keras.utils.set_random_seed(recipe.seed)
    data = load_data(recipe, data_dir, max_train_examples)
    task_of(data).check(recipe)
    distribution.check_batches(data, recipe.batch_size)
    with distribution.scope():
        model, schedule_callbacks = compiled_model(recipe, data)
        run_dir = pathlib.Path(resume) if resume else _new_run_dir(recipe, out)
        monitor = _monitor(recipe)
        task = task_of(data)

        fit_callbacks = run_callbacks(
            recipe,
            run_dir,
            monitor=monitor,
            schedule_callbacks=schedule_callbacks,
            backup_interval_s=0.0 if distribution.name == "multi-worker" else backup_interval_s,
            extra=[*snapshot_callbacks(recipe, run_dir), *task.callbacks(recipe, data, run_dir), *callbacks],
        )
        start = time.perf_counter()
        model.fit(
            data.as_dataset("train", recipe.batch_size, seed=recipe.seed),
            validation_data=data.as_dataset("validation", recipe.batch_size) if recipe.validation else None,
            epochs=recipe.epochs,
            callbacks=fit_callbacks,
            shuffle=False,  # the pipeline shuffles, seeded
            verbose=_progress(verbose),
        )
        end = time.perf_counter()
        wall_time, fit_overhead = end - start, fit_callbacks[0].fit_overhead(start, end)
        test = model.evaluate(data.as_dataset("test", recipe.batch_size), return_dict=True, verbose=0)
    if isinstance(model, AuxiliaryLossModel):  # saved without its auxiliary classifiers, uncompiled
        model = model.main_model()
    model.save(run_dir / "model.keras")

    history = reporting.read_history(run_dir / "history.csv")
    metrics = _metrics(recipe, data, model, history, test, monitor=monitor, wall_time=wall_time)
    metrics.update(fit_overhead)
    metrics.update(task.report(recipe, data, model, run_dir))
    metrics.update(distribute=distribute, replicas=distribution.replicas)
    reporting.write_json(run_dir / "metrics.json", metrics)
    reporting.plot_curves(history, run_dir / "curves.png", title=f"{recipe.name} ({recipe.model.name})")
    return RunResult(run_dir=run_dir, metrics=metrics, model=model, history=history)
