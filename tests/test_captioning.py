"""Captioning: the scene-caption grammar, corpus BLEU, the show_and_tell builder, greedy and
beam-search decoding, the fashion_scene_captions dataset and the caption_scenes recipe."""

import math

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.data import captions, load
from dlrecipes.data.scenes import make_scenes
from dlrecipes.data.vocabulary import Vocabulary
from dlrecipes.errors import ConfigError
from dlrecipes.models.captioning import beam_search, greedy_decode


def test_captions_of_hand_placed_items():
    # a bag (8) at the top left, a t-shirt (0) 36 columns to the right: apart horizontally
    assert captions.captions([(8, 0, 0), (0, 30, 36)]) == (
        "a bag left of a t-shirt",
        "a t-shirt right of a bag",
        "two items : a bag and a t-shirt",
    )
    # columns 10..37 and 20..47 overlap, rows 0..27 and 30..57 do not: vertical relation
    assert captions.captions([(9, 30, 20), (7, 0, 10)]) == (
        "a sneaker above a boot",
        "a boot below a sneaker",
        "two items : a sneaker and a boot",
    )
    assert captions.captions([(4, 5, 5)])[2] == "one item : a coat"
    with pytest.raises(ConfigError, match="overlap"):
        captions.relation((0, 0), (10, 10))


def _apart(a, b, axis):
    """Every pixel of box a comes before every pixel of box b along axis (0 rows, 1 columns)."""
    return a[axis] + captions.ITEM_SIZE - 1 < b[axis]


def test_caption_relations_agree_with_item_positions():
    rng = np.random.default_rng(0)
    images = rng.integers(1, 256, size=(50, 28, 28), dtype=np.uint8)
    scenes = make_scenes(images, np.arange(50) % 10, count=300, items=(1, 3), seed=3)
    seen = set()
    for items in scenes.items:
        ordered = sorted(items, key=lambda item: (item[2], item[1]))
        for caption, sequence in zip(captions.captions(items)[:2], (ordered, ordered[::-1])):
            words = caption.split()
            names = [w for w in words if w in captions.NAMES]
            assert names == [captions.NAMES[c] for c, _, _ in sequence]
            phrases = caption.replace(" of", "_of").split()[2::3]  # relation between each pair
            for phrase, (_, *a), (_, *b) in zip(phrases, sequence, sequence[1:]):
                expected = {
                    "left_of": _apart(a, b, 1),
                    "right_of": _apart(b, a, 1),
                    "above": _apart(a, b, 0) and not (_apart(a, b, 1) or _apart(b, a, 1)),
                    "below": _apart(b, a, 0) and not (_apart(a, b, 1) or _apart(b, a, 1)),
                }
                assert expected[phrase], (caption, items)
                seen.add(phrase)
    assert seen == {"left_of", "right_of", "above", "below"}


def test_bleu_by_hand():
    caption = "a bag left of a coat".split()
    assert captions.corpus_bleu_scores([[caption]], [caption]) == pytest.approx([1.0] * 4)
    # vs "a bag above a coat": unigrams 4/6 match (a, a, bag, coat), bigrams 2/5 (a bag,
    # a coat); the hypothesis is longer than the reference, so no brevity penalty
    scores = captions.corpus_bleu_scores([["a bag above a coat".split()]], [caption])
    assert scores[:2] == pytest.approx([4 / 6, math.sqrt(4 / 6 * 2 / 5)])


def small_captioner(seed=0):
    keras.utils.set_random_seed(seed)
    return dlrecipes.build_model(
        "show_and_tell", input_shape=(16, 16, 1), num_classes=12, embedding_dim=8, units=16
    )


def test_beam_search_of_size_one_is_greedy_and_beams_are_ordered_by_their_log_probability():
    model = small_captioner()
    images = np.random.default_rng(1).normal(size=(6, 16, 16, 1)).astype("float32")
    ids = dict(start_id=2, end_id=3, max_length=6)
    greedy = greedy_decode(model, images, **ids)
    assert [list(beams[0].tokens) for beams in beam_search(model, images, beam_size=1, **ids)] == greedy
    for image, beams in zip(images, beam_search(model, images, beam_size=4, **ids)):
        assert len(beams) == 4
        assert [b.score for b in beams] == sorted((b.score for b in beams), reverse=True)
        for beam in beams:  # the score is the caption's log-probability under teacher forcing
            tokens = np.array([[2, *beam.tokens]])
            logits = keras.ops.convert_to_numpy(model([image[None], tokens]))[0].astype(np.float64)
            log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
            targets = [*beam.tokens, 3] if beam.finished else list(beam.tokens)
            assert beam.score == pytest.approx(sum(log_p[t, w] for t, w in enumerate(targets)), abs=1e-4)
            assert beam.finished or len(beam.tokens) == 6
            assert 3 not in beam.tokens


