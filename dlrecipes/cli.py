"""`dlrecipes list | show | train`, and `main(RECIPE)` for recipe scripts."""

import argparse
import sys

from dlrecipes.errors import ConfigError, DataUnavailableError


def _shape(text):
    try:
        return tuple(int(d) for d in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 32,32,3, got {text!r}")


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
        "--max-train-examples", type=int, metavar="N", help="train on the first N examples only (smoke runs)"
    )


def _train(recipe, args):
    from dlrecipes.training import train

    result = train(
        recipe,
        data_dir=args.data_dir,
        out=args.out,
        resume=args.resume,
        max_train_examples=args.max_train_examples,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
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

    names = list_recipes(args.pattern) if args.recipes else list_models(args.pattern, family=args.family)
    print("\n".join(names))


def _show(args):
    from dlrecipes.registry import build_model, count_params, model_info

    info = model_info(args.model)
    model = build_model(args.model, input_shape=args.input_shape, num_classes=args.num_classes)
    model.summary(print_fn=print)
    trainable, total = count_params(model)
    print(f"model: {info.name} (family {info.family}, task {info.task})")
    print(f"paper: {info.paper.authors} ({info.paper.year}), {info.paper.title} {info.paper.link}")
    print(f"input shape: {tuple(model.input_shape[1:])}  output shape: {tuple(model.output_shape[1:])}")
    print(f"trainable params: {trainable:,}  total params: {total:,}")
    print(f"reference trainable params: {info.num_params:,} at {info.default_input_shape}, "
          f"{info.default_num_classes} classes")
    print(f"recipes: {', '.join(info.recipes) or '-'}")


def _train_command(args):
    _train(args.recipe, args)


def parser():
    """The `dlrecipes` argument parser."""
    root = argparse.ArgumentParser(prog="dlrecipes", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", help="list models (or recipes with --recipes)")
    listing.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'lenet*'")
    listing.add_argument("--family", help="only models of this family")
    listing.add_argument("--recipes", action="store_true", help="list recipes instead of models")
    listing.set_defaults(run=_list)

    show = commands.add_parser("show", help="layers, parameters and shapes of a model")
    show.add_argument("model")
    show.add_argument("--input-shape", type=_shape, help="e.g. 32,32,3 (model's default otherwise)")
    show.add_argument("--num-classes", type=int)
    show.set_defaults(run=_show)

    training = commands.add_parser("train", help="train a recipe and write a run folder")
    training.add_argument("recipe", help="recipe name (see `dlrecipes list --recipes`)")
    add_train_arguments(training)
    training.set_defaults(run=_train_command)
    return root


def _run(function, args):
    try:
        function(args)
    except (ConfigError, DataUnavailableError) as error:
        print(f"dlrecipes: error: {error}", file=sys.stderr)
        return 2
    return 0


def cli(argv=None):
    """Entry point of the `dlrecipes` console script."""
    args = parser().parse_args(argv)
    return _run(args.run, args)


def main(recipe, argv=None):
    """Run a recipe script: `python recipes/<name>.py [--epochs ... --resume RUN_DIR]`."""
    script = argparse.ArgumentParser(description=f"Train recipe {recipe.name}: {recipe.description}")
    add_train_arguments(script)
    args = script.parse_args(argv)
    sys.exit(_run(lambda a: _train(recipe, a), args))


if __name__ == "__main__":
    sys.exit(cli())
