"""`tune` and `retrain_best`: a search folder keyed by a hash of the space and settings, the
trials table, the best configuration as JSON and as a recipe file, plots, and retraining.

Layout of `<out>/<space>-<tuner>-<hash>/`:
    search.json                settings, space (with its base recipe) and the hash
    tuner/                     keras-tuner's project (oracle, trials, checkpoints)
    logs/                      TensorBoard logs with HParams, one folder per trial
    trials.csv, trials.json    one row per trial: hyperparameters, objective, best epoch,
                               epochs run, time, status
    best_hyperparameters.json  the best trial's values, objective and best epoch
    best_recipe.json, best_recipe.py   the best configuration as a ready-to-run recipe
    objective.png              objective per trial and per hyperparameter
    retrain/                   `retrain-best`'s run folder
"""

import csv
import dataclasses
import json
import os
import pathlib
import pprint
import shutil

from dlrecipes.errors import ConfigError
from dlrecipes.search.hypermodel import (
    OBJECTIVE,
    RecipeHyperModel,
    frozen_collector,
    hyperband_budget,
    make_tuner,
    objective_direction,
)
from dlrecipes.search.space import SearchSpace, get_space
from dlrecipes.training.compile_defaults import POLICIES
from dlrecipes.validation import check_choice, check_int, make_folder

TUNER_CHOICES = ("random", "grid", "hyperband", "bayesian", "coarse-to-fine")
RESULT_FILES = (
    "trials.csv", "trials.json", "best_hyperparameters.json", "best_recipe.json",
    "best_recipe.py", "objective.png",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SearchSettings:
    """Everything besides the space that decides a search's trials (all part of its hash)."""

    tuner: str = "random"
    max_trials: int | None = None  # 10; Hyperband: all the trials of its brackets
    epochs: int = 5
    objective: str = OBJECTIVE
    seed: int = 0
    dataset: str | None = None
    max_train_examples: int | None = None
    max_validation_examples: int | None = None
    patience: int | None = None
    factor: int = 3  # Hyperband
    fine_trials: int | None = None  # coarse-to-fine stage 2 (default: max_trials)
    fine_epoch_factor: int = 3  # stage 2 trains this many times longer
    top_k: int = 3  # stage 2 ranges cover the best k stage-1 trials
    tensorboard: bool = True
    mixed_precision: str | None = None  # the trials' Keras dtype policy (base recipe's otherwise)

    def __post_init__(self):
        if self.tuner not in TUNER_CHOICES:
            raise ConfigError(f"tuner must be one of {list(TUNER_CHOICES)}. Received: tuner={self.tuner!r}")
        for field in ("epochs", "factor", "fine_epoch_factor", "top_k"):
            self._check_positive(field)
        if self.tuner == "hyperband" and self.factor < 2:
            raise ConfigError(f"factor must be at least 2 for Hyperband. Received: factor={self.factor}")
        if self.max_trials is None:
            budget = hyperband_budget(self.epochs, self.factor)[0] if self.tuner == "hyperband" else 10
            object.__setattr__(self, "max_trials", budget)
        self._check_positive("max_trials")
        if self.patience is not None:
            check_int("patience", self.patience, minimum=0)
        if not isinstance(self.objective, str) or not self.objective.startswith("val_"):
            raise ConfigError(
                "objective must be a validation metric, 'val_' and a metric the trials compile "
                f"(val_accuracy, val_loss, ...). Received: objective={self.objective!r}"
            )
        if self.mixed_precision is not None:
            check_choice("mixed_precision", self.mixed_precision, POLICIES)

    def _check_positive(self, field):
        value = getattr(self, field)
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"{field} must be a positive integer. Received: {field}={value!r}")

    def hashed(self):
        """The settings that change results (not the TensorBoard switch; mixed_precision only
        when set, so that searches made before it existed keep their folders)."""
        settings = {k: v for k, v in dataclasses.asdict(self).items() if k != "tensorboard"}
        if self.mixed_precision is None:
            del settings["mixed_precision"]
        return settings