def test_builder_checks_and_frozen_backbone():
    with pytest.raises(ConfigError, match="classification CNN"):
        dlrecipes.build_model("show_and_tell", backbone="char_lstm")
    with pytest.raises(ConfigError, match="pooling"):
        dlrecipes.build_model("show_and_tell", pooling="sum")
    options = dict(backbone="resnet20", pooling="avg", trainable_backbone=False)
    frozen = dlrecipes.build_model("show_and_tell", input_shape=(32, 32, 3), num_classes=10, **options)
    trainable, total = dlrecipes.count_params(frozen)
    backbone = frozen.get_layer("resnet20")
    assert not backbone.trainable and trainable == total - dlrecipes.count_params(backbone)[1]
    assert frozen.output_shape == (None, None, 10)
    with pytest.raises(ConfigError, match="show_and_tell"):
        greedy_decode(dlrecipes.build_model("char_rnn"), np.zeros((1, 50)), start_id=1, end_id=2)


@pytest.fixture
def few_scenes(monkeypatch, fashion_mnist_dir):
    monkeypatch.setattr(captions, "TRAIN_SCENES", 64)
    monkeypatch.setattr(captions, "TEST_SCENES", 16)


def test_scene_captions_dataset(few_scenes):
    data = load("fashion_scene_captions", validation=8)
    assert data.vocabulary.tokens == captions.SPECIALS + tuple(sorted(set(captions.WORDS)))
    assert data.num_classes == 28 == dlrecipes.model_info("show_and_tell").default_num_classes
    assert {split: data.num_examples(split) for split in ("train", "validation", "test")} == {
        "train": 192, "validation": 24, "test": 48,
    }
    test = data.as_dataset("test", 6)
    assert test.options().autotune.enabled is False  # in memory: see datasets.prefetched_in_memory
    (images, inputs), targets = next(iter(test))
    assert images.shape == (6, 64, 64, 1) and inputs.shape == targets.shape == (6, 12)
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])  # teacher forcing: shifted by one
    np.testing.assert_array_equal(inputs[:, 0], data.vocabulary.id(captions.START))
    assert data.vocabulary.id(captions.PAD) == 0  # masked by show_and_tell
    references = data.references("test")
    assert len(references) == 16 and all(len(r) == 3 for r in references)
    assert " ".join(references[0][2]).startswith(("one item", "two items", "three items"))
    assert data.limit(train=5).num_examples("train") == 5 and len(data.limit(train=5).images["train"]) == 2


def test_recipe_trains_and_reports_greedy_and_beam_bleu(few_scenes, tmp_path):
    result = dlrecipes.train("caption_scenes", out=tmp_path, epochs=1, validation=8, verbose=0)
    metrics = result.metrics
    for way in ("greedy", "beam"):
        assert len(metrics[f"test_bleu_{way}"]) == 4 and all(0.0 <= b <= 1.0 for b in metrics[f"test_bleu_{way}"])
        assert metrics[f"test_bleu4_{way}"] == metrics[f"test_bleu_{way}"][3]
    assert metrics["beam_size"] == 3 and (result.run_dir / "captions.png").stat().st_size > 0
    assert Vocabulary.load(result.run_dir / "vocabulary.json").tokens[:4] == captions.SPECIALS


def test_padding_is_left_out_of_loss_and_accuracy():
    model = small_captioner()
    model.compile("sgd", loss=dlrecipes.training.losses.build_loss("crossentropy"), metrics=["accuracy"])
    images = np.random.default_rng(2).normal(size=(2, 16, 16, 1)).astype("float32")
    tokens = np.array([[2, 4, 5, 0, 0], [2, 4, 0, 0, 0]])  # 0 = <pad>
    log_p = keras.ops.convert_to_numpy(keras.ops.log_softmax(model([images, tokens])))
    real = tokens != 0
    targets = np.where(real, log_p.argmax(-1), (log_p.argmax(-1) + 1) % 12)  # right on words only
    cross_entropy = -np.take_along_axis(log_p, targets[..., None], -1)[..., 0]
    result = model.evaluate([images, tokens], targets, verbose=0, return_dict=True)
    assert result["accuracy"] == 1.0
    assert result["loss"] == pytest.approx(cross_entropy[real].mean(), rel=1e-5)
