"""CIFAR ResNets on Fashion-MNIST, over recipes/resnet20_fashion_mnist.py: depth (6n+2),
shortcut option A or B, pre-activation, stochastic depth, learning rate, Nesterov, weight decay,
batch size."""

from dlrecipes.search import Choice, Float, main

BASE = "resnet20_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "optimizer.options.nesterov": Choice([False, True]),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.depth": Choice([20, 32, 44, 56]),
    "model.options.shortcut": Choice(["A", "B"]),
    "model.options.preact": Choice([False, True]),
    "model.options.drop_path_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
