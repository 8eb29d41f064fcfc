"""LeNet-5 (LeCun et al. 1998) on Fashion-MNIST: the default recipe of `make demo`.

The paper's architecture on its 32×32 input (28×28 images zero-padded by 2, as MNIST was):
tanh, average pooling, 61,706 trainable parameters. Adam replaces the paper's per-pass SGD
schedule so that a few epochs on 2 CPU cores reach ≥ 0.88 test accuracy.
"""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="lenet5_fashion_mnist",
    description="LeNet-5, tanh + average pooling, on Fashion-MNIST padded to 32x32",
    model=ModelSpec("lenet5", options={"input_padding": 2}),
    dataset="fashion_mnist",
    batch_size=64,
    epochs=8,
    optimizer=OptimizerSpec("adam", learning_rate=1e-3),
    schedule=ScheduleSpec("step", {"boundaries": (6,), "factor": 0.3}),
    early_stopping=EarlyStoppingSpec(patience=3),
    reference="LeNet-5 on MNIST: 0.95% test error (REFERENCE.md §2); Fashion-MNIST is harder.",
)

if __name__ == "__main__":
    main(RECIPE)
