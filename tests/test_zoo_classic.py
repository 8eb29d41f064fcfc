"""The classic ImageNet CNN zoo: AlexNet, ZFNet, VGG, NiN, GoogLeNet, SqueezeNet; LRN; FLOPs.

Numbers are published values (REFERENCE.md §1: torchvision's num_params; FLOPs published by
torchvision/the papers) or hand arithmetic written out below, never what the code printed.
Big 224×224 models are built only to count parameters and MACs (with zero initializers, which
is fast); everything that runs data does so at small input sizes.
"""

import gc
import importlib.util
import json
import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes import count_params, flops
from dlrecipes.blocks import inputs as block_inputs
from dlrecipes.errors import ConfigError
from dlrecipes.layers import LocalResponseNormalization

from tests.conftest import ROOT, jax_env, run_python

# Trainable parameters at 224×224×3, 1000 classes: torchvision's num_params (REFERENCE.md §1).
REFERENCE_PARAMS = {
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "vgg11_bn": 132_868_840,
    "vgg13_bn": 133_053_736,
    "vgg16_bn": 138_365_992,
    "vgg19_bn": 143_678_248,
    "googlenet": 6_624_904,
    "squeezenet1_0": 1_248_424,
    "squeezenet1_1": 1_235_496,
}
# Not in REFERENCE.md: counted by hand from the papers' layer tables (weights + biases).
HAND_PARAMS = {
    # ZFNet: conv1 96@7×7/2, conv2 256@5×5/2, conv3-5 512/1024/512 @3×3, 6×6 map, FC 4096-4096.
    "zfnet": (7 * 7 * 3 * 96 + 96) + (5 * 5 * 96 * 256 + 256) + (3 * 3 * 256 * 512 + 512)
    + (3 * 3 * 512 * 1024 + 1024) + (3 * 3 * 1024 * 512 + 512)
    + (6 * 6 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000),
    # NiN ImageNet (authors' Caffe model): mlpconv 96-96-96 (11×11), 256-256-256 (5×5),
    # 384-384-384 (3×3), 1024-1024 (3×3) and the 1×1 class-map conv; no FC.
    "nin": (11 * 11 * 3 * 96 + 96) + 2 * (96 * 96 + 96) + (5 * 5 * 96 * 256 + 256)
    + 2 * (256 * 256 + 256) + (3 * 3 * 256 * 384 + 384) + 2 * (384 * 384 + 384)
    + (3 * 3 * 384 * 1024 + 1024) + (1024 * 1024 + 1024) + (1024 * 1000 + 1000),
}
# MACs per 224×224 image as published (torchvision's "GFLOPS" column, which counts
# multiply-accumulates; also the figures quoted with the papers): value in G, decimals given.
PUBLISHED_GMACS = {"vgg16": (15.5, 1), "alexnet": (0.71, 2), "googlenet": (1.5, 1)}

# One small configuration per family for everything that runs data: (name, options, size).
FAMILIES = [
    ("alexnet", {"original": True}, 64),
    ("zfnet", {"original": True}, 64),
    ("vgg11_bn", {}, 32),
    ("nin", {}, 64),
    ("googlenet", {"aux_logits": True}, 80),
    ("squeezenet1_0", {}, 32),
    ("squeezenet1_1", {}, 32),
]
FEATURE_CHANNELS = {"alexnet": 256, "zfnet": 512, "vgg11_bn": 512, "nin": 1024,
                    "googlenet": 1024, "squeezenet1_0": 512, "squeezenet1_1": 512}
CLASSIC = sorted({*REFERENCE_PARAMS, *HAND_PARAMS})
ONE_MODULE = ("4a", 8, (8, 16), (4, 8), 8)  # a narrow GoogLeNet stage (the aux heads' first)

