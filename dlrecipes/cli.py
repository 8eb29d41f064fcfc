"""The `dlrecipes` command (`dlrecipes --help` lists its subcommands) and `main(RECIPE)` for recipe
scripts."""

import argparse
import sys

from dlrecipes.arguments import key_value, shape
from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.training.callbacks import BACKUP_INTERVAL_S
from dlrecipes.training.distribute import STRATEGIES


def add_train_arguments(parser):
    """The flags of `dlrecipes train` and of every recipe script."""
    parser.add_argument("--epochs", type=int, help="number of epochs (recipe's default otherwise)")
    parser.add_argument("--batch-size", type=int, help="examples per batch")
    parser.add_argument("--lr", type=float, help="initial learning rate")
    parser.add_argument("--seed", type=int, help="seed of weights, split and shuffling")
    parser.add_argument("--data-dir", help="folder with the dataset's raw files")
    parser.add_argument("--out", default="runs", help="root of run folders (default: runs)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue a killed run of this recipe")
    parser.add_argument(
        "--backup-interval", type=float, default=BACKUP_INTERVAL_S, metavar="SECONDS",
        help="back up for --resume at the end of an epoch once SECONDS have passed since the last "
        f"backup (default {BACKUP_INTERVAL_S:g}; 0: every epoch)",
    )
    parser.add_argument(
        "--max-train-examples", type=int, metavar="N", help="train on the first N examples only (smoke runs)"
    )
    parser.add_argument(
        "--set",
        type=key_value,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override any recipe field by its dotted name, VALUE as JSON when it parses "
        "(e.g. --set augmentation.flip=horizontal --set transfer.source=runs/x/y)",
    )
    parser.add_argument(
        "--distribute", choices=STRATEGIES, help="data-parallel training: mirrored (this machine's "
        "GPUs) or multi-worker (the machines of TF_CONFIG); --batch-size is the global batch"
    )


def _overrides(args):
    """Recipe overrides from the flags and the --set FIELD=VALUE pairs (a field given twice is
    an error, not a silent choice)."""
    flags = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed}
    overrides = {key: value for key, value in flags.items() if value is not None}
    for key, value in args.set:
        if key in overrides:
            raise ConfigError(f"{key} is given twice (a flag or an earlier --set). Received: --set {key}={value!r}")
        overrides[key] = value
    return overrides


def _train(recipe, args):
    from dlrecipes.training import train

    result = train(
        recipe,
        data_dir=args.data_dir,
        out=args.out,
        resume=args.resume,
        max_train_examples=args.max_train_examples,
        distribute=args.distribute,
        backup_interval_s=args.backup_interval,
        **_overrides(args),
    )
    metrics = result.metrics
    print(
        f"{metrics['recipe']}: test accuracy {metrics['test_accuracy']:.4f}, "
        f"test loss {metrics['test_loss']:.4f}, {metrics['epochs_run']} epochs in "
        f"{metrics['wall_time_s']:.1f} s ({metrics['examples_per_s']:.0f} examples/s)"
    )
    print(f"run folder: {result.run_dir}")


def _list(args):
    from dlrecipes.registry import list_models
    from dlrecipes.training import list_recipes

    names = list_recipes(args.pattern) if args.recipes else list_models(args.pattern, family=args.family, tag=args.tag)
    print("\n".join(names))


def _show(args):
    from dlrecipes.flops import flops
    from dlrecipes.registry import build_model, count_params, model_info

    info = model_info(args.model)
    model = build_model(args.model, input_shape=args.input_shape, num_classes=args.num_classes)
    model.summary(print_fn=print)
    trainable, total = count_params(model)
    macs = flops(model)
    print(f"model: {info.name} (family {info.family}, task {info.task})")
    print(f"paper: {info.paper.authors} ({info.paper.year}), {info.paper.title} {info.paper.link}")
    print(f"input shape: {tuple(model.input_shape[1:])}  output shape: {tuple(model.output_shape[1:])}")
    print(f"trainable params: {trainable:,}  total params: {total:,}")
    print(f"FLOPs: {macs:,} multiply-accumulates per example ({macs / 1e9:.3g} G; conv and dense layers)")
    print(f"reference trainable params: {info.num_params:,} at {info.default_input_shape}, "
          f"{info.default_num_classes} classes")
    print(f"recipes: {', '.join(info.recipes) or '-'}")


def _train_command(args):
    _train(args.recipe, args)


def _schedule(args):
    from dlrecipes.training.schedules import schedule_values

    values = schedule_values(
        args.name, dict(args.option), learning_rate=args.lr, steps_per_epoch=args.steps_per_epoch,
        epochs=args.epochs, warmup_epochs=args.warmup_epochs, warmup_start=args.warmup_start,
        interval=args.interval,
    )
    for epoch in range(args.epochs):
        print(f"epoch {epoch:4d}  lr {values[epoch * args.steps_per_epoch]:.6g}")
    if args.plot:
        from dlrecipes.training.reporting import plot_schedule

        plot_schedule(values, args.steps_per_epoch, args.plot, title=args.name)
        print(f"plot: {args.plot}")


def _diagnose(args):
    from dlrecipes.training.diagnostics import diagnose

    run_dir, _ = diagnose(
        args.recipe, out=args.out, data_dir=args.data_dir, max_train_examples=args.max_train_examples
    )
    print((run_dir / "report.md").read_text())
    print(f"diagnostics folder: {run_dir}")


