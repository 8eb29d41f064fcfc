"""Real datasets streamed from tensorflow-datasets where users have them prepared: Oxford-IIIT
Pet for segmentation, COCO captions for captioning. Tested on hand-made examples served through
`tfds.testing.mock_data` (no internet, nothing prepared)."""

import json
import time

import numpy as np
import pytest

import dlrecipes
from dlrecipes.data import coco, load, pets, tfds_source
from dlrecipes.data.captions import CAPTIONING, END, PAD, START, UNKNOWN
from dlrecipes.data.segmentation import SEGMENTATION
from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.tasks import task_of

pytestmark = pytest.mark.usefixtures("offline_data")
tf = pytest.importorskip("tensorflow")
tfds = pytest.importorskip("tensorflow_datasets")


def mock_tfds(monkeypatch, examples):
    """tfds serves `examples()` (a list of feature dicts) for every split, as if prepared."""
    monkeypatch.setattr(tfds_source, "is_prepared", lambda name: True)

    def as_dataset(builder, split, **kwargs):
        rows = examples()
        signature = tf.nest.map_structure(
            lambda value: tf.TensorSpec((None,) * np.ndim(value), tf.constant(value).dtype), rows[0]
        )
        dataset = tf.data.Dataset.from_generator(lambda: iter(rows), output_signature=signature)
        return dataset.apply(tf.data.experimental.assert_cardinality(len(rows)))

    return tfds.testing.mock_data(as_dataset_fn=as_dataset)


# ---------------------------------------------------------------- Oxford-IIIT Pet