# What the registry-wide harness (tests/test_registry.py) does not train on JAX: the LRN of the
# original AlexNet and ZFNet (after the ReLU, and after ceil-mode pooling) and GoogLeNet's three
# outputs, each as small as shows it (64-unit FC layers, two narrow modules). One jit-compiled
# step each, in the background while the TensorFlow tests run. Kernels start at zero: JAX
# compiles a random initializer for every new kernel shape, which tests Keras, not this package.
JAX_CASES = [
    ("alexnet", {"original": True, "hidden_units": (64, 64)}, 64),
    ("zfnet", {"original": True, "hidden_units": (64, 64)}, 64),
    ("googlenet", {"aux_logits": True, "stages": [ONE_MODULE, ("4d", *ONE_MODULE[1:])]}, 48),
]
_JAX_SCRIPT = """
import json, numpy as np, keras
import dlrecipes
assert keras.backend.backend() == "jax"
from tests.test_zoo_classic import JAX_CASES, _compile
losses = {}
for name, options, size in JAX_CASES:
    model = dlrecipes.build_model(name, input_shape=(size, size, 3), num_classes=3,
                                  kernel_initializer="zeros", **options)
    aux = options.get("aux_logits", False)
    _compile(model, aux, run_eagerly=False)
    x = np.random.default_rng(0).normal(size=(2, size, size, 3)).astype("float32")
    y = np.array([0, 2])
    losses[name] = np.asarray(model.train_on_batch(x, [y] * 3 if aux else y)).tolist()
print(json.dumps(losses))
"""


@pytest.fixture(scope="module", autouse=True)
def _jax_process(request, tmp_path_factory):
    """Start the JAX check when the module starts, if it was selected and jax is installed."""
    selected = any(item.name == "test_lrn_and_aux_heads_train_on_jax" for item in request.session.items)
    if not selected or importlib.util.find_spec("jax") is None:
        yield None, None, None
        return
    folder = tmp_path_factory.mktemp("jax")
    stdout, stderr = folder / "stdout.txt", folder / "stderr.txt"
    env = {**os.environ, **jax_env(),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    with open(stdout, "w") as out, open(stderr, "w") as err:
        process = subprocess.Popen([sys.executable, "-c", _JAX_SCRIPT], stdout=out, stderr=err,
                                   env=env, cwd=ROOT)
    yield process, stdout, stderr
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture
def release_memory():
    """Free the big models after a test (clearing costs ~0.5 s, so only where it pays)."""
    yield
    keras.backend.clear_session()
    gc.collect()


# --- reference counts and FLOPs at 224×224 -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", CLASSIC)
def test_reference_parameter_count_and_flops(name, release_memory):
    expected = REFERENCE_PARAMS.get(name) or HAND_PARAMS[name]
    model = dlrecipes.build_model(name, kernel_initializer="zeros")
    assert model.output_shape == (None, 1000)
    assert count_params(model)[0] == expected
    assert dlrecipes.model_info(name).num_params == expected
    if name in PUBLISHED_GMACS:
        # A figure published with d decimals stands for [value ± half a unit of the last one].
        value, decimals = PUBLISHED_GMACS[name]
        assert abs(flops(model) / 1e9 - value) <= 0.5 * 10.0**-decimals


def test_googlenet_with_aux_heads_count():
    # torchvision's googlenet(aux_logits=True): each aux head is 1×1 conv to 128 (no bias) + BN,
    # FC 4·4·128 → 1024, FC 1024 → 1000; inputs are inception4a (512) and 4d (528) channels.
    def aux(channels):
        return channels * 128 + 2 * 128 + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)

    model = dlrecipes.build_model("googlenet", aux_logits=True, kernel_initializer="zeros")
    assert count_params(model)[0] == REFERENCE_PARAMS["googlenet"] + aux(512) + aux(528)
    assert model.output_shape == [(None, 1000)] * 3


def test_min_input_sizes_registered():
    # Derived by hand in each family's module (ceil-mode pooling for ZFNet, NiN, GoogLeNet,
    # SqueezeNet; floor for AlexNet and VGG).
    expected = {"alexnet": 63, "zfnet": 63, "vgg16": 32, "vgg19_bn": 32, "nin": 55,
                "googlenet": 31, "squeezenet1_0": 29, "squeezenet1_1": 25}
    assert {name: dlrecipes.model_info(name).min_input_size for name in expected} == expected


# --- FLOPs counter ------------------------------------------------------------------------


def _single(layer, shape):
    inputs = keras.Input(shape)
    return keras.Model(inputs, layer(inputs))


