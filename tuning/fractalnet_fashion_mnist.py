"""FractalNet on Fashion-MNIST, over recipes/fractalnet20_fashion_mnist.py: columns, block
widths, local and global drop-path, dropout, learning rate, weight decay."""

from dlrecipes.search import Choice, Float, main

BASE = "fractalnet20_fashion_mnist"
SPACE = {
    "optimizer.learning_rate": Float(1e-3, 0.1, sampling="log"),
    "regularization.weight_decay": Float(1e-6, 1e-3, sampling="log", include_zero=True),
    "model.options.columns": Choice([3, 2, 4]),
    "model.options.widths": Choice([(64, 128, 256, 512, 512), (32, 64, 128, 256, 256)]),
    "model.options.drop_path_rate": Float(0.0, 0.3, step=0.05),
    "model.options.global_drop_path_rate": Float(0.0, 1.0, step=0.25),
    "model.dropout_rate": Float(0.0, 0.4, step=0.1),
}

if __name__ == "__main__":
    main(SPACE)
