"""Augmentation, regularization and transfer through the engine on tiny Fashion-MNIST slices;
ensembles, TTA and snapshot epochs against hand computations."""

import json

import keras
import numpy as np
import pytest

import dlrecipes
from dlrecipes.errors import ConfigError
from dlrecipes.training import ensembles, transfer
from dlrecipes.training.engine import load_data

TINY = dict(max_train_examples=300, validation=200, epochs=2, batch_size=50, verbose=0)


@pytest.fixture(scope="module")
def source_run(tmp_path_factory, fashion_mnist_dir):
    """A 3-class MLP trained with augmentation, elastic net, max-norm, label smoothing, warm-up
    and cosine restarts (snapshots at the ends of its 1-epoch cycles)."""
    recipe = dlrecipes.get_recipe("mlp_fashion_mnist").override({
        "model.options.hidden_units": (16,), "classes": [0, 1, 2], "augmentation.flip": "horizontal",
        "augmentation.crop_padding": 2, "augmentation.erasing": 0.5, "regularization.l1": 1e-5,
        "regularization.weight_decay": 1e-4, "regularization.max_norm": 3.0,
        "regularization.label_smoothing": 0.1, "schedule": {"name": "cosine_restarts", "options": {"first_epochs": 1, "t_mul": 1.0}},
        "augmentation.test_flip": True,
    })
    return dlrecipes.train(recipe, out=tmp_path_factory.mktemp("runs"), **TINY)


def test_engine_applies_the_toolkit_and_the_saved_model_predicts(source_run):
    model = keras.saving.load_model(source_run.run_dir / "model.keras")
    names = [layer.name for layer in model.layers]
    assert names[1:4] == ["augment_crop", "augment_flip", "augment_erasing"]
    assert model.output_shape == (None, 3) and source_run.metrics["train_examples"] == 300
    dense = model.get_layer("fc1_dense")
    assert dense.kernel.regularizer.get_config() == pytest.approx({"l1": 1e-5, "l2": 1e-4})
    assert np.linalg.norm(dense.kernel.numpy(), axis=0).max() <= 3.0 + 1e-5
    x = np.random.default_rng(0).normal(size=(4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), source_run.model.predict(x, verbose=0), rtol=1e-5)
    assert [p.name for p in ensembles.snapshot_files(source_run.run_dir)] == ["epoch0001.keras", "epoch0002.keras"]


def test_flip_tta_accuracy_averages_the_probabilities_of_both_views(source_run):
    recipe = dlrecipes.Recipe.from_dict(json.loads((source_run.run_dir / "recipe.json").read_text()))
    x, y = load_data(recipe).normalized("test")
    views = [source_run.model.predict(view, verbose=0) for view in (x, x[:, :, ::-1])]
    mean = np.mean([np.exp(v) / np.exp(v).sum(axis=-1, keepdims=True) for v in views], axis=0)
    assert source_run.metrics["test_accuracy_flip_tta"] == pytest.approx(np.mean(mean.argmax(axis=-1) == y))
    assert len(y) == 3000 and source_run.metrics["test_accuracy"] != source_run.metrics["test_accuracy_flip_tta"]


def test_flip_tta_is_refused_before_training_outside_classification(tmp_path, fashion_mnist_dir):
    with pytest.raises(ConfigError, match="test_flip must be True or False. Received: test_flip='yes'"):
        dlrecipes.get_recipe("mlp_fashion_mnist").override({"augmentation.test_flip": "yes"})
    recipe = dlrecipes.get_recipe("fcn32s_scenes").override({"augmentation.test_flip": True})
    with pytest.raises(ConfigError, match="test_flip is for classification only.*segmentation"):
        dlrecipes.train(recipe, out=tmp_path, max_train_examples=8, verbose=0)
    assert not any(tmp_path.iterdir())


def test_adapt_replaces_the_head_and_drops_augmentation(source_run):
    model = transfer.adapt(transfer.load_run_model(source_run.run_dir), 7)
    assert [layer.name for layer in model.layers][:2] == ["input", "flatten"] and model.output_shape == (None, 7)
    assert model.get_layer("fc1_dense") is not None
    trainable = transfer.freeze(model, train_top=1)
    assert trainable == ["predictions"] and len(model.trainable_weights) == 2
    assert transfer.freeze(model, below="fc1_dense") == ["fc1_dense", "predictions"]
    with pytest.raises(ConfigError, match="freeze_below must name a layer.*Did you mean: fc1_dense"):
        transfer.freeze(model, below="fc1_dens")


