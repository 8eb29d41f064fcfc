"""The ImageNet recipes (recipes/*_imagenet.py) on tensorflow-datasets' mock ImageNet: each
loads, validates and starts training at 224×224; GoogLeNet's trains end to end with its
auxiliary classifiers; without the data, a clear error comes at once."""

import json
import math

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.cli import cli
from dlrecipes.data import tfds_source
from dlrecipes.errors import ConfigError
from dlrecipes.training.engine import AuxiliaryLossModel

# One per family of the ImageNet zoo; the test below checks that no other one exists untested.
IMAGENET_RECIPES = (
    "alexnet_imagenet", "zfnet_imagenet", "vgg16_imagenet", "nin_imagenet", "googlenet_imagenet",
    "resnet50_imagenet", "densenet121_imagenet", "squeezenet1_1_imagenet",
)  # fmt: skip
END_TO_END = "googlenet_imagenet"  # the one with several outputs
TINY = dict(batch_size=2, validation=2, max_train_examples=2, epochs=1, verbose=0)

# tf.data's map functions stay traced under run_functions_eagerly, as they should.
pytestmark = pytest.mark.filterwarnings("ignore:Even though the `tf.config.experimental_run_functions_eagerly`")


@pytest.fixture
def mock_imagenet(offline_data, monkeypatch):
    """tfds' mock ImageNet (2 random JPEGs of a few dozen pixels per split), as if prepared."""
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(tfds_source, "is_prepared", lambda name: True)
    with tfds.testing.mock_data(num_examples=2):
        yield


@pytest.fixture
def eager():
    """Eager train steps on TensorFlow: tracing one takes 10-25 s on 2 cores for GoogLeNet,
    ResNet-50 or DenseNet-121, an eager step 1-3 s."""
    if keras.backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf

    tf.config.run_functions_eagerly(True)
    yield
    tf.config.run_functions_eagerly(False)
    keras.backend.clear_session()


class _Started(Exception):
    """Raised after the first training step: the recipe did start training."""


class StopAfterFirstStep(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise _Started(self.model, logs["loss"])


def test_every_imagenet_recipe_is_here_and_paper_like():
    assert set(dlrecipes.list_recipes("*_imagenet")) == set(IMAGENET_RECIPES)
    for name in IMAGENET_RECIPES:
        recipe = dlrecipes.get_recipe(name)
        assert recipe.dataset == "imagenet2012" and recipe.reference
        assert recipe.optimizer.name in ("momentum", "nesterov")
        assert recipe.optimizer.options["momentum"] == 0.9
        # Keras' L2 coefficient c = λ/2 of the paper's weight decay λ (REFERENCE.md §4)
        assert 2 * recipe.regularization.weight_decay in (5e-4, 2e-4, 1e-4)
    assert dlrecipes.get_recipe("resnet50_imagenet").regularization.weight_decay == 5e-5
    googlenet = dlrecipes.get_recipe(END_TO_END)
    assert googlenet.model.options["aux_logits"] and googlenet.aux_loss_weight == 0.3


@pytest.mark.parametrize("name", [n for n in IMAGENET_RECIPES if n != END_TO_END])
def test_recipe_starts_training_on_mock_imagenet(name, tmp_path, mock_imagenet, eager):
    with pytest.raises(_Started) as started:
        dlrecipes.train(name, out=tmp_path, callbacks=[StopAfterFirstStep()], **TINY)
    model, loss = started.value.args
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == (None, 1000)
    assert math.isfinite(loss)
    saved = json.loads(next(tmp_path.glob(f"{name}/*/recipe.json")).read_text())
    assert saved["model"] == dlrecipes.get_recipe(name).to_dict()["model"]


def test_googlenet_recipe_trains_with_auxiliary_heads_then_drops_them(tmp_path, mock_imagenet, eager):
    trained = []

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            trained.append(self.model)

    result = dlrecipes.train(END_TO_END, out=tmp_path, callbacks=[Record()], **TINY)
    assert isinstance(trained[0], AuxiliaryLossModel) and len(trained[0].network.outputs) == 3
    assert trained[0].aux_loss_weight == 0.3
    assert set(result.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    metrics = result.metrics
    assert metrics["trainable_params"] == 6_624_904  # aux heads dropped (REFERENCE.md §1)
    assert metrics["train_examples"] == 2 and math.isfinite(metrics["test_loss"])
    saved = keras.saving.load_model(result.run_dir / "model.keras")
    assert saved.output_shape == (None, 1000) and "aux1_predictions" not in [l.name for l in saved.layers]
    x = np.random.default_rng(0).normal(size=(1, 224, 224, 3)).astype("float32")
    np.testing.assert_allclose(saved.predict(x, verbose=0), result.model.predict(x, verbose=0), atol=1e-5)


def test_imagenet_recipe_without_data_fails_at_once(capsys, offline_data):
    code = cli(["train", "resnet50_imagenet", "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "'imagenet2012' is not available" in err and "ILSVRC2012_img_train.tar" in err


def test_class_selection_needs_an_in_memory_classification_dataset():
    with pytest.raises(ConfigError, match="in-memory classification dataset; imagenet2012 is not one"):
        dlrecipes.get_recipe("resnet50_imagenet").override({"classes": [0, 1]})
