"""Character-level recurrent language models: Karpathy's char-rnn (Karpathy, Johnson & Fei-Fei
2015, "Visualizing and understanding recurrent networks"; github.com/karpathy/char-rnn).

Characters in (one-hot, or a learned embedding), `num_layers` stacked recurrent layers of `units`
(vanilla `SimpleRNN` or `LSTM`, forget-gate bias initialised to 1), dropout after each recurrent
layer, and per-step logits over the vocabulary out: (batch, time) int ids → (batch, time,
vocabulary). `stateful=True` carries each stream's state from one batch to the next, for
truncated backpropagation through time; it needs the fixed `batch_size`.

Reference configuration (`ModelInfo.num_params`): char-rnn's default, 2 layers of 128 units on
one-hot input, for its tiny-shakespeare vocabulary of 65 characters. An LSTM layer has
4·(u·(i + u) + u) parameters, a vanilla RNN layer u·(i + u) + u, the output layer u·V + V:
char_lstm 99,328 + 131,584 + 8,385 = 239,297; char_rnn 24,832 + 32,896 + 8,385 = 66,113.

`sample` generates text from a trained model one character at a time.
"""

import functools

import keras
import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice, check_float, check_int, check_rate

_CELLS = {"simple": ("rnn", keras.layers.SimpleRNN), "lstm": ("lstm", keras.layers.LSTM)}


def char_rnn(
    *,
    input_shape,
    num_classes,
    cell="lstm",
    units=128,
    num_layers=2,
    embedding_dim=None,
    dropout_rate=0.0,
    stateful=False,
    batch_size=None,
    kernel_initializer="glorot_uniform",
    recurrent_initializer="orthogonal",
    classifier_activation=None,
    name="char_lstm",
):
    """A stacked character-level RNN language model.

    Args:
        input_shape: (sequence_length,) of the integer character ids; (None,) takes any length.
        num_classes: vocabulary size (ids 0 .. num_classes - 1), also the output size.
        cell: "lstm" or "simple" (vanilla tanh RNN).
        embedding_dim: None feeds one-hot vectors (char-rnn; a frozen identity embedding, no
            trainable parameters), an int a learned embedding of that size.
        dropout_rate: dropout on the output of every recurrent layer (not on recurrent
            connections; Zaremba et al. 2014).
        stateful: carry the final states of a batch into the next one (truncated BPTT over
            long text); requires `batch_size`.
        batch_size: fixed batch size of the input (None: any).
        kernel_initializer, recurrent_initializer: of the recurrent layers (the first also of
            the output layer); char-rnn uses uniform ±0.08 for all.
    """
    check_choice("cell", cell, tuple(_CELLS))
    length = _sequence_length(input_shape, name)
    check_int("units", units, minimum=1)
    check_int("num_layers", num_layers, minimum=1)
    if embedding_dim is not None:
        check_int("embedding_dim", embedding_dim, minimum=1)
    check_rate("dropout_rate", dropout_rate)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
    if stateful and batch_size is None:
        raise ConfigError(f"stateful=True needs a fixed batch_size. Received: batch_size={batch_size!r}")
    if num_classes == 0:
        raise ConfigError(
            f"{name} predicts characters: num_classes is the vocabulary size (>= 2). Received: num_classes=0"
        )

    inputs = keras.Input(batch_shape=(batch_size, length), dtype="int32", name="characters")
    if embedding_dim is None:
        embed = keras.layers.Embedding(
            num_classes, num_classes, embeddings_initializer="identity", trainable=False, name="one_hot"
        )
    else:
        embed = keras.layers.Embedding(num_classes, embedding_dim, name="embedding")
    x = embed(inputs)
    prefix, layer_class = _CELLS[cell]
    forget_bias = {"unit_forget_bias": True} if cell == "lstm" else {}
    for index in range(1, num_layers + 1):
        x = layer_class(
            units,
            return_sequences=True,
            stateful=stateful,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            name=f"{prefix}{index}",
            **forget_bias,
        )(x)
        if dropout_rate:
            x = keras.layers.Dropout(dropout_rate, name=f"dropout{index}")(x)
    outputs = keras.layers.Dense(
        num_classes, activation=classifier_activation, kernel_initializer=kernel_initializer, name="predictions"
    )(x)
    return keras.Model(inputs, outputs, name=name)


