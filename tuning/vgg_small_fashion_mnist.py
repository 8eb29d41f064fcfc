"""A VGG-style network on Fashion-MNIST: the conv configuration (pools must leave at least one
pixel: a config with too many for 28×28 fails as a trial and the search goes on), batch norm,
dropout, optimizer, learning rate, weight decay."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="vgg_small_fashion_mnist",
    description="VGG-style 32-M-64-M-128-M with batch norm",
    model=ModelSpec("vgg11", options={"config": (32, "M", 64, "M", 128, "M"), "batch_norm": True}, dropout_rate=0.5),
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
    "model.options.config": Choice([
        (32, "M", 64, "M", 128, "M"),
        (32, 32, "M", 64, 64, "M", 128, 128, "M"),
        (64, "M", 128, "M", 256, "M", 256, "M", 512, "M", 512, "M"),  # too many pools for 28x28
    ]),
    "model.options.batch_norm": Choice([True, False]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
