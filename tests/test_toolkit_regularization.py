"""L1 / elastic net / max-norm on kernels, inverted dropout, label smoothing, early-stopping
presets and augmentation layers (training only), against formulas."""

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.data.augmentation import (
    PCALighting,
    RandomErasing,
    RandomPaddedCrop,
    augmentation_layers,
    channel_pca,
    with_augmentation,
)
from dlrecipes.errors import ConfigError
from dlrecipes.training.losses import build_loss
from dlrecipes.training.recipe import AugmentationSpec, EarlyStoppingSpec
from dlrecipes.training.regularizers import apply_regularization


def _model():
    inputs = keras.Input((4, 4, 2))
    x = keras.layers.Conv2D(3, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="dense")(x))


@pytest.mark.parametrize("l1, l2", [(2e-3, 0.0), (2e-3, 5e-3)])
def test_l1_and_elastic_net_equal_the_formula_on_kernels_only(l1, l2):
    model = apply_regularization(_model(), l1=l1, l2=l2)
    rng = np.random.default_rng(1)
    for weight in model.weights:
        weight.assign(rng.normal(size=weight.shape).astype("float32"))
    kernels = [model.get_layer(n).kernel.numpy() for n in ("conv", "dense")]
    expected = sum(l1 * np.abs(k).sum() + l2 * (k**2).sum() for k in kernels)
    assert float(sum(model.losses)) == pytest.approx(expected, rel=1e-5)


def test_max_norm_caps_each_units_incoming_weights_after_a_step():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2, name="d")(inputs))
    apply_regularization(model, max_norm=0.5)
    model.get_layer("d").kernel.assign(np.array([[3.0, 0.1], [0.0, 0.1], [4.0, 0.1]], "float32"))
    model.compile(keras.optimizers.SGD(0.0), loss="mse")  # lr 0: only the constraint acts
    model.train_on_batch(np.ones((1, 3), "float32"), np.zeros((1, 2), "float32"))
    kernel = model.get_layer("d").kernel.numpy()
    np.testing.assert_allclose(kernel[:, 0], [0.3, 0.0, 0.4], rtol=1e-4)  # 5 → 0.5: scaled by 1/10
    np.testing.assert_allclose(kernel[:, 1], [0.1] * 3, rtol=1e-4)  # norm 0.17 ≤ 0.5: unchanged


def test_inverted_dropout_preserves_the_mean_in_training_and_is_identity_at_inference():
    layer = keras.layers.Dropout(0.25, seed=0)
    x = np.ones((200, 500), "float32")
    trained = keras.ops.convert_to_numpy(layer(x, training=True))
    np.testing.assert_allclose(np.unique(trained), [0.0, 1 / 0.75], rtol=1e-6)  # kept: ×1/(1−p)
    assert trained.mean() == pytest.approx(1.0, abs=0.01)
    assert (trained == 0).mean() == pytest.approx(0.25, abs=0.01)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)


def test_label_smoothing_hand_computed():
    logits = np.log(np.array([[0.7, 0.2, 0.1]], "float32"))
    loss = build_loss("crossentropy", label_smoothing=0.3)
    target = np.array([0.8, 0.1, 0.1])  # (1 − 0.3)·onehot(0) + 0.3/3
    assert float(loss(np.array([0]), logits)) == pytest.approx(-(target * np.log([0.7, 0.2, 0.1])).sum(), rel=1e-5)


def test_early_stopping_presets_by_name_and_override():
    recipe = dlrecipes.get_recipe("mlp_fashion_mnist")
    assert recipe.override({"early_stopping": "accuracy"}).early_stopping == EarlyStoppingSpec(10, "val_accuracy")
    assert dlrecipes.Recipe.from_dict({**recipe.to_dict(), "early_stopping": "off"}).early_stopping.patience is None
    with pytest.raises(ConfigError, match="early_stopping must be one of.*Did you mean: quick"):
        recipe.override({"early_stopping": "quik"})


def test_new_sections_round_trip_through_json_and_dotted_overrides():
    recipe = dlrecipes.get_recipe("lenet5_fashion_mnist").override(
        {"augmentation.flip": "horizontal", "augmentation.crop_padding": 2, "regularization.l1": 1e-5,
         "regularization.label_smoothing": 0.1, "schedule.warmup_epochs": 1.0, "classes": [5, 6, 7]}
    )
    import json

    assert dlrecipes.Recipe.from_dict(json.loads(recipe.to_json())) == recipe
    assert recipe.classes == (5, 6, 7)
    with pytest.raises(ConfigError, match="augmentation.flip must be one of"):
        recipe.override({"augmentation.flip": "sideways"})
    with pytest.raises(ConfigError, match="classes must be"):
        recipe.override({"classes": [3, 3]})


_SPEC = AugmentationSpec(
    flip="horizontal", crop_padding=2, padding_mode="reflect", translation=0.1, rotation=10,
    brightness=0.2, contrast=0.2, noise_stddev=0.1, erasing=0.5,
)


