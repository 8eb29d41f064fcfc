"""A small CIFAR-style ResNet on Fashion-MNIST (the small-CNN/ResNet space of the Hyperband
benchmark): depth per stage, width, basic vs bottleneck, pre-activation, optimizer and
learning rate, weight decay, batch size."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="resnet_small_fashion_mnist",
    description="CIFAR-style ResNet, three stages of one basic block, widths 16-32-64",
    model=ModelSpec("resnet18", options={"stem": "cifar", "depths": (1, 1, 1), "widths": (16, 32, 64)}),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=10,
    optimizer=OptimizerSpec("sgd", learning_rate=0.1, options={"momentum": 0.9}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    early_stopping=EarlyStoppingSpec(patience=3),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "optimizer.options.nesterov": Choice([False, True], when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.depths": Choice([(1, 1, 1), (2, 2, 2), (3, 3, 3)]),
    "model.options.widths": Choice([(16, 32, 64), (32, 64, 128)]),
    "model.options.block": Choice(["basic", "bottleneck"]),
    "model.options.preact": Choice([False, True]),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
