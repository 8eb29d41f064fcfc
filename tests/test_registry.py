"""The registry itself, then a harness run over every registered model, so a new model is
tested the moment it is registered.

Every model is built, counted, run forward and trained one step (eagerly: tracing a 150-layer
graph costs ten times the step itself on 2 CPU cores). The costlier checks (grayscale input,
feature extraction, save/load in a fresh process, the other backends) run on each family's
smallest member, which uses the same blocks and layers as the rest of its family (the costliest
narrowed or shortened where they are built once more: NARROW).
"""

import math

import numpy as np
import pytest

import dlrecipes
from dlrecipes import registry
from dlrecipes.errors import ConfigError

from tests.conftest import jax_env, run_python

MODELS = dlrecipes.list_models()


def _family_representatives():
    """The smallest registered model of each family."""
    smallest = {}
    for name in MODELS:
        info = dlrecipes.model_info(name)
        best = smallest.get(info.family)
        if best is None or info.num_params < dlrecipes.model_info(best).num_params:
            smallest[info.family] = name
    return sorted(smallest.values())


REPRESENTATIVES = _family_representatives()

# The costliest representatives narrowed or shortened for the checks that build them once more
# (save/load in a fresh process, the other backends): the same blocks and code paths with a
# fraction of their weights or layers. At full width fcn8s and dilated_frontend carry VGG-16's
# fc6/fc7 as convolutions (134M parameters) that these checks would initialise, update and write
# to disk for nothing; DenseNet-BC-100's 48 dense layers cost JAX ~60 s of compilation on 2 CPU
# cores, its 9 at depth 22 the same kinds of layer; GoogLeNet's nine modules cost JAX 23 s to
# build and step (an XLA compile per distinct kernel shape for the initialiser alone), three
# narrow ones (with both poolings between them) 9 s. The full models are built, counted and
# trained above.
NARROW = {
    "densenet_bc100_k12": {"depth": 22},
    "dilated_frontend": {"width": 0.125},
    "fcn8s": {"width": 0.125},
    "fractalnet20": {"widths": (8, 16, 32, 64, 64)},
    "googlenet": {"stages": (("3a", 8, (8, 16), (4, 8), 8), ("pool3", 3), ("4a", 16, (8, 16), (4, 8), 8),
                             ("pool4", 2), ("5a", 16, (8, 16), (4, 8), 8))},
    "vgg16_bn_cifar": {"config": (8, 8, "M", 16, 16, "M", 32, 32, 32, "M", 64, 64, 64, "M", 64, 64, 64, "M")},
}


def build_representative(name, shape, **options):
    """Family representative `name` for `shape`, narrowed as NARROW says."""
    return dlrecipes.build_model(name, input_shape=shape, **NARROW.get(name, {}), **options)


def test_list_models_wildcards_and_family():
    assert {"lenet5", "lenet5_modern", "mlp", "linear"} <= set(MODELS)
    assert dlrecipes.list_models("lenet*") == ["lenet5", "lenet5_modern"]
    assert dlrecipes.list_models(family="lenet") == ["lenet5", "lenet5_modern"]
    assert dlrecipes.list_models("nothing*") == []
    with pytest.raises(ConfigError, match="family must be one of .*Did you mean: lenet"):
        dlrecipes.list_models(family="lenett")
    with pytest.raises(ConfigError, match="tag must be one of .*'imagenet'"):
        dlrecipes.list_models(tag="imagnet")


def test_every_classification_model_has_one_scale_tag_matching_its_input():
    for name in dlrecipes.list_models(task="classification"):
        info = dlrecipes.model_info(name)
        (scale,) = set(info.tags) & set(registry.SCALE_TAGS)
        height, *_, channels = info.default_input_shape
        expected = "imagenet" if height >= 224 else "cifar" if channels == 3 else "mnist"
        assert scale == expected, name
    assert "vgg16" in dlrecipes.list_models(tag="imagenet")
    assert "resnet20" in dlrecipes.list_models("resnet*", tag="cifar")
    assert dlrecipes.list_models(tag="mnist") == dlrecipes.list_models(tag="mnist", task="classification")
    assert {"lenet5", "mlp", "linear", "maxout_mlp"} <= set(dlrecipes.list_models(tag="mnist"))


def test_duplicate_registration_is_refused():
    info = registry._INFOS["mlp"]
    with pytest.raises(ConfigError, match="already registered"):
        registry.register_model(lambda **kw: None, **{**info.__dict__})


def test_unknown_name_suggests_closest():
    with pytest.raises(ConfigError, match="Unknown model 'lenet6'.*Did you mean: lenet5"):
        dlrecipes.build_model("lenet6")


def test_unknown_keyword_raises_type_error_naming_allowed():
    with pytest.raises(TypeError, match="unexpected keyword arguments \\['activaton'\\].*activation"):
        dlrecipes.build_model("lenet5", activaton="relu")