@pytest.mark.parametrize(
    "layer, shape, macs",
    [
        # 3×3 conv 3→8 "same" on 32×32: 32·32 outputs × 8 filters × 3·3·3 weights each.
        (keras.layers.Conv2D(8, 3, padding="same"), (32, 32, 3), 32 * 32 * 8 * 27),
        # stride 2 "valid" 5×5 conv 4→6 on 15×15: 6×6 outputs.
        (keras.layers.Conv2D(6, 5, strides=2), (15, 15, 4), 6 * 6 * 6 * 5 * 5 * 4),
        # grouped 3×3 conv 4→8 in 2 groups on 10×10 "valid": each filter sees 2 channels.
        (keras.layers.Conv2D(8, 3, groups=2), (10, 10, 4), 8 * 8 * 8 * 3 * 3 * 2),
        # depthwise 3×3, multiplier 2, 4 channels, "same" on 16×16.
        (keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2), (16, 16, 4),
         16 * 16 * 4 * 2 * 9),
        # separable 3×3 4→8 "same" on 16×16: depthwise 9·4 + pointwise 4·8 per position.
        (keras.layers.SeparableConv2D(8, 3, padding="same"), (16, 16, 4), 16 * 16 * (36 + 32)),
        # transposed 3×3 4→8, stride 2 on 8×8: each input position scatters 3·3·8 per channel.
        (keras.layers.Conv2DTranspose(8, 3, strides=2), (8, 8, 4), 8 * 8 * 4 * 9 * 8),
        (keras.layers.Dense(10), (100,), 100 * 10),
        (keras.layers.Dense(7), (5, 20), 5 * 20 * 7),  # applied at each of 5 positions
        (keras.layers.MaxPooling2D(), (8, 8, 3), 0),
        (keras.layers.BatchNormalization(), (8, 8, 3), 0),
    ],
)
def test_flops_of_single_layers(layer, shape, macs):
    assert flops(_single(layer, shape)) == macs


def test_flops_nested_and_sequential_models():
    conv = 16 * 16 * 8 * 27  # 3×3 conv 3→8 "same" on 16×16
    inner_in = keras.Input((16, 16, 3))
    inner = keras.Model(inner_in, keras.layers.Conv2D(8, 3, padding="same")(inner_in))
    outer_in = keras.Input((16, 16, 3))
    x = keras.layers.Add()([inner(outer_in), inner(outer_in)])  # called twice: counted twice
    x = keras.layers.GlobalAveragePooling2D()(x)
    outer = keras.Model(outer_in, keras.layers.Dense(5)(x))
    assert flops(outer) == 2 * conv + 8 * 5
    sequential = keras.Sequential([keras.Input((16, 16, 3)), inner, keras.layers.Flatten(),
                                   keras.layers.Dense(2)])
    assert flops(sequential) == conv + 16 * 16 * 8 * 2
    assert dlrecipes.flops is flops


# --- builder contract at small sizes -----------------------------------------------------


@pytest.mark.parametrize("name, options, size", FAMILIES)
def test_feature_extractor_and_pooling(name, options, size):
    options = {k: v for k, v in options.items() if k != "aux_logits"}
    shape = (size, size, 3)
    channels = FEATURE_CHANNELS[name]
    features = dlrecipes.build_model(name, input_shape=shape, include_top=False, **options)
    assert len(features.output_shape) == 4 and features.output_shape[-1] == channels
    assert all("predictions" not in layer.name for layer in features.layers)
    # num_classes=0 is the same feature extractor; pooling flattens it either way
    averaged = dlrecipes.build_model(name, input_shape=shape, num_classes=0, pooling="avg",
                                     **options)
    maximum = dlrecipes.build_model(name, input_shape=shape, include_top=False, pooling="max",
                                    **options)
    for model, pooling in ((averaged, "avg"), (maximum, "max")):
        assert model.output_shape == (None, channels)
        assert model.layers[-1].name == f"{pooling}_pool"
        assert len(model.layers) == len(features.layers) + 1


def _without_min_check(monkeypatch):
    """Let model_input accept any size, to see what the architecture itself does."""
    original = block_inputs.check_input_shape

    def check(input_shape, rank, min_size=None, model="model"):
        return original(input_shape, rank, model=model)

    monkeypatch.setattr(block_inputs, "check_input_shape", check)