def test_transfer_through_the_engine_trains_only_the_unfrozen_layers(source_run, tmp_path):
    source = keras.saving.load_model(source_run.run_dir / "model.keras")
    recipe = dlrecipes.get_recipe("mlp_fashion_mnist").override({
        "model.options.hidden_units": (16,), "classes": [5, 6, 7, 8], "examples_per_class": 20,
        "transfer": {"source": str(source_run.run_dir), "train_top": 1},
    })
    result = dlrecipes.train(recipe, out=tmp_path, **{**TINY, "max_train_examples": None})
    assert result.metrics["train_examples"] == 80 and result.model.output_shape == (None, 4)
    np.testing.assert_array_equal(result.model.get_layer("fc1_dense").kernel.numpy(), source.get_layer("fc1_dense").kernel.numpy())
    assert result.metrics["trainable_params"] == 16 * 4 + 4


def test_transfer_refuses_a_recipe_naming_another_model_than_the_source_trained(source_run, tmp_path):
    """The run would train the source's MLP under a recipe.json saying LeNet-5 (it once did)."""
    recipe = dlrecipes.get_recipe("lenet5_fashion_mnist").override({"transfer": {"source": str(source_run.run_dir)}})
    with pytest.raises(ConfigError, match="trained model 'mlp'.*must be 'mlp'. Received: model='lenet5'"):
        dlrecipes.train(recipe, out=tmp_path, **TINY)


def test_ensemble_averages_member_probabilities_and_tta_views():
    inputs = keras.Input((2, 2, 1))
    flat = keras.layers.Flatten()(inputs)
    members = []
    for scale in (1.0, -1.0):
        out = keras.layers.Dense(2, use_bias=False, kernel_initializer=keras.initializers.Constant(0.0))(flat)
        model = keras.Model(inputs, out)
        model.layers[-1].kernel.assign(scale * np.array([[1, 0], [0, 0], [0, 1], [0, 0]], "float32"))
        members.append(model)
    x = np.array([[[[2.0], [0.0]], [[0.0], [0.0]]]], "float32")  # logits (2, 0) and (−2, 0)
    p = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(ensembles.probabilities(members[0], x), [[p, 1 - p]], rtol=1e-5)
    np.testing.assert_allclose(ensembles.ensemble_probabilities(members, x), [[0.5, 0.5]], rtol=1e-5)
    views = ensembles.tta_views(x, flip=True, shifts=1)
    assert len(views) == 6 and views[1][0, 0, 1, 0] == 2.0 and views[2][0, 1, 1, 0] == 2.0
    result = ensembles.compare(members, x, np.array([0]))
    assert result["members"] == [1.0, 0.0]


def test_multi_crop_views_are_the_corners_and_centre_and_their_mirrors():
    x = np.arange(5 * 5, dtype="float32").reshape(1, 5, 5, 1)
    views = ensembles.tta_views(x, flip=True, crop=3)
    assert len(views) == 10 and all(v.shape == (1, 3, 3, 1) for v in views)
    top_lefts = [v[0, 0, 0, 0] for v in views[:5]]
    assert top_lefts == [0.0, 2.0, 10.0, 12.0, 6.0]  # corners, then the centre (row 1, col 1)
    np.testing.assert_array_equal(views[5], views[0][:, :, ::-1])
    with pytest.raises(ConfigError, match="crop must be in \\[1, 5\\]"):
        ensembles.tta_views(x, crop=6)
    with pytest.raises(ConfigError, match="shifts must be >= 0. Received: shifts=-1"):
        ensembles.tta_views(x, shifts=-1)  # once an IndexError deep in NumPy's padding
    with pytest.raises(ConfigError, match="crop must be >= 1"):
        ensembles.evaluate_runs(["no-such-run"], crop=0)  # before any run folder is read


def test_ensemble_members_are_run_folders_or_keras_files(source_run):
    with pytest.raises(ConfigError, match="run folders holding model.keras, or .keras files. Received: .*recipe.json"):
        ensembles.load_models([source_run.run_dir / "recipe.json"])  # was Keras' "File format not supported"


def test_ensemble_command_on_run_folders_and_snapshots(source_run, capsys, tmp_path):
    import json

    from dlrecipes.cli import cli

    run = str(source_run.run_dir)
    assert cli(["ensemble", run, run]) == 0
    result = json.loads(capsys.readouterr().out)
    member = source_run.metrics["test_accuracy"]
    assert result["members"] == pytest.approx([member, member], abs=1e-6)
    assert result["ensemble"] == pytest.approx(member, abs=1e-6)  # two equal members: the member
    snapshots = sorted(str(p) for p in (source_run.run_dir / ensembles.SNAPSHOTS).glob("*.keras"))
    assert len(snapshots) == 2 and cli(["ensemble", *snapshots, "--flip"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"members", "ensemble", "ensemble_tta"}
    assert cli(["ensemble", str(tmp_path)]) == 2
    assert "recipe.json" in capsys.readouterr().err


def test_snapshot_epochs_are_the_ends_of_the_restart_cycles():
    assert ensembles.restart_epochs(3, 1.0, 12) == [3, 6, 9, 12]
    assert ensembles.restart_epochs(2, 2.0, 20) == [2, 6, 14]
