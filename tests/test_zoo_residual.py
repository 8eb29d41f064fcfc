"""The residual family (ResNet v1/v2, Wide ResNet, ResNeXt) and DenseNet at ImageNet scale.

Numbers are published values (REFERENCE.md §1: torchvision's num_params and
keras.applications' count_params), never what the code printed. Graph equality with
keras.applications: both models built with weights=None, keras.applications' weights (batch-norm
statistics randomized) copied into ours layer by layer through a name mapping that must cover
every weighted layer of ours, then outputs compared on the same random input.
"""

import functools
import re

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes import count_params
from dlrecipes.blocks import residual_block
from dlrecipes.errors import ConfigError
from dlrecipes.models.densenet import densenet
from dlrecipes.blocks import min_input_size
from dlrecipes.models.resnet import CEIL_HALVING, FLOOR_HALVING, resnet

from tests.conftest import run_python

# Trainable parameters at 224×224×3 with 1000 classes, REFERENCE.md §1 (torchvision num_params).
TORCHVISION_PARAMS = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "wide_resnet50_2": 68_883_240,
    "resnext50_32x4d": 25_028_904,
    "resnext101_32x8d": 88_791_336,
    "densenet121": 7_978_856,
    "densenet169": 14_149_480,
    "densenet201": 20_013_928,
}
# keras.applications' total count_params (trainable + batch-norm moving mean/variance),
# REFERENCE.md §1. Our v2 and DenseNet models as registered have keras.applications' graph.
KERAS_TOTALS = {
    "resnet50_v2": 25_613_800,
    "resnet101_v2": 44_675_560,
    "resnet152_v2": 60_380_648,
    "densenet121": 8_062_504,
    "densenet169": 14_307_880,
    "densenet201": 20_242_984,
}
# keras.applications ResNet50/101/152 (v1): a bias on every conv, stride on the first 1×1.
KERAS_V1 = dict(conv_bias=True, stride_in_1x1=True)
KERAS_V1_TOTALS = {"resnet50": 25_636_712, "resnet101": 44_707_176}
SLOW = pytest.mark.slow
NAMES = [
    *TORCHVISION_PARAMS.keys() - {"densenet121", "densenet169", "densenet201"},
    "resnet50_v2",
    "resnet101_v2",
    "resnet152_v2",
    "densenet121",
    "densenet169",
    "densenet201",
]


def _bn_channels_v2(depths, widths=(64, 128, 256, 512)):
    """Batch-norm channels of keras.applications' ResNetV2: each unit's pre-activation (its
    input channels) and two inner BNs, plus the final BN."""
    channels, total = 64, 0
    for depth, width in zip(depths, widths):
        for _ in range(depth):
            total += channels + 2 * width
            channels = 4 * width
    return total + channels


def _trainable_reference(name):
    if name in TORCHVISION_PARAMS:
        return TORCHVISION_PARAMS[name]
    depths = {"resnet50_v2": (3, 4, 6, 3), "resnet101_v2": (3, 4, 23, 3), "resnet152_v2": (3, 8, 36, 3)}
    return KERAS_TOTALS[name] - 2 * _bn_channels_v2(depths[name])


def _imagenet(family):
    """The ImageNet members of a family (the CIFAR forms are tests/test_zoo_small.py's)."""
    return [n for n in dlrecipes.list_models(family=family) if "imagenet" in dlrecipes.model_info(n).tags]


def test_registry_lists_the_zoo():
    assert set(NAMES) <= set(dlrecipes.list_models())
    assert _imagenet("densenet") == ["densenet121", "densenet169", "densenet201"]
    assert set(_imagenet("resnet")) == set(NAMES) - set(_imagenet("densenet"))
    assert dlrecipes.model_info("resnext50_32x4d").paper.year == 2017
    assert "Zagoruyko" in dlrecipes.model_info("wide_resnet50_2").paper.authors
    assert "Identity Mappings" in dlrecipes.model_info("resnet50_v2").paper.title
    assert dlrecipes.model_info("densenet121").paper.authors.startswith("Huang")


