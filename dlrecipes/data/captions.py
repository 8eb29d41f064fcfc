"""Image captioning as a task of the one engine, on captioned Fashion-MNIST scenes.

Dataset "fashion_scene_captions": the "fashion_scenes" images (`scenes.scene_sets`: train and
validation scenes from disjoint Fashion-MNIST training images, test scenes from test images
only), each with `PHRASINGS` captions from a small grammar naming its items and where they are
relative to each other. Items are ordered left to right (by column, then row); between two
items the relation is "left of" / "right of" when their 28×28 boxes are apart horizontally,
else "above" / "below" (boxes never overlap, so one holds):

    chain      "a bag left of a sneaker above a coat"     left to right, consecutive pairs
    reverse    "a coat below a sneaker right of a bag"    the same, right to left
    count      "three items : a bag , a sneaker and a coat"

An example is one (scene, caption) pair, tokens "<start> words <end>" padded with "<pad>" to
`CAPTION_TOKENS`; batches are ((image, tokens[:-1]), tokens[1:]) (teacher forcing). "<pad>" is
id 0, which show_and_tell masks, so loss and accuracy count real words only. The word
vocabulary comes from the train captions.
"""

import dataclasses
import math
import warnings

import numpy as np

from dlrecipes.data.datasets import _channel_stats, _Splits, _standardize, in_memory_batches, register_dataset
from dlrecipes.data.scenes import TEST_SCENES, TRAIN_SCENES, scene_sets
from dlrecipes.data.vocabulary import Vocabulary
from dlrecipes.errors import ConfigError
from dlrecipes.tasks import Task
from dlrecipes.validation import check_int

NAMES = ("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot")
COUNTS = ("one item", "two items", "three items")
RELATIONS = ("left of", "right of", "above", "below")
WORDS = NAMES + ("a", "and", ",", ":", *" ".join(COUNTS + RELATIONS).split())  # the grammar's words
PAD, UNKNOWN, START, END = "<pad>", "<unk>", "<start>", "<end>"
SPECIALS = (PAD, UNKNOWN, START, END)  # ids 0..3; show_and_tell masks id 0
PHRASINGS = ("chain", "reverse", "count")
CAPTION_TOKENS = 13  # <start> + at most 11 words ("three items : a X , a Y and a Z") + <end>
ITEM_SIZE = 28


def relation(a, b, size=ITEM_SIZE):
    """Where item a is relative to item b, from the (row, col) top-left corners of their
    size×size boxes: "left of" / "right of" if the boxes are apart horizontally, else "above" /
    "below"."""
    (row_a, col_a), (row_b, col_b) = a, b
    if col_a + size <= col_b:
        return "left of"
    if col_b + size <= col_a:
        return "right of"
    if row_a + size <= row_b:
        return "above"
    if row_b + size <= row_a:
        return "below"
    raise ConfigError(f"Items overlap: no relation between boxes at {a} and {b}.")


def _chain(items):
    words = [f"a {NAMES[items[0][0]]}"]
    for (_, *a), (name, *b) in zip(items, items[1:]):
        words.append(f"{relation(a, b)} a {NAMES[name]}")
    return " ".join(words)


def captions(items):
    """The PHRASINGS captions (strings) of a scene's items, (class_index, row, col) each."""
    ordered = sorted(items, key=lambda item: (item[2], item[1]))
    named = [f"a {NAMES[name]}" for name, _, _ in ordered]
    listing = named[0] if len(named) == 1 else f"{' , '.join(named[:-1])} and {named[-1]}"
    return (_chain(ordered), _chain(ordered[::-1]), f"{COUNTS[len(ordered) - 1]} : {listing}")


def corpus_bleu_scores(references, hypotheses):
    """Corpus-level BLEU-1..4 (Papineni et al. 2002; NLTK's `corpus_bleu`, uniform weights, no
    smoothing) of hypotheses (word lists) against each one's references (lists of word lists)."""
    from nltk.translate.bleu_score import corpus_bleu

    weights = [(1.0,), (0.5, 0.5), (1 / 3, 1 / 3, 1 / 3), (0.25, 0.25, 0.25, 0.25)]
    with warnings.catch_warnings():  # NLTK warns when an n-gram order has no match: BLEU is 0
        warnings.simplefilter("ignore", UserWarning)
        return [float(corpus_bleu(references, hypotheses, weights=w)) for w in weights]


