"""The small-image zoo (issue 4): CIFAR ResNets (option A/B), pre-activation ResNets, Wide
ResNets, ResNeXt-29, stochastic depth, CIFAR DenseNet/DenseNet-BC, FractalNet, the 28×28/32×32
forms of NiN, VGG-16-BN, AlexNet and SqueezeNet, the maxout MLP, and the stochastic layers.

Counts are checked twice without building the big models: the recorded `ModelInfo.num_params`
must equal a formula written out here from the papers' architectures, and lie within 3% of the
papers' rounded figures (REFERENCE.md §1) — or within half a unit of the last printed digit,
which is wider only for DenseNet-BC-100's "0.8M" (769,162: 3.9% below 0.8M, within 0.75–0.85M).
tests/test_registry.py builds every registered model and checks its count against ModelInfo.

Stochastic layers are tested statistically. Each check compares an observed frequency over N
independent draws with its probability q and allows 4 binomial standard deviations,
4·sqrt(q(1−q)/N): a correct layer fails such a check with probability 6e-5 (and the draws are
seeded, so a run is reproducible).
"""

import functools
import math
import re

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes import count_params
from dlrecipes.blocks import residual_block
from dlrecipes.errors import ConfigError
from dlrecipes.layers import DropPath, FractalColumnSampler, FractalJoin, StochasticDepth
from dlrecipes.registry import builder_options

from tests.conftest import jax_env, run_python

# --- parameter counts ----------------------------------------------------------------------------

# REFERENCE.md §1, "Paper-reported (rounded) counts for small-image models", in millions as printed.
PUBLISHED_MILLIONS = {
    "resnet20": "0.27", "resnet32": "0.46", "resnet44": "0.66", "resnet56": "0.85",
    "resnet110": "1.7", "resnet1202": "19.4", "resnet110_sd": "1.7",
    "preact_resnet164": "1.7", "preact_resnet1001": "10.2",
    "wrn16_8": "11.0", "wrn28_10": "36.5", "wrn40_4": "8.9", "wrn": "36.5",
    "resnext29_8x64d": "34.4", "resnext29_16x64d": "68.1",
    "densenet40_k12": "1.0", "densenet_bc100_k12": "0.8", "densenet_bc190_k40": "25.6",
    "fractalnet20": "38.6",
}  # fmt: skip


def _bn(channels):
    return 2 * channels  # batch norm γ and β


def resnet_params(n, widths, *, block="basic", preact=False, shortcut="A", stem=16, inner=None, groups=1):
    """A CIFAR ResNet with 10 classes: 3×3 stem (BN unless pre-activation), n units per stage
    with bias-free convolutions, projections where channels change under option B, the final
    BN of pre-activation networks, and the classifier."""
    expansion = 1 if block == "basic" else 4
    total, channels = 27 * stem + (0 if preact else _bn(stem)), stem
    for stage, planes in enumerate(widths):
        width, out = (inner[stage] if inner else planes), planes * expansion
        for _ in range(n):
            total += _bn(channels) if preact else _bn(out)  # the pre-activation, or the last BN
            if block == "basic":
                total += 9 * channels * width + _bn(width) + 9 * width * out
            else:
                total += channels * width + _bn(width) + 9 * width * width // groups + _bn(width) + width * out
            if shortcut == "B" and channels != out:
                total += channels * out + (0 if preact else _bn(out))
            channels = out
    return total + (_bn(channels) if preact else 0) + channels * 10 + 10


def densenet_params(n, k, bc):
    """A CIFAR DenseNet with 10 classes: stem 3×3 (2k or 16 maps), three blocks of n layers
    (BC: BN-ReLU-1×1 to 4k, BN-ReLU-3×3 to k), transitions (BN-ReLU-1×1, ×0.5 for BC), final BN."""
    channels = 2 * k if bc else 16
    total = 27 * channels
    for block in range(3):
        for _ in range(n):
            total += _bn(channels) + (channels * 4 * k + _bn(4 * k) + 36 * k * k if bc else 9 * channels * k)
            channels += k
        if block < 2:
            out = channels // 2 if bc else channels
            total += _bn(channels) + channels * out
            channels = out
    return total + _bn(channels) + channels * 10 + 10


