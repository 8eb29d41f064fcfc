"""Dense prediction: FCN and dilated networks (output size, bilinear upsampling, identity
context module), segmentation metrics, the Fashion-MNIST scene generator and a tiny run."""

import json

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.blocks.dense_prediction import context_module, upsample
from dlrecipes.data import scenes
from dlrecipes.data.segmentation import confusion_matrix, per_class_iou
from dlrecipes.training.task_metrics import mean_iou_metric
from dlrecipes.errors import ConfigError


@pytest.mark.parametrize(
    "name, sizes",
    [
        ("fcn32s", [(32, 32), (45, 70)]),
        ("fcn16s", [(97, 33)]),
        ("fcn8s", [(64, 64), (50, 81)]),
        ("dilated_frontend", [(8, 8), (29, 42)]),
        ("dilated_context", [(64, 64), (13, 70)]),
    ],
)
def test_output_size_equals_input_size(name, sizes):
    for height, width in sizes:
        model = dlrecipes.build_model(name, input_shape=(height, width, 1), num_classes=3, width=0.0625)
        assert model.output_shape == (None, height, width, 3), (name, height, width)
    x = np.random.default_rng(0).normal(size=(2, height, width, 1)).astype("float32")
    out = np.asarray(model(x))
    assert out.shape == (2, height, width, 3)
    if name.startswith("fcn"):  # every score layer starts at zero (Long et al. 2015)
        np.testing.assert_array_equal(out, 0.0)


def test_dilated_front_end_is_vgg16_without_pool4_and_pool5():
    model = dlrecipes.build_model("dilated_frontend", input_shape=(64, 64, 3), num_classes=3, width=0.0625)
    backbone = model.get_layer("vgg16")
    pools = [layer.name for layer in backbone.layers if "pool" in layer.name]
    assert pools == ["block1_pool", "block2_pool", "block3_pool"]
    dilations = {layer.name: layer.dilation_rate[0] for layer in backbone.layers if layer.name.endswith("_conv")}
    assert len(dilations) == 13  # VGG-16's convs
    assert {d for name, d in dilations.items() if not name.startswith("block5")} == {1}
    assert {dilations[f"block5_conv{i}_conv"] for i in (1, 2, 3)} == {2}
    assert model.get_layer("fc6").dilation_rate == (4, 4) and model.get_layer("fc6").kernel_size == (7, 7)
    assert model.get_layer("final").output.shape[1:3] == (8, 8)  # output stride 8
    assert not model.get_layer("upscore8").trainable  # fixed bilinear upsampling, as the paper


@pytest.mark.parametrize(
    "name, options, match",
    [
        ("fcn8s", {"backbone": "resnet50"}, "backbone must be one of"),
        ("fcn16s", {"stride": 4}, "stride must be one of"),
        ("dilated_context", {"width": 0}, "width must be in"),
        ("fcn32s", {"input_shape": (31, 64, 3)}, "at least 32x32"),
        ("dilated_frontend", {"num_classes": 0}, "num_classes >= 2"),
    ],
)
def test_bad_options_fail_before_building(name, options, match):
    with pytest.raises(ConfigError, match=match):
        dlrecipes.build_model(name, **options)


def _interpolation_matrix(n, factor):
    """Rows of linear-interpolation weights from n samples at stride-`factor` cell centres
    (input coordinate factor·i + (factor − 1)/2) to the output pixels 0 .. n·factor − 1 that
    lie between the first and last centre; None for the others."""
    rows = []
    for j in range(n * factor):
        t = (j - (factor - 1) / 2) / factor
        if t < 0 or t > n - 1:
            rows.append(None)
            continue
        row, low = np.zeros(n), min(int(np.floor(t)), n - 2)
        row[low], row[low + 1] = 1 - (t - low), t - low
        rows.append(row)
    return rows


@pytest.mark.parametrize("factor", [2, 8, 32])
def test_bilinear_initialised_transposed_convolution_is_bilinear_interpolation(factor):
    n, m, channels = 5, 4, 3
    x = np.random.default_rng(factor).normal(size=(1, n, m, channels)).astype("float32")
    inputs = keras.Input((n, m, channels))
    model = keras.Model(inputs, upsample(inputs, factor, (n * factor, m * factor), name="up"))
    out = np.asarray(model(x))[0]
    assert out.shape == (n * factor, m * factor, channels)
    rows, cols = _interpolation_matrix(n, factor), _interpolation_matrix(m, factor)
    inner_rows = [j for j, r in enumerate(rows) if r is not None]
    inner_cols = [j for j, c in enumerate(cols) if c is not None]
    a, b = np.stack([rows[j] for j in inner_rows]), np.stack([cols[j] for j in inner_cols])
    for c in range(channels):  # each channel on its own: no mixing between channels
        expected = a @ x[0, :, :, c] @ b.T
        np.testing.assert_allclose(out[np.ix_(inner_rows, inner_cols, [c])][..., 0], expected, atol=1e-5)
    assert len(inner_rows) == (n - 1) * factor  # every pixel between the first and last centre


def test_identity_initialised_context_module_returns_its_input():
    inputs = keras.Input((16, 16, 5))
    model = keras.Model(inputs, context_module(inputs))
    assert [layer.dilation_rate[0] for layer in model.layers[1:]] == [1, 1, 2, 4, 8, 16, 1, 1]
    x = np.random.default_rng(0).normal(size=(2, 16, 16, 5)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(np.abs(x))), np.abs(x), atol=1e-6)
    # the paper's ReLU truncations clip negative inputs
    np.testing.assert_allclose(np.asarray(model(x)), np.maximum(x, 0), atol=1e-6)


