"""Hyperparameter search: spaces as data, the hypermodel, tuners, results, reproducibility."""

import gc
import json

import keras_tuner
import pytest

import dlrecipes
from dlrecipes import ConfigError, get_recipe
from dlrecipes.cli import cli
from dlrecipes.search import Choice, Float, SearchSpace, get_space, hyperband_budget, list_spaces, tune
from dlrecipes.search.hypermodel import RecipeHyperModel
from dlrecipes.search.run import SearchSettings, _base_space, read_search, search_dir_for

# tiny trials: a linear model on 400 train / 200 validation examples, one or two epochs
TINY = dict(max_train_examples=400, max_validation_examples=200, tensorboard=False)


def tiny_space(**specs):
    base = get_recipe("linear_svm_fashion_mnist").override({"loss": "crossentropy"})
    specs = specs or {
        "optimizer.learning_rate": Float(1e-3, 1e-1, sampling="log"),
        "optimizer.name": Choice(["sgd", "adam"]),
        "optimizer.options.momentum": Float(0.0, 0.99, when={"optimizer.name": "sgd"}),
    }
    return SearchSpace("tiny", base, specs)


def rows(search_dir):
    return json.loads((search_dir / "trials.json").read_text())


def test_every_model_family_has_a_space():
    families = {dlrecipes.model_info(n).family for n in dlrecipes.list_models()}
    covered = {dlrecipes.model_info(get_space(s).base.model.name).family for s in list_spaces()}
    assert families - covered == set(), "families without a space in tuning/"


@pytest.mark.parametrize("name", list_spaces())
def test_space_defaults_are_the_base_recipe(name):
    space = get_space(name)
    hp = keras_tuner.HyperParameters()
    values = space.declare(hp)
    assert values == space.defaults()
    assert space.recipe_for(values) == space.base


def test_conditional_hyperparameter_and_optimizer_switch():
    space = get_space("linear_svm_fashion_mnist")  # base: SGD with momentum 0.9
    hp = keras_tuner.HyperParameters()
    space.declare(hp)
    hp.values["optimizer.name"] = "adam"
    values = space.declare(hp)
    assert "optimizer.options.momentum" not in values  # active only for SGD
    recipe = space.recipe_for(values)
    assert recipe.optimizer.name == "adam" and "momentum" not in recipe.optimizer.options


def test_bad_spaces_are_refused():
    with pytest.raises(ConfigError, match="default"):
        tiny_space(**{"optimizer.learning_rate": Float(0.1, 0.5)})  # base 0.01 outside
    with pytest.raises(ConfigError, match="depends on"):
        tiny_space(**{"optimizer.options.momentum": Float(0.0, 0.99, when={"optimizer.name": "sgd"})})
    with pytest.raises(ConfigError, match="no field"):
        tiny_space(**{"optimizer.learnin_rate": Float(1e-3, 1e-1)})
    with pytest.raises(ConfigError, match="data"):
        tiny_space(**{"validation": Choice([5000, 1000])})


def test_a_continued_hyperband_round_continues_the_schedule(fashion_mnist_dir):
    import keras

    from dlrecipes.search.hypermodel import RecipeHyperModel
    from dlrecipes.training.engine import load_data

    space = tiny_space()
    space = SearchSpace("tiny", space.base.override({"schedule": {"name": "cosine"}}), space.specs)
    data = load_data(space.base, max_train_examples=400).limit(validation=200)
    hypermodel = RecipeHyperModel(space, data, epochs=4)
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    steps = data.steps_per_epoch(space.base.batch_size)
    seen = []
    record = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append(int(model.optimizer.iterations)))
    results = hypermodel.fit(hp, model, epochs=4, initial_epoch=2, callbacks=[record])
    assert seen == [2 * steps] and int(model.optimizer.iterations) == 4 * steps
    assert results["epochs_run"] == 2 and results["best_epoch"] in (3, 4)


def test_coarse_to_fine_narrows_inside_the_original_ranges():
    space = tiny_space()
    best = [
        {"optimizer.learning_rate": 0.01, "optimizer.name": "sgd", "optimizer.options.momentum": 0.9},
        {"optimizer.learning_rate": 0.02, "optimizer.name": "sgd", "optimizer.options.momentum": 0.8},
    ]
    fine = space.narrowed(best)
    lr = fine.specs["optimizer.learning_rate"]
    assert 1e-3 <= lr.min <= 0.01 and 0.02 <= lr.max <= 0.1 and lr.max / lr.min < 100
    assert fine.specs["optimizer.name"].values == ("sgd",)
    assert fine.base.optimizer.learning_rate == 0.01  # defaults: the best stage-1 trial