def fractalnet_params(columns, widths, entry_conv=True):
    """FractalNet with 10 classes: per block an optional 1×1 entry conv-BN, then 2^C − 1 3×3
    conv-BN units (C of them see the block input when there is no entry conv)."""
    total, channels, units = 0, 3, 2**columns - 1
    for width in widths:
        if entry_conv:
            total += channels * width + _bn(width)
            channels = width
        total += columns * 9 * channels * width + (units - columns) * 9 * width * width + units * _bn(width)
        channels = width
    return total + channels * 10 + 10


_PREACT = dict(block="bottleneck", preact=True, shortcut="B")
_RESNEXT = dict(block="bottleneck", shortcut="B", stem=64)
FORMULAS = {
    **{f"resnet{6 * n + 2}": resnet_params(n, (16, 32, 64)) for n in (3, 5, 7, 9, 18, 200)},
    "resnet110_sd": resnet_params(18, (16, 32, 64)),
    "preact_resnet164": resnet_params(18, (16, 32, 64), **_PREACT),
    "preact_resnet1001": resnet_params(111, (16, 32, 64), **_PREACT),
    **{f"wrn{6 * n + 4}_{k}": resnet_params(n, (16 * k, 32 * k, 64 * k), preact=True, shortcut="B")
       for n, k in ((2, 8), (4, 10), (6, 4))},
    "wrn": resnet_params(4, (160, 320, 640), preact=True, shortcut="B"),
    "resnext29_8x64d": resnet_params(3, (64, 128, 256), inner=(512, 1024, 2048), groups=8, **_RESNEXT),
    "resnext29_16x64d": resnet_params(3, (64, 128, 256), inner=(1024, 2048, 4096), groups=16, **_RESNEXT),
    "densenet40_k12": densenet_params(12, 12, bc=False),
    "densenet_bc100_k12": densenet_params(16, 12, bc=True),
    "densenet_bc190_k40": densenet_params(31, 40, bc=True),
    "fractalnet20": fractalnet_params(3, (64, 128, 256, 512, 512)),
    # Lin et al. 2014's CIFAR NiN: mlpconv 192-160-96 (5×5), 192-192-192 (5×5), 192-192 (3×3), class maps.
    "nin_cifar": (5 * 5 * 3 * 192 + 192) + (192 * 160 + 160) + (160 * 96 + 96) + (5 * 5 * 96 * 192 + 192)
    + 2 * (192 * 192 + 192) + (3 * 3 * 192 * 192 + 192) + (192 * 192 + 192) + (192 * 10 + 10),
    # torchvision's vgg16_bn (REFERENCE.md §1) without its 25088-4096-4096-1000 head, plus 512-512-10.
    "vgg16_bn_cifar": 138_365_992 - (25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000)
    + 2 * (512 * 512 + 512) + 512 * 10 + 10,
    # 64-192-384-256-256 convs (5×5, 5×5, 3×3 ×3), 3×3×256 map at 32×32, 1024-1024-10 head.
    "alexnet_small": (5 * 5 * 3 * 64 + 64) + (5 * 5 * 64 * 192 + 192) + (3 * 3 * 192 * 384 + 384)
    + (3 * 3 * 384 * 256 + 256) + (3 * 3 * 256 * 256 + 256) + (2304 * 1024 + 1024) + (1024 * 1024 + 1024)
    + (1024 * 10 + 10),
    # torchvision's squeezenet1_1 (REFERENCE.md §1) with conv10 for 10 classes instead of 1000.
    "squeezenet_small": 1_235_496 - (512 * 1000 + 1000) + (512 * 10 + 10),
    # Goodfellow et al. 2013: 784 → 240×5 → 240×5 → 10.
    "maxout_mlp": (784 * 1200 + 1200) + (240 * 1200 + 1200) + (240 * 10 + 10),
}  # fmt: skip
SMALL = sorted(FORMULAS)


