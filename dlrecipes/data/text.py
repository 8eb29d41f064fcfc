"""Character-level language modelling as a task of the one engine, on text every machine has.

Dataset "pystdlib_text": the Python standard library's .py sources (`sysconfig`'s "stdlib"
path; site-packages, dist-packages and files that are not UTF-8 left out), split by file so
that no file is in two splits. Test files are fixed (ordered by CRC-32 of their path, taken
until `TEST_CHARS` characters); the other files are shuffled by the seed and fill validation
(`validation` windows of `SEQ_LEN` characters) then train. Train is capped at `TRAIN_CHARS`
characters (2 M: about 800 batches of 50×50 characters an epoch, ~45 s of a 2-layer 128-unit
LSTM on 2 CPU cores), so a recipe runs in minutes; each split's text is cut at its cap. The
character vocabulary comes from the train text, with id 0 for characters it lacks.

Batches follow truncated backpropagation through time (char-rnn's loader): a split's text is
cut into `batch_size` contiguous streams and batch k holds the k-th window of `SEQ_LEN`
characters of every stream, the targets shifted by one character; row b of batch k continues
row b of batch k − 1, so a stateful model carries each stream's state across batches. An
"example" is one window of `SEQ_LEN` characters (`num_examples`, `limit`).
"""

import dataclasses
import os
import pathlib
import platform
import sysconfig
import zlib

import numpy as np

from dlrecipes.data.datasets import _check_data_dir, _Splits, prefetched_in_memory, register_dataset
from dlrecipes.data.vocabulary import Vocabulary
from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.tasks import Task
from dlrecipes.validation import check_int

SEQ_LEN = 50  # char-rnn's seq_length (REFERENCE.md §3)
TRAIN_CHARS = 2_000_000
TEST_CHARS = 200_000
UNKNOWN = "\ufffd"  # the replacement character stands for characters outside the vocabulary
_SKIPPED_DIRS = {"site-packages", "dist-packages", "__pycache__"}


def stream_batches(ids, batch_size, seq_len):
    """(x, y) int32 arrays of shape (steps, batch_size, seq_len) for truncated BPTT.

    `ids` is cut into `batch_size` streams of L = (len(ids) − 1) // batch_size characters,
    stream b starting at b·L; batch k holds characters [k·seq_len, (k + 1)·seq_len) of every
    stream as x and the characters one further on as y; steps = L // seq_len (the rest of
    each stream, shorter than a window, is dropped).
    """
    length, steps = _streams(len(ids), batch_size, seq_len)
    index = (
        (np.arange(batch_size) * length)[None, :, None]
        + (np.arange(steps) * seq_len)[:, None, None]
        + np.arange(seq_len)[None, None, :]
    )
    ids = np.asarray(ids, np.int32)
    return ids[index], ids[index + 1]


def _streams(characters, batch_size, seq_len):
    """(stream length, windows per stream) of `characters` cut into `batch_size` streams."""
    batch_size = check_int("batch_size", batch_size, minimum=1)
    length = (characters - 1) // batch_size
    if length < seq_len:
        raise ConfigError(
            f"batch_size is too large for this text: {characters} characters do not make "
            f"{batch_size} streams of at least one {seq_len}-character window. "
            f"Received: batch_size={batch_size}"
        )
    return length, length // seq_len


class LanguageModelTask(Task):
    """Next-character prediction: accuracy, bits per character and perplexity (the model
    outputs logits); the model gets the recipe's fixed batch size (a stateful RNN needs it);
    recurrent state is reset by `ResetStates`. The test bits/char and perplexity are the
    compiled metrics of the engine's test evaluation (test_bits_per_character,
    test_perplexity); the report writes samples at a few temperatures to samples.txt, prints
    them, and saves the vocabulary (vocabulary.json)."""

    name = "language_model"
    prime = "def "
    temperatures = (0.2, 0.5, 1.0)
    sample_length = 400

    def metrics(self, data):
        from dlrecipes.training.task_metrics import BitsPerCharacter, Perplexity

        return ["accuracy", BitsPerCharacter(), Perplexity()]

    def builder_kwargs(self, recipe, data):
        return {"batch_size": recipe.batch_size}

    def callbacks(self, recipe, data, run_dir):
        from dlrecipes.training.task_metrics import ResetStates

        return [ResetStates()]

    def report(self, recipe, data, model, run_dir):
        from dlrecipes.models.rnn import sample

        parts = []
        for temperature in self.temperatures:
            text = sample(
                model, self.prime, self.sample_length, temperature, recipe.seed, vocabulary=data.vocabulary
            )
            parts.append(f"--- temperature {temperature} ---\n{self.prime}{text}\n")
        samples = "\n".join(parts)
        (run_dir / "samples.txt").write_text(samples)
        data.vocabulary.save(run_dir / "vocabulary.json")  # to sample from model.keras later
        print(samples)
        return {"sample_temperatures": list(self.temperatures), "sample_prime": self.prime}


LANGUAGE_MODEL = LanguageModelTask()


