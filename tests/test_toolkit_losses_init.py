"""Losses on hand-computed examples; initializers and activations by name in the builders."""

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.errors import ConfigError
from dlrecipes.layers import Maxout
from dlrecipes.training.losses import build_loss

SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]], "float32")
LABELS = np.array([0, 1])


def test_squared_hinge_hand_computed():
    # example 1: margins max(0, 5.1−3.2+1)=2.9, max(0, −1.7−3.2+1)=0 → 2.9²; example 2: all 0
    loss = build_loss("multiclass_squared_hinge")
    assert float(loss(LABELS, SCORES)) == pytest.approx(2.9**2 / 2, rel=1e-5)


def test_mse_and_mae_against_one_hot_labels():
    # example 1 errors (2.2, 5.1, −1.7), example 2 (1.3, 3.9, 2.0)
    errors = np.array([[2.2, 5.1, -1.7], [1.3, 3.9, 2.0]])
    assert float(build_loss("mse")(LABELS, SCORES)) == pytest.approx((errors**2).mean(), rel=1e-5)
    assert float(build_loss("mae")(LABELS, SCORES)) == pytest.approx(np.abs(errors).mean(), rel=1e-5)


def test_losses_are_reachable_by_name_in_recipes():
    recipe = dlrecipes.get_recipe("linear_svm_fashion_mnist")
    for name in ("multiclass_squared_hinge", "mse", "mae"):
        assert recipe.override({"loss": name}).loss == name
    with pytest.raises(ConfigError, match="label_smoothing applies to the crossentropy loss only"):
        recipe.override({"regularization.label_smoothing": 0.1})


@pytest.mark.parametrize(
    "name, std",
    [
        ("small_normal", 0.01),
        ("glorot_normal", np.sqrt(2 / (400 + 300))),
        ("he_normal", np.sqrt(2 / 400)),
        ("lecun_normal", np.sqrt(1 / 400)),
        ("glorot_uniform", np.sqrt(2 / (400 + 300))),  # U(±√(6/(n_in+n_out))) has this std
        ("he_uniform", np.sqrt(2 / 400)),
    ],
)
def test_initializers_by_name_in_a_builder_have_the_formula_std(name, std):
    model = dlrecipes.build_model("mlp", input_shape=(400,), num_classes=2, hidden_units=(300,), kernel_initializer=name)
    kernel = model.get_layer("fc1_dense").kernel.numpy()
    assert kernel.std() == pytest.approx(std, rel=0.03)  # truncated normals keep their std in Keras 3


def test_small_normal_survives_save_and_load(tmp_path):
    model = dlrecipes.build_model("mlp", input_shape=(4,), num_classes=2, hidden_units=(3,), kernel_initializer="small_normal")
    model.save(tmp_path / "m.keras")
    layer = keras.saving.load_model(tmp_path / "m.keras").get_layer("fc1_dense")
    assert type(layer.kernel_initializer).__name__ == "SmallNormal" and layer.kernel_initializer.stddev == 0.01


def test_unknown_initializer_and_activation_fail_in_the_recipe():
    recipe = dlrecipes.get_recipe("mlp_fashion_mnist")
    with pytest.raises(ConfigError, match="kernel_initializer must be one of.*Did you mean: he_normal"):
        recipe.override({"model.options.kernel_initializer": "he_normall"})
    with pytest.raises(ConfigError, match="activation must be one of"):
        recipe.override({"model.options.activation": "relu6x"})
    assert recipe.override({"model.options.activation": "maxout"}).model.options["activation"] == "maxout"


def test_maxout_takes_the_max_of_each_group_and_halves_the_mlp_width():
    x = np.array([[1.0, -2.0, 0.5, 3.0, -1.0, -4.0]], "float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(Maxout(2)(x)), [[1.0, 3.0, -1.0]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(Maxout(3)(x)), [[1.0, 3.0]])
    model = dlrecipes.build_model("mlp", input_shape=(6,), num_classes=2, hidden_units=(8,), activation="maxout")
    assert model.get_layer("fc1_act").output.shape[-1] == 4
    assert model.get_layer("predictions").kernel.shape == (4, 2)