def test_unknown_initializer_is_a_config_error_naming_the_argument():
    with pytest.raises(ConfigError, match="kernel_initializer must be one of .*Did you mean: he_normal"):
        dlrecipes.build_model("mlp", kernel_initializer="he_norml")  # was Keras' "Could not interpret"


@pytest.mark.parametrize("function", [dlrecipes.count_params, dlrecipes.flops])
def test_model_functions_refuse_what_is_not_a_model(function):
    with pytest.raises(TypeError, match="model must be a keras.Model .*Received: 'lenet5'"):
        function("lenet5")


@pytest.mark.parametrize("num_classes", [1, -3, 2.5, True])
def test_bad_num_classes(num_classes):
    with pytest.raises(ConfigError, match="num_classes"):
        dlrecipes.build_model("mlp", num_classes=num_classes)


def test_model_info_fields_and_recipes():
    info = dlrecipes.model_info("lenet5")
    assert info.family == "lenet" and info.task == "classification"
    assert info.paper.year == 1998 and "LeCun" in info.paper.authors
    assert info.default_input_shape == (32, 32, 1) and info.min_input_size == 16
    assert info.num_params == 61_706  # REFERENCE.md §1, the common modern LeNet-5
    assert info.recipes == ("lenet5_fashion_mnist",)
    with pytest.raises(Exception):
        info.family = "other"  # frozen


def _small_shape(info, channels):
    """The smallest input the model accepts (its default size when it has no minimum)."""
    if len(info.default_input_shape) != 3:
        return info.default_input_shape
    size = info.min_input_size or info.default_input_shape[0]
    return (size, size, channels)


def _image_batch(rng, shape, batch, num_classes):
    return rng.normal(size=(batch, *shape)).astype("float32")


def _class_targets(rng, shape, batch, num_classes):
    return rng.integers(0, num_classes, size=batch)


def _pixel_targets(rng, shape, batch, num_classes):
    return rng.integers(0, num_classes, size=(batch, *shape[:2]))


def _token_batch(rng, shape, batch, num_classes):
    return rng.integers(0, num_classes, size=(batch, *shape))


CAPTION_LENGTH = 6


def _image_and_caption_batch(rng, shape, batch, num_classes):
    """[images, caption tokens] (0 is padding: tokens from 1)."""
    return [_image_batch(rng, shape, batch, num_classes), _caption_targets(rng, shape, batch, num_classes)]


def _caption_targets(rng, shape, batch, num_classes):
    return rng.integers(1, num_classes, size=(batch, CAPTION_LENGTH))


# Per task: (inputs, targets, expected output shape) of a random batch for `shape`; a family
# with a new task adds its entry here, and the harness below runs on it.
EXAMPLES = {
    "classification": (_image_batch, _class_targets, lambda shape, batch, k: (batch, k)),
    "segmentation": (_image_batch, _pixel_targets, lambda shape, batch, k: (batch, *shape[:2], k)),
    "language_model": (_token_batch, _token_batch, lambda shape, batch, k: (batch, *shape, k)),
    "captioning": (
        _image_and_caption_batch, _caption_targets, lambda shape, batch, k: (batch, CAPTION_LENGTH, k)
    ),
}


def example_batch(name, shape, *, batch=4, num_classes=5, seed=0):
    """(x, y, output shape) of a random batch for model `name` with input `shape`."""
    make_x, make_y, output_shape = EXAMPLES[dlrecipes.model_info(name).task]
    rng = np.random.default_rng(seed)
    x = make_x(rng, shape, batch, num_classes)
    return x, make_y(rng, shape, batch, num_classes), output_shape(shape, batch, num_classes)


@pytest.mark.parametrize("name", MODELS)
def test_trainable_parameters_equal_model_info(name):
    """Kernels start at zero where the builder allows: the count does not depend on the values,
    and drawing VGG-19's 144M random weights is 2.4 s of its 2.5 s build on 2 CPU cores."""
    info = dlrecipes.model_info(name)
    zeros = "kernel_initializer" in registry.builder_options(name)
    model = dlrecipes.build_model(name, **{"kernel_initializer": "zeros"} if zeros else {})
    assert dlrecipes.count_params(model)[0] == info.num_params


def test_every_family_has_a_representative():
    families = {dlrecipes.model_info(name).family for name in MODELS}
    assert {dlrecipes.model_info(name).family for name in REPRESENTATIVES} == families
    assert "resnet20" in REPRESENTATIVES and "vgg16_bn_cifar" in REPRESENTATIVES
    assert set(NARROW) <= set(REPRESENTATIVES)  # a narrowing never outlives its representative


# The deepest variants: resnet110's and preact_resnet164's builders at 1202 and 1001 layers, a
# training step of ~30 s each on 2 CPU cores; their exact counts are tested above.
DEEPEST = {"resnet1202", "preact_resnet1001"}