def pet(height, width):
    """An image and its trimap: left part pet (1), right part background (2), top rows border (3)."""
    mask = np.full((height, width, 1), 2, np.uint8)
    mask[:, : width // 2] = 1
    mask[: height // 10] = 3
    image = np.random.default_rng(height).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return {"image": image, "segmentation_mask": mask, "label": np.int64(3)}


@pytest.fixture
def mock_pets(monkeypatch):
    with mock_tfds(monkeypatch, lambda: [pet(40, 60), pet(50, 30), pet(40, 60), pet(30, 30)]):
        yield


def test_offline_pets_fails_fast_naming_the_ways(tmp_path):
    start = time.monotonic()
    with pytest.raises(DataUnavailableError) as info:
        load("oxford_iiit_pet", validation=100)
    assert time.monotonic() - start < 10
    message = str(info.value)
    for part in ("oxford_iiit_pet", "has not prepared it", "tfds build oxford_iiit_pet", "TFDS_DATA_DIR",
                 "internet", "robots.ox.ac.uk"):  # fmt: skip
        assert part in message
    with pytest.raises(ConfigError, match="set TFDS_DATA_DIR instead of data_dir"):
        load("oxford_iiit_pet", data_dir=tmp_path, validation=100)
    with pytest.raises(ConfigError, match="validation must be smaller than the 3680"):
        load("oxford_iiit_pet", validation=5000)


def test_pets_stream_resized_masks_with_labels_0_to_2(mock_pets, monkeypatch):
    monkeypatch.setattr(pets, "IMAGE_SIZE", 32)
    splits = load("oxford_iiit_pet", validation=80)
    assert task_of(splits) is SEGMENTATION and splits.class_names == ("pet", "background", "border")
    assert [splits.num_examples(s) for s in ("train", "validation", "test")] == [3600, 80, 3669]
    assert splits.input_shape == (32, 32, 3) and splits.num_classes == 3
    x, y = next(iter(splits.as_dataset("test", 4)))
    assert x.shape == (4, 32, 32, 3) and x.dtype == "float32" and y.shape == (4, 32, 32) and y.dtype == "int32"
    assert -3 < float(np.min(x)) < float(np.max(x)) < 3  # standardized
    # 40x60 -> 32x32, nearest with half-pixel centres: output (i, j) samples source
    # (floor((i + 0.5) * 40 / 32), floor((j + 0.5) * 60 / 32)); border rows 0-3, pet columns 0-29
    rows, cols = (np.floor((np.arange(32) + 0.5) * n / 32) for n in (40, 60))
    expected = np.where(rows[:, None] < 4, 2, np.where(cols[None, :] < 30, 0, 1))
    assert set(np.unique(expected)) == {0, 1, 2}
    np.testing.assert_array_equal(y[0], expected)
    assert set(np.unique(y)) == {0, 1, 2}
    raw, _ = next(iter(splits.as_dataset("test", 1, normalize=False)))
    mean = pet(40, 60)["image"].mean(axis=(0, 1))
    np.testing.assert_allclose(np.mean(raw[0], axis=(0, 1)), mean, atol=12)  # a resized copy
    assert splits.limit(train=3).steps_per_epoch(2) == 2
    with pytest.raises(ConfigError, match="oxford_iiit_pet is streamed"):
        splits.arrays("test")


def test_fcn_trains_on_pets_and_reports_mean_iou(mock_pets, monkeypatch, tmp_path):
    monkeypatch.setattr(pets, "IMAGE_SIZE", 32)
    result = dlrecipes.train(
        "fcn8s_scenes",
        out=tmp_path,
        dataset="oxford_iiit_pet",
        epochs=1,
        validation=2,
        batch_size=2,
        max_train_examples=4,
        verbose=0,
        **{"model.options.width": 0.0625},
    )
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert 0.0 <= metrics["test_mean_iou"] <= 1.0 and 0.0 <= metrics["test_pixel_accuracy"] <= 1.0
    assert metrics["test_pixel_accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-6)
    assert set(metrics["test_iou_per_class"]) == {"pet", "background", "border"}
    assert metrics["data_source"].startswith("tensorflow-datasets")
    assert result.model.output_shape == (None, 32, 32, 3)
    assert (result.run_dir / "predictions.png").stat().st_size > 0


# ---------------------------------------------------------------- COCO captions

COCO_CAPTIONS = [
    ["A dog runs on the grass.", "A brown dog, running!"],
    ["Two cats sleep on a sofa", "cats on a SOFA", "a sofa with two cats on it in a very small living room today"],
    ["A dog and a cat", "a cat near a dog"],
]


def coco_image(i, height=20, width=30):
    return {
        "image": np.full((height + i, width, 3), 40 * i, np.uint8),
        "captions": {"text": np.array(COCO_CAPTIONS[i], object), "id": np.arange(len(COCO_CAPTIONS[i]))},
    }


@pytest.fixture
def mock_coco(monkeypatch):
    monkeypatch.setattr(coco, "IMAGE_SIZE", 16)
    monkeypatch.setattr(coco, "MIN_COUNT", 2)
    monkeypatch.setattr(coco, "MAX_WORDS", 6)
    with mock_tfds(monkeypatch, lambda: [coco_image(i) for i in range(3)]):
        yield


def test_offline_coco_fails_fast_naming_the_ways():
    start = time.monotonic()
    with pytest.raises(DataUnavailableError) as info:
        load("coco_captions", validation=100)
    assert time.monotonic() - start < 10
    for part in ("coco_captions", "has not prepared it", "tfds build coco_captions", "TFDS_DATA_DIR", "internet"):
        assert part in str(info.value)


def test_coco_words_vocabulary_and_teacher_forced_batches(mock_coco):
    assert coco.words("A brown dog, running!") == ["a", "brown", "dog", "running"]
    data = load("coco_captions", validation=100)
    assert task_of(data) is CAPTIONING and data.caption_tokens == 8
    # train captions' words seen at least MIN_COUNT = 2 times, after the specials
    assert data.vocabulary.tokens == (PAD, UNKNOWN, START, END, "a", "cat", "cats", "dog", "on", "sofa", "two")
    assert data.num_classes == 11 and data.input_shape == (16, 16, 3)
    assert [data.num_examples(s) for s in ("train", "validation", "test")] == [82_683, 100, 5000]
    (images, inputs), targets = next(iter(data.as_dataset("test", 3)))
    assert images.shape == (3, 16, 16, 3) and images.dtype == "float32"
    assert inputs.shape == targets.shape == (3, 7) and inputs.dtype == targets.dtype == "int32"
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])  # shifted by one
    ids = data.vocabulary.encode

    def teacher_input(text):  # <start> + at most MAX_WORDS = 6 words + <end>, padded to 8, minus the last
        tokens = [START, *coco.words(text)[:6], END]
        return tuple(ids(tokens + [PAD] * (8 - len(tokens)))[:-1])

    # the first caption of test images; "runs", "the", "grass" are rare words
    np.testing.assert_array_equal(inputs[0], ids([START, "a", "dog", UNKNOWN, "on", UNKNOWN, UNKNOWN]))
    np.testing.assert_array_equal(targets[0], ids(["a", "dog", UNKNOWN, "on", UNKNOWN, UNKNOWN, END]))
    np.testing.assert_array_equal(targets[2], ids(["a", "dog", UNKNOWN, "a", "cat", END, PAD]))  # padded
    # train images get one of their captions at random (the third one cut after 6 words)
    drawn = set()
    for seed in range(6):
        for (batch_images, batch_inputs), _ in data.as_dataset("train", 3, seed=seed):
            second = np.flatnonzero(np.isclose(batch_images[:, 0, 0, 0], images[1, 0, 0, 0]))  # image 1
            drawn.update(tuple(batch_inputs[int(i)].numpy()) for i in second)
    assert 1 < len(drawn) and drawn <= {teacher_input(c) for c in COCO_CAPTIONS[1]}
    pictures_normalized, pictures, references = data.report_examples("test")
    assert pictures.shape == (3, 16, 16, 3) and pictures.dtype == np.uint8 and pictures[1].min() == 40
    np.testing.assert_allclose(pictures_normalized, images.numpy(), atol=1e-2)
    assert references[0] == [["a", "dog", "runs", "on", "the", "grass"], ["a", "brown", "dog", "running"]]


def test_show_and_tell_trains_on_coco_and_reports_bleu(mock_coco, tmp_path):
    result = dlrecipes.train(
        "caption_scenes",
        out=tmp_path,
        dataset="coco_captions",
        epochs=1,
        validation=3,
        batch_size=3,
        verbose=0,
        **{"model.options.embedding_dim": 8, "model.options.units": 8},
    )
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert len(metrics["test_bleu_greedy"]) == len(metrics["test_bleu_beam"]) == 4
    assert all(0.0 <= b <= 1.0 for b in metrics["test_bleu_greedy"] + metrics["test_bleu_beam"])
    assert result.model.output_shape == (None, None, 11)
    assert (result.run_dir / "captions.png").stat().st_size > 0 and (result.run_dir / "vocabulary.json").exists()