@pytest.mark.parametrize("name", sorted(NAMES))
def test_parameter_counts_match_published_values(name):
    info = dlrecipes.model_info(name)
    model = dlrecipes.build_model(name, kernel_initializer="zeros")  # counts don't need values
    trainable, total = count_params(model)
    assert trainable == _trainable_reference(name) == info.num_params
    if name in KERAS_TOTALS:
        assert total == KERAS_TOTALS[name]
    assert info.default_input_shape == (224, 224, 3) and info.default_num_classes == 1000
    assert model.output_shape == (None, 1000)


@pytest.mark.parametrize(
    "name", ["resnet50", pytest.param("resnet101", marks=SLOW)]
)
def test_keras_compatible_v1_totals(name):
    trainable, total = count_params(dlrecipes.build_model(name, **KERAS_V1))
    assert total == KERAS_V1_TOTALS[name]
    if name == "resnet50":
        assert trainable == 25_583_592  # REFERENCE.md §1: ResNet50's trainable part


# --- graph equality with keras.applications ---------------------------------------------------


def _resnet_name(name):
    """keras.applications ResNet/ResNetV2 layer name -> ours."""
    fixed = {"conv1_conv": "stem_conv", "conv1_bn": "stem_bn", "post_bn": "final_bn"}
    if name in fixed or name == "predictions":
        return fixed.get(name, name)
    stage, block, part, kind = re.fullmatch(r"conv(\d)_block(\d+)_(\w+)_(conv|bn)", name).groups()
    part = {"0": "shortcut", "preact": "preact"}.get(part, f"conv{part}")
    return f"stage{int(stage) - 1}_block{block}_{part}_{kind}"


def _densenet_name(name):
    """keras.applications DenseNet layer name -> ours."""
    fixed = {"conv1_conv": "stem_conv", "conv1_bn": "stem_bn", "bn": "final_bn"}
    if name in fixed or name == "predictions":
        return fixed.get(name, name)
    match = re.fullmatch(r"pool(\d)_(conv|bn)", name)
    if match:
        return f"transition{int(match[1]) - 1}_{match[2]}"
    stage, layer, index, kind = re.fullmatch(r"conv(\d)_block(\d+)_(\d)_(conv|bn)", name).groups()
    conv = {("0", "bn"): 1, ("1", "conv"): 1, ("1", "bn"): 2, ("2", "conv"): 2}[(index, kind)]
    return f"stage{int(stage) - 1}_layer{layer}_conv{conv}_{kind}"


def _randomize(layer, rng):
    """Non-trivial values for everything a fresh model initializes to 0 or 1."""
    values = []
    for weight in layer.weights:
        value = weight.numpy()
        kind = weight.path.rsplit("/", 1)[-1]
        if kind == "gamma":
            value = rng.uniform(0.5, 1.5, value.shape)
        elif kind in ("beta", "moving_mean", "bias"):
            value = rng.normal(0.0, 0.2, value.shape)
        elif kind == "moving_variance":
            value = rng.uniform(0.5, 2.0, value.shape)
        values.append(value.astype("float32"))
    layer.set_weights(values)


EQUALITY = [
    ("ResNet50", "resnet50", KERAS_V1, _resnet_name),
    ("ResNet50V2", "resnet50_v2", {}, _resnet_name),
    ("DenseNet121", "densenet121", {}, _densenet_name),
    pytest.param("ResNet101", "resnet101", KERAS_V1, _resnet_name, marks=SLOW),
    pytest.param("ResNet101V2", "resnet101_v2", {}, _resnet_name, marks=SLOW),
]


