"""Character-level language model on Python standard-library sources (char-rnn): vanilla RNN
vs LSTM, width and depth, dropout, learning rate, gradient clipping, batch size (streams)."""

from dlrecipes.search import Choice, Float, main

BASE = "char_lstm_pystdlib"
SPACE = {
    "model.options.cell": Choice(["lstm", "simple"]),
    "model.options.units": Choice([128, 256, 512]),
    "model.options.num_layers": Choice([2, 1, 3]),
    "model.dropout_rate": Float(0.0, 0.5, step=0.1),
    "optimizer.learning_rate": Float(5e-4, 1e-2, sampling="log"),
    "optimizer.options.clipvalue": Choice([5.0, 1.0]),
    "batch_size": Choice([50, 100]),
}

if __name__ == "__main__":
    main(SPACE)
