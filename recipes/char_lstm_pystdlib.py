"""Karpathy's char-rnn (Karpathy, Johnson & Fei-Fei 2015) on the Python standard library:
a 2-layer, 128-unit LSTM over one-hot characters, trained by truncated backpropagation through
time on 50 streams of 50-character windows with the state carried across batches.

char-rnn's settings (REFERENCE.md §3): RMSProp lr 2e-3 with decay (ρ) 0.95, element-wise
gradient clipping at 5, forget-gate bias 1, uniform ±0.08 initialisation, seq 50, batch 50.
Its ×0.97-per-epoch decay starts after epoch 10, beyond this recipe's 3 epochs over the 2 M
training characters (a few minutes on 2 CPU cores). After training it prints samples at a few
temperatures (samples.txt) and reports test bits per character and perplexity.
"""

from dlrecipes import ModelSpec, OptimizerSpec, Recipe
from dlrecipes.cli import main

UNIFORM_008 = {"class_name": "RandomUniform", "config": {"minval": -0.08, "maxval": 0.08}}

RECIPE = Recipe(
    name="char_lstm_pystdlib",
    description="2-layer LSTM-128 character language model on Python standard-library sources",
    model=ModelSpec(
        "char_lstm",
        options={
            "units": 128,
            "num_layers": 2,
            "stateful": True,
            "kernel_initializer": UNIFORM_008,
            "recurrent_initializer": UNIFORM_008,
        },
    ),
    dataset="pystdlib_text",
    batch_size=50,
    epochs=3,
    optimizer=OptimizerSpec("rmsprop", learning_rate=2e-3, options={"rho": 0.95, "clipvalue": 5.0}),
    validation=2000,  # 50-character windows: 100,000 characters of validation text
    reference="char-rnn settings (REFERENCE.md §3); no published bits/char for this text.",
)

if __name__ == "__main__":
    main(RECIPE)
