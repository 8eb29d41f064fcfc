"""Snapshot ensemble (Huang et al. 2017) of the 256-128-100 MLP on Fashion-MNIST: SGD with
Nesterov momentum and horizontal flips along a cosine schedule restarted every 3 epochs (SGDR, Loshchilov & Hutter
2017); the model is saved at the end of each cycle (run folder `snapshots/`), and `python
recipes/snapshot_ensemble_fashion_mnist.py` prints the test accuracy of each snapshot, of their
average and of the average with horizontal-flip test-time augmentation."""

import argparse
import sys

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, ScheduleSpec
from dlrecipes.cli import run_reporting_errors

RECIPE = Recipe(
    name="snapshot_ensemble_fashion_mnist",
    description="MLP 256-128-100, SGDR cycles of 3 epochs, one snapshot per cycle",
    model=ModelSpec("mlp", options={"hidden_units": (256, 128, 100)}, dropout_rate=0.2),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=12,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.1),
    schedule=ScheduleSpec("cosine_restarts", {"first_epochs": 3, "t_mul": 1.0}),
    augmentation=AugmentationSpec(flip="horizontal"),  # trained on mirror images, so TTA may flip
    reference="Snapshot ensembles: 4-6 snapshots beat the single model (Huang et al. 2017, Table 1)",
)


def compare(out="runs", **train_kwargs):
    """Train, then accuracies of the snapshots, their ensemble and the ensemble with TTA."""
    from dlrecipes.data import load
    from dlrecipes.training import train
    from dlrecipes.training.ensembles import compare as compare_models, load_models, snapshot_files

    result = train(RECIPE, out=out, **train_kwargs)
    data = load(RECIPE.dataset, validation=RECIPE.validation, seed=RECIPE.seed)
    x, y = data.normalized("test")
    return compare_models(load_models(snapshot_files(result.run_dir)), x, y, flip=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--out", default="runs")
    args = parser.parse_args(argv)
    sys.exit(run_reporting_errors(_print_comparison, args))


def _print_comparison(args):
    for key, value in compare(args.out, epochs=args.epochs).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