def _base_space(space, settings):
    """The space with --seed, --dataset and --mixed-precision applied to its base recipe."""
    space = get_space(space)
    changes = {"seed": settings.seed, "dataset": settings.dataset, "mixed_precision": settings.mixed_precision}
    return SearchSpace(space.name, space.base.override(changes), space.specs)


def search_dir_for(space, settings, out):
    """`<out>/<space>-<tuner>-<first 12 hex digits of the hash>`."""
    digest = space.fingerprint(settings.hashed())[:12]
    return pathlib.Path(out) / f"{space.name}-{settings.tuner}-{digest}"


def _prepare_dir(search_dir, space, settings, *, resume, overwrite):
    if resume and overwrite:
        raise ConfigError("Pass --resume or --overwrite, not both.")
    record = search_dir / "search.json"
    if search_dir.exists() and overwrite:
        shutil.rmtree(search_dir)
    elif record.exists() and not resume:
        raise ConfigError(
            f"A search with this space and these settings exists in {search_dir}: pass --resume to "
            "continue it or --overwrite to start it again."
        )
    elif resume and not record.exists():
        others = sorted(p.name for p in search_dir.parent.glob(f"{space.name}-{settings.tuner}-*"))
        raise ConfigError(
            f"There is no search to resume in {search_dir}: the space or the settings differ from "
            f"every earlier search (which are kept, not resumed: {others or 'none'}). Run without --resume."
        )
    make_folder(search_dir, out=search_dir.parent, exist_ok=True)
    data = {
        "space": space.to_dict(),
        "settings": dataclasses.asdict(settings),
        "fingerprint": space.fingerprint(settings.hashed()),
    }
    record.write_text(json.dumps(data, indent=2, sort_keys=True, default=list) + "\n")


def load_data(space, settings, data_dir=None):
    """The base recipe's dataset split as it says, sliced to the settings' maximum sizes."""
    from dlrecipes.data import load

    base = space.base
    data = load(base.dataset, data_dir=data_dir, validation=base.validation, seed=base.seed)
    return data.limit(train=settings.max_train_examples, validation=settings.max_validation_examples)


def _search_callbacks(search_dir, settings):
    import keras

    if settings.tensorboard and keras.backend.backend() == "tensorflow":
        # keras-tuner gives each trial its own folder and adds the HParams plugin's callback
        return [keras.callbacks.TensorBoard(str(search_dir / "logs"))]
    return []


def _run_stage(space, settings, search_dir, data, *, kind, epochs, max_trials, overwrite, verbose):
    """One keras-tuner search; returns the tuner (with its oracle's trials)."""
    import keras

    keras.utils.set_random_seed(settings.seed)
    hypermodel = RecipeHyperModel(
        space, data, epochs=epochs, patience=settings.patience, objective=settings.objective,
        grid=kind == "grid",
    )
    if kind == "hyperband":
        trials, total_epochs = hyperband_budget(epochs, settings.factor)
        capped = f"{max_trials} of its {trials}" if max_trials and max_trials < trials else f"{trials}"
        print(
            f"Hyperband budget: max_epochs={epochs}, factor={settings.factor}: up to {capped} trials "
            f"and at most {total_epochs} epochs in all (trials of later rounds continue from checkpoints)",
            flush=True,
        )
    tuner = make_tuner(
        kind, hypermodel, directory=search_dir, max_trials=max_trials, max_epochs=epochs,
        factor=settings.factor, seed=settings.seed, overwrite=overwrite,
        max_consecutive_failed_trials=max(10, max_trials),
    )
    with frozen_collector():
        tuner.search(callbacks=_search_callbacks(search_dir, settings), verbose=verbose)
    return tuner


def _is_worker():
    from keras_tuner.src.distribute import utils as dist_utils

    return dist_utils.has_chief_oracle() and not dist_utils.is_chief_oracle()