def _ensemble(args):
    import json

    from dlrecipes.training.ensembles import evaluate_runs

    result = evaluate_runs(args.runs, data_dir=args.data_dir, flip=args.flip, shifts=args.shifts, crop=args.crop)
    print(json.dumps(result, indent=2))


def parser():
    """The `dlrecipes` argument parser."""
    root = argparse.ArgumentParser(prog="dlrecipes", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="list models (or recipes with --recipes)")
    listing.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'lenet*'")
    listing.add_argument("--family", help="only models of this family")
    listing.add_argument("--tag", help="only models with this tag (imagenet, cifar, mnist, ...)")
    listing.add_argument("--recipes", action="store_true", help="list recipes instead of models")
    listing.set_defaults(run=_list)

    show = commands.add_parser("show", help="layers, parameters, FLOPs and shapes of a model")
    show.add_argument("model")
    show.add_argument("--input-shape", type=shape, help="e.g. 32,32,3 (model's default otherwise)")
    show.add_argument("--num-classes", type=int)
    show.set_defaults(run=_show)

    training = commands.add_parser("train", help="train a recipe and write a run folder")
    training.add_argument("recipe", help="recipe name (see `dlrecipes list --recipes`)")
    add_train_arguments(training)
    training.set_defaults(run=_train_command)

    schedule = commands.add_parser("schedule", help="print (and --plot) a learning-rate schedule")
    schedule.add_argument("name", help="schedule name (training.schedules.SCHEDULES)")
    schedule.add_argument("--lr", type=float, default=0.1, help="initial learning rate (default 0.1)")
    schedule.add_argument("--epochs", type=int, default=30)
    schedule.add_argument("--steps-per-epoch", type=int, default=100)
    schedule.add_argument("--option", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                          help="schedule option, e.g. --option boundaries=[10,20] (repeatable)")
    schedule.add_argument("--warmup-epochs", type=float, default=0.0)
    schedule.add_argument("--warmup-start", type=float, default=0.0)
    schedule.add_argument("--interval", default="step", help="step or epoch")
    schedule.add_argument("--plot", nargs="?", const="schedule.png", metavar="PNG",
                          help="draw it into PNG (default schedule.png)")
    schedule.set_defaults(run=_schedule)

    diagnose = commands.add_parser("diagnose", help="babysitting checks for a recipe, report in a run folder")
    diagnose.add_argument("recipe")
    diagnose.add_argument("--data-dir", help="folder with the dataset's raw files")
    diagnose.add_argument("--out", default="runs", help="root of run folders (default: runs)")
    diagnose.add_argument("--max-train-examples", type=int, default=5000, metavar="N")
    diagnose.set_defaults(run=_diagnose)

    ensemble = commands.add_parser("ensemble", help="test accuracy of runs' models, their ensemble and TTA")
    ensemble.add_argument("runs", nargs="+", metavar="RUN", help="run folders (or .keras files in them)")
    ensemble.add_argument("--flip", action="store_true", help="TTA: add horizontal mirror images")
    ensemble.add_argument("--shifts", type=int, default=0, metavar="P", help="TTA: four diagonal P-pixel shifts")
    ensemble.add_argument("--crop", type=int, metavar="C", help="TTA: corner + centre CxC crops (10-crop with --flip)")
    ensemble.add_argument("--data-dir", help="folder with the dataset's raw files")
    ensemble.set_defaults(run=_ensemble)

    from dlrecipes.search.run import add_tune_arguments, retrain_best_command, tune_command

    tuning = commands.add_parser("tune", help="hyperparameter search over a space in tuning/")
    add_tune_arguments(tuning)
    tuning.set_defaults(run=tune_command)
    retrain = commands.add_parser("retrain-best", help="retrain a search's best configuration, test once")
    retrain.add_argument("search_dir", help="folder written by `dlrecipes tune`")
    retrain.add_argument("--data-dir", help="folder with the dataset's raw files")
    retrain.add_argument("--out", help="root of the run folder (default: SEARCH_DIR/retrain)")
    retrain.set_defaults(run=retrain_best_command)

    from dlrecipes.bench import add_bench_arguments, bench_command

    bench = commands.add_parser("bench", help="training/inference throughput, side by side (same device)")
    add_bench_arguments(bench)
    bench.set_defaults(run=bench_command)
    return root


def run_reporting_errors(function, args):
    """`function(args)`'s exit status: 0, or 2 after printing the package's clear errors (bad
    settings, missing data) as one line, the way every dlrecipes command and script reports them."""
    try:
        function(args)
    except (ConfigError, DataUnavailableError) as error:
        print(f"dlrecipes: error: {error}", file=sys.stderr)
        return 2
    return 0


def cli(argv=None):
    """Entry point of the `dlrecipes` console script."""
    args = parser().parse_args(argv)
    return run_reporting_errors(args.run, args)


def main(recipe, argv=None):
    """Run a recipe script: `python recipes/<name>.py [--epochs ... --resume RUN_DIR]`."""
    script = argparse.ArgumentParser(description=f"Train recipe {recipe.name}: {recipe.description}")
    add_train_arguments(script)
    args = script.parse_args(argv)
    sys.exit(run_reporting_errors(lambda a: _train(recipe, a), args))


if __name__ == "__main__":
    sys.exit(cli())