@pytest.mark.parametrize(
    "name, options, minimum",
    [("alexnet", {}, 63), ("zfnet", {}, 63), ("vgg11", {}, 32), ("nin", {}, 55),
     ("googlenet", {}, 31), ("googlenet", {"aux_logits": True}, 79),
     ("googlenet", {"stages": [ONE_MODULE]}, 11),  # the stem alone: 11 → 6 → 3 → 1 (pool2's 3×3 fits)
     ("googlenet", {"stages": [ONE_MODULE, ("pool", 2), ("4d", *ONE_MODULE[1:])], "aux_logits": True},
      71),  # 71 → 36 → 18 → 9 (4a) → 5 (4d, fits the aux heads' 5×5 pooling)
     ("squeezenet1_0", {}, 29), ("squeezenet1_1", {}, 25)],
)
def test_minimum_input_size_is_exact(name, options, minimum, monkeypatch):
    small = (minimum - 1, minimum - 1, 1)
    with pytest.raises(ConfigError, match=f"at least {minimum}x{minimum}"):
        dlrecipes.build_model(name, input_shape=small, num_classes=3, **options)
    with pytest.raises(ConfigError, match=f"at least {minimum}x{minimum}"):
        dlrecipes.build_model(name, input_shape=(minimum, minimum - 1, 1), **options)
    model = dlrecipes.build_model(name, input_shape=(minimum, minimum, 1), num_classes=3, **options)
    assert all(d >= 1 for layer in model.layers for d in layer.output.shape[1:])
    # one pixel less really is too small: without the check, Keras itself refuses to build it
    _without_min_check(monkeypatch)
    with pytest.raises(ValueError, match="negative|zero"):
        dlrecipes.build_model(name, input_shape=small, num_classes=3, **options)


def test_unknown_and_bad_options():
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['aux_logit'\\]"):
        dlrecipes.build_model("googlenet", aux_logit=True)
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        dlrecipes.build_model("squeezenet1_1", original=True)
    with pytest.raises(ConfigError, match="aux_logits=True needs the classifier"):
        dlrecipes.build_model("googlenet", input_shape=(96, 96, 3), aux_logits=True,
                              include_top=False)
    with pytest.raises(ConfigError, match="original must be True or False"):
        dlrecipes.build_model("alexnet", original="yes")
    with pytest.raises(ConfigError, match="unit_biases must be True or False"):
        dlrecipes.build_model("alexnet", unit_biases=1)
    with pytest.raises(ConfigError, match="dropout_rate"):
        dlrecipes.build_model("vgg11", input_shape=(32, 32, 3), dropout_rate=1.5)


def test_googlenet_stages_replace_table_1():
    """One module after the stem: each conv is k·k·in·out weights + BN's γ and β (no bias)."""
    def conv(k, cin, cout):
        return k * k * cin * cout + 2 * cout

    stem = conv(7, 3, 64) + conv(1, 64, 64) + conv(3, 64, 192)
    module = (conv(1, 192, 8) + conv(1, 192, 8) + conv(3, 8, 16) + conv(1, 192, 4) + conv(3, 4, 8)
              + conv(1, 192, 8))
    model = dlrecipes.build_model("googlenet", input_shape=(32, 32, 3), num_classes=3,
                                  stages=[list(ONE_MODULE)])
    assert count_params(model)[0] == stem + module + (8 + 16 + 8 + 8) * 3 + 3
    assert "inception4a_concat" in {layer.name for layer in model.layers}


@pytest.mark.parametrize(
    "stages, message",
    [("3a", "stages must be a non-empty list"), ([], "stages must be a non-empty list"),
     ([("3a", 8)] * 2, "Repeated: \\['3a'\\]"), ([("pool1", 2)], "differ from the stem's"),
     ([(1, 2)], "stages\\[0\\] must be \\(name, pool size\\)"),
     ([("x", 1, 2, (3, 3), 4)], "#3×3 branch must be \\(reduce, filters\\)"),
     ([("x", 1, (2, 0), (3, 3), 4)], "#3×3 must be >= 1"),
     ([ONE_MODULE, ("p", 1.5)], "stages\\[1\\] pool size must be an integer")],
)
def test_googlenet_bad_stages_are_named(stages, message):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.build_model("googlenet", input_shape=(64, 64, 3), stages=stages)


def test_googlenet_aux_heads_need_their_modules_in_stages():
    with pytest.raises(ConfigError, match="heads on modules \\['4a', '4d'\\].*Received modules: \\['4a'\\]"):
        dlrecipes.build_model("googlenet", input_shape=(96, 96, 3), aux_logits=True, stages=[ONE_MODULE])


