"""`dlrecipes list | show | train` and recipe scripts: output, exit codes, clear errors."""

import json
import pathlib
import subprocess
import sys

import pytest

from dlrecipes.cli import cli

from tests.conftest import ROOT

DLRECIPES = pathlib.Path(sys.executable).parent / "dlrecipes"


def _cli(capsys, *argv):
    code = cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_models_with_pattern(capsys):
    code, out, _ = _cli(capsys, "list", "lenet*")
    assert code == 0 and out.split() == ["lenet5", "lenet5_modern"]
    assert "mlp" in _cli(capsys, "list")[1].split()
    assert _cli(capsys, "list", "--family", "mlp")[1].split() == ["mlp"]
    assert _cli(capsys, "list", "vgg16*", "--tag", "cifar")[1].split() == ["vgg16_bn_cifar"]


def test_show_prints_published_flops_of_an_imagenet_model(capsys):
    code, out, _ = _cli(capsys, "show", "alexnet")
    convs = 55 * 55 * 64 * 11 * 11 * 3 + 27 * 27 * 192 * 5 * 5 * 64
    convs += 13 * 13 * 3 * 3 * (192 * 384 + 384 * 256 + 256 * 256)
    macs = convs + 6 * 6 * 256 * 4096 + 4096 * 4096 + 4096 * 1000
    assert code == 0 and f"FLOPs: {macs:,} multiply-accumulates per example (0.714 G" in out  # ≈ 0.71 G published


def test_list_recipes(capsys):
    out = _cli(capsys, "list", "--recipes")[1].split()
    assert {"lenet5_fashion_mnist", "mlp_fashion_mnist", "linear_svm_fashion_mnist"} <= set(out)


def test_show_prints_layers_parameters_and_shapes(capsys):
    code, out, _ = _cli(capsys, "show", "lenet5")
    assert code == 0
    assert "trainable params: 61,706  total params: 61,706" in out  # REFERENCE.md §1
    assert "input shape: (32, 32, 1)  output shape: (10,)" in out
    assert "conv2_conv" in out and "recipes: lenet5_fashion_mnist" in out
    # conv1 28·28·6·5·5 + conv2 10·10·16·5·5·6 + fc 400·120 + 120·84 + 84·10
    assert "FLOPs: 416,520 multiply-accumulates per example (0.000417 G" in out
    out = _cli(capsys, "show", "mlp", "--input-shape", "8,8,1", "--num-classes", "3")[1]
    assert f"trainable params: {64 * 256 + 256 + 256 * 128 + 128 + 128 * 100 + 100 + 100 * 3 + 3:,}" in out
    assert f"FLOPs: {64 * 256 + 256 * 128 + 128 * 100 + 100 * 3:,} multiply-accumulates" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "nope"], "Unknown recipe 'nope'"),
        (["train", "lenet5_fashion_mnist", "--epochs", "0"], "epochs must be >= 1. Received: epochs=0"),
        (["train", "lenet5_fashion_mnist", "--batch-size", "0"], "batch_size must be >= 1"),
        (["train", "lenet5_fashion_mnist", "--lr", "-1"], "optimizer.learning_rate must be in"),
        (["show", "lenet6"], "Did you mean: lenet5"),
        (["show", "lenet5", "--input-shape", "8,8,1"], "at least 16x16"),
        (["show", "mlp", "--num-classes", "1"], "num_classes must be >= 2"),
        (["train", "mlp_fashion_mnist", "--epochs", "2", "--set", "epochs=3"], "epochs is given twice"),
        (["train", "mlp_fashion_mnist", "--set", "augmentation.flop=none"], "Recipe has no field"),
        (["train", "mlp_fashion_mnist", "--set", "augmentation.flip=sideways"], "augmentation.flip"),
        (["train", "mlp_fashion_mnist", "--backup-interval", "-5"], "backup_interval_s must be in [0.0, inf]"),
        (["schedule", "cosine", "--epochs", "0"], "epochs must be >= 1. Received: epochs=0"),
        (["schedule", "step", "--steps-per-epoch", "0"], "steps_per_epoch must be >= 1"),
    ],
)
def test_errors_are_one_clear_line_with_exit_code_2(capsys, argv, message):
    code, _, err = _cli(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_an_output_root_that_is_a_file_is_a_clear_error(capsys, tmp_path, fashion_mnist_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for argv in (["train", "mlp_fashion_mnist", "--max-train-examples", "50"], ["tune", "mlp_fashion_mnist"],
                 ["diagnose", "mlp_fashion_mnist", "--max-train-examples", "50"]):
        code, _, err = _cli(capsys, *argv, "--out", str(blocker))  # was a NotADirectoryError traceback
        assert code == 2 and f"out must be a folder this process can write into. Received: out='{blocker}'" in err


def test_data_dir_without_files(capsys, tmp_path):
    code, _, err = _cli(capsys, "train", "mlp_fashion_mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path))
    assert code == 2 and "train-images-idx3-ubyte" in err


def test_console_script_trains_and_prints_run_folder(tmp_path, fashion_mnist_dir):
    result = subprocess.run(
        [str(DLRECIPES), "train", "linear_svm_fashion_mnist", "--epochs", "2",
         "--max-train-examples", "1000", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "linear_svm_fashion_mnist: test accuracy" in result.stdout
    run_dir = pathlib.Path(result.stdout.split("run folder: ")[1].strip())
    assert (run_dir / "metrics.json").exists() and run_dir.parent == tmp_path / "linear_svm_fashion_mnist"


def test_recipe_script_takes_the_same_flags(tmp_path, fashion_mnist_dir):
    script = ROOT / "recipes" / "mlp_fashion_mnist.py"
    bad = subprocess.run([sys.executable, str(script), "--epochs", "-2"], capture_output=True, text=True)
    assert bad.returncode == 2 and "epochs must be >= 1" in bad.stderr and "Traceback" not in bad.stderr
    good = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--max-train-examples", "500", "--seed", "3",
         "--set", "optimizer.name=sgd", "--set", "regularization.weight_decay=0.001",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert good.returncode == 0, good.stderr[-3000:]
    assert "mlp_fashion_mnist: test accuracy" in good.stdout
    run_dir = pathlib.Path(good.stdout.split("run folder: ")[1].strip())
    recipe = json.loads((run_dir / "recipe.json").read_text())
    assert recipe["optimizer"]["name"] == "sgd" and recipe["regularization"]["weight_decay"] == 0.001
    assert recipe["seed"] == 3 and recipe["epochs"] == 1


@pytest.mark.parametrize("script", ["transfer_fashion_mnist.py", "snapshot_ensemble_fashion_mnist.py"])
def test_comparison_scripts_report_errors_like_every_command(script):
    bad = subprocess.run([sys.executable, str(ROOT / "recipes" / script), "--epochs", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr  # was a ConfigError traceback, exit 1
    assert bad.stderr.strip().endswith("dlrecipes: error: epochs must be >= 1. Received: epochs=0")


def test_every_recipe_file_defines_a_valid_recipe():
    import dlrecipes

    for name in dlrecipes.list_recipes():
        recipe = dlrecipes.get_recipe(name)
        assert recipe.name == name
        assert dlrecipes.model_info(recipe.model.name).recipes.count(name) == 1