def tune(
    space,
    *,
    out="searches",
    resume=False,
    overwrite=False,
    data_dir=None,
    distributed=None,
    trials_per_process=None,
    verbose=0,
    **settings,
):
    """Run a hyperparameter search of `space` (a name in tuning/ or a SearchSpace) and write its
    folder; returns the folder. `settings` are SearchSettings fields (tuner, max_trials, epochs,
    seed, max_train_examples, ...). `distributed=N` runs it as a keras-tuner chief and N workers
    on this machine (N=0: one worker per visible GPU). `trials_per_process=K` runs it in fresh
    child processes of K trials each (bounded memory on the TensorFlow backend)."""
    settings = SearchSettings(**settings)
    if distributed is not None:
        check_int("distributed", distributed, minimum=0)
    if trials_per_process is not None:
        check_int("trials_per_process", trials_per_process, minimum=1)
    space = _base_space(space, settings)
    search_dir = search_dir_for(space, settings, out)
    if distributed is not None:
        from dlrecipes.search.distributed import launch

        _prepare_dir(search_dir, space, settings, resume=resume, overwrite=overwrite)
        launch(search_dir, workers=distributed, data_dir=data_dir)
        return search_dir
    if trials_per_process is not None:
        from dlrecipes.search.distributed import run_recycled

        _prepare_dir(search_dir, space, settings, resume=resume, overwrite=overwrite)
        run_recycled(search_dir, trials_per_process, data_dir=data_dir)
        return search_dir
    if not _is_worker() and os.environ.get("KERASTUNER_TUNER_ID") != "chief":
        _prepare_dir(search_dir, space, settings, resume=resume, overwrite=overwrite)
    run_search(search_dir, data_dir=data_dir, verbose=verbose)
    return search_dir


def read_search(search_dir):
    """(SearchSpace, SearchSettings) recorded in a search folder."""
    record = pathlib.Path(search_dir) / "search.json"
    if not record.is_file():
        raise ConfigError(f"search_dir must be a search folder holding search.json. Received: {str(search_dir)!r}")
    data = json.loads(record.read_text())
    return SearchSpace.from_dict(data["space"]), SearchSettings(**data["settings"])


def run_search(search_dir, *, data_dir=None, verbose=0):
    """Run (or continue) the search recorded in `search_dir/search.json`; a worker of a
    distributed search runs trials only, everybody else also writes the results."""
    search_dir = pathlib.Path(search_dir)
    space, settings = read_search(search_dir)
    data = load_data(space, settings, data_dir)
    if settings.tuner == "coarse-to-fine":
        return _coarse_to_fine(space, settings, search_dir, data, verbose)
    tuner = _run_stage(
        space, settings, search_dir, data, kind=settings.tuner, epochs=settings.epochs,
        max_trials=settings.max_trials, overwrite=False, verbose=verbose,
    )
    if not _is_worker():
        export_results(tuner, space, settings, search_dir)
    return tuner


def _coarse_to_fine(space, settings, search_dir, data, verbose):
    """Stage 1: random search over the wide ranges, `epochs` per trial. Stage 2: random search
    over ranges narrowed around the best `top_k` stage-1 trials, `fine_epoch_factor` × longer."""
    coarse = _run_stage(
        space, settings, search_dir / "stage1", data, kind="random", epochs=settings.epochs,
        max_trials=settings.max_trials, overwrite=False, verbose=verbose,
    )
    export_results(coarse, space, settings, search_dir / "stage1")
    best = [coarse.hypermodel.values(t.hyperparameters) for t in coarse.oracle.get_best_trials(settings.top_k)]
    if not best:
        raise ConfigError(f"Every stage-1 trial failed; see {search_dir / 'stage1' / 'trials.csv'}.")
    fine_space = space.narrowed(best)
    (search_dir / "stage2").mkdir(exist_ok=True)
    (search_dir / "stage2" / "space.json").write_text(
        json.dumps(fine_space.to_dict(), indent=2, sort_keys=True, default=list) + "\n"
    )
    print(f"coarse-to-fine: stage 2 over {json.dumps(fine_space.to_dict()['space'], default=list)}", flush=True)
    fine = _run_stage(
        fine_space, settings, search_dir / "stage2", data, kind="random",
        epochs=settings.epochs * settings.fine_epoch_factor,
        max_trials=settings.fine_trials or settings.max_trials, overwrite=False, verbose=verbose,
    )
    export_results(fine, fine_space, settings, search_dir / "stage2")
    for name in RESULT_FILES:
        shutil.copy(search_dir / "stage2" / name, search_dir / name)
    return fine


