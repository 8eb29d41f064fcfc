"""A small DenseNet on Fashion-MNIST: growth rate, layers per block, compression, bottleneck
width, dropout, optimizer, learning rate, weight decay."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, Int, main

BASE = Recipe(
    name="densenet_small_fashion_mnist",
    description="DenseNet-BC, CIFAR stem, three blocks of 4 layers, growth rate 12",
    model=ModelSpec(
        "densenet121", options={"block_config": (4, 4, 4), "growth_rate": 12, "init_features": 24, "stem": "cifar"}
    ),
    dataset="fashion_mnist",
    batch_size=64,
    epochs=10,
    optimizer=OptimizerSpec("sgd", learning_rate=0.1, options={"momentum": 0.9, "nesterov": True}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    early_stopping=EarlyStoppingSpec(patience=3),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.growth_rate": Int(8, 32, step=4),
    "model.options.block_config": Choice([(4, 4, 4), (6, 6, 6), (8, 8, 8)]),
    "model.options.compression": Float(0.5, 1.0, step=0.25),
    "model.options.bn_size": Choice([2, 4]),
    "model.dropout_rate": Float(0.0, 0.3, step=0.1),
    "batch_size": Choice([32, 64, 128]),
}

if __name__ == "__main__":
    main(SPACE)