def test_alexnet_unit_biases_follow_the_paper():
    """Krizhevsky et al. 2012 §5: biases 1 in conv2, conv4, conv5 and the hidden FC layers."""
    model = dlrecipes.build_model("alexnet", input_shape=(64, 64, 3), num_classes=3, unit_biases=True)
    ones = {"conv2_conv", "conv4_conv", "conv5_conv", "fc1_dense", "fc2_dense"}
    for layer in model.layers:
        if getattr(layer, "bias", None) is not None:
            expected = 1.0 if layer.name in ones else 0.0
            np.testing.assert_array_equal(layer.bias.numpy(), expected, err_msg=layer.name)


def test_layer_names_are_hierarchical_and_deterministic():
    def names(name, **options):
        model = dlrecipes.build_model(name, num_classes=3, **options)
        return [layer.name for layer in model.layers]

    vgg = names("vgg16_bn", input_shape=(32, 32, 3))
    assert {"block3_conv2_conv", "block3_conv2_bn", "block3_conv2_act", "block5_pool", "flatten",
            "fc1_dense", "fc2_dropout", "predictions"} <= set(vgg)
    googlenet = names("googlenet", input_shape=(80, 80, 3), aux_logits=True)
    assert {"conv1_pad", "conv1_conv", "pool1", "inception4a_branch2_conv1_conv",
            "inception4a_branch3_conv2_bn", "inception5b_branch4_pool", "inception3a_concat",
            "aux1_conv_conv", "aux2_fc_dense", "aux2_predictions", "predictions"} <= set(googlenet)
    alexnet = names("alexnet", input_shape=(64, 64, 3), original=True)
    assert {"conv1_pad", "conv1_lrn", "conv2_lrn", "pool5"} <= set(alexnet)
    squeezenet = names("squeezenet1_0", input_shape=(32, 32, 3))
    assert squeezenet == names("squeezenet1_0", input_shape=(32, 32, 3))
    assert {"fire2_squeeze_conv", "fire9_expand3x3_act", "fire9_concat", "classifier_conv",
            "avg_pool", "predictions"} <= set(squeezenet)
    assert {"block1_conv3_conv", "block3_dropout", "classifier_conv"} <= set(
        names("nin", input_shape=(64, 64, 3))
    )


def test_vgg_batch_norm_keeps_conv_bias_like_torchvision():
    model = dlrecipes.build_model("vgg11_bn", input_shape=(32, 32, 3), num_classes=3)
    conv = model.get_layer("block1_conv1_conv")
    assert conv.use_bias and model.get_layer("block1_conv1_bn").epsilon == 1e-5


