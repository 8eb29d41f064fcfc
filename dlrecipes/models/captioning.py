"""Show and Tell: Vinyals, Toshev, Bengio & Erhan 2015, "Show and tell: a neural image caption
generator".

The image goes through a registered CNN (`backbone`, built with include_top=False; its pooled or
flattened features) and a linear projection to the word-embedding size, and is fed once, as the
first input of an LSTM decoder (the paper's t = −1); the caption's words follow as embeddings.
Training is teacher forcing: inputs [image, tokens[:-1]] (tokens starting with <start>), targets
tokens[1:]; the LSTM's state after the image step starts the word steps, so the model maps
(batch, T) tokens to (batch, T, vocabulary) next-word logits. Token id 0 is padding: the word
embedding masks it, so Keras leaves padded positions out of the loss and metrics.
`greedy_decode` and `beam_search` caption new images.

Reference configuration (`ModelInfo.num_params`): 64×64×1 scenes, the fashion_scene_captions
vocabulary of 28 tokens, lenet5_modern features flattened (conv 156 + 2,416 parameters, 13·13·16 =
2,704 features), 256-d embeddings and LSTM: projection 2,704·256 + 256 = 692,480, word
embedding 28·256 = 7,168, LSTM 4·(256·(256 + 256) + 256) = 525,312, output 256·28 + 28 = 7,196;
1,234,728 in all.
"""

import collections

import keras
import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.registry import Paper, register_model
from dlrecipes.validation import check_choice, check_int, check_rate


def show_and_tell(
    *,
    input_shape,
    num_classes,
    backbone="lenet5_modern",
    backbone_options=None,
    trainable_backbone=True,
    pooling=None,
    embedding_dim=256,
    units=256,
    dropout_rate=0.0,
    caption_length=None,
    classifier_activation=None,
    name="show_and_tell",
):
    """A CNN encoder + LSTM decoder captioning model with inputs [image, tokens].

    Args:
        input_shape: the image shape (height, width, channels).
        num_classes: the vocabulary size (ids 0 .. num_classes − 1), also the output size.
        backbone: a registered classification model, built with include_top=False and
            `pooling` ("avg", "max", or None: its last feature map, flattened, which keeps
            where things are) and `backbone_options` (builder options, e.g. widths).
        trainable_backbone: False freezes the CNN (the paper's pre-trained, frozen features).
        embedding_dim: size of the word embeddings and of the projected image.
        units: LSTM units.
        dropout_rate: dropout on the LSTM outputs (the paper uses dropout).
        caption_length: fixed number of input tokens, or None for any length.
    """
    from dlrecipes.registry import build_model, model_info

    if model_info(backbone).task != "classification":
        raise ConfigError(f"backbone must be a registered classification CNN. Received: backbone={backbone!r}")
    check_choice("pooling", pooling, (None, "avg", "max"))
    check_int("embedding_dim", embedding_dim, minimum=1)
    check_int("units", units, minimum=1)
    check_rate("dropout_rate", dropout_rate)
    if caption_length is not None:
        check_int("caption_length", caption_length, minimum=1)
    if num_classes == 0:
        raise ConfigError(
            f"{name} predicts words: num_classes is the vocabulary size (>= 2). Received: num_classes=0"
        )

    options = backbone_options or {}
    cnn = build_model(backbone, input_shape=input_shape, include_top=False, pooling=pooling, **options)
    cnn.trainable = trainable_backbone
    image = keras.Input(input_shape, name="image")
    tokens = keras.Input((caption_length,), dtype="int32", name="tokens")
    features = cnn(image)
    if len(features.shape) > 2:
        features = keras.layers.Flatten(name="image_flatten")(features)
    projected = keras.layers.Dense(embedding_dim, name="image_projection")(features)
    image_step = keras.layers.Reshape((1, embedding_dim), name="image_step")(projected)
    words = keras.layers.Embedding(num_classes, embedding_dim, mask_zero=True, name="word_embedding")(tokens)
    lstm = keras.layers.LSTM(units, return_sequences=True, return_state=True, name="lstm")
    _, *state = lstm(image_step)  # the image step; its output is not used
    x = lstm(words, initial_state=state)[0]
    if dropout_rate:
        x = keras.layers.Dropout(dropout_rate, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation=classifier_activation, name="predictions")(x)
    return keras.Model([image, tokens], outputs, name=name)


Beam = collections.namedtuple("Beam", "tokens score finished")
Beam.__doc__ = """A decoded caption: word ids (without <start> and <end>), total log-probability
(the <end> token's included), and whether it ended with <end> (else it reached max_length)."""


