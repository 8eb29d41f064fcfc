"""Character-level language models: the char_rnn / char_lstm builders, sampling, the
pystdlib_text dataset's file splits and truncated-BPTT batches, bits per character and the
engine run of the char_lstm_pystdlib recipe."""

import math

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.data import load, text
from dlrecipes.data.vocabulary import Vocabulary
from dlrecipes.errors import ConfigError
from dlrecipes.models.rnn import sample
from dlrecipes.training.optimizers import build_optimizer
from dlrecipes.training import task_metrics


def lstm_params(units, inputs):
    return 4 * (units * (inputs + units) + units)


def rnn_params(units, inputs):
    return units * (inputs + units) + units


@pytest.mark.parametrize(
    "name, layer_params", [("char_lstm", lstm_params), ("char_rnn", rnn_params)]
)
@pytest.mark.parametrize("units, num_layers, vocabulary, embedding_dim", [(128, 2, 65, None), (32, 3, 17, 8)])
def test_parameter_count_follows_the_recurrent_formulas(
    name, layer_params, units, num_layers, vocabulary, embedding_dim
):
    options = dict(units=units, num_layers=num_layers, embedding_dim=embedding_dim)
    model = dlrecipes.build_model(name, input_shape=(7,), num_classes=vocabulary, **options)
    inputs = embedding_dim or vocabulary  # one-hot input adds no trainable parameters
    expected = (vocabulary * embedding_dim if embedding_dim else 0) + layer_params(units, inputs)
    expected += (num_layers - 1) * layer_params(units, units) + units * vocabulary + vocabulary
    assert dlrecipes.count_params(model)[0] == expected
    if (units, num_layers, vocabulary) == (128, 2, 65):  # the reference configuration
        assert expected == dlrecipes.model_info(name).num_params


def test_one_hot_input_and_forget_gate_bias_one():
    model = dlrecipes.build_model("char_lstm", input_shape=(5,), num_classes=6, units=4, num_layers=1)
    np.testing.assert_array_equal(model.get_layer("one_hot").get_weights()[0], np.eye(6))
    bias = model.get_layer("lstm1").cell.bias.numpy()  # gates i, f, c, o
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])


def test_bad_arguments_are_refused():
    with pytest.raises(ConfigError, match="stateful=True needs a fixed batch_size"):
        dlrecipes.build_model("char_lstm", stateful=True)
    with pytest.raises(ConfigError, match="input_shape"):
        dlrecipes.build_model("char_rnn", input_shape=(32, 32, 3))
    with pytest.raises(ConfigError, match="cell must be one of"):
        dlrecipes.build_model("char_rnn", cell="gru")
    model = dlrecipes.build_model("char_rnn", input_shape=(4,), num_classes=3, units=2, num_layers=1)
    with pytest.raises(ConfigError, match="prefix"):
        sample(model, [], 5)
    with pytest.raises(ConfigError, match="prefix"):
        sample(model, [3], 5)  # ids 0..2 only


def test_recipe_uses_char_rnn_settings():
    recipe = dlrecipes.get_recipe("char_lstm_pystdlib")  # REFERENCE.md §3, char-rnn
    assert (recipe.batch_size, text.SEQ_LEN, recipe.optimizer.name) == (50, 50, "rmsprop")
    assert recipe.optimizer.learning_rate == 2e-3 and recipe.optimizer.options == {"rho": 0.95, "clipvalue": 5.0}
    options = recipe.model.options
    assert (options["units"], options["num_layers"], options["stateful"]) == (128, 2, True)
    optimizer = build_optimizer("rmsprop", 2e-3, {"clipnorm": 1.0})  # norm clipping is allowed too
    assert optimizer.clipnorm == 1.0


SENTENCE = "the quick brown fox jumps over the lazy dog. "