@pytest.mark.parametrize("batch_norm", [False, True])
def test_vgg_pool_first_is_the_same_function_at_inference(batch_norm):
    """Max pooling commutes with ReLU and with a batch norm whose γ > 0 (a per-channel increasing
    map), so pooling first changes only where the training statistics are taken: with the same
    weights, the inference outputs are equal, and the parameters are the same."""
    options = dict(input_shape=(28, 28, 1), num_classes=10, config=(8, "M", 16, 16, "M"), hidden_units=(12,),
                   batch_norm=batch_norm)
    last = dlrecipes.build_model("vgg11", **options)
    first = dlrecipes.build_model("vgg11", pool_first=True, **options)
    rng = np.random.default_rng(0)
    for layer in last.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = (w.shape for w in layer.get_weights())
            layer.set_weights([rng.uniform(0.5, 2.0, gamma), rng.normal(size=beta),
                               rng.normal(size=mean), rng.uniform(0.5, 2.0, variance)])
    first.set_weights(last.get_weights())
    names = [layer.name for layer in first.layers]
    if batch_norm:  # pooled before the norm, after the conv; the middle conv of block 2 is not
        assert names.index("block1_pool") < names.index("block1_conv1_bn")
        assert names.index("block2_conv1_bn") < names.index("block2_conv2_conv") < names.index("block2_pool")
    x = rng.normal(size=(4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(first.predict(x, verbose=0), last.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
    assert count_params(first) == count_params(last)
    with pytest.raises(ConfigError, match="pool_first needs floor-mode pooling"):
        dlrecipes.build_model("vgg11", pool_first=True, ceil_mode=True, **options)


def test_googlenet_aux_heads_are_extra_outputs():
    with_aux = dlrecipes.build_model("googlenet", input_shape=(96, 96, 3), num_classes=4,
                                     aux_logits=True)
    heads = ["predictions", "aux1_predictions", "aux2_predictions"]
    assert len(with_aux.outputs) == 3
    for output, head in zip(with_aux.outputs, heads):
        assert with_aux.get_layer(head).output is output
    assert with_aux.get_layer("aux1_fc_dropout").rate == 0.7
    assert with_aux.get_layer("head_dropout").rate == 0.4
    plain = dlrecipes.build_model("googlenet", input_shape=(96, 96, 3), num_classes=4)
    assert len(plain.outputs) == 1 and plain.output_shape == (None, 4)
    # the inference model of the paper: the aux heads dropped, the main path shared
    inference = keras.Model(with_aux.input, with_aux.outputs[0])
    assert count_params(inference)[0] == count_params(plain)[0]


# --- equality with keras.applications ------------------------------------------------------


def _copy_and_compare(ours, theirs, x):
    def weighted(model):
        return [layer for layer in model.layers if layer.weights]

    ours_layers, their_layers = weighted(ours), weighted(theirs)
    assert len(ours_layers) == len(their_layers)
    for mine, reference in zip(ours_layers, their_layers):
        mine.set_weights(reference.get_weights())
    expected = keras.ops.convert_to_numpy(theirs(x, training=False))
    actual = keras.ops.convert_to_numpy(ours(x, training=False))
    assert np.abs(actual - expected).max() <= 1e-4


@pytest.mark.parametrize("name, application", [("vgg16", "VGG16"), ("vgg19", "VGG19")])
def test_vgg_graph_equals_keras_applications(name, application):
    shape = (64, 64, 3)
    theirs = getattr(keras.applications, application)(weights=None, include_top=False,
                                                      input_shape=shape)
    ours = dlrecipes.build_model(name, input_shape=shape, include_top=False)
    x = np.random.default_rng(0).uniform(0, 1, size=(2, *shape)).astype("float32")
    _copy_and_compare(ours, theirs, x)


@pytest.mark.slow
def test_vgg16_full_size_graph_equals_keras_applications(release_memory):
    theirs = keras.applications.VGG16(weights=None)  # 224×224, flatten-fc1-fc2-softmax head
    ours = dlrecipes.build_model("vgg16", classifier_activation="softmax")
    x = np.random.default_rng(0).uniform(0, 1, size=(1, 224, 224, 3)).astype("float32")
    _copy_and_compare(ours, theirs, x)


# --- LRN ---------------------------------------------------------------------------------


def _lrn_reference(a, size, alpha, beta, k):
    """The formula of Krizhevsky et al. 2012, section 3.3, written with loops."""
    b = np.empty_like(a, dtype="float64")
    channels = a.shape[-1]
    for i in range(channels):
        low, high = max(0, i - size // 2), min(channels - 1, i + (size - 1) // 2)
        b[..., i] = a[..., i] / (k + alpha * (a[..., low:high + 1] ** 2).sum(-1)) ** beta
    return b


@pytest.mark.parametrize("size, alpha, beta, k", [(5, 1e-4, 0.75, 2.0), (3, 0.1, 0.5, 1.0)])
def test_lrn_matches_the_paper_formula(size, alpha, beta, k):
    # large values so that the normalization really matters (alpha·Σa² ~ k)
    a = np.random.default_rng(0).normal(scale=60.0, size=(2, 3, 4, 7)).astype("float32")
    layer = LocalResponseNormalization(size=size, alpha=alpha, beta=beta, k=k)
    expected = _lrn_reference(a.astype("float64"), size, alpha, beta, k)
    assert np.abs(expected - a).max() > 1.0  # not the identity
    actual = keras.ops.convert_to_numpy(layer(a))
    np.testing.assert_allclose(actual, expected, rtol=1e-5)
    assert not layer.weights
    clone = LocalResponseNormalization.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert keras.saving.get_registered_name(LocalResponseNormalization) == (
        "dlrecipes>LocalResponseNormalization"
    )


def test_lrn_with_fewer_channels_than_its_window():
    a = np.random.default_rng(1).normal(scale=30.0, size=(1, 2, 2, 2)).astype("float32")
    actual = keras.ops.convert_to_numpy(LocalResponseNormalization()(a))
    np.testing.assert_allclose(actual, _lrn_reference(a.astype("float64"), 5, 1e-4, 0.75, 2.0),
                               rtol=1e-5)


# --- training, save/load, other backend ----------------------------------------------------


def _compile(model, aux, run_eagerly=True, from_logits=True):
    """SGD and cross-entropy; one step runs eagerly, faster than compiling a graph."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    weights = dict(loss=[loss] * 3, loss_weights=[1.0, 0.3, 0.3]) if aux else dict(loss=loss)
    model.compile(keras.optimizers.SGD(0.01), run_eagerly=run_eagerly, **weights)


@pytest.mark.parametrize("name, options, size", FAMILIES)
def test_one_channel_softmax_model_trains_one_step(name, options, size):
    aux = options.get("aux_logits", False)
    model = dlrecipes.build_model(name, input_shape=(size, size, 1), num_classes=5,
                                  classifier_activation="softmax", weight_decay=1e-4, **options)
    x = np.random.default_rng(0).normal(size=(2, size, size, 1)).astype("float32")
    outputs = [keras.ops.convert_to_numpy(o) for o in keras.tree.flatten(model(x))]
    assert len(outputs) == (3 if aux else 1)
    for output in outputs:
        assert output.shape == (2, 5)
        np.testing.assert_allclose(output.sum(axis=1), 1.0, rtol=1e-5)
    _compile(model, aux, from_logits=False)
    y = np.array([1, 3])
    before = [w.numpy().copy() for w in model.trainable_weights]
    result = model.train_on_batch(x, [y] * 3 if aux else y)
    assert np.isfinite(np.asarray(result, dtype="float64")).all()
    changed = {w.path for b, w in zip(before, model.trainable_weights)
               if not np.array_equal(b, w.numpy())}
    heads = ["predictions", "aux1_predictions", "aux2_predictions"] if aux else ["predictions"]
    if name.startswith("squeezenet") or name == "nin":  # the class maps are a conv
        heads = ["classifier_conv"]
    kernels = [model.get_layer(head).kernel.path for head in heads]
    assert set(kernels) <= changed  # the gradient reached every head
    assert len(changed) >= 0.9 * len(before)  # and (almost) every layer, dead ReLUs aside


def test_save_load_in_fresh_process(tmp_path, release_memory):
    rng = np.random.default_rng(2)
    for name, options, size in FAMILIES:
        model = dlrecipes.build_model(name, input_shape=(size, size, 3), num_classes=4, **options)
        x = rng.normal(size=(2, size, size, 3)).astype("float32")
        outputs = keras.tree.flatten(model(x, training=False))
        np.savez(tmp_path / f"{name}.npz", x=x,
                 *[keras.ops.convert_to_numpy(output) for output in outputs])
        model.save(tmp_path / f"{name}.keras")
        del model
    names = [name for name, _, _ in FAMILIES]
    result = run_python(
        f"""
import pathlib, numpy as np, keras
import dlrecipes  # registers LocalResponseNormalization
folder = pathlib.Path({str(tmp_path)!r})
for name in {names!r}:
    model = keras.saving.load_model(folder / f"{{name}}.keras")
    data = np.load(folder / f"{{name}}.npz")
    outputs = keras.tree.flatten(model(data["x"], training=False))
    assert len(outputs) == len(data.files) - 1, name
    for index, output in enumerate(outputs):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(output), data[f"arr_{{index}}"],
                                   rtol=0, atol=1e-6, err_msg=name)
    if name in ("alexnet", "zfnet"):
        assert type(model.get_layer("conv1_lrn")).__name__ == "LocalResponseNormalization"
print("ok", len({names!r}))
"""
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"ok {len(names)}" in result.stdout


def test_lrn_and_aux_heads_train_on_jax(_jax_process):
    """One jit-compiled training step of each of JAX_CASES (the subprocess started with the
    module, see `_jax_process`)."""
    process, stdout, stderr = _jax_process
    if process is None:
        pytest.skip("jax is not installed")
    try:
        process.wait(timeout=900)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr.read_text()[-3000:]
    losses = json.loads(stdout.read_text().strip().splitlines()[-1])
    assert set(losses) == {name for name, _, _ in JAX_CASES}
    # zero kernels and biases: every logit is 0, the prediction uniform over the 3 classes, so
    # each cross-entropy is ln 3 (GoogLeNet's total weighs its two aux losses by 0.3).
    for name, options, _ in JAX_CASES:
        total = keras.tree.flatten(losses[name])[0]
        weight = 1.6 if options.get("aux_logits") else 1.0
        assert total == pytest.approx(weight * math.log(3), rel=1e-5), name