def _sequence_length(input_shape, name):
    """T of input_shape (T,): a positive int, or None for sequences of any length."""
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if shape is None or len(shape) != 1 or not (shape[0] is None or (type(shape[0]) is int and shape[0] >= 1)):
        raise ConfigError(
            f"{name} needs input_shape (sequence_length,), a positive int or None. "
            f"Received: input_shape={input_shape!r}"
        )
    return shape[0]


def sample(model, prefix, length, temperature=1.0, seed=0, *, vocabulary=None):
    """Generate `length` tokens from a char_rnn-style model, primed by `prefix`.

    The model is run one step at a time through its recurrent cells (state kept between steps,
    so it works on stateful and stateless models of any batch size); each next token is drawn
    from softmax(logits / temperature) with `numpy.random.default_rng(seed)`, so a fixed seed
    gives the same text. temperature 0 takes the most likely token (greedy); small temperatures
    approach it, large ones approach uniform sampling. The model must be a chain of layers
    ending in logits (the builder's default `classifier_activation=None`).

    Args:
        prefix: a non-empty string when `vocabulary` is given, else a sequence of token ids.
        vocabulary: a `dlrecipes.data.vocabulary.Vocabulary` turning text into ids and back.

    Returns:
        The generated text (without the prefix), or the list of generated ids without a
        vocabulary.
    """
    check_int("length", length, minimum=0)
    temperature = check_float("temperature", temperature, minimum=0.0)
    check_int("seed", seed, minimum=0)
    ids = [int(i) for i in (vocabulary.encode(prefix) if vocabulary is not None else prefix)]
    size = model.output_shape[-1]
    if not ids or not all(0 <= i < size for i in ids):
        raise ConfigError(
            f"prefix must hold at least one token of the model's {size}. Received: prefix={prefix!r}"
        )
    if len(model.inputs) != 1:
        raise ConfigError(f"sample needs a model with one input (a chain of layers). Received: {model.name}")
    step = _Stepper(model)
    rng = np.random.default_rng(seed)
    for token in ids:
        logits = step(token)
    generated = []
    for position in range(length):
        token = _choose(logits, temperature, rng)
        generated.append(token)
        if position + 1 < length:
            logits = step(token)
    return "".join(vocabulary.decode(generated)) if vocabulary is not None else generated


def _choose(logits, temperature, rng):
    if temperature == 0.0:
        return int(np.argmax(logits))
    scaled = logits.astype(np.float64) / temperature
    probabilities = np.exp(scaled - scaled.max())
    return int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))


class _Stepper:
    """Feeds one token at a time through a chain of layers, keeping each recurrent layer's
    state: its cell runs on (1, features) inputs, every other layer as in the model."""

    def __init__(self, model):
        self.layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        self.states = {
            layer.name: layer.cell.get_initial_state(1)
            for layer in self.layers
            if isinstance(layer, keras.layers.RNN)
        }

    def __call__(self, token):
        x = keras.ops.convert_to_tensor(np.array([token], "int32"))
        for layer in self.layers:
            if isinstance(layer, keras.layers.RNN):
                x, self.states[layer.name] = layer.cell(x, self.states[layer.name], training=False)
            else:
                x = layer(x, training=False)
        return keras.ops.convert_to_numpy(x)[0]


_PAPER = Paper(
    "Visualizing and understanding recurrent networks",
    "Karpathy, Johnson, Fei-Fei",
    2015,
    "https://arxiv.org/abs/1506.02078",
)
_REFERENCE_VOCABULARY = 65  # char-rnn's tiny-shakespeare characters
VARIANTS = {"char_rnn": dict(cell="simple", num_params=66_113), "char_lstm": dict(cell="lstm", num_params=239_297)}
for _name, _variant in VARIANTS.items():
    register_model(
        functools.partial(char_rnn, name=_name, cell=_variant["cell"]),
        name=_name,
        family="char_rnn",
        task="language_model",
        paper=_PAPER,
        default_input_shape=(50,),  # char-rnn's seq_length
        min_input_size=None,
        num_params=_variant["num_params"],
        default_num_classes=_REFERENCE_VOCABULARY,
    )
