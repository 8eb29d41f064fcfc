"""An AlexNet-style network scaled to 28×28 inputs (3×3 convs, stride 1, three overlapping
pools): conv widths, LRN placement, dropout, optimizer, learning rate, weight decay."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="alexnet_small_fashion_mnist",
    description="AlexNet layout with 3x3 stride-1 convs for 28x28 inputs",
    model=ModelSpec(
        "alexnet",
        options={"convs": ((32, 3, 1, 1, True), (64, 3, 1, 1, True), (96, 3, 1, 1, False), (96, 3, 1, 1, False), (64, 3, 1, 1, True))},
        dropout_rate=0.5,
    ),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=10,
    optimizer=OptimizerSpec("sgd", learning_rate=0.01, options={"momentum": 0.9}),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    early_stopping=EarlyStoppingSpec(patience=3),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-4, 0.1, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.convs": Choice([
        ((32, 3, 1, 1, True), (64, 3, 1, 1, True), (96, 3, 1, 1, False), (96, 3, 1, 1, False), (64, 3, 1, 1, True)),
        ((64, 3, 1, 1, True), (128, 3, 1, 1, True), (192, 3, 1, 1, False), (192, 3, 1, 1, False), (128, 3, 1, 1, True)),
    ]),
    "model.options.lrn_after": Choice(["act", "pool"]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