@pytest.mark.parametrize("application, name, options, mapping", EQUALITY)
def test_graph_equals_keras_applications(application, name, options, mapping):
    shape, rng = (64, 64, 3), np.random.default_rng(0)
    reference = getattr(keras.applications, application)(
        weights=None, input_shape=shape, classes=10, classifier_activation=None
    )
    ours = dlrecipes.build_model(name, input_shape=shape, num_classes=10, bn_epsilon=1.001e-5, **options)
    copied = set()
    for layer in reference.layers:
        if layer.weights:
            _randomize(layer, rng)
            target = ours.get_layer(mapping(layer.name))
            target.set_weights(layer.get_weights())
            copied.add(target.name)
    assert copied == {layer.name for layer in ours.layers if layer.weights}
    assert count_params(ours) == count_params(reference)
    x = rng.normal(size=(2, *shape)).astype("float32")
    for layer_name in ("avg_pool", "predictions"):  # pooled features, then logits
        want = keras.Model(reference.input, reference.get_layer(layer_name).output)(x)
        got = keras.Model(ours.input, ours.get_layer(layer_name).output)(x)
        want, got = np.asarray(want), np.asarray(got)
        assert np.abs(want).max() > 0.1  # a meaningful comparison, not zeros against zeros
        assert np.abs(want - got).max() <= 1e-4


# --- heads, shapes, channels, sizes ---------------------------------------------------------------


def test_feature_extractor_shapes():
    shape = (64, 64, 3)
    for pooling in ("avg", "max"):
        pooled = dlrecipes.build_model("resnet18", input_shape=shape, include_top=False, pooling=pooling)
        assert pooled.output_shape == (None, 512)
        assert pooled.layers[-1].name == f"{pooling}_pool"
    no_classes = dlrecipes.build_model("resnet18", input_shape=shape, num_classes=0, pooling="avg")
    assert no_classes.output_shape == (None, 512)
    assert "predictions" not in [layer.name for layer in no_classes.layers]
    for name, features in [("resnet18", 512), ("resnet50_v2", 2048), ("densenet121", 1024)]:
        maps = dlrecipes.build_model(name, input_shape=shape, include_top=False)
        assert maps.output_shape == (None, 2, 2, features)  # 64 / 32


@pytest.mark.parametrize("name", ["resnet18", "resnext50_32x4d", "densenet121"])
def test_one_channel_input_at_the_minimum_size(name):
    size = dlrecipes.model_info(name).min_input_size
    model = dlrecipes.build_model(name, input_shape=(size, size, 1), num_classes=7)
    out = np.asarray(model(np.random.default_rng(0).normal(size=(2, size, size, 1)), training=False))
    assert out.shape == (2, 7) and np.isfinite(out).all()
    assert model.get_layer("stem_conv").kernel.shape == (7, 7, 1, 64)


def test_minimum_input_size_rounding():
    # Padded convs/pools give ⌈n/2⌉: five halvings reduce 17 → 9 → 5 → 3 → 2 → 1, and 16
    # would reach the last one as a 1×1 map. DenseNet's unpadded 2×2 poolings give ⌊n/2⌋:
    # they need 8 pixels after the stem's ⌈n/4⌉, so n >= 29.
    assert min_input_size([CEIL_HALVING] * 5) == 17
    assert min_input_size([CEIL_HALVING] * 2 + [FLOOR_HALVING] * 3) == 29
    assert min_input_size([FLOOR_HALVING] * 5) == 32
    assert min_input_size([]) == 1
    assert {dlrecipes.model_info(n).min_input_size for n in _imagenet("resnet")} == {17}
    assert {dlrecipes.model_info(n).min_input_size for n in _imagenet("densenet")} == {29}


@pytest.mark.parametrize("name, minimum", [("resnet50", 17), ("resnet50_v2", 17), ("densenet121", 29)])
def test_too_small_input_names_the_minimum(name, minimum):
    for shape in [(minimum - 1, minimum - 1, 3), (minimum, minimum - 1, 3)]:
        with pytest.raises(ConfigError, match=f"at least {minimum}x{minimum}.*Received: input_shape"):
            dlrecipes.build_model(name, input_shape=shape)
    # At the minimum, the last feature map is 1×1.
    model = dlrecipes.build_model(name, input_shape=(minimum, minimum, 3), include_top=False)
    assert model.output_shape[1:3] == (1, 1)