def _row(trial, hypermodel, objective):
    metric = lambda name: (  # noqa: E731
        trial.metrics.get_last_value(name) if trial.metrics.exists(name) else None
    )
    try:
        values = hypermodel.values(trial.hyperparameters.copy())
    except Exception:  # noqa: BLE001  (a trial that never got values)
        values = {}
    extra = {k: v for k, v in trial.hyperparameters.values.items() if k.startswith("tuner/")}
    status = str(getattr(trial.status, "value", trial.status))
    return {
        "trial": trial.trial_id,
        "status": status,
        objective: trial.score if status == "COMPLETED" else None,
        "best_epoch": None if metric("best_epoch") is None else int(metric("best_epoch")),
        "epochs_run": None if metric("epochs_run") is None else int(metric("epochs_run")),
        "time_s": metric("time_s"),
        **{k: json.loads(json.dumps(v, default=list)) for k, v in values.items()},
        **extra,
        "message": ((trial.message or "").strip().splitlines() or [""])[-1],
    }


def export_results(tuner, space, settings, search_dir):
    """Write the trials table, the best configuration (JSON and recipe file) and the plots."""
    search_dir = pathlib.Path(search_dir)
    objective = settings.objective
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    rows = [_row(t, tuner.hypermodel, objective) for t in trials]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    (search_dir / "trials.json").write_text(json.dumps(rows, indent=2, default=list) + "\n")
    with open(search_dir / "trials.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows)
    _plot(rows, list(space.specs), objective, search_dir / "objective.png")
    best_trials = tuner.oracle.get_best_trials(1)
    if not best_trials:
        print(f"No trial completed; see {search_dir / 'trials.csv'}", flush=True)
        return None
    best_trial = best_trials[0]
    best_row = next(r for r in rows if r["trial"] == best_trial.trial_id)
    values = tuner.hypermodel.values(best_trial.hyperparameters.copy())
    recipe = space.recipe_for(values, epochs=tuner.hypermodel.epochs or space.base.epochs)
    recipe = recipe.override({"name": f"{space.name}_best"})
    best = {
        "trial": best_trial.trial_id,
        "objective": objective,
        "direction": objective_direction(objective),
        "value": best_trial.score,
        "best_epoch": best_row["best_epoch"],
        "hyperparameters": json.loads(json.dumps(values, default=list)),
    }
    (search_dir / "best_hyperparameters.json").write_text(json.dumps(best, indent=2) + "\n")
    (search_dir / "best_recipe.json").write_text(recipe.to_json() + "\n")
    (search_dir / "best_recipe.py").write_text(_recipe_file(recipe, best, search_dir))
    print(
        f"best trial {best['trial']}: {objective} {best['value']:.4f} at epoch {best['best_epoch']} "
        f"with {json.dumps(best['hyperparameters'], default=list)}",
        flush=True,
    )
    return best


def _recipe_file(recipe, best, search_dir):
    data = pprint.pformat(json.loads(recipe.to_json()), indent=4, sort_dicts=True, width=96)
    return (
        f'"""Best configuration of search {search_dir.name} (its results lie next to this file): {best["objective"]} '
        f'{best["value"]:.4f} (trial {best["trial"]}, best epoch {best["best_epoch"]}).\n\n'
        'Run it like any recipe: python best_recipe.py --epochs 10\n"""\n\n'
        "from dlrecipes import Recipe\n"
        "from dlrecipes.cli import main\n\n"
        f"RECIPE = Recipe.from_dict(\n{data}\n)\n\n"
        'if __name__ == "__main__":\n'
        "    main(RECIPE)\n"
    )


def _plot(rows, paths, objective, path):
    """Objective per trial (failed trials marked, best so far) and per hyperparameter."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    done = [r for r in rows if r[objective] is not None]
    panels = [p for p in paths if any(p in r for r in done)]
    columns = 1 + len(panels)
    figure, axes = pyplot.subplots(1, columns, figsize=(4 * columns, 3.5), squeeze=False)
    axis = axes[0][0]
    pick = max if objective_direction(objective) == "max" else min
    xs = [i for i, r in enumerate(rows) if r[objective] is not None]
    ys = [rows[i][objective] for i in xs]
    axis.scatter(xs, ys, label="completed")
    failed = [i for i, r in enumerate(rows) if r[objective] is None]
    if failed:
        axis.scatter(failed, [min(ys, default=0)] * len(failed), marker="x", color="red", label="failed")
    if ys:
        axis.plot(xs, [pick(ys[: k + 1]) for k in range(len(ys))], color="gray", label="best so far")
    axis.set(xlabel="trial", ylabel=objective, title="objective per trial")
    axis.legend(fontsize="small")
    for axis, name in zip(axes[0][1:], panels):
        points = [(r[name], r[objective]) for r in done if name in r]
        xs = [x for x, _ in points]
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs):
            axis.scatter(xs, [y for _, y in points])
            if min(xs) > 0 and max(xs) / min(xs) > 50:
                axis.set_xscale("log")
        else:
            labels = sorted({json.dumps(x) for x in xs})
            axis.scatter([labels.index(json.dumps(x)) for x in xs], [y for _, y in points])
            axis.set_xticks(range(len(labels)), labels, rotation=30, fontsize="small")
        axis.set(xlabel=name, ylabel=objective)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    pyplot.close(figure)


def retrain_best(search_dir, *, data_dir=None, out=None, verbose="auto"):
    """Retrain the best configuration of a finished search on train + validation merged, for
    the best trial's epoch count, and evaluate it once on test (the engine's `train`)."""
    from dlrecipes.training import train
    from dlrecipes.training.recipe import Recipe

    search_dir = pathlib.Path(search_dir)
    _, settings = read_search(search_dir)
    if not (search_dir / "best_recipe.json").is_file():
        raise ConfigError(f"{search_dir} has no best_recipe.json: the search has not finished or no trial completed.")
    best = json.loads((search_dir / "best_hyperparameters.json").read_text())
    recipe = Recipe.from_dict(json.loads((search_dir / "best_recipe.json").read_text()))
    changes = {
        "name": recipe.name.removesuffix("_best") + "_retrained",
        "epochs": int(best["best_epoch"]),
        "validation": 0,  # the validation examples join the training set
        "early_stopping.patience": None,
    }
    if recipe.schedule.name == "plateau":
        changes["schedule.options.monitor"] = "loss"
    data = recipe.to_dict()
    for path, value in changes.items():  # override() skips None, patience=None must be set
        *parents, leaf = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[leaf] = value
    recipe = Recipe.from_dict(data)
    limit = None
    if settings.max_train_examples is not None:
        limit = settings.max_train_examples + (settings.max_validation_examples or recipe.validation or 0)
    result = train(
        recipe, data_dir=data_dir, out=out or search_dir / "retrain", max_train_examples=limit, verbose=verbose
    )
    metrics = result.metrics
    print(
        f"retrained {recipe.name} for {recipe.epochs} epochs on train+validation: test accuracy "
        f"{metrics['test_accuracy']:.4f}, test loss {metrics['test_loss']:.4f}",
        flush=True,
    )
    print(f"run folder: {result.run_dir}", flush=True)
    return result


# --- command line: `dlrecipes tune`, `dlrecipes retrain-best`, and space scripts -------------


def add_tune_arguments(parser, *, with_space=True):
    """The flags of `dlrecipes tune` (and of every space script, without SPACE)."""
    if with_space:
        parser.add_argument("space", help="search space name (a file in tuning/)")
    parser.add_argument("--dataset", help="dataset (the base recipe's otherwise)")
    parser.add_argument("--tuner", choices=TUNER_CHOICES, default="random")
    parser.add_argument("--max-trials", type=int, help="trials (default 10; Hyperband: at most, default its whole budget)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per trial (Hyperband: max_epochs)")
    parser.add_argument("--objective", default=OBJECTIVE, help="metric to optimise (default val_accuracy, max)")
    parser.add_argument("--out", default="searches", help="root of search folders (default: searches)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help="continue the interrupted search of these settings")
    group.add_argument("--overwrite", action="store_true", help="delete the search of these settings, start again")
    parser.add_argument("--seed", type=int, default=0, help="seeds Keras, the data split and the oracle")
    parser.add_argument("--patience", type=int, help="EarlyStopping patience in trials (base recipe's otherwise)")
    parser.add_argument("--factor", type=int, default=3, help="Hyperband's reduction factor")
    parser.add_argument("--max-train-examples", type=int, metavar="N", help="train trials on the first N examples")
    parser.add_argument("--max-validation-examples", type=int, metavar="N", help="validate on the first N examples")
    parser.add_argument("--data-dir", help="folder with the dataset's raw files")
    parser.add_argument(
        "--distributed", type=int, metavar="N", nargs="?", const=0,
        help="keras-tuner chief + N workers on this machine (no N: one per visible GPU)",
    )
    parser.add_argument(
        "--trials-per-process", type=int, metavar="K",
        help="run the trials in fresh processes of K trials each (bounds memory on TensorFlow)",
    )
    parser.add_argument("--no-tensorboard", action="store_true", help="skip TensorBoard/HParams logs")
    parser.add_argument(
        "--mixed-precision", choices=POLICIES,
        help="train the trials under this Keras dtype policy, e.g. mixed_bfloat16 on a GPU, auto: bfloat16 where native (base recipe's otherwise)",
    )


def tune_command(args, space=None):
    search_dir = tune(
        space if space is not None else args.space,
        out=args.out,
        resume=args.resume,
        overwrite=args.overwrite,
        data_dir=args.data_dir,
        distributed=args.distributed,
        trials_per_process=args.trials_per_process,
        verbose=1 if os.isatty(1) else 0,
        tuner=args.tuner,
        max_trials=args.max_trials,
        epochs=args.epochs,
        objective=args.objective,
        seed=args.seed,
        dataset=args.dataset,
        max_train_examples=args.max_train_examples,
        max_validation_examples=args.max_validation_examples,
        patience=args.patience,
        factor=args.factor,
        tensorboard=not args.no_tensorboard,
        mixed_precision=args.mixed_precision,
    )
    print(f"search folder: {search_dir}")


def retrain_best_command(args):
    retrain_best(args.search_dir, data_dir=args.data_dir, out=args.out)


def main(SPACE, argv=None):  # noqa: N803  (called as main(SPACE) by space scripts)
    """Run a space script: `python tuning/<name>.py --tuner hyperband --epochs 9`."""
    import argparse
    import sys

    from dlrecipes.cli import run_reporting_errors
    from dlrecipes.search.space import space_from_module

    module = sys.modules["__main__"]
    name = pathlib.Path(module.__file__).stem
    script = argparse.ArgumentParser(description=f"Hyperparameter search over space {name}")
    add_tune_arguments(script, with_space=False)
    args = script.parse_args(argv)
    sys.exit(run_reporting_errors(lambda a: tune_command(a, space_from_module(name, module)), args))