def test_lstm_overfits_a_short_string():
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.from_tokens(SENTENCE, specials=("?",))
    ids = vocabulary.encode(SENTENCE * 3)
    windows = np.stack([ids[i : i + 21] for i in range(len(SENTENCE))])  # every start position
    model = dlrecipes.build_model(
        "char_lstm", input_shape=(20,), num_classes=len(vocabulary), units=64, num_layers=1
    )
    model.compile(keras.optimizers.Adam(0.02), dlrecipes.training.losses.build_loss("crossentropy"))
    repeated = np.tile(windows, (150, 1))  # 150 full-batch steps in one epoch
    model.fit(repeated[:, :-1], repeated[:, 1:], batch_size=len(windows), shuffle=False, verbose=0)
    assert model.evaluate(windows[:, :-1], windows[:, 1:], verbose=0) < 0.05
    # greedy generation continues the memorised sentence, twice around
    expected = (SENTENCE * 3)[len("the quick") :][:60]
    assert sample(model, "the quick", 60, temperature=0.0, vocabulary=vocabulary) == expected


def test_sampling_is_reproducible_and_greedy_at_temperature_zero():
    keras.utils.set_random_seed(1)
    model = dlrecipes.build_model("char_rnn", input_shape=(None,), num_classes=12, units=16, num_layers=2)
    first = sample(model, [1, 2, 3], 40, temperature=1.0, seed=7)
    assert sample(model, [1, 2, 3], 40, temperature=1.0, seed=7) == first
    assert sample(model, [1, 2, 3], 40, temperature=1.0, seed=8) != first
    greedy = sample(model, [1, 2, 3], 40, temperature=0.0, seed=7)
    assert sample(model, [1, 2, 3], 40, temperature=1e-6, seed=9) == greedy
    # stepping through the cells gives the model's own logits: the greedy token at every step
    # is the argmax of the model run on the whole sequence
    sequence = np.array([[1, 2, 3, *greedy[:-1]]])
    predicted = np.argmax(model.predict(sequence, verbose=0)[0], axis=-1)
    np.testing.assert_array_equal(predicted[2:], greedy)


def test_stream_batches_by_hand():
    x, y = text.stream_batches(np.arange(23), batch_size=2, seq_len=3)
    # 2 streams of (23 - 1) // 2 = 11 characters: 0..10 and 11..21; 11 // 3 = 3 windows each
    np.testing.assert_array_equal(
        x, [[[0, 1, 2], [11, 12, 13]], [[3, 4, 5], [14, 15, 16]], [[6, 7, 8], [17, 18, 19]]]
    )
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ConfigError, match="batch_size is too large"):
        text.stream_batches(np.arange(23), batch_size=8, seq_len=3)


def test_state_carried_across_stream_batches_equals_one_long_sequence():
    """A stateful model fed batch k then k + 1 computes what a stateless one computes on each
    stream's two windows joined: the layout continues every stream across batches."""
    x, _ = text.stream_batches(np.arange(40) % 7, batch_size=3, seq_len=4)
    options = dict(num_classes=7, units=5, num_layers=2)
    stateful = dlrecipes.build_model("char_lstm", input_shape=(4,), stateful=True, batch_size=3, **options)
    whole = dlrecipes.build_model("char_lstm", input_shape=(8,), **options)
    whole.set_weights(stateful.get_weights())
    stepwise = np.concatenate([stateful.predict_on_batch(x[0]), stateful.predict_on_batch(x[1])], axis=1)
    np.testing.assert_allclose(stepwise, whole.predict_on_batch(np.concatenate([x[0], x[1]], axis=1)), atol=1e-5)
    task_metrics.reset_states(stateful)
    np.testing.assert_allclose(stateful.predict_on_batch(x[0]), stepwise[:, :4], atol=1e-6)


