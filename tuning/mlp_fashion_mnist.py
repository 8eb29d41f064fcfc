"""The MLP of the Fashion-MNIST benchmark table: learning rate, optimizer (momentum only for
SGD), weight decay (off or 1e-6..1e-2), dropout, batch size and the hidden layers."""

from dlrecipes.search import Choice, Float, main

BASE = "mlp_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-4, 1e-1, sampling="log"),
    "optimizer.name": Choice(["adam", "sgd", "rmsprop"]),
    "optimizer.options.momentum": Float(0.5, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-2, sampling="log", include_zero=True),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "batch_size": Choice([64, 128, 256]),
    "model.options.hidden_units": Choice([(256, 128, 100), (128,), (256, 128), (512, 256), (512, 256, 128)]),
    "model.options.batch_norm": Choice([False, True]),
}

if __name__ == "__main__":
    main(SPACE)