def test_the_small_zoo_is_registered():
    registered = set(dlrecipes.list_models())
    assert set(SMALL) <= registered
    assert dlrecipes.list_models("wrn*") == ["wrn", "wrn16_8", "wrn28_10", "wrn40_4"]
    families = {name: dlrecipes.model_info(name).family for name in SMALL}
    assert {families[n] for n in SMALL if n.startswith(("resnet", "preact", "wrn", "resnext"))} == {"resnet"}
    assert {families[n] for n in ("densenet40_k12", "densenet_bc100_k12", "densenet_bc190_k40")} == {"densenet"}
    assert all("cifar" in dlrecipes.model_info(n).tags for n in SMALL if n != "maxout_mlp")
    assert families["nin_cifar"] == "nin" and families["vgg16_bn_cifar"] == "vgg"
    assert families["alexnet_small"] == "alexnet" and families["squeezenet_small"] == "squeezenet"
    assert families["fractalnet20"] == "fractalnet" and families["maxout_mlp"] == "maxout"
    assert "Stochastic Depth" in dlrecipes.model_info("resnet110_sd").paper.title
    assert dlrecipes.model_info("maxout_mlp").paper.authors.startswith("Goodfellow")
    assert dlrecipes.model_info("fractalnet20").paper.year == 2017


@pytest.mark.parametrize("name", SMALL)
def test_recorded_count_equals_the_formula(name):
    info = dlrecipes.model_info(name)
    assert info.num_params == FORMULAS[name]
    if name != "maxout_mlp":
        assert info.default_input_shape == (32, 32, 3)
    assert info.default_num_classes == 10


@pytest.mark.parametrize("name", sorted(PUBLISHED_MILLIONS))
def test_recorded_count_matches_the_paper(name):
    printed = PUBLISHED_MILLIONS[name]
    published = float(printed) * 1e6
    half_unit = 0.5 * 10.0 ** -len(printed.split(".")[1]) * 1e6
    assert abs(dlrecipes.model_info(name).num_params - published) <= max(0.03 * published, half_unit)


def test_option_b_and_fractal_layout_counts_by_building():
    assert count_params(dlrecipes.build_model("resnet20", shortcut="B"))[0] == resnet_params(
        3, (16, 32, 64), shortcut="B"
    )
    authors = dlrecipes.build_model("fractalnet20", entry_conv=False, widths=(16, 32))
    assert count_params(authors)[0] == fractalnet_params(3, (16, 32), entry_conv=False)
    # The registered FractalNet-20 with the authors' layout: 33.7M, 13% below the paper's 38.6M.
    assert fractalnet_params(3, (64, 128, 256, 512, 512), entry_conv=False) == 33_724_618


# --- shapes, layers, options ------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _built(name, shape=(32, 32, 3), **options):
    return dlrecipes.build_model(name, input_shape=shape, **options)


@pytest.mark.parametrize(
    "name",
    ["resnet20", "wrn16_8", "resnext29_8x64d", "densenet40_k12", "densenet_bc100_k12", "fractalnet20",
     "nin_cifar", "vgg16_bn_cifar", "alexnet_small", "squeezenet_small", "maxout_mlp"],
)  # fmt: skip
def test_fashion_mnist_shape(name):
    model = _built(name, (28, 28, 1))
    x = np.random.default_rng(0).normal(size=(2, 28, 28, 1)).astype("float32")
    out = np.asarray(model(x, training=False))
    assert out.shape == (2, 10) and np.isfinite(out).all()


@pytest.mark.parametrize(
    "name, shape, features",
    [
        ("resnet20", (32, 32, 3), (8, 8, 64)),
        ("resnet20", (28, 28, 1), (7, 7, 64)),
        ("wrn16_8", (32, 32, 3), (8, 8, 512)),
        ("preact_resnet164", (32, 32, 3), (8, 8, 256)),
        ("resnext29_8x64d", (32, 32, 3), (8, 8, 1024)),
        ("densenet40_k12", (32, 32, 3), (8, 8, 16 + 36 * 12)),
        # BC-100, k=12: 24 stem maps + 16·12 = 216 → 108; + 192 = 300 → 150; + 192 = 342.
        ("densenet_bc100_k12", (28, 28, 1), (7, 7, 342)),
        ("fractalnet20", (28, 28, 1), (1, 1, 512)),
    ],
)
def test_feature_maps(name, shape, features):
    model = _built(name, shape, include_top=False)
    assert model.output_shape == (None, *features)