@dataclasses.dataclass(frozen=True, eq=False)
class TextSplits(_Splits):
    """Character ids of train, validation and test text (read-only int32 arrays), the files
    each came from, and the vocabulary; the engine's splits interface with TBPTT batches."""

    name: str
    ids: dict = dataclasses.field(repr=False)
    files: dict = dataclasses.field(repr=False)
    vocabulary: Vocabulary = dataclasses.field(repr=False)
    seq_len: int
    source: str
    task: Task = dataclasses.field(default=LANGUAGE_MODEL, repr=False)

    def __post_init__(self):
        for ids in self.ids.values():
            ids.flags.writeable = False

    @property
    def num_classes(self):
        return len(self.vocabulary)

    @property
    def input_shape(self):
        return (self.seq_len,)

    def _sizes(self):
        return {split: max(len(ids) - 1, 0) // self.seq_len for split, ids in self.ids.items()}

    def text(self, split):
        """The split's text as the model sees it (unknown characters as `UNKNOWN`)."""
        self._check_split(split)
        return "".join(self.vocabulary.decode(self.ids[split]))

    def batches(self, split, batch_size):
        """numpy (x, y) of shape (steps, batch_size, seq_len): see `stream_batches`."""
        self._check_split(split)
        return stream_batches(self.ids[split], batch_size, self.seq_len)

    def steps_per_epoch(self, batch_size):
        """Batches of `batches("train", batch_size)`: windows per stream."""
        self._check_split("train")
        return _streams(len(self.ids["train"]), batch_size, self.seq_len)[1]

    def as_dataset(self, split, batch_size, *, shuffle=None, seed=0):
        """A tf.data.Dataset of the (int32 x, int32 y) batches of `batches`, in stream order.
        Shuffling would break the streams: `shuffle=True` raises; `seed` is unused."""
        if shuffle:
            raise ConfigError(
                "Language-model batches keep their order (truncated BPTT streams). Received: shuffle=True"
            )
        import tensorflow as tf

        return prefetched_in_memory(tf.data.Dataset.from_tensor_slices(self.batches(split, batch_size)))

    def limit(self, train=None, validation=None, test=None):
        """A copy keeping at most the first n windows of each split given."""
        ids = dict(self.ids)
        for split, n in (("train", train), ("validation", validation), ("test", test)):
            if n is not None:
                ids[split] = ids[split][: check_int(split, n, minimum=1) * self.seq_len + 1]
        return dataclasses.replace(self, ids=ids)


def source_files(root):
    """Relative paths (sorted, "/"-separated) of the .py files under `root`."""
    root = pathlib.Path(root)
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if not _SKIPPED_DIRS & set(path.relative_to(root).parts) and path.is_file()
    )


def _take(root, paths, chars):
    """Whole UTF-8 files from `paths`, in order, until `chars` characters: (files, text cut at
    `chars`)."""
    taken, parts, total = [], [], 0
    for path in paths:
        if total >= chars:
            break
        try:
            text = (root / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        taken.append(path)
        parts.append(text)
        total += len(text)
    return tuple(taken), "".join(parts)[:chars]


def split_files(root, *, validation_chars, seed, train_chars=TRAIN_CHARS, test_chars=TEST_CHARS):
    """{split: (files, text)}: test files fixed by CRC-32 order, then validation and train from
    the other files in a seeded shuffle; no file is in two splits."""
    root = pathlib.Path(root)
    files = source_files(root)
    if not files:
        raise DataUnavailableError(f"No .py files under {root} to make pystdlib_text from.")
    test = _take(root, sorted(files, key=lambda p: zlib.crc32(p.encode())), test_chars)
    rest = [files[i] for i in np.random.default_rng(seed).permutation(len(files)) if files[i] not in test[0]]
    validation = _take(root, rest, validation_chars) if validation_chars else ((), "")
    train = _take(root, [p for p in rest if p not in validation[0]], train_chars)
    return {"train": train, "validation": validation, "test": test}


def load_pystdlib_text(data_dir=None, validation=2000, seed=0):
    """The "pystdlib_text" `TextSplits`; `data_dir` replaces the standard library by another
    directory of .py files; `validation` is the number of SEQ_LEN-character windows of
    validation text (0: none)."""
    validation = check_int("validation", validation, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    if data_dir is not None:
        _check_data_dir(data_dir)
        root, source = os.fspath(data_dir), os.fspath(data_dir)
    else:
        root = sysconfig.get_paths()["stdlib"]
        source = f"{root} (Python {platform.python_version()} standard library)"
    parts = split_files(root, validation_chars=validation * SEQ_LEN + 1 if validation else 0, seed=seed)
    vocabulary = Vocabulary.from_tokens(parts["train"][1], specials=(UNKNOWN,))
    return TextSplits(
        name="pystdlib_text",
        ids={split: vocabulary.encode(text) for split, (_, text) in parts.items()},
        files={split: files for split, (files, _) in parts.items()},
        vocabulary=vocabulary,
        seq_len=SEQ_LEN,
        source=source,
    )


register_dataset(
    "pystdlib_text",
    num_classes=0,  # the vocabulary size is known once the train text is read
    loader=load_pystdlib_text,
    description="Python standard-library sources, split by file; next-character prediction",
)
