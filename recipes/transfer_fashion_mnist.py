"""Transfer learning on Fashion-MNIST: pretrain LeNet-5 (ReLU, max pooling) on classes 0–4
(T-shirt, trouser, pullover, dress, coat), then learn classes 5–9 (sandal, shirt, sneaker, bag,
ankle boot) from 100 labelled images each, three ways, and compare test accuracies:

- `finetune`: the pretrained network with a new 5-class head; conv layers frozen
  (`transfer.freeze_below="fc1_dense"`), the dense layers trained at a 3× lower learning rate;
- `unfreeze`: then everything unfrozen at a 10× lower learning rate (a second run whose
  `transfer.source` is the first);
- `scratch`: the same network from random weights on the same 500 images.

`dlrecipes train transfer_fashion_mnist` runs the pretraining only; `python
recipes/transfer_fashion_mnist.py [--epochs N] [--out DIR]` runs the whole comparison and writes
transfer.json next to the runs.
"""

import argparse
import json
import pathlib
import sys

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, TransferSpec
from dlrecipes.cli import run_reporting_errors

RECIPE = Recipe(
    name="transfer_fashion_mnist",
    description="pretrain LeNet-5 (ReLU) on Fashion-MNIST classes 0-4, the source of transfer to 5-9",
    model=ModelSpec("lenet5_modern", options={"input_padding": 2}),
    dataset="fashion_mnist",
    classes=(0, 1, 2, 3, 4),
    batch_size=64,
    epochs=4,
    optimizer=OptimizerSpec("adam", learning_rate=1e-3),
    early_stopping=EarlyStoppingSpec(patience=2),
    reference="no published number: transfer vs from-scratch with 100 labels per class",
)

FEW_LABELS = dict(classes=(5, 6, 7, 8, 9), examples_per_class=100, batch_size=32, epochs=40,
                  early_stopping=EarlyStoppingSpec(patience=8, monitor="val_accuracy"))


def stages(source):
    """The recipes trained after pretraining, given the pretraining run folder."""
    finetune = RECIPE.override({**FEW_LABELS, "name": f"{RECIPE.name}_finetune", "optimizer.learning_rate": 3e-4,
                                "transfer": {"source": str(source), "freeze_below": "fc1_dense"}})
    scratch = RECIPE.override({**FEW_LABELS, "name": f"{RECIPE.name}_scratch"})
    return finetune, scratch



def compare(out="runs", pretrain_epochs=None, **train_kwargs):
    """Pretrain, fine-tune, unfreeze and train from scratch; returns the test accuracies."""
    from dlrecipes.training import train

    pretrained = train(RECIPE, out=out, epochs=pretrain_epochs, **train_kwargs)
    finetune, scratch = stages(pretrained.run_dir)
    tuned = train(finetune, out=out, **train_kwargs)
    unfrozen = train(
        finetune.override({"name": f"{RECIPE.name}_unfreeze", "optimizer.learning_rate": 1e-4, "epochs": 10,
                           "transfer": TransferSpec(str(tuned.run_dir), new_head=False).__dict__}),
        out=out, **train_kwargs,
    )
    baseline = train(scratch, out=out, **train_kwargs)
    results = {
        "pretrain_test_accuracy_classes_0_4": pretrained.metrics["test_accuracy"],
        "finetune_test_accuracy": tuned.metrics["test_accuracy"],
        "unfreeze_test_accuracy": unfrozen.metrics["test_accuracy"],
        "scratch_test_accuracy": baseline.metrics["test_accuracy"],
        "labels_per_class": FEW_LABELS["examples_per_class"],
        "runs": [str(r.run_dir) for r in (pretrained, tuned, unfrozen, baseline)],
    }
    path = pathlib.Path(out) / RECIPE.name / "transfer.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, help="pretraining epochs")
    parser.add_argument("--out", default="runs")
    args = parser.parse_args(argv)
    sys.exit(run_reporting_errors(_print_comparison, args))


def _print_comparison(args):
    for key, value in compare(args.out, args.epochs).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