def test_architecture_details():
    resnet20 = _built("resnet20")
    names = [layer.name for layer in resnet20.layers]
    assert "stage2_block1_shortcut_pad" in names and not any("shortcut_conv" in n for n in names)
    assert resnet20.get_layer("stem_conv").kernel.shape == (3, 3, 3, 16)
    wrn = _built("wrn16_8", dropout_rate=0.3)
    assert "stage1_block1_dropout" in [layer.name for layer in wrn.layers]
    assert wrn.get_layer("stage1_block1_shortcut_conv").kernel.shape == (1, 1, 16, 128)
    resnext = _built("resnext29_8x64d", (28, 28, 1))
    grouped = resnext.get_layer("stage1_block1_conv2_conv")
    assert grouped.groups == 8 and grouped.filters == 512
    preact = _built("preact_resnet164", include_top=False)
    assert "final_bn" in [layer.name for layer in preact.layers]
    assert preact.get_layer("stage3_block18_conv3_conv").filters == 256
    nin = _built("nin_cifar")
    assert isinstance(nin.get_layer("block2_pool"), keras.layers.AveragePooling2D)
    assert {"block1_dropout", "block2_dropout"} <= {layer.name for layer in nin.layers}


@pytest.mark.parametrize("name", ["resnet20", "wrn16_8", "densenet_bc100_k12", "fractalnet20", "vgg16_bn_cifar"])
def test_batch_norm_momentum_is_pytorchs(name):
    layers = [layer for layer in _built(name).layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert layers and {layer.momentum for layer in layers} == {0.9}


def test_forwarded_options_are_listed_and_checked():
    options = builder_options("wrn")
    assert {"depth", "widen_factor", "dropout_rate", "drop_path_rate", "pooling", "bn_momentum"} <= set(options)
    assert not {"widths", "block", "preact", "depths"} & set(options)
    assert builder_options("resnet20")["shortcut"] == "A" and builder_options("resnet20")["block"] == "basic"
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['widths'\\]"):
        dlrecipes.build_model("wrn", widths=(16, 32, 64))
    generic = dlrecipes.build_model("wrn", depth=10, widen_factor=2, input_shape=(8, 8, 3))
    assert count_params(generic)[0] == resnet_params(1, (32, 64, 128), preact=True, shortcut="B")


# --- configuration errors, before anything is built ----------------------------------------------


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("resnet20", dict(depth=21), r"depth must be 6n\+2 \(20, 32, 44, 56, 110, 1202, ...\). Received: depth=21"),
        ("resnet20", dict(depth=2), r"depth must be 6n\+2 .*Received: depth=2"),
        ("preact_resnet164", dict(depth=165), r"depth must be 9n\+2 \(29, .*164, 1001, ...\). Received: depth=165"),
        ("wrn", dict(depth=27), r"depth must be 6n\+4 \(10, 16, 22, 28, 40, ...\). Received: depth=27"),
        ("wrn", dict(widen_factor=0), "widen_factor must be >= 1. Received: widen_factor=0"),
        ("densenet_bc100_k12", dict(depth=99), r"depth must be 6n\+4 .*Received: depth=99"),
        ("densenet40_k12", dict(depth=41), r"depth must be 3n\+4 .*Received: depth=41"),
        ("densenet40_k12", dict(bc="yes"), "bc must be True or False. Received: bc='yes'"),
        ("resnet20", dict(groups=2), "basic blocks take groups=1. Received: block='basic', groups=2"),
        ("resnet20", dict(drop_path_rate=1.0), r"drop_path_rate must be in \[0.0, 1.0\). Received: drop_path_rate=1.0"),
        ("resnet110_sd", dict(drop_path_mode="row"), "drop_path_mode must be one of .*Received: drop_path_mode='row'"),
        ("fractalnet20", dict(columns=0), "columns must be >= 1. Received: columns=0"),
        ("fractalnet20", dict(widths=()), r"Received: widths=\(\)"),
        ("fractalnet20", dict(global_drop_path_rate=1.5), "Received: global_drop_path_rate=1.5"),
        ("maxout_mlp", dict(maxout_pieces=7), r"multiple of maxout_pieces units. Received: hidden_units=\(1200, 1200\)"),
        ("nin_cifar", dict(dropout_after="never"), "Received: dropout_after='never'"),
        ("vgg16_bn_cifar", dict(hidden_units=(512, 0)), r"hidden_units\[1\] must be >= 1. Received: hidden_units\[1\]=0"),
    ],
)
def test_configuration_errors(name, options, message):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.build_model(name, **options)


