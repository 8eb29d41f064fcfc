"""Dilated front end (+ context module) on Fashion-MNIST scenes (Yu & Koltun 2016): with or
without the basic context module, network width, dropout, optimizer and learning rate."""

from dlrecipes.search import Boolean, Choice, Float, main

BASE = "dilated_frontend_scenes"
SPACE = {
    "model.options.context": Boolean(),
    "model.options.width": Choice([0.0625, 0.125]),
    "model.options.dropout_rate": Float(0.0, 0.5, step=0.1),
    "optimizer.learning_rate": Float(1e-4, 1e-2, sampling="log"),
    "optimizer.name": Choice(["adam", "sgd"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
}

if __name__ == "__main__":
    main(SPACE)