class CaptioningTask(Task):
    """Next-word prediction under teacher forcing: accuracy over real (unpadded) words. The
    report decodes the test images (`data.report_examples("test")`) greedily and by beam search (`beam_size`), scores both
    with corpus BLEU-1..4 against all reference captions, saves `captions.png` (a grid of test
    images with their captions) and the vocabulary (vocabulary.json), and prints a few
    image/caption pairs."""

    name = "captioning"
    beam_size = 3
    figure_examples = 8

    def metrics(self, data):
        return ["accuracy"]

    def report(self, recipe, data, model, run_dir):
        from dlrecipes.models.captioning import beam_search, greedy_decode

        images, pictures, references = data.report_examples("test")
        ids = {token: data.vocabulary.id(token) for token in (START, END)}
        length = data.caption_tokens - 2
        greedy = greedy_decode(model, images, start_id=ids[START], end_id=ids[END], max_length=length)
        beams = beam_search(
            model, images, start_id=ids[START], end_id=ids[END], beam_size=self.beam_size, max_length=length
        )
        decoded = {
            "greedy": [data.vocabulary.decode(c) for c in greedy],
            "beam": [data.vocabulary.decode(b[0].tokens) for b in beams],
        }
        bleu = {way: corpus_bleu_scores(references, words) for way, words in decoded.items()}
        count = min(self.figure_examples, len(images))
        rows = [(" ".join(decoded["greedy"][i]), " ".join(decoded["beam"][i])) for i in range(count)]
        plot_captions(pictures[:count], rows, run_dir / "captions.png")
        data.vocabulary.save(run_dir / "vocabulary.json")
        for i, (greedy_text, beam_text) in enumerate(rows[:4]):
            print(f"test scene {i}: greedy: {greedy_text} | beam {self.beam_size}: {beam_text}")
        print(", ".join(f"{way} BLEU-4 {scores[3]:.4f}" for way, scores in bleu.items()))
        return {
            "test_bleu_greedy": bleu["greedy"],
            "test_bleu_beam": bleu["beam"],
            "test_bleu4_greedy": bleu["greedy"][3],
            "test_bleu4_beam": bleu["beam"][3],
            "beam_size": self.beam_size,
        }


CAPTIONING = CaptioningTask()


