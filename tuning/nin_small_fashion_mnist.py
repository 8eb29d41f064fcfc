"""Network in Network scaled to 28×28 inputs (3×3 mlpconv blocks, global average pooling
head): block widths, dropout between blocks, optimizer, learning rate, weight decay."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="nin_small_fashion_mnist",
    description="NiN with three 3x3 mlpconv blocks for 28x28 inputs",
    model=ModelSpec(
        "nin",
        options={"blocks": (((32, 32, 32), 3, 1, 1, True), ((64, 64, 64), 3, 1, 1, True), ((10, 10), 3, 1, 1, False))},
        dropout_rate=0.5,
    ),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=10,
    optimizer=OptimizerSpec("adam", learning_rate=1e-3),
    early_stopping=EarlyStoppingSpec(patience=3),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-4, 0.1, sampling="log"),
    "optimizer.name": Choice(["adam", "sgd"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.blocks": Choice([
        (((32, 32, 32), 3, 1, 1, True), ((64, 64, 64), 3, 1, 1, True), ((10, 10), 3, 1, 1, False)),
        (((64, 64, 64), 3, 1, 1, True), ((128, 128, 128), 3, 1, 1, True), ((10, 10), 3, 1, 1, False)),
    ]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
