"""The shared blocks and head: layer names, bias rule, pooling and feature-extractor modes."""

import keras
import numpy as np
import pytest

from dlrecipes.blocks import conv_bn_act, dense_bn_act, model_input
from dlrecipes.errors import ConfigError
from dlrecipes.heads import classifier_head
from dlrecipes.layers import ACTIVATIONS, activation_layer, scaled_tanh


def _model(build, shape=(8, 8, 3)):
    inputs = keras.Input(shape)
    return keras.Model(inputs, build(inputs))


def test_conv_bn_act_names_and_bias_rule():
    model = _model(lambda x: conv_bn_act(x, 4, 3, name="stage1_block1"))
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["stage1_block1_conv", "stage1_block1_bn", "stage1_block1_act"]
    conv = model.get_layer("stage1_block1_conv")
    assert conv.use_bias is False  # a bias before batch norm is redundant
    # 3·3·3·4 kernel, no bias; BN: 4 gamma + 4 beta trainable
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 3 * 3 * 3 * 4 + 8


def test_conv_without_batch_norm_has_bias_and_no_activation_when_none():
    model = _model(lambda x: conv_bn_act(x, 4, 1, name="c", batch_norm=False, activation=None))
    assert [layer.name for layer in model.layers[1:]] == ["c_conv"]
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 3 * 4 + 4


def test_dense_bn_act_dropout():
    model = _model(lambda x: dense_bn_act(x, 5, name="fc1", dropout_rate=0.5), shape=(7,))
    assert [layer.name for layer in model.layers[1:]] == ["fc1_dense", "fc1_act", "fc1_dropout"]
    x = np.ones((4, 7), "float32")
    np.testing.assert_allclose(model(x, training=False), model(x, training=False))


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        (dict(num_classes=3), (3,)),  # default global average pooling then classifier
        (dict(num_classes=3, flatten=True), (3,)),
        (dict(num_classes=3, include_top=False), (4, 4, 6)),
        (dict(num_classes=3, include_top=False, pooling="avg"), (6,)),
        (dict(num_classes=3, include_top=False, pooling="max"), (6,)),
        (dict(num_classes=0, pooling="avg"), (6,)),
    ],
)
def test_head_output_shapes(kwargs, shape):
    model = _model(lambda x: classifier_head(x, **kwargs), shape=(4, 4, 6))
    assert model.output_shape[1:] == shape


def test_head_flatten_hidden_units_count():
    model = _model(
        lambda x: classifier_head(x, num_classes=3, flatten=True, hidden_units=(5,)), shape=(2, 2, 6)
    )
    # flatten 24 -> fc1 5 (+bias) -> predictions 3 (+bias)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 24 * 5 + 5 + 5 * 3 + 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(pooling="mean"), "pooling must be one of"),
        (dict(include_top="yes"), "include_top must be True or False"),
        (dict(dropout_rate=1.0), "dropout_rate must be in [0.0, 1.0)"),
        (dict(classifier_activation="softmaxx"), "classifier_activation"),
    ],
)
def test_head_rejects_bad_options(kwargs, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        _model(lambda x: classifier_head(x, num_classes=3, **kwargs), shape=(4, 4, 6))


def test_scaled_tanh_is_lecuns_formula():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 3.0], "float32")
    np.testing.assert_allclose(scaled_tanh(x), 1.7159 * np.tanh(2.0 * x / 3.0), rtol=1e-6)
    np.testing.assert_allclose(scaled_tanh(np.float32(1.0)), 1.0, atol=2e-4)  # f(1) ≈ 1


def test_activation_by_name():
    assert "scaled_tanh" in ACTIVATIONS and "prelu" in ACTIVATIONS
    assert isinstance(activation_layer("prelu", name="a"), keras.layers.PReLU)
    with pytest.raises(ConfigError, match="Did you mean: relu"):
        activation_layer("rellu", name="a")


@pytest.mark.parametrize(
    "shape, message",
    [((32, 32), "input_shape of 3 positive integers"), ((32, 0, 1), "positive"), (5, "tuple")],
)
def test_model_input_rejects_bad_shapes(shape, message):
    with pytest.raises(ConfigError, match=message):
        model_input(shape, model="m")


def test_model_input_minimum_size_named():
    with pytest.raises(ConfigError, match="at least 16x16.*Received: input_shape=\\(8, 8, 1\\)"):
        model_input((8, 8, 1), model="m", min_size=16)