class _Decoder:
    """Runs a show_and_tell model one word at a time: image step once, then word steps."""

    def __init__(self, model):
        try:
            self.image = keras.Model(model.inputs[0], model.get_layer("image_projection").output)
            self.embedding = model.get_layer("word_embedding")
            self.cell = model.get_layer("lstm").cell
            self.output = model.get_layer("predictions")
        except ValueError:
            raise ConfigError(f"Decoding needs a show_and_tell model. Received: model {model.name!r}") from None

    def start(self, images):
        features = self.image.predict(images, batch_size=256, verbose=0)
        _, state = self.cell(features, self.cell.get_initial_state(len(images)), training=False)
        return [keras.ops.convert_to_numpy(s) for s in state]

    def step(self, tokens, state):
        """(log-probabilities (n, vocabulary) as float64, new state) after words `tokens`."""
        x = keras.ops.take(self.embedding.embeddings, np.asarray(tokens, "int32"), axis=0)  # no mask
        h, state = self.cell(x, state, training=False)
        logits = keras.ops.convert_to_numpy(self.output(h)).astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        log_probabilities = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        return log_probabilities, [keras.ops.convert_to_numpy(s) for s in state]


def _check_decoding(start_id, end_id, max_length):
    check_int("start_id", start_id, minimum=0)
    check_int("end_id", end_id, minimum=0)
    check_int("max_length", max_length, minimum=1)


def greedy_decode(model, images, *, start_id, end_id, max_length=20):
    """The most likely next word at every step, for each image (a batch as the model takes it):
    a list of word-id lists, each stopping before <end> or after `max_length` words."""
    _check_decoding(start_id, end_id, max_length)
    decoder = _Decoder(model)
    state = decoder.start(images)
    tokens = np.full(len(images), start_id)
    captions, done = [[] for _ in images], np.zeros(len(images), bool)
    for _ in range(max_length):
        log_probabilities, state = decoder.step(tokens, state)
        tokens = np.argmax(log_probabilities, axis=-1)
        done |= tokens == end_id
        for i in np.flatnonzero(~done):
            captions[i].append(int(tokens[i]))
        if done.all():
            break
    return captions


def beam_search(model, images, *, start_id, end_id, beam_size=3, max_length=20):
    """Beam search (as in Show and Tell's im2txt) for each image: the `beam_size` best
    captions by total log-probability, best first, as `Beam`s.

    At every step all continuations of the live captions are ranked and the `beam_size` best
    kept; those that end with <end> are complete, the others stay live, so fewer than
    `beam_size` may stay live. A caption still live after `max_length` words is returned
    unfinished. Scores are not length-normalised: shorter captions are favoured, as in the
    paper. With beam_size 1 this is `greedy_decode`.
    """
    _check_decoding(start_id, end_id, max_length)
    k = check_int("beam_size", beam_size, minimum=1)
    decoder = _Decoder(model)
    n = len(images)
    state = [np.repeat(s, k, axis=0) for s in decoder.start(images)]  # k slots per image
    log_probabilities, state = decoder.step(np.full(n * k, start_id), state)
    scores = np.full((n, k), -np.inf)
    scores[:, 0] = 0.0  # one live caption, the empty one, per image
    words = np.zeros((n, k, 0), np.int64)
    finished = [[] for _ in range(n)]
    for _ in range(max_length):
        vocabulary = log_probabilities.shape[-1]
        total = (scores[:, :, None] + log_probabilities.reshape(n, k, vocabulary)).reshape(n, -1)
        best = np.argsort(-total, axis=1, kind="stable")[:, :k]
        parent, token = np.divmod(best, vocabulary)
        best_scores = np.take_along_axis(total, best, axis=1)
        live = np.isfinite(best_scores)
        ended = live & (token == end_id)
        words = np.concatenate([words[np.arange(n)[:, None], parent], token[:, :, None]], axis=2)
        for i, j in zip(*np.nonzero(ended)):
            finished[i].append(Beam(tuple(int(w) for w in words[i, j, :-1]), float(best_scores[i, j]), True))
        scores = np.where(live & ~ended, best_scores, -np.inf)
        if not np.isfinite(scores).any():
            break
        rows = (np.arange(n)[:, None] * k + parent).ravel()
        log_probabilities, state = decoder.step(token.ravel(), [s[rows] for s in state])
    results = []
    for i in range(n):
        live = np.flatnonzero(np.isfinite(scores[i]))
        unfinished = [Beam(tuple(int(w) for w in words[i, j]), float(scores[i, j]), False) for j in live]
        results.append(sorted(finished[i] + unfinished, key=lambda beam: -beam.score)[:k])
    return results


_PAPER = Paper(
    "Show and tell: a neural image caption generator",
    "Vinyals, Toshev, Bengio, Erhan",
    2015,
    "https://arxiv.org/abs/1411.4555",
)
register_model(
    show_and_tell,
    name="show_and_tell",
    family="captioning",
    task="captioning",
    paper=_PAPER,
    default_input_shape=(64, 64, 1),
    min_input_size=16,  # lenet5_modern's
    num_params=1_234_728,
    default_num_classes=28,  # the fashion_scene_captions vocabulary
)
