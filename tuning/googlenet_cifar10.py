"""GoogLeNet on CIFAR-10 (it needs inputs of at least 31×31, more than Fashion-MNIST's 28×28):
auxiliary heads, branch kernel size, dropout, optimizer, learning rate, weight decay."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec
from dlrecipes.search import Choice, Float, main

BASE = Recipe(
    name="googlenet_cifar10",
    description="GoogLeNet (BN variant) on 32x32 CIFAR-10",
    model=ModelSpec("googlenet", dropout_rate=0.4),
    dataset="cifar10",
    batch_size=128,
    epochs=30,
    optimizer=OptimizerSpec("sgd", learning_rate=0.05, options={"momentum": 0.9}),
    regularization=RegularizationSpec(weight_decay=1e-4),
    early_stopping=EarlyStoppingSpec(patience=5),
)
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.branch3_kernel_size": Choice([3, 5]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
