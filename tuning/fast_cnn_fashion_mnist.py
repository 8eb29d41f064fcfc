"""The speed recipe's small CNN on Fashion-MNIST (recipes/fashion_mnist_fast.py, issue 8), the
small-CNN space of issue 6's Hyperband benchmark (docs/RESULTS.md, run before the first
configuration, the speed recipe's current network, joined the space): conv widths and depth,
fully connected head, dropout, learning rate of the one-cycle schedule, weight decay, label
smoothing and batch size. Trials validate on 5,000 training images; retrain-best trains on all
60,000 and reports the test accuracy with and without flip test-time augmentation."""

from dlrecipes import get_recipe
from dlrecipes.search import Choice, Float, main

BASE = get_recipe("fashion_mnist_fast").override({"name": "fast_cnn_fashion_mnist", "validation": 5000})
SPACE = {
    "model.options.config": Choice([
        (8, "M", 32, "M", 64, "M", 64),
        (16, "M", 32, "M", 64, 64, "M"),
        (16, "M", 32, 32, "M", 64, 64, "M"),
        (24, "M", 48, "M", 96, 96, "M"),
        (32, "M", 64, "M", 128, 128, "M"),
        (32, "M", 64, 64, "M", 128, 128, "M"),
    ]),
    "model.options.hidden_units": Choice([(), (256,), (512,)]),
    "model.dropout_rate": Choice([0.0, 0.15, 0.3, 0.45]),
    "optimizer.learning_rate": Float(0.005, 0.2, sampling="log"),
    "regularization.weight_decay": Float(1e-5, 1e-3, sampling="log", include_zero=True),
    "regularization.label_smoothing": Choice([0.0, 0.05, 0.1, 0.2]),
    "batch_size": Choice([128, 256, 512]),
}

if __name__ == "__main__":
    main(SPACE)
