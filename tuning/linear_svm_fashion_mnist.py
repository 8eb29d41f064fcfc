"""The linear classifier: multiclass hinge or softmax loss, SGD momentum, learning rate and the
L2 strength (the SVM's regularization)."""

from dlrecipes.search import Choice, Float, main

BASE = "linear_svm_fashion_mnist"
SPACE = {
    "loss": Choice(["multiclass_hinge", "crossentropy"]),
    "optimizer.learning_rate": Float(1e-4, 1e-1, sampling="log"),
    "optimizer.name": Choice(["sgd", "adam"]),
    "optimizer.options.momentum": Float(0.0, 0.99, when={"optimizer.name": "sgd"}),
    "regularization.weight_decay": Float(1e-6, 1e-2, sampling="log", include_zero=True),
    "batch_size": Choice([64, 128, 256]),
}

if __name__ == "__main__":
    main(SPACE)