def test_pixel_accuracy_and_mean_iou_on_a_hand_computed_example():
    # labels 0 1 / 2 2, predictions 0 1 / 1 2; class 3 never occurs.
    labels = np.array([[[0, 1], [2, 2]]])
    predicted = np.array([[[0, 1], [1, 2]]])
    logits = keras.ops.convert_to_numpy(keras.ops.one_hot(predicted, 4)) * 5.0
    inputs = keras.Input((2, 2, 4))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy", mean_iou_metric(4)]
    )
    result = model.evaluate(logits, labels, return_dict=True, verbose=0)
    # accuracy 3/4; IoU: class 0 1/1, class 1 1/(1 + 2 − 1), class 2 1/(2 + 1 − 1); class 3 0/0 left out
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["mean_iou"] == pytest.approx((1 + 0.5 + 0.5) / 3)
    confusion = confusion_matrix(labels, predicted, 4)
    np.testing.assert_array_equal(confusion[:3, :3], [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    iou = per_class_iou(confusion)
    np.testing.assert_allclose(iou[:3], [1, 0.5, 0.5])
    assert np.isnan(iou[3])


def _fashion(n=40, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return images, rng.integers(0, 10, size=n)


def _check_scenes(result, images, labels, low=1, high=3):
    """Disjoint boxes inside the canvas; images rebuilt from the source images; masks = 1 +
    class where the item's pixel is on, 0 elsewhere."""
    size = result.images.shape[1]
    for n, (items, sources) in enumerate(zip(result.items, result.source_indices, strict=True)):
        assert low <= len(items) == len(sources) <= high
        image, mask = np.zeros((size, size), np.uint8), np.zeros((size, size), np.uint8)
        for k, ((label, r, c), index) in enumerate(zip(items, sources, strict=True)):
            assert label == labels[index] and 0 <= r <= size - 28 and 0 <= c <= size - 28
            assert all(abs(r - r0) >= 28 or abs(c - c0) >= 28 for _, r0, c0 in items[:k])
            image[r : r + 28, c : c + 28] = images[index].reshape(28, 28)
            mask[r : r + 28, c : c + 28] = np.where(images[index].reshape(28, 28) >= scenes.ON_THRESHOLD, 1 + label, 0)
        np.testing.assert_array_equal(result.images[n, ..., 0], image)
        np.testing.assert_array_equal(result.masks[n], mask)


def test_make_scenes_is_deterministic_and_consistent():
    images, labels = _fashion()
    first = scenes.make_scenes(images, labels, count=30, seed=3)
    assert first.images.shape == (30, 64, 64, 1) and first.masks.shape == (30, 64, 64)
    assert first.images.dtype == first.masks.dtype == np.uint8
    _check_scenes(first, images, labels)
    again = scenes.make_scenes(images[..., None], labels, count=30, seed=3)
    np.testing.assert_array_equal(first.images, again.images)
    assert first.items == again.items and first.source_indices == again.source_indices
    assert scenes.make_scenes(images, labels, count=30, seed=4).items != first.items
    # every image is used once before any is used twice
    used = [i for sources in first.source_indices for i in sources]
    assert len(set(used[: len(images)])) == min(len(used), len(images))
    assert {len(items) for items in first.items} == {1, 2, 3}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"items": (1, 5)}, "items must be .* <= 4"),
        ({"items": (0, 2)}, "items must be >= 1"),
        ({"size": 20}, "size must be >= 28"),
        ({"count": -1}, "count must be >= 0"),
    ],
)
def test_make_scenes_refuses_bad_arguments(kwargs, match):
    images, labels = _fashion()
    with pytest.raises(ConfigError, match=match):
        scenes.make_scenes(images, labels, **{"count": 2, **kwargs})


def test_scene_splits_never_mix_train_and_test_images(fashion_mnist_dir):
    fashion, sets = scenes.scene_sets(fashion_mnist_dir, validation=20, train=40, test=30)
    for split, result in sets.items():
        images, labels = fashion.arrays(split)  # train / held-out validation / test images
        _check_scenes(result, images, labels)
    assert [len(sets[s]) for s in ("train", "validation", "test")] == [40, 20, 30]
    assert len(fashion.x_val) == scenes.HELD_OUT_IMAGES
    assert len(fashion.x_test) == 10_000 and len(fashion.x_train) == 50_000


def test_fcn_counts_are_the_papers_134m():
    for name in ("fcn32s", "fcn16s", "fcn8s"):
        assert abs(dlrecipes.model_info(name).num_params - 134e6) <= 0.03 * 134e6  # REFERENCE.md §1


def test_tiny_segmentation_run_writes_mean_iou(fashion_mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(scenes, "TRAIN_SCENES", 48)
    monkeypatch.setattr(scenes, "TEST_SCENES", 24)
    result = dlrecipes.train(
        "fcn8s_scenes",
        data_dir=fashion_mnist_dir,
        out=tmp_path,
        epochs=1,
        validation=16,
        batch_size=16,
        verbose=0,
        **{"model.options.width": 0.0625},
    )
    metrics = json.loads((result.run_dir / "metrics.json").read_text())
    assert 0.0 <= metrics["test_mean_iou"] <= 1.0
    # the report's confusion matrix agrees with the Keras metrics on the same test scenes
    assert metrics["test_pixel_accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-6)
    per_class = metrics["test_iou_per_class"]
    assert set(per_class) == {"background", *dlrecipes.data.datasets.CLASS_NAMES["fashion_mnist"]}
    present = [v for v in per_class.values() if v is not None]
    assert np.mean(present) == pytest.approx(metrics["test_mean_iou"], abs=1e-5)
    assert (result.run_dir / "predictions.png").stat().st_size > 0
    assert result.model.output_shape == (None, 64, 64, 11)
