"""LeNet-5 on Fashion-MNIST: activation, subsampling, batch norm, dropout, optimizer and
learning rate, weight decay, batch size."""

from dlrecipes.search import Choice, Float, main

BASE = "lenet5_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-4, 1e-1, sampling="log"),
    "optimizer.name": Choice(["adam", "sgd"]),
    "optimizer.options.momentum": Float(0.5, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-2, sampling="log", include_zero=True),
    "model.options.activation": Choice(["tanh", "scaled_tanh", "relu"]),
    "model.options.subsampling": Choice(["avg", "max"]),
    "model.options.batch_norm": Choice([False, True]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([32, 64, 128]),
}

if __name__ == "__main__":
    main(SPACE)
