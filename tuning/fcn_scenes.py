"""FCN on Fashion-MNIST scenes (Long et al. 2015): the skip architecture (stride 32, 16 or 8
of the last upsampling), network width, backbone with or without batch norm, dropout,
optimizer and learning rate."""

from dlrecipes.search import Choice, Float, main

BASE = "fcn8s_scenes"
SPACE = {
    "model.options.stride": Choice([8, 16, 32]),
    "model.options.width": Choice([0.125, 0.0625, 0.25]),
    "model.options.backbone": Choice(["vgg16", "vgg16_bn"]),
    "model.options.dropout_rate": Float(0.0, 0.5, step=0.1),
    "optimizer.learning_rate": Float(1e-4, 1e-2, sampling="log"),
    "optimizer.name": Choice(["adam", "sgd"]),
    "optimizer.options.momentum": Float(0.8, 0.99, when={"optimizer.name": "sgd"}),
    "batch_size": Choice([32, 16, 64]),
}

if __name__ == "__main__":
    main(SPACE)
