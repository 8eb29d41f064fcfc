"""Show and Tell on captioned Fashion-MNIST scenes: CNN encoder, embedding and LSTM sizes,
dropout, learning rate, batch size."""

from dlrecipes.search import Choice, Float, main

BASE = "caption_scenes"
SPACE = {
    "model.options.backbone": Choice(["lenet5_modern", "lenet5"]),
    "model.options.embedding_dim": Choice([256, 128, 512]),
    "model.options.units": Choice([256, 128, 512]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "optimizer.learning_rate": Float(1e-4, 1e-2, sampling="log"),
    "batch_size": Choice([64, 32, 128]),
}

if __name__ == "__main__":
    main(SPACE)