def test_small_configurations_compute_their_own_minimum():
    with pytest.raises(ConfigError, match="at least 3x3"):  # CIFAR stem, two strided stages
        resnet(input_shape=(2, 2, 3), num_classes=10, block="basic", depths=(1, 1, 1), widths=(4, 8, 16), stem="cifar")
    with pytest.raises(ConfigError, match="at least 4x4"):  # CIFAR stem, two 2×2 poolings
        densenet(input_shape=(3, 3, 3), num_classes=10, block_config=(1, 1, 1), growth_rate=4, stem="cifar")


# --- configuration errors, before anything is built ------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(block="bottle"), r"block must be one of \['basic', 'bottleneck'\]. Received: block='bottle'"),
        (dict(block="basic", groups=32), "basic blocks take groups=1. Received: block='basic', groups=32"),
        (dict(block="basic", width_per_group=128), "Received: block='basic', width_per_group=128"),
        (dict(groups=0), "groups must be >= 1. Received: groups=0"),
        (dict(shortcut="D"), "shortcut must be one of .*Received: shortcut='D'"),
        (dict(depths=(3, 4), widths=(64,)), r"one entry per stage. Received: depths=\(3, 4\)"),
        (dict(depths=()), r"depths must be a non-empty tuple.*Received: depths=\(\)"),
        (dict(shortcut="A", widths=(64, 32, 16, 8)), "cannot shrink. Received: shortcut='A'"),
        (dict(width_per_group=1, groups=1, widths=(16, 32, 64, 128)), "at least 1 channel per group"),
        (dict(stem="tiny"), "stem must be one of .*Received: stem='tiny'"),
        (dict(downsample="middle"), "Received: downsample='middle'"),
        (dict(conv_bias="yes"), "Received: conv_bias='yes'"),
        (dict(dropout_rate=1.5), "Received: dropout_rate=1.5"),
        (dict(pooling="mean"), "Received: pooling='mean'"),
        (dict(preact="yes"), "Received: preact='yes'"),
    ],
)
def test_resnet_configuration_errors(options, message):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.build_model("resnet50", input_shape=(32, 32, 3), **options)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(block_config=()), r"Received: block_config=\(\)"),
        (dict(growth_rate=0), "growth_rate must be >= 1. Received: growth_rate=0"),
        (dict(compression=0.0), "transition1 without channels"),
        (dict(compression=1.5), r"compression must be in \[0.0, 1.0\]. Received: compression=1.5"),
        (dict(bn_size=-1), "Received: bn_size=-1"),
        (dict(stem="tiny"), "Received: stem='tiny'"),
    ],
)
def test_densenet_configuration_errors(options, message):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.build_model("densenet121", input_shape=(32, 32, 3), **options)


def test_groups_must_divide_the_grouped_width():
    x = keras.Input((8, 8, 64))
    with pytest.raises(ConfigError, match="groups must divide .* Received: width=100, groups=32"):
        residual_block(x, 64, name="unit", width=100, groups=32)
    with pytest.raises(ConfigError, match="cannot reduce them"):
        residual_block(x, 16, name="unit", block="basic", shortcut="A")