def _forward(name, channels):
    """The model built for `channels`-channel input, and a random batch it ran forward on."""
    shape = _small_shape(dlrecipes.model_info(name), channels)
    model = dlrecipes.build_model(name, input_shape=shape, num_classes=5)
    x, y, output_shape = example_batch(name, shape)
    out = np.asarray(model(x, training=False))
    assert out.shape == output_shape and np.isfinite(out).all()
    return model, x, y


@pytest.mark.parametrize("name", [n for n in MODELS if n not in DEEPEST])
def test_forward_and_one_training_step(name):
    model, x, y = _forward(name, channels=3)
    model.compile(
        "sgd", loss=dlrecipes.training.losses.build_loss("crossentropy"), run_eagerly=True
    )
    before = [w.numpy().copy() for w in model.trainable_weights]
    loss = model.train_on_batch(x, y)
    assert math.isfinite(float(loss))
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


@pytest.mark.parametrize("name", REPRESENTATIVES)
def test_grayscale_forward(name):
    """Grayscale input changes only the first layer's input channels: the forward pass checks
    it; the training step above covers the layers' gradients (the dilated models' step alone
    takes ~55 s on 2 CPU cores: TensorFlow's CPU gradient of their dilated 7×7 convolutions)."""
    _forward(name, channels=1)


@pytest.mark.parametrize(
    "name", [n for n in REPRESENTATIVES if dlrecipes.model_info(n).task == "classification"]
)
def test_feature_extractor(name):
    info = dlrecipes.model_info(name)
    shape = _small_shape(info, 3)
    options = registry.builder_options(name)
    pooled = {"pooling": "avg"} if "pooling" in options else {}
    without_top = dlrecipes.build_model(name, input_shape=shape, include_top=False, **pooled)
    no_classes = dlrecipes.build_model(name, input_shape=shape, num_classes=0, **pooled)
    assert len(without_top.output_shape) == 2
    assert without_top.output_shape == no_classes.output_shape
    assert all("predictions" not in layer.name for layer in without_top.layers)


@pytest.mark.parametrize("name", [n for n in MODELS if dlrecipes.model_info(n).min_input_size])
def test_too_small_input_names_the_minimum(name):
    minimum = dlrecipes.model_info(name).min_input_size
    with pytest.raises(ConfigError, match=f"at least {minimum}x{minimum}"):
        dlrecipes.build_model(name, input_shape=(minimum - 1, minimum - 1, 3))


def test_save_load_in_fresh_process_gives_identical_outputs(tmp_path):
    rng = np.random.default_rng(1)
    for name in REPRESENTATIVES:
        shape = _small_shape(dlrecipes.model_info(name), 3)
        model = build_representative(name, shape, num_classes=4, weight_decay=1e-4)
        x = example_batch(name, shape, batch=2, num_classes=4)[0]
        np.savez(tmp_path / f"{name}_x.npz", *(x if isinstance(x, list) else [x]))  # list: several inputs
        np.save(tmp_path / f"{name}_y.npy", model(x, training=False))  # eager: no graph to trace
        model.save(tmp_path / f"{name}.keras")
    result = run_python(
        f"""
import pathlib, numpy as np, keras
import dlrecipes  # registers the custom layers and losses
folder = pathlib.Path({str(tmp_path)!r})
for name in {REPRESENTATIVES!r}:
    model = keras.saving.load_model(folder / f"{{name}}.keras")
    saved = np.load(folder / f"{{name}}_x.npz")
    x = [saved[f"arr_{{i}}"] for i in range(len(saved.files))]
    y = model(x if len(x) > 1 else x[0], training=False)
    np.testing.assert_array_equal(y, np.load(folder / f"{{name}}_y.npy"))
    assert model.losses, name  # the weight decay survived the round trip
print("ok", len({REPRESENTATIVES!r}))
"""
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"ok {len(REPRESENTATIVES)}" in result.stdout


BACKEND_CHUNKS = 3  # each chunk of the representatives in its own process, so pytest-xdist spreads them


@pytest.mark.parametrize("chunk", range(BACKEND_CHUNKS))
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_every_family_trains_on_other_backends(backend, chunk):
    pytest.importorskip(backend)
    names = REPRESENTATIVES[chunk::BACKEND_CHUNKS]
    result = run_python(
        f"""
import numpy as np
import dlrecipes
from tests.test_registry import _small_shape, build_representative, example_batch
for name in {names!r}:
    shape = _small_shape(dlrecipes.model_info(name), 3)
    model = build_representative(name, shape, num_classes=3)
    loss = dlrecipes.training.losses.build_loss("crossentropy")
    model.compile("sgd", loss=loss)
    x, y, _ = example_batch(name, shape, batch=2, num_classes=3)
    loss = float(model.train_on_batch(x, y))
    assert np.isfinite(loss), name
print("ok", {len(names)})
""",
        env=jax_env() if backend == "jax" else {"KERAS_BACKEND": backend},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"ok {len(names)}" in result.stdout