def test_file_splits_are_disjoint_fixed_for_test_and_seeded(tmp_path):
    for i in range(40):
        (tmp_path / f"m{i:02d}.py").write_text(f"x{i} = {i}\n" * 10)
    (tmp_path / "site-packages").mkdir()
    (tmp_path / "site-packages" / "skipped.py").write_text("y = 1\n")
    (tmp_path / "latin1.py").write_bytes(b"s = '\xe9'\n")  # not UTF-8: left out
    splits = {
        seed: text.split_files(tmp_path, validation_chars=300, seed=seed, train_chars=700, test_chars=250)
        for seed in (0, 1)
    }
    for parts in splits.values():
        files = [set(parts[split][0]) for split in ("train", "validation", "test")]
        assert not (files[0] & files[1] or files[0] & files[2] or files[1] & files[2])
        assert not any(f in ("latin1.py", "site-packages/skipped.py") for f in set().union(*files))
        for split, cap in (("train", 700), ("validation", 300), ("test", 250)):
            names, content = parts[split]
            full = "".join((tmp_path / f).read_text() for f in names)
            last = (tmp_path / names[-1]).read_text()  # only the last file is cut
            assert len(content) == cap and full.startswith(content) and len(full) - cap < len(last)
    assert splits[0]["test"] == splits[1]["test"]
    assert splits[0]["train"][0] != splits[1]["train"][0]


def test_pystdlib_text_splits_and_vocabulary():
    data = load("pystdlib_text", validation=100, seed=0)
    files = [set(data.files[split]) for split in ("train", "validation", "test")]
    assert not (files[0] & files[1] or files[0] & files[2] or files[1] & files[2])
    assert data.num_examples("train") == (text.TRAIN_CHARS - 1) // 50
    assert data.num_examples("validation") == 100 and data.input_shape == (50,)
    assert data.vocabulary.tokens[0] == text.UNKNOWN and data.num_classes == len(data.vocabulary)
    assert set(data.text("train")) == set(data.vocabulary.tokens[1:])  # every train character
    train = data.limit(train=200).as_dataset("train", 4)
    assert train.options().autotune.enabled is False  # in memory: see datasets.prefetched_in_memory
    x, y = next(iter(train))
    assert x.shape == (4, 50) and data.limit(train=200).steps_per_epoch(4) == 50  # windows / stream
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    with pytest.raises(ConfigError, match="shuffle"):
        data.as_dataset("train", 4, shuffle=True)


def test_bits_per_character_and_perplexity_by_hand():
    # position 1: p(target) = 1/2 -> 1 bit; position 2: logits (ln 3, 0), target 1 -> p = 1/4,
    # 2 bits; mean 1.5 bits = CE / ln 2, perplexity 2 ** 1.5
    y_true = np.array([[0, 1]])
    logits = np.array([[[0.0, 0.0], [math.log(3.0), 0.0]]], "float32")
    bits, perplexity = task_metrics.BitsPerCharacter(), task_metrics.Perplexity()
    bits.update_state(y_true, logits)
    perplexity.update_state(y_true, logits)
    assert float(bits.result()) == pytest.approx(1.5, rel=1e-6)
    assert float(perplexity.result()) == pytest.approx(2**1.5, rel=1e-6)
    cross_entropy = -(math.log(0.5) + math.log(0.25)) / 2
    assert float(bits.result()) == pytest.approx(cross_entropy / math.log(2), rel=1e-6)


def test_recipe_trains_reports_bits_per_character_and_writes_samples(tmp_path, monkeypatch):
    monkeypatch.setattr(text.LANGUAGE_MODEL, "sample_length", 30)
    result = dlrecipes.train(
        "char_lstm_pystdlib", out=tmp_path, epochs=1, max_train_examples=200, validation=100, verbose=0
    )
    metrics = result.metrics
    assert metrics["test_bits_per_character"] == pytest.approx(metrics["test_loss"] / math.log(2), rel=1e-4)
    assert metrics["test_perplexity"] == pytest.approx(math.exp(metrics["test_loss"]), rel=1e-4)
    samples = (result.run_dir / "samples.txt").read_text()
    assert [f"--- temperature {t} ---" in samples for t in (0.2, 0.5, 1.0)] == [True] * 3
    assert result.model.get_layer("lstm1").stateful and result.model.inputs[0].shape == (50, 50)
    # the saved model and vocabulary sample the same text as the trained model
    saved = keras.saving.load_model(result.run_dir / "model.keras")
    vocabulary = Vocabulary.load(result.run_dir / "vocabulary.json")
    assert vocabulary == text.load_pystdlib_text(validation=100).vocabulary
    assert sample(saved, "def ", 30, 0.5, vocabulary=vocabulary) in samples