# --- residual units -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [6, 7])  # odd sizes subsample like the strided convs: ⌈n/2⌉
def test_option_a_shortcut_is_parameter_free_subsampling_and_zero_padding(size):
    inputs = keras.Input((size, size, 16))
    output = residual_block(inputs, 32, name="unit", block="basic", strides=2, shortcut="A")
    model = keras.Model(inputs, output)
    shortcut_layers = [layer for layer in model.layers if layer.name.startswith("unit_shortcut")]
    assert shortcut_layers and all(not layer.weights for layer in shortcut_layers)
    # Two bias-free 3×3 convs and their batch norms (gamma, beta): nothing else has parameters.
    assert count_params(model)[0] == 3 * 3 * 16 * 32 + 3 * 3 * 32 * 32 + 2 * 2 * 32
    x = np.random.default_rng(0).normal(size=(2, size, size, 16)).astype("float32")
    shortcut = keras.Model(inputs, model.get_layer("unit_shortcut").output)(x)
    expected = np.pad(x[:, ::2, ::2, :], ((0, 0), (0, 0), (0, 0), (8, 8)))
    np.testing.assert_array_equal(np.asarray(shortcut), expected)


@pytest.mark.parametrize("preact", [False, True])
def test_residual_layer_hook_scales_the_branch(preact):
    # The stochastic-depth hook: a branch multiplied by 0 leaves the (option A) shortcut alone.
    inputs = keras.Input((8, 8, 8))
    output = residual_block(
        inputs,
        16,
        name="unit",
        block="basic",
        strides=2,
        shortcut="A",
        preact=preact,
        dropout_rate=0.3,
        residual_layer=keras.layers.Rescaling(0.0, name="unit_drop_path"),
    )
    model = keras.Model(inputs, output)
    assert "unit_dropout" in [layer.name for layer in model.layers]
    x = np.random.default_rng(1).normal(size=(2, 8, 8, 8)).astype("float32")
    expected = np.pad(x[:, ::2, ::2, :], ((0, 0), (0, 0), (0, 0), (4, 4)))
    got = np.asarray(model(x, training=False))
    np.testing.assert_allclose(got, expected if preact else np.maximum(expected, 0.0))


@functools.lru_cache(maxsize=None)
def _built_at_32(name, keras_v1=False):
    return dlrecipes.build_model(name, input_shape=(32, 32, 3), **(KERAS_V1 if keras_v1 else {}))


def test_layer_names_are_hierarchical_and_deterministic():
    def names(name, fresh=False):
        model = dlrecipes.build_model(name, input_shape=(32, 32, 3)) if fresh else _built_at_32(name)
        return [layer.name for layer in model.layers]

    first, second = names("resnet50"), names("resnet50", fresh=True)
    assert first == second  # no auto-numbered names
    for expected in ("stem_conv", "stem_pool", "stage2_block1_conv1_conv", "stage2_block1_conv2_pad",
                     "stage2_block1_shortcut_conv", "stage2_block1_shortcut_bn", "stage4_block3_out",
                     "avg_pool", "predictions"):  # fmt: skip
        assert expected in first
    pattern = re.compile(r"input|stem_\w+|stage\d_block\d+_\w+|final_\w+|avg_pool|predictions")
    assert all(pattern.fullmatch(name) for name in first + names("resnet50_v2"))
    dense = names("densenet121")
    assert {"stage1_layer6_concat", "stage4_layer16_conv2_conv", "transition3_pool", "final_bn"} <= set(dense)
    pattern = re.compile(r"input|stem_\w+|stage\d_layer\d+_\w+|transition\d_\w+|final_\w+|avg_pool|predictions")
    assert all(pattern.fullmatch(name) for name in dense)