def test_groups_must_divide_the_grouped_width():
    with pytest.raises(ConfigError, match="groups must divide .* Received: width=100, groups=8"):
        residual_block(keras.Input((8, 8, 64)), 64, name="unit", width=100, groups=8)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: StochasticDepth(0.0), r"survival_probability must be in \(0, 1\]"),
        (lambda: StochasticDepth(1.5), "Received: survival_probability=1.5"),
        (lambda: DropPath(1.0), "Received: rate=1.0"),
        (lambda: FractalJoin((0,)), "at least 2 inputs. Received: columns=\\(0,\\)"),
        (lambda: FractalColumnSampler(0), "num_columns must be >= 1"),
    ],
)
def test_layer_argument_errors(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


# --- stochastic layers, statistically ---------------------------------------------------------------


def _within(observed, probability, draws):
    return abs(observed - probability) <= 4 * math.sqrt(probability * (1 - probability) / draws)


class _Training(keras.layers.Layer):
    """Calls `layer` in training mode: inside `predict`, one draw per batch, compiled."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def call(self, inputs):
        return self.layer(inputs, training=True)


def _training_draws(layer, arrays, batch_size):
    """The outputs of `layer` in training mode over `arrays`, one call per `batch_size` rows."""
    inputs = [keras.Input(a.shape[1:]) for a in arrays]
    model = keras.Model(inputs, _Training(layer)(inputs if len(inputs) > 1 else inputs[0]))
    return np.asarray(model.predict(arrays if len(arrays) > 1 else arrays[0], batch_size=batch_size, verbose=0))


def test_stochastic_depth_gates_whole_batches_and_scales_at_inference():
    keras.utils.set_random_seed(1)
    layer, draws, survival = StochasticDepth(0.7), 2000, 0.7
    x = np.tile(np.random.default_rng(0).normal(size=(2, 3, 2)).astype("float32"), (draws, 1, 1))
    outputs = _training_draws(layer, [x], batch_size=2).reshape(draws, 2, 3, 2)
    kept = np.array([np.array_equal(out, x[:2]) for out in outputs])
    assert all(kept[i] or not outputs[i].any() for i in range(draws))  # the whole batch, or nothing
    assert _within(kept.mean(), survival, draws)
    inference = [np.asarray(layer(x[:2], training=False)) for _ in range(3)]
    np.testing.assert_array_equal(inference[0], survival * x[:2])  # the gate's expectation
    assert all(np.array_equal(inference[0], out) for out in inference[1:])


def test_drop_path_drops_examples_and_is_the_identity_at_inference():
    keras.utils.set_random_seed(2)
    layer, draws, rate = DropPath(0.3), 20_000, 0.3
    x = np.ones((draws, 2, 2, 3), "float32")
    out = np.asarray(layer(x, training=True))
    dropped = ~out.any(axis=(1, 2, 3))
    assert _within(dropped.mean(), rate, draws)
    np.testing.assert_allclose(out[~dropped], 1 / 0.7, rtol=1e-6)  # inverted scaling
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_linear_decay_of_survival_probabilities():
    # Huang et al.: p_l = 1 − (l/L)(1 − p_L), p_L = 0.5; ResNet-20's 9 units here.
    model = _built("resnet110_sd", depth=20)
    gates = [layer for layer in model.layers if isinstance(layer, StochasticDepth)]
    assert [g.name for g in gates[:2]] == ["stage1_block1_drop_path", "stage1_block2_drop_path"]
    np.testing.assert_allclose([g.survival_probability for g in gates], [1 - 0.5 * l / 9 for l in range(1, 10)])
    per_example = _built("resnet20", drop_path_rate=0.2, drop_path_mode="example")
    rates = [layer.rate for layer in per_example.layers if isinstance(layer, DropPath)]
    np.testing.assert_allclose(rates, [0.2 * l / 9 for l in range(1, 10)])
    assert not any(isinstance(layer, (StochasticDepth, DropPath)) for layer in _built("resnet20").layers)


def _join_survivors(outputs):
    """Which of the inputs 1, 10, 100 a join kept: their mean identifies the subset."""
    subsets = {}
    for mask in range(1, 8):
        kept = [bool(mask & 1 << i) for i in range(3)]
        subsets[round(float(np.mean([v for v, k in zip((1.0, 10.0, 100.0), kept) if k])), 3)] = kept
    return np.array([subsets[round(float(out), 3)] for out in outputs])


def test_fractal_join_local_drop_path_keeps_at_least_one_input():
    keras.utils.set_random_seed(3)
    join, draws, rate = FractalJoin((0, 1, 2), drop_rate=0.15), 2000, 0.15
    branches = [np.full((draws, 1), value, "float32") for value in (1.0, 10.0, 100.0)]
    local = np.ones((draws, 3), "float32")
    survivors = _join_survivors(_training_draws(join, [*branches, local], batch_size=1)[:, 0])
    # An input is dropped with probability p, except when all are and it is the one revived:
    # p − p³/3 (the authors' Caffe layer revives one input drawn uniformly).
    for column in range(3):
        assert _within(1 - survivors[:, column].mean(), rate - rate**3 / 3, draws)
    assert survivors.any(axis=1).all()
    assert float(np.asarray(join([b[:2] for b in branches] + [local[:2]], training=False))[0, 0]) == pytest.approx(37.0)


def test_fractal_global_drop_path_keeps_one_column_in_every_join():
    keras.utils.set_random_seed(4)
    sampler, draws = FractalColumnSampler(3, global_rate=0.5), 2000
    masks = _training_draws(sampler, [np.zeros((2 * draws, 4), "float32")], batch_size=2).reshape(draws, 2, 3)
    assert (masks[:, 0] == masks[:, 1]).all()  # one draw per mini-batch
    is_global = masks[:, 0].min(axis=1) == 0
    assert _within(is_global.mean(), 0.5, draws)
    assert (masks[is_global, 0].sum(axis=1) == 1).all() and (masks[~is_global] == 1).all()
    for column in range(3):
        assert _within((masks[is_global, 0].argmax(axis=1) == column).mean(), 1 / 3, int(is_global.sum()))
    np.testing.assert_array_equal(np.asarray(sampler(np.zeros((2, 4)), training=False)), np.ones((2, 3)))
    branches = [np.full((2, 1), value, "float32") for value in (1.0, 10.0, 100.0)]
    column_1 = np.array([[0, 1, 0]] * 2, "float32")
    outputs = {float(np.asarray(FractalJoin((0, 1, 2))([*branches, column_1], training=True))[0, 0]) for _ in range(5)}
    assert outputs == {10.0}
    off_path = FractalJoin((1, 2))([branches[1], branches[2], np.array([[1, 0, 0]] * 2, "float32")], training=True)
    assert float(np.asarray(off_path)[0, 0]) == 55.0  # the sampled column skips this join: any output


def test_fractalnet_wiring():
    model = _built("fractalnet20")
    sampler = model.get_layer("drop_path_sampler")
    joins = [layer for layer in model.layers if isinstance(layer, FractalJoin)]
    assert len(joins) == 2 * 5 and all(join.input[-1] is sampler.output for join in joins)
    assert [join.columns for join in joins[:2]] == [(1, 2), (0, 1, 2)]  # join2 merges all 3 columns
    convs = {n for n in (layer.name for layer in model.layers) if re.fullmatch(r"block1_col\d_conv\d_conv", n)}
    assert convs == {"block1_col1_conv1_conv", "block1_col2_conv1_conv", "block1_col2_conv2_conv",
                     *(f"block1_col3_conv{i}_conv" for i in range(1, 5))}  # fmt: skip
    dropouts = [model.get_layer(f"block{b}_col3_conv1_dropout").rate for b in range(2, 6)]
    np.testing.assert_allclose(dropouts, [0.1, 0.2, 0.3, 0.4])


def test_models_are_stochastic_in_training_and_deterministic_at_inference():
    keras.utils.set_random_seed(5)
    x = np.random.default_rng(5).normal(size=(2, 8, 8, 3)).astype("float32")
    for model in (
        dlrecipes.build_model("resnet110_sd", depth=8, input_shape=(8, 8, 3), drop_path_rate=0.9),
        dlrecipes.build_model("fractalnet20", widths=(4, 8), input_shape=(8, 8, 3), global_drop_path_rate=1.0),
    ):
        inference = [np.asarray(model(x, training=False)) for _ in range(3)]
        assert all(np.array_equal(inference[0], out) for out in inference[1:])
        training = {np.asarray(model(x, training=True)).tobytes() for _ in range(12)}
        assert len(training) > 1


# --- training, saving, other backends ---------------------------------------------------------------

_TINY = """
import numpy as np, keras, dlrecipes
TINY = {
    "sd_batch": dict(name="resnet110_sd", depth=8, input_shape=(8, 8, 3), drop_path_rate=0.5),
    "sd_example": dict(name="resnet20", depth=8, input_shape=(8, 8, 3), drop_path_rate=0.5, drop_path_mode="example"),
    "fractal": dict(name="fractalnet20", widths=(4, 8), input_shape=(8, 8, 3), drop_path_rate=0.15),
    "maxout": dict(name="maxout_mlp", hidden_units=(10, 10), input_shape=(8, 8, 3)),
}
def tiny(key):
    options = dict(TINY[key])
    return dlrecipes.build_model(options.pop("name"), num_classes=3, **options)
def step(model, **compile_options):
    model.compile("sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), **compile_options)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 3)).astype("float32")
    before = [w.numpy().copy() for w in model.trainable_weights]
    loss = float(model.train_on_batch(x, np.array([0, 1, 2, 0])))
    changed = any(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))
    return loss, changed
"""


def test_one_compiled_training_step_on_tensorflow():
    namespace = {}
    exec(_TINY, namespace)
    for key in namespace["TINY"]:
        loss, changed = namespace["step"](namespace["tiny"](key))  # graph mode (tf.function)
        assert math.isfinite(loss) and changed, key


def test_one_training_step_under_jax():
    pytest.importorskip("jax")
    result = run_python(
        _TINY
        + """
assert keras.backend.backend() == "jax"
for key in TINY:
    loss, changed = step(tiny(key), jit_compile=True)
    assert np.isfinite(loss) and changed, key
    print(key, loss)
print("ok")
""",
        env=jax_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ok" in result.stdout


def test_save_load_in_fresh_process(tmp_path):
    namespace = {}
    exec(_TINY, namespace)
    x = np.random.default_rng(6).normal(size=(2, 8, 8, 3)).astype("float32")
    for key in namespace["TINY"]:
        model = namespace["tiny"](key)
        model.save(tmp_path / f"{key}.keras")
        np.save(tmp_path / f"{key}.npy", model.predict(x, verbose=0))
    np.save(tmp_path / "x.npy", x)
    result = run_python(
        f"""
import pathlib, numpy as np, keras
import dlrecipes  # registers the custom layers
from dlrecipes.layers import DropPath, FractalJoin, StochasticDepth
folder = pathlib.Path({str(tmp_path)!r})
x = np.load(folder / "x.npy")
kinds = set()
for key in {list(namespace["TINY"])!r}:
    model = keras.saving.load_model(folder / f"{{key}}.keras")
    np.testing.assert_array_equal(model.predict(x, verbose=0), np.load(folder / f"{{key}}.npy"))
    for layer in model.layers:
        kinds.add(type(layer).__name__)
        if isinstance(layer, StochasticDepth):
            assert 0.5 <= layer.survival_probability < 1
        if isinstance(layer, FractalJoin):
            assert layer.drop_rate == 0.15 and len(layer.columns) in (2, 3)
print(sorted(kinds))
"""
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for kind in ("StochasticDepth", "DropPath", "FractalJoin", "FractalColumnSampler", "Maxout"):
        assert kind in result.stdout


# --- recipes ---------------------------------------------------------------------------------------


def test_recipes_state_the_weight_decay_mapping_and_use_the_papers_settings():
    import importlib

    names = [n for n in dlrecipes.list_recipes() if dlrecipes.get_recipe(n).model.name in SMALL]
    assert {"resnet20_cifar10", "resnet20_fashion_mnist", "wrn16_8_fashion_mnist", "densenet_bc100_fashion_mnist",
            "fractalnet20_fashion_mnist", "maxout_mlp_fashion_mnist"} <= set(names)  # fmt: skip
    for name in names:
        doc = importlib.import_module(f"dlrecipes.recipes.{name}").__doc__
        assert "λ/2" in doc and re.search(r"batch[- ]norm", doc, re.I), name
    resnet = dlrecipes.get_recipe("resnet20_fashion_mnist")
    assert (resnet.optimizer.learning_rate, resnet.batch_size, resnet.epochs) == (0.1, 128, 182)
    assert resnet.regularization.weight_decay == 1e-4 / 2 and resnet.schedule.options["boundaries"] == (91, 136)
    assert dlrecipes.get_recipe("wrn16_8_fashion_mnist").regularization.weight_decay == 5e-4 / 2
    assert dlrecipes.get_recipe("resnet110_sd_cifar10").model.options["drop_path_mode"] == "batch"