def test_hyperband_budget_matches_keras_tuner_brackets():
    # max_epochs 9, factor 3 (Li et al. 2018; keras-tuner's bracket sizes): brackets of rounds
    # (trials × epochs each) 9×1 → 3×3 → 1×9, 5×3 → 2×9, 3×9. Every round's models are new
    # trials; a continued one trains only the epochs it lacks:
    # 9·1 + 3·2 + 1·6 + 5·3 + 2·6 + 3·9 = 75 epochs in 9+3+1 + 5+2 + 3 = 23 trials.
    assert hyperband_budget(9, factor=3) == (23, 75)
    # the default number of trials of a Hyperband search is its whole budget, 10 otherwise
    assert SearchSettings(tuner="hyperband", epochs=9).max_trials == 23
    assert SearchSettings(tuner="hyperband", epochs=9, max_trials=5).max_trials == 5
    assert SearchSettings(tuner="random", epochs=9).max_trials == 10
    with pytest.raises(ConfigError, match="max_trials must be a positive integer. Received: max_trials=0"):
        SearchSettings(max_trials=0)
    with pytest.raises(ConfigError, match="epochs must be a positive integer"):
        SearchSettings(tuner="hyperband", epochs=0)


@pytest.mark.parametrize("settings, message", [
    (dict(patience=-1), "patience must be >= 0. Received: patience=-1"),
    (dict(objective="accuracy"), "objective must be a validation metric"),
    (dict(distributed=-1), "distributed must be >= 0"),
    (dict(trials_per_process=0), "trials_per_process must be >= 1"),
])
def test_bad_search_settings_fail_before_the_search_folder_is_written(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        tune(tiny_space(), out=tmp_path, **settings, **TINY)
    assert list(tmp_path.iterdir()) == []  # a --distributed -1 once left a chief waiting for no worker


def test_the_objective_is_a_validation_metric_the_trials_compile(fashion_mnist_dir):
    data = dlrecipes.data.load("fashion_mnist").limit(train=100, validation=100)
    assert RecipeHyperModel(tiny_space(), data, objective="val_loss").objective == "val_loss"
    with pytest.raises(ConfigError, match=r"objective must be one of \['val_loss', 'val_accuracy'\]"):
        RecipeHyperModel(tiny_space(), data, objective="val_acuracy")


def test_failed_and_nan_trials_are_recorded_and_the_search_goes_on(fashion_mnist_dir, tmp_path):
    base = get_recipe("mlp_fashion_mnist").override({"optimizer.name": "sgd", "model.options.hidden_units": (8,)})
    space = SearchSpace(
        "failing",
        base,
        {
            "model.options.hidden_units": Choice([(8,), (0,)]),  # 0 units: the builder refuses
            "optimizer.learning_rate": Choice([1e-3, 1e12]),  # 1e12: the loss diverges
        },
    )
    search_dir = tune(space, out=tmp_path, tuner="grid", max_trials=4, epochs=1, **TINY)
    table = rows(search_dir)
    assert len(table) == 4
    status = {(json.dumps(r["model.options.hidden_units"]), r["optimizer.learning_rate"]): r["status"] for r in table}
    assert status == {
        ("[8]", 1e-3): "COMPLETED",
        ("[8]", 1e12): "FAILED",
        ("[0]", 1e-3): "FAILED",
        ("[0]", 1e12): "FAILED",
    }
    messages = " ".join(r["message"] for r in table)
    assert "cannot build" in messages and "NaN" in messages
    best = json.loads((search_dir / "best_hyperparameters.json").read_text())
    assert best["hyperparameters"]["optimizer.learning_rate"] == 1e-3


def test_seeded_random_searches_repeat_their_trials(fashion_mnist_dir, tmp_path):
    def sequence(out, seed):
        search_dir = tune(tiny_space(), out=out, tuner="random", max_trials=2, epochs=1, seed=seed, **TINY)
        return [(r["optimizer.name"], r["optimizer.learning_rate"], r["val_accuracy"]) for r in rows(search_dir)]

    first, second = sequence(tmp_path / "a", 7), sequence(tmp_path / "b", 7)
    assert [t[:2] for t in first] == [t[:2] for t in second]
    assert [t[2] for t in first] == pytest.approx([t[2] for t in second], abs=1e-6)
    assert [t[:2] for t in sequence(tmp_path / "c", 8)] != [t[:2] for t in first]


def test_trials_run_with_what_came_before_the_search_frozen_out_of_the_collector(fashion_mnist_dir, tmp_path,
                                                                                 monkeypatch):
    frozen = []
    fit = RecipeHyperModel.fit

    def recording_fit(self, *args, **kwargs):
        frozen.append(gc.get_freeze_count())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(RecipeHyperModel, "fit", recording_fit)
    tune(tiny_space(), out=tmp_path, tuner="random", max_trials=2, epochs=1, **TINY)
    assert len(frozen) == 2 and min(frozen) > 0
    assert gc.get_freeze_count() == 0  # unfrozen when the search ends


def test_an_interrupted_search_leaves_the_collector_unfrozen(fashion_mnist_dir, tmp_path, monkeypatch):
    def interrupted_fit(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(RecipeHyperModel, "fit", interrupted_fit)
    with pytest.raises(KeyboardInterrupt):
        tune(tiny_space(), out=tmp_path, tuner="random", max_trials=2, epochs=1, **TINY)
    assert gc.get_freeze_count() == 0


def test_search_folder_is_keyed_by_space_and_settings(fashion_mnist_dir, tmp_path):
    settings = dict(out=tmp_path, tuner="random", max_trials=1, epochs=1, **TINY)
    first = tune(tiny_space(), **settings)
    with pytest.raises(ConfigError, match="--resume"):
        tune(tiny_space(), **settings)  # exists: neither resumed nor overwritten silently
    assert tune(tiny_space(), resume=True, **settings) == first
    changed = tiny_space(**{"optimizer.learning_rate": Float(1e-3, 5e-2, sampling="log")})
    with pytest.raises(ConfigError, match="no search to resume"):
        tune(changed, resume=True, **settings)
    other = tune(changed, **settings)
    assert other != first and other.parent == first.parent
    assert read_search(other)[0].specs["optimizer.learning_rate"].max == 5e-2
    assert tune(tiny_space(), overwrite=True, **settings) == first


def test_mixed_precision_reaches_the_trials_recipe_and_keys_the_folder():
    plain, mixed = SearchSettings(), SearchSettings(mixed_precision="mixed_bfloat16")
    assert _base_space(tiny_space(), mixed).base.mixed_precision == "mixed_bfloat16"
    assert _base_space(tiny_space(), plain).base.mixed_precision == tiny_space().base.mixed_precision
    assert "mixed_precision" not in plain.hashed()  # folders of earlier searches keep their names
    assert search_dir_for(tiny_space(), plain, "s") != search_dir_for(tiny_space(), mixed, "s")
    with pytest.raises(ConfigError, match="mixed_precision"):
        SearchSettings(mixed_precision="float8")


def test_cli_tune_results_and_retrain_best(fashion_mnist_dir, tmp_path, capsys):
    code = cli([
        "tune", "linear_svm_fashion_mnist", "--tuner", "bayesian", "--max-trials", "2", "--epochs", "2",
        "--max-train-examples", "400", "--max-validation-examples", "200", "--out", str(tmp_path), "--seed", "3",
    ])  # fmt: skip
    assert code == 0
    (search_dir,) = tmp_path.iterdir()
    for name in ("trials.csv", "trials.json", "best_hyperparameters.json", "best_recipe.json", "best_recipe.py",
                 "objective.png", "search.json"):  # fmt: skip
        assert (search_dir / name).is_file(), name
    assert any((search_dir / "logs").rglob("*tfevents*"))  # TensorBoard with HParams
    table = rows(search_dir)
    assert {"trial", "status", "val_accuracy", "best_epoch", "epochs_run", "time_s", "optimizer.learning_rate"} <= set(table[0])
    best = json.loads((search_dir / "best_hyperparameters.json").read_text())
    assert best["objective"] == "val_accuracy" and best["direction"] == "max"
    assert best["value"] == max(r["val_accuracy"] for r in table if r["val_accuracy"] is not None)
    recipe_file = (search_dir / "best_recipe.py").read_text()
    assert "RECIPE = Recipe.from_dict(" in recipe_file
    assert f"search {search_dir.name} (its results" in recipe_file and str(tmp_path) not in recipe_file  # relocatable
    capsys.readouterr()

    assert cli(["retrain-best", str(search_dir)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    (metrics,) = (search_dir / "retrain").rglob("metrics.json")
    metrics = json.loads(metrics.read_text())
    assert metrics["epochs_run"] == best["best_epoch"]
    assert metrics["train_examples"] == 400 + 200  # train + validation merged
    assert 0 < metrics["test_accuracy"] <= 1


def test_hyperband_prints_its_budget(fashion_mnist_dir, tmp_path, capsys):
    tune(tiny_space(), out=tmp_path, tuner="hyperband", epochs=3, max_trials=3, **TINY)
    out = capsys.readouterr().out
    assert "Hyperband budget: max_epochs=3, factor=3" in out
    trials, epochs = hyperband_budget(3, 3)
    assert f"up to 3 of its {trials} trials and at most {epochs} epochs" in out  # max_trials=3 < 6
    (search_dir,) = tmp_path.iterdir()
    assert len(rows(search_dir)) == 3


def test_coarse_to_fine_search(fashion_mnist_dir, tmp_path):
    search_dir = tune(tiny_space(), out=tmp_path, tuner="coarse-to-fine", max_trials=3, epochs=1, **TINY)
    fine = json.loads((search_dir / "stage2" / "space.json").read_text())
    lr = fine["space"]["optimizer.learning_rate"]
    assert 1e-3 <= lr["min"] < lr["max"] <= 1e-1
    coarse_rows, fine_rows = rows(search_dir / "stage1"), rows(search_dir / "stage2")
    assert len(coarse_rows) == 3 and len(fine_rows) == 3
    assert max(r["epochs_run"] for r in fine_rows if r["epochs_run"]) <= 3  # 3x the epochs
    assert (search_dir / "best_recipe.json").is_file()