def test_stride_placement_options():
    def strides(model, layer):
        return model.get_layer(layer).strides

    torchvision = _built_at_32("resnet50")
    assert strides(torchvision, "stage2_block1_conv2_conv") == (2, 2)
    assert strides(torchvision, "stage2_block1_conv1_conv") == (1, 1)
    assert not torchvision.get_layer("stage2_block1_conv1_conv").use_bias
    keras_v1 = _built_at_32("resnet50", keras_v1=True)
    assert strides(keras_v1, "stage2_block1_conv1_conv") == (2, 2)
    assert keras_v1.get_layer("stage2_block1_conv2_conv").use_bias
    v2 = _built_at_32("resnet50_v2")
    assert strides(v2, "stage1_block3_conv2_conv") == (2, 2)  # last unit of the stage before
    assert "stage1_block3_shortcut_pool" in [layer.name for layer in v2.layers]
    assert "stage2_block1_shortcut_conv" in [layer.name for layer in v2.layers]
    grouped = dlrecipes.build_model("resnext50_32x4d", input_shape=(32, 32, 3))
    assert grouped.get_layer("stage1_block1_conv2_conv").groups == 32
    assert grouped.get_layer("stage1_block1_conv2_conv").filters == 128
    all_projections = resnet(input_shape=(32, 32, 3), num_classes=10, block="basic", depths=(2, 2), widths=(8, 16),
                             stem="cifar", stem_filters=8, shortcut="C")  # fmt: skip
    assert "stage1_block2_shortcut_conv" in [layer.name for layer in all_projections.layers]


# --- training, saving, other backends --------------------------------------------------------------

SMALL = {
    # ResNet-18's stem and basic units, one unit per stage, narrow.
    "resnet_small": lambda **options: resnet(
        input_shape=(32, 32, 3), num_classes=3, block="basic", depths=(1, 1, 1, 1), widths=(8, 16, 32, 64),
        stem_filters=8, name="resnet_small", **options,
    ),
    # ResNeXt-style bottlenecks (4 groups of 4 channels), CIFAR stem, option B.
    "resnext_small": lambda **options: resnet(
        input_shape=(16, 16, 3), num_classes=3, depths=(1, 1), widths=(8, 16), groups=4,
        width_per_group=32, stem="cifar", stem_filters=8, name="resnext_small", **options,
    ),
    # WRN-style pre-activation basic units with dropout and option A shortcuts.
    "wrn_small": lambda **options: resnet(
        input_shape=(16, 16, 3), num_classes=3, block="basic", depths=(1, 1, 1), widths=(8, 16, 32),
        preact=True, shortcut="A", dropout_rate=0.3, stem="cifar", stem_filters=8, name="wrn_small", **options,
    ),
    # DenseNet-BC on CIFAR-style input.
    "densenet_small": lambda **options: densenet(
        input_shape=(16, 16, 3), num_classes=3, block_config=(2, 2), growth_rate=4, init_features=8,
        stem="cifar", dropout_rate=0.2, name="densenet_small", **options,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SMALL)
def test_one_training_step(name):
    model = SMALL[name]()
    shape = model.input_shape[1:]
    model.compile(
        keras.optimizers.SGD(0.01, momentum=0.9),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    x = np.random.default_rng(0).normal(size=(4, *shape)).astype("float32")
    before = [w.numpy().copy() for w in model.trainable_weights]
    loss = float(model.train_on_batch(x, np.array([0, 1, 2, 0])))
    assert np.isfinite(loss)
    changed = [not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights)]
    assert all(changed)  # every weight gets a gradient: no dead branch


def test_save_load_in_a_fresh_process(tmp_path):
    rng = np.random.default_rng(2)
    models = {name: build() for name, build in SMALL.items()}
    models["resnet18"] = dlrecipes.build_model("resnet18", input_shape=(32, 32, 3), num_classes=4)
    for name, model in models.items():
        x = rng.normal(size=(2, *model.input_shape[1:])).astype("float32")
        np.save(tmp_path / f"{name}_x.npy", x)
        np.save(tmp_path / f"{name}_y.npy", np.asarray(model(x, training=False)))
        model.save(tmp_path / f"{name}.keras")
    result = run_python(
        f"""
import pathlib, numpy as np, keras
folder = pathlib.Path({str(tmp_path)!r})
for name in {sorted(models)!r}:
    model = keras.saving.load_model(folder / f"{{name}}.keras")
    y = np.asarray(model(np.load(folder / f"{{name}}_x.npy"), training=False))
    np.testing.assert_array_equal(y, np.load(folder / f"{{name}}_y.npy"))
print("ok", {len(models)})
"""
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"ok {len(models)}" in result.stdout
