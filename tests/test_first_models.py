"""LeNet-5, the MLP and the linear classifier against their parameter formulas."""

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.errors import ConfigError


def _trainable(model):
    return dlrecipes.count_params(model)[0]


def test_lenet5_has_61706_parameters_on_32x32():
    # REFERENCE.md §1: conv6@5×5 (156) + conv16@5×5 on 6 maps (2,416) + fc120 on 16·5·5 (48,120)
    # + fc84 (10,164) + fc10 (850) = 61,706
    assert 6 * 26 + 16 * 151 + 120 * 401 + 84 * 121 + 10 * 85 == 61_706
    assert _trainable(dlrecipes.build_model("lenet5")) == 61_706


def test_lenet5_on_padded_fashion_mnist_equals_the_paper_net():
    model = dlrecipes.build_model("lenet5", input_shape=(28, 28, 1), input_padding=2)
    assert _trainable(model) == 61_706
    assert model.get_layer("conv2_conv").output.shape[1:] == (10, 10, 16)


def test_lenet5_unpadded_28x28_formula():
    # 28 -> 24 -> 12 -> 8 -> 4: fc120 sees 16·4·4 = 256 inputs
    expected = 156 + 2_416 + 120 * 257 + 10_164 + 850
    assert _trainable(dlrecipes.build_model("lenet5", input_shape=(28, 28, 1))) == expected


def test_lenet5_classic_and_modern_layers():
    classic = dlrecipes.build_model("lenet5")
    modern = dlrecipes.build_model("lenet5_modern")
    assert isinstance(classic.get_layer("pool1"), keras.layers.AveragePooling2D)
    assert isinstance(modern.get_layer("pool1"), keras.layers.MaxPooling2D)
    assert classic.get_layer("conv1_act").get_config()["activation"] == "tanh"
    assert modern.get_layer("fc1_act").get_config()["activation"] == "relu"


def test_lenet5_too_small_and_padding_lowers_minimum():
    with pytest.raises(ConfigError, match="at least 16x16.*\\(8, 8, 1\\)"):
        dlrecipes.build_model("lenet5", input_shape=(8, 8, 1))
    assert dlrecipes.build_model("lenet5", input_shape=(12, 12, 1), input_padding=2).output_shape == (None, 10)


def test_lenet5_scaled_tanh_option():
    model = dlrecipes.build_model("lenet5", activation="scaled_tanh")
    x = np.ones((1, 32, 32, 1), "float32")
    assert np.isfinite(model(x)).all()


@pytest.mark.parametrize(
    "hidden_units, input_shape",
    [((256, 128, 100), (28, 28, 1)), ((64,), (32, 32, 3)), ((), (10,))],
)
def test_mlp_parameter_formula(hidden_units, input_shape):
    widths = [int(np.prod(input_shape)), *hidden_units, 10]
    expected = sum(a * b + b for a, b in zip(widths, widths[1:]))
    model = dlrecipes.build_model("mlp", input_shape=input_shape, hidden_units=hidden_units)
    assert _trainable(model) == expected


def test_mlp_batch_norm_drops_biases_and_adds_gamma_beta():
    model = dlrecipes.build_model("mlp", input_shape=(4,), hidden_units=(8,), batch_norm=True)
    assert _trainable(model) == 4 * 8 + 2 * 8 + 8 * 10 + 10


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_mlp_rejects_dropout_outside_unit_interval(rate):
    with pytest.raises(ConfigError, match=f"dropout_rate must be in \\[0.0, 1.0\\). Received: dropout_rate={rate}"):
        dlrecipes.build_model("mlp", dropout_rate=rate)


def test_mlp_rejects_bad_widths():
    with pytest.raises(ConfigError, match="hidden_units\\[1\\] must be >= 1"):
        dlrecipes.build_model("mlp", hidden_units=(10, 0))


def test_linear_is_one_dense_layer():
    model = dlrecipes.build_model("linear", input_shape=(28, 28, 1), num_classes=10)
    assert _trainable(model) == 28 * 28 * 10 + 10
    dense = model.get_layer("predictions")
    x = np.random.default_rng(0).normal(size=(3, 28, 28, 1)).astype("float32")
    kernel, bias = (w.numpy() for w in dense.weights)
    np.testing.assert_allclose(model(x), x.reshape(3, -1) @ kernel + bias, rtol=1e-5, atol=1e-5)
