"""CIFAR DenseNet-BC on Fashion-MNIST, over recipes/densenet_bc100_fashion_mnist.py: depth
(6n+4), growth rate, dropout, learning rate, weight decay, batch size."""

from dlrecipes.search import Choice, Float, main

BASE = "densenet_bc100_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.depth": Choice([40, 64, 100]),
    "model.options.growth_rate": Choice([12, 24]),
    "model.dropout_rate": Float(0.0, 0.2, step=0.1),
    "batch_size": Choice([32, 64, 128]),
}

if __name__ == "__main__":
    main(SPACE)