@dataclasses.dataclass(frozen=True, eq=False)
class CaptionSplits(_Splits):
    """Scenes (uint8 images per split) and their captions as token ids: `tokens[split]` has
    `phrasings` rows per scene, scene-major (row p belongs to scene p // phrasings)."""

    name: str
    images: dict = dataclasses.field(repr=False)
    tokens: dict = dataclasses.field(repr=False)
    vocabulary: Vocabulary = dataclasses.field(repr=False)
    phrasings: int
    mean: np.ndarray
    std: np.ndarray
    source: str
    task: Task = dataclasses.field(default=CAPTIONING, repr=False)

    @property
    def num_classes(self):
        return len(self.vocabulary)

    @property
    def input_shape(self):
        return self.images["train"].shape[1:]

    @property
    def caption_tokens(self):
        return self.tokens["train"].shape[1]

    def _sizes(self):
        return {split: len(tokens) for split, tokens in self.tokens.items()}

    def normalized_images(self, split):
        """float32 (x / 255 − mean) / std of the split's scenes, for any backend."""
        self._check_split(split)
        return _standardize(self.images[split].astype(np.float32), self.mean, self.std)

    def references(self, split):
        """Per scene, its captions as word lists (no <start>, <end>, <pad>)."""
        self._check_split(split)
        drop = {self.vocabulary.id(t) for t in (PAD, START, END)}
        words = [self.vocabulary.decode([i for i in row if i not in drop]) for row in self.tokens[split]]
        return [words[p : p + self.phrasings] for p in range(0, len(words), self.phrasings)]

    def report_examples(self, split):
        """(normalized images, uint8 images, per scene its captions as word lists) of `split`,
        for the captioning report."""
        return self.normalized_images(split), self.images[split], self.references(split)

    def as_dataset(self, split, batch_size, *, shuffle=None, seed=0):
        """A tf.data.Dataset of ((float32 images, int32 tokens[:-1]), int32 tokens[1:])
        batches, shuffled (seeded, every epoch) by default for "train"."""
        self._check_split(split)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        seed = check_int("seed", seed, minimum=0)
        shuffle = split == "train" if shuffle is None else shuffle
        import tensorflow as tf

        n = len(self.tokens[split])
        images = tf.constant(self.images[split])
        tokens = tf.constant(self.tokens[split])
        scenes = tf.constant(np.arange(n) // self.phrasings)
        mean, std = self.mean, self.std

        def pairs(rows):
            image = _standardize(tf.cast(tf.gather(images, tf.gather(scenes, rows)), tf.float32), mean, std)
            caption = tf.gather(tokens, rows)
            return (image, caption[:, :-1]), caption[:, 1:]

        return in_memory_batches(n, batch_size, pairs, shuffle=shuffle, seed=seed)

    def limit(self, train=None, validation=None, test=None):
        """A copy keeping at most the first n (scene, caption) pairs of each split given."""
        images, tokens = dict(self.images), dict(self.tokens)
        for split, n in (("train", train), ("validation", validation), ("test", test)):
            if n is not None:
                n = check_int(split, n, minimum=1)
                tokens[split] = tokens[split][:n]
                images[split] = images[split][: math.ceil(len(tokens[split]) / self.phrasings)]
        return dataclasses.replace(self, images=images, tokens=tokens)


def encode_captions(texts, vocabulary, length=CAPTION_TOKENS):
    """int32 (len(texts), length): "<start> words <end>" ids, padded with <pad>."""
    out = np.full((len(texts), length), vocabulary.id(PAD), np.int32)
    for row, text in enumerate(texts):
        ids = vocabulary.encode([START, *text.split(), END])
        if len(ids) > length:
            raise ConfigError(f"Caption longer than {length} tokens. Received: {text!r}")
        out[row, : len(ids)] = ids
    return out


def load_scene_captions(data_dir=None, validation=1000, seed=0):
    """The "fashion_scene_captions" `CaptionSplits`; `validation` scenes (each with
    PHRASINGS captions) come from held-out training images."""
    # the scene counts are read here, not bound as defaults, so that tests can shrink them
    fashion, scenes = scene_sets(data_dir, validation, seed, train=TRAIN_SCENES, test=TEST_SCENES)
    texts = {split: [c for items in s.items for c in captions(items)] for split, s in scenes.items()}
    vocabulary = Vocabulary.from_tokens(
        (word for text in texts["train"] for word in text.split()), specials=SPECIALS, unknown=UNKNOWN
    )
    mean, std = _channel_stats(scenes["train"].images)
    return CaptionSplits(
        name="fashion_scene_captions",
        images={split: s.images for split, s in scenes.items()},
        tokens={split: encode_captions(t, vocabulary) for split, t in texts.items()},
        vocabulary=vocabulary,
        phrasings=len(PHRASINGS),
        mean=mean,
        std=std,
        source=f"captioned scenes of Fashion-MNIST from {fashion.source}",
    )


def plot_captions(images, rows, path):
    """A PNG grid: each image with its greedy and beam-search captions."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    columns = min(4, len(images))
    lines = -(-len(images) // columns)
    figure, axes = pyplot.subplots(lines, columns, figsize=(3.4 * columns, 3.9 * lines), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, image, (greedy, beam) in zip(axes.ravel(), images, rows):
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=255)
        axis.set_title(f"greedy: {greedy}\nbeam: {beam}", fontsize=7, wrap=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


register_dataset(
    "fashion_scene_captions",
    num_classes=len(SPECIALS) + len(set(WORDS)),
    loader=load_scene_captions,
    description="64x64 Fashion-MNIST scenes with 3 grammar captions each (items and relations)",
)
