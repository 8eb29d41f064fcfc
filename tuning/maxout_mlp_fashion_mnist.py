"""The maxout MLP on Fashion-MNIST, over recipes/maxout_mlp_fashion_mnist.py: pieces per unit,
layer widths (multiples of every piece count), input and hidden dropout, max-norm bound,
learning rate, momentum."""

from dlrecipes.search import Choice, Float, main

BASE = "maxout_mlp_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.3, sampling="log"),
    "optimizer.options.momentum": Float(0.5, 0.95),
    "regularization.max_norm": Float(0.5, 4.0),
    "model.options.maxout_pieces": Choice([5, 2, 3, 4]),
    "model.options.hidden_units": Choice([(1200, 1200), (2400, 2400), (1200, 1200, 1200)]),
    "model.options.input_dropout_rate": Float(0.0, 0.5, step=0.1),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
}

if __name__ == "__main__":
    main(SPACE)