def test_augmentation_is_active_only_in_training_and_saves_for_inference(tmp_path):
    inputs = keras.Input((8, 8, 1), name="input")
    base = keras.Model(inputs, keras.layers.Dense(3, name="predictions")(keras.layers.Flatten()(inputs)))
    model = with_augmentation(base, _SPEC, seed=0)
    assert len(augmentation_layers(_SPEC)) == 7 and len(model.layers) == len(base.layers) + 7
    x = np.random.default_rng(0).normal(size=(16, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(model(x, training=False), base(x), rtol=1e-6)
    assert not np.allclose(model(x, training=True), base(x))
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.saving.load_model(tmp_path / "m.keras").predict(x, verbose=0), base(x), rtol=1e-5)


def test_padded_crop_is_a_shifted_window_of_the_padded_image():
    x = np.arange(2 * 5 * 5).reshape(2, 5, 5, 1).astype("float32")
    for mode, pad in (("constant", "constant"), ("reflect", "reflect")):
        crops = keras.ops.convert_to_numpy(RandomPaddedCrop(2, mode, seed=3)(x, training=True))
        padded = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode=pad)
        for image, crop in zip(padded, crops):
            windows = [image[i : i + 5, j : j + 5] for i in range(5) for j in range(5)]
            assert any(np.array_equal(crop, w) for w in windows)


def test_random_erasing_zeroes_one_square_with_the_given_probability():
    x = np.ones((400, 10, 10, 1), "float32")
    out = keras.ops.convert_to_numpy(RandomErasing(probability=0.5, size=0.4, seed=0)(x, training=True))
    erased = (out == 0).any(axis=(1, 2, 3))
    assert erased.mean() == pytest.approx(0.5, abs=0.08)
    assert (out == 0).sum(axis=(1, 2, 3)).max() == 16  # at most a 4×4 square


def test_pca_lighting_adds_eigenvector_multiples_with_alpha_std_per_image():
    """Krizhevsky et al. 2012 §4.1: each image is shifted by V·(α ⊙ λ), α ~ N(0, 0.1)."""
    values = [4.0, 1.0]
    vectors = [[0.6, -0.8], [0.8, 0.6]]  # orthonormal columns
    layer = PCALighting(0.1, values, vectors, seed=0)
    x = np.random.default_rng(0).normal(size=(4000, 3, 3, 2)).astype("float32")
    shift = keras.ops.convert_to_numpy(layer(x, training=True)) - x
    np.testing.assert_allclose(shift, shift[:, :1, :1, :] * np.ones_like(shift), atol=1e-5)  # per image
    alpha = shift[:, 0, 0, :] @ np.array(vectors) / np.array(values)  # Vᵀ·shift / λ
    # the sample std of 4000 normals is within 5% of σ with probability > 0.999 (SE ≈ 1.1%)
    np.testing.assert_allclose(alpha.std(axis=0), 0.1, rtol=0.05)
    np.testing.assert_allclose(alpha.mean(axis=0), 0.0, atol=0.01)
    np.testing.assert_array_equal(layer(x, training=False), x)
    assert PCALighting.from_config(layer.get_config()).eigenvectors == vectors


def test_channel_pca_of_perfectly_correlated_channels():
    """Channels (a, 2a), var(a) = v: covariance [[v, 2v], [2v, 4v]], eigenvalues 0 and 5v with
    eigenvector (1, 2)/√5."""
    import tensorflow as tf

    a = np.random.default_rng(1).normal(size=(600, 2, 2, 1)).astype("float32")
    images = np.concatenate([a, 2 * a], axis=-1)

    class Data:
        def as_dataset(self, split, batch_size, shuffle=None):
            assert split == "train" and shuffle is False
            return tf.data.Dataset.from_tensor_slices((images, np.zeros(600))).batch(batch_size)

    values, vectors = channel_pca(Data(), max_images=600, batch_size=100)
    v = np.var(a, ddof=1)
    np.testing.assert_allclose(values, [0.0, 5 * v], atol=1e-4)
    np.testing.assert_allclose(np.abs(np.array(vectors)[:, 1]), np.array([1, 2]) / np.sqrt(5), rtol=1e-5)


def test_scale_jitter_zooms_in_by_up_to_the_factor_in_training_only():
    (layer,) = augmentation_layers(AugmentationSpec(scale_jitter=2.0), seed=0)
    assert layer.height_factor == (-0.5, 0.0) and layer.width_factor is None  # 1/2 of the image at most
    x = np.random.default_rng(0).normal(size=(8, 16, 16, 1)).astype("float32")
    np.testing.assert_array_equal(layer(x, training=False), x)
    assert not np.allclose(layer(x, training=True), x)
    with pytest.raises(ConfigError, match="augmentation.scale_jitter must be in \\[1.0"):
        AugmentationSpec(scale_jitter=0.5)
    with pytest.raises(ConfigError, match="pca_lighting needs the training data"):
        augmentation_layers(AugmentationSpec(pca_lighting=0.1))
