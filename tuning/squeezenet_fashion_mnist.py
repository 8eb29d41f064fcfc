"""SqueezeNet 1.1 on Fashion-MNIST (its pools leave 1×1 maps of a 28×28 input): dropout,
optimizer, learning rate, weight decay, batch size."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="squeezenet_fashion_mnist",
    description="SqueezeNet 1.1 on 28x28 inputs",
    model=ModelSpec("squeezenet1_1", dropout_rate=0.5),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=10,
    optimizer=OptimizerSpec("sgd", learning_rate=0.04, options={"momentum": 0.9}),
    regularization=RegularizationSpec(weight_decay=1e-4),
    early_stopping=EarlyStoppingSpec(patience=3),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-4, 0.1, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
