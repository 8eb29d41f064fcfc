"""The benchmark harness (dlrecipes.bench), the recipes' compile settings (jit_compile,
steps_per_execution, mixed precision) reaching model.compile, and the speed recipe."""

import json
import os
import pathlib
import statistics

import keras
import pytest

import dlrecipes
from dlrecipes import bench
from dlrecipes.cli import cli
from dlrecipes.errors import ConfigError
from dlrecipes.training import compile_defaults
from dlrecipes.training.compile_defaults import COMPILE_DEFAULTS, on_accelerator
from dlrecipes.training.engine import compiled_model, load_data
from tests.conftest import benchmark_script, run_python

RECORD_FIELDS = {
    "spec", "backend", "device", "versions", "date", "trainable_params", "macs_per_example",
    "compile_s", "predict_compile_s", "train_examples_per_s", "train_step_s",
    "train_examples_per_s_repeats", "infer_examples_per_s", "infer_examples_per_s_repeats",
    "baseline_rss_mib", "peak_rss_mib", "device_peak_mib", "peak_tflops", "mfu", "onednn",
}
# LeNet-5 at 32×32×1 (LeCun et al. 1998): C1 28²·25·6 + C3 10²·25·6·16 + C5 400·120 + F6 120·84
# + output 84·10 multiply-accumulates; 61,706 trainable parameters (REFERENCE.md §2).
LENET5_MACS = 28 * 28 * 25 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10


ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"


def _record(device, train, infer=100.0):
    return {"device": device, "train_examples_per_s": train, "infer_examples_per_s": infer}


def test_measure_records_a_tiny_model_consistently():
    record = bench.measure(dict(model="lenet5", batch_size=8, steps=2, repeats=3, warmup=0))
    assert RECORD_FIELDS <= set(record)
    json.dumps(record)  # JSON-ready
    repeats = record["train_examples_per_s_repeats"]
    assert len(repeats) == 3 and min(repeats) > 0
    assert record["train_examples_per_s"] == statistics.median(repeats)
    assert record["infer_examples_per_s"] == statistics.median(record["infer_examples_per_s_repeats"])
    assert record["train_step_s"] == pytest.approx(8 / record["train_examples_per_s"])
    assert record["macs_per_example"] == LENET5_MACS == 416_520
    assert record["trainable_params"] == 61_706
    assert record["peak_rss_mib"] >= record["baseline_rss_mib"] > 0
    assert record["compile_s"] > 0 and record["backend"] == keras.backend.backend()
    assert record["versions"]["keras"] == keras.__version__
    # dlrecipes turns TensorFlow's oneDNN CPU kernels on (docs/BENCHMARKS.md, section "TensorFlow's
    # oneDNN CPU kernels off vs on"); conftest imports it before Keras loads TensorFlow.
    assert record["onednn"] is (True if record["backend"] == "tensorflow" else None)
    if not on_accelerator(record["backend"]):
        assert record["device"] == bench.cpu_description()
        assert record["mfu"] is None and record["device_peak_mib"] is None  # CPU peak unknown


def test_paired_measurement_alternates_models_and_compares_round_by_round():
    specs = [dict(model="lenet5", batch_size=8, steps=2, repeats=3, warmup=0),
             dict(model="linear", batch_size=8, steps=2, repeats=3, warmup=0, input_shape=[32, 32, 1],
                  mixed_precision="mixed_bfloat16")]  # each model under its own dtype policy
    base, other = bench.measure_paired(specs)
    assert keras.config.dtype_policy().name == "float32"
    assert RECORD_FIELDS <= set(base) and RECORD_FIELDS <= set(other)
    assert base["paired_run"] == other["paired_run"]
    assert base["train_ratio_repeats"] == [1.0, 1.0, 1.0]
    for kind in ("train", "infer"):
        rounds = zip(other[f"{kind}_examples_per_s_repeats"], base[f"{kind}_examples_per_s_repeats"])
        assert other[f"{kind}_ratio_repeats"] == [mine / theirs for mine, theirs in rounds]
    (_, ratio) = bench.compare([base, other])
    assert ratio["train_ratio"] == statistics.median(other["train_ratio_repeats"])
    unpaired = {**other, "paired_run": None}  # a record of another run: ratio of the medians
    assert bench.compare([base, unpaired])[1]["train_ratio"] == other["train_examples_per_s"] / base["train_examples_per_s"]


@pytest.mark.parametrize("setting, enabled", [(None, True), ("0", False)])
def test_importing_dlrecipes_turns_onednn_on_unless_the_user_set_it(setting, enabled):
    variable = f"os.environ[{ONEDNN_VARIABLE!r}]"
    given = f"{variable} = {setting!r}" if setting else f"os.environ.pop({ONEDNN_VARIABLE!r}, None)"
    code = (f"import os; {given}; import dlrecipes, keras; "
            "from dlrecipes.bench import _onednn_enabled; print(_onednn_enabled('tensorflow'))")
    result = run_python(code, env={"KERAS_BACKEND": "tensorflow"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-1] == str(enabled)


@pytest.mark.parametrize(
    "specs, message",
    [
        ([dict(model="lenet5")], "at least two models"),
        ([dict(model="lenet5"), dict(model="lenet5", batch_size=16)], "must share batch_size.*\\[32, 16\\]"),
        ([dict(model="lenet5"), dict(model="lenet5", steps=20)], "must share steps"),
    ],
)
def test_paired_measurement_refuses_unlike_settings(specs, message):
    with pytest.raises(ConfigError, match=message):
        bench.check_paired(specs)


def test_bench_command_measures_in_a_subprocess_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["bench", "lenet5", "--batch-size", "4", "--steps", "2", "--repeats", "1", "--warmup", "0",
            "--jit", "false", "--json", str(out)]
    assert cli(argv) == 0
    printed = capsys.readouterr().out
    assert "| lenet5 tensorflow jit=False | 4 |" in printed
    saved = json.loads(out.read_text())
    (record,) = saved["records"]
    assert saved["command"].startswith("dlrecipes bench lenet5")
    assert RECORD_FIELDS <= set(record)
    assert record["backend"] == "tensorflow" and "tensorflow" in record["versions"]
    assert record["spec"]["jit_compile"] is False and record["spec"]["batch_size"] == 4
    assert record["date"][:4].isdigit()


def test_compare_gives_ratios_on_one_device_and_refuses_different_devices(tmp_path, capsys):
    ratios = bench.compare([_record("cpu A", 200.0), _record("cpu A", 100.0, 50.0), _record("cpu A", 50.0)])
    assert [r["train_ratio"] for r in ratios] == [1.0, 0.5, 0.25]
    assert ratios[1]["infer_ratio"] == 0.5
    with pytest.raises(ConfigError, match="different devices.*'H100', 'cpu A'"):
        bench.compare([_record("cpu A", 1.0), _record("H100", 2.0)])
    paths = []
    for device in ("cpu A", "cpu B"):
        paths.append(tmp_path / f"{device}.json")
        paths[-1].write_text(json.dumps({"records": [_record(device, 1.0)]}))
    assert cli(["bench", "--compare", *map(str, paths)]) == 2
    assert "Refusing to compare" in capsys.readouterr().err


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(steps=10, steps_per_execution=4), "multiple of steps_per_execution"),
        (dict(jit_compile="yes"), "jit_compile must be one of"),
        (dict(mixed_precision="fp16"), "mixed_precision must be one of"),
        (dict(data="pipeline"), "pipeline:DATASET"),
        (dict(model="keras:ResNet51"), "keras:ResNet50"),
        (dict(model="lenet6"), "lenet5"),
        (dict(batch_size=0), "batch_size must be >= 1"),
        (dict(data="memory:fashion_mnst"), "data's dataset must be one of .*'fashion_mnist'"),
        (dict(model="resnet20", options={"input_padding": 2}), r"resnet20 has no options \['input_padding'\]"),
    ],
)
def test_bad_benchmark_settings_fail_before_measuring(changes, message):
    with pytest.raises(ConfigError, match=message):
        bench.make_spec(**changes)


def test_errors_of_the_measuring_process_arrive_as_one_clear_line(capsys):
    """A setting only the builder can judge fails in the measuring process; the command reports
    the builder's ConfigError itself, not a traceback."""
    assert cli(["bench", "lenet5", "--input-shape", "28,28"]) == 2
    assert capsys.readouterr().err.strip() == (
        "dlrecipes: error: lenet5 needs input_shape of 3 positive integers (height, width, channels). "
        "Received: input_shape=(28, 28)"
    )
    assert cli(["bench", "keras:ResNet50", "--input-shape", "16,16,3"]) == 2
    assert "keras:ResNet50 cannot be built: Input size must be at least 32x32" in capsys.readouterr().err


def test_a_backend_that_is_not_installed_is_named_before_any_process_starts(monkeypatch, capsys):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else find_spec(name, *a))
    assert cli(["bench", "lenet5", "--backend", "tensorflow,torch"]) == 2  # was the child's ModuleNotFoundError
    assert "backend 'torch' is not installed here (pip install -e \".[torch]\")" in capsys.readouterr().err


def test_several_models_are_all_built_before_any_is_measured(monkeypatch, capsys):
    """mlp takes 8×8 images, VGG-11 does not: the run stops before measuring mlp for minutes."""
    measured = []
    monkeypatch.setattr(bench, "measure_isolated", lambda spec, backend: measured.append(spec))
    assert cli(["bench", "mlp", "vgg11", "--input-shape", "8,8,1"]) == 2
    assert "vgg11 needs inputs of at least 32x32 pixels" in capsys.readouterr().err and measured == []


@pytest.mark.parametrize("content, message", [
    (None, "FileNotFoundError"), ("not json", "JSONDecodeError"), ('{"rows": []}', "KeyError"),
    ('{"records": [1]}', "no list of benchmark records"),
])
def test_compare_reads_only_bench_json_files(tmp_path, capsys, content, message):
    path = tmp_path / "records.json"
    if content is not None:
        path.write_text(content)
    assert cli(["bench", "--compare", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dlrecipes: error:") and message in err


def test_unknown_benchmark_setting_is_a_type_error():
    with pytest.raises(TypeError, match="batchsize"):
        bench.make_spec(batchsize=8)


def test_mfu_uses_six_flops_per_mac_and_the_datasheet_peak():
    assert bench.peak_tflops("NVIDIA H100 80GB HBM3", "bfloat16") == 989.4
    assert bench.peak_tflops("AMD EPYC (AVX2) × 2 cores", "float32") is None
    # ResNet-50: 4.11 G MACs per 224×224 example (REFERENCE.md §1); 2,000 examples/s on an H100
    assert bench.model_flops_utilization(2000.0, 4.11e9, 989.4) == pytest.approx(2000 * 6 * 4.11e9 / 989.4e12)


def test_write_section_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nhand-written intro\n")
    bench.write_section(path, "pipeline", "old table")
    bench.write_section(path, "defaults", "defaults table")
    bench.write_section(path, "pipeline", "new table")
    assert path.read_text() == (
        "# Benchmarks\n\nhand-written intro\n\n"
        "<!-- bench:pipeline -->\nnew table\n<!-- /bench:pipeline -->\n\n"
        "<!-- bench:defaults -->\ndefaults table\n<!-- /bench:defaults -->\n"
    )
    bench.write_section(path, "pipeline@cpu-a", "table of A")
    bench.write_section(path, "precision@cpu-b", "precision of B", group="precision@")  # no sibling: at the end
    bench.write_section(path, "pipeline@cpu-b", "table of B", group="pipeline@")  # after its sibling
    assert path.read_text() == (
        "# Benchmarks\n\nhand-written intro\n\n"
        "<!-- bench:pipeline -->\nnew table\n<!-- /bench:pipeline -->\n\n"
        "<!-- bench:defaults -->\ndefaults table\n<!-- /bench:defaults -->\n\n"
        "<!-- bench:pipeline@cpu-a -->\ntable of A\n<!-- /bench:pipeline@cpu-a -->\n\n"
        "<!-- bench:pipeline@cpu-b -->\ntable of B\n<!-- /bench:pipeline@cpu-b -->\n\n"
        "<!-- bench:precision@cpu-b -->\nprecision of B\n<!-- /bench:precision@cpu-b -->\n"
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"jit_compile": "yes"}, "jit_compile must be True, False"),
        ({"jit_compile": 1}, "Received: jit_compile=1"),
        ({"steps_per_execution": 0}, "steps_per_execution must be >= 1"),
        ({"mixed_precision": "float16"}, "mixed_precision must be one of"),
    ],
)
def test_recipe_compile_fields_are_validated(changes, message):
    with pytest.raises(ConfigError, match=message):
        dlrecipes.get_recipe("lenet5_fashion_mnist").override(changes)


@pytest.mark.parametrize(
    "flags, native",
    [("fpu sse2 avx2 fma", False), ("fpu avx2 avx512f avx512_bf16", True), ("fpu avx2 amx_bf16 amx_tile", True)],
)
def test_native_bfloat16_is_read_from_the_cpu_flags(tmp_path, flags, native):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n")
    assert compile_defaults.cpu_has_native_bfloat16(cpuinfo) is native
    assert compile_defaults.cpu_has_native_bfloat16(tmp_path / "missing") is False


@pytest.mark.parametrize(
    "flags, extension",
    [("fpu sse2 avx2 fma", " (AVX2)"), ("fpu avx2 avx512f", " (AVX-512)"), ("avx2 avx512f avx512_bf16", " (AVX-512 BF16)"),
     ("avx2 avx512f avx512_bf16 amx_bf16 amx_tile", " (AMX)"), ("fpu sse2", "")],
)
def test_cpu_description_tells_cpus_of_one_model_name_apart(tmp_path, flags, extension):
    # A VM's "AMD EPYC" has been an AVX2 machine and an AVX-512 BF16 one, of different speeds.
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: {flags}\n\nprocessor\t: 1\n")
    cores = len(os.sched_getaffinity(0))
    assert bench.cpu_description(cpuinfo) == f"AMD EPYC{extension} × {cores} cores"


@pytest.mark.parametrize(
    "backend, native, expected",
    [("tensorflow", True, "mixed_bfloat16"), ("tensorflow", False, "float32"), ("jax", True, "float32")],
)
def test_auto_precision_is_bfloat16_only_where_measured_faster(monkeypatch, backend, native, expected):
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: False)
    monkeypatch.setattr(compile_defaults, "cpu_has_native_bfloat16", lambda: native)
    assert compile_defaults.auto_precision(backend) == expected
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: True)
    assert compile_defaults.auto_precision(backend) == "mixed_bfloat16"


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_accelerator_compile_defaults_are_keras_own_except_measured_jax(monkeypatch, backend):
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: True)
    expected = {"jit_compile": True, "steps_per_execution": 10} if backend == "jax" else compile_defaults.KERAS_DEFAULTS
    assert compile_defaults.compile_options(backend=backend) == expected
    assert compile_defaults.compile_options(False, 2, backend=backend) == {"jit_compile": False, "steps_per_execution": 2}
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: False)
    assert compile_defaults.compile_options(backend=backend) == COMPILE_DEFAULTS[backend]


def test_compilation_cache_only_for_jax_on_an_accelerator(monkeypatch, tmp_path):
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: False)
    assert compile_defaults.use_compilation_cache("jax") is None
    monkeypatch.setattr(compile_defaults, "on_accelerator", lambda backend: True)
    assert compile_defaults.use_compilation_cache("tensorflow") is None
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_compilation_cache_dir, jax.config.jax_persistent_cache_min_compile_time_secs
    try:
        jax.config.update("jax_compilation_cache_dir", None)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
        monkeypatch.setenv("DLRECIPES_CACHE_DIR", str(tmp_path))
        monkeypatch.delenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", raising=False)
        assert compile_defaults.use_compilation_cache("jax") == str(tmp_path / "jax")
        assert jax.config.jax_persistent_cache_min_compile_time_secs == 0.0  # every compilation kept
        jax.config.update("jax_compilation_cache_dir", str(tmp_path / "mine"))  # the user's own wins
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
        assert compile_defaults.use_compilation_cache("jax") == str(tmp_path / "mine")
        assert jax.config.jax_persistent_cache_min_compile_time_secs == 1.0  # and so do their settings
    finally:
        jax.config.update("jax_compilation_cache_dir", previous[0])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", previous[1])


def test_auto_precision_builds_the_recipe_model_under_the_hardware_choice(fashion_mnist_dir):
    recipe = dlrecipes.get_recipe("lenet5_fashion_mnist").override({"mixed_precision": "auto"})
    data = load_data(recipe, fashion_mnist_dir, max_train_examples=256)
    model, _ = compiled_model(recipe, data)
    assert model.get_layer("conv1_conv").dtype_policy.name == compile_defaults.auto_precision()
    assert keras.config.dtype_policy().name == "float32"


def test_recipe_compile_fields_reach_model_compile(fashion_mnist_dir):
    recipe = dlrecipes.get_recipe("lenet5_fashion_mnist").override(
        {"jit_compile": False, "steps_per_execution": 4, "mixed_precision": "mixed_bfloat16"}
    )
    assert dlrecipes.Recipe.from_dict(json.loads(recipe.to_json())) == recipe
    data = load_data(recipe, fashion_mnist_dir, max_train_examples=256)
    model, _ = compiled_model(recipe, data)
    assert model.jit_compile is False and model.steps_per_execution == 4
    assert model.get_layer("conv1_conv").dtype_policy.name == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    model.fit(data.as_dataset("train", 64), epochs=1, shuffle=False, verbose=0)  # 4 steps per execution

    default, _ = compiled_model(dlrecipes.get_recipe("lenet5_fashion_mnist"), data)
    backend = keras.backend.backend()
    if not on_accelerator(backend):
        assert default.jit_compile == COMPILE_DEFAULTS[backend]["jit_compile"]
        assert default.steps_per_execution == COMPILE_DEFAULTS[backend]["steps_per_execution"]
    assert default.get_layer("conv1_conv").dtype_policy.name == "float32"


def test_speed_recipe_loads_and_validates():
    recipe = dlrecipes.get_recipe("fashion_mnist_fast")
    assert recipe.dataset == "fashion_mnist" and recipe.validation == 0
    assert "0.93" in recipe.reference and "120 s" in recipe.reference
    model = dlrecipes.build_model(
        recipe.model.name, input_shape=(28, 28, 1), num_classes=10, **recipe.model.builder_kwargs()
    )
    # 3×3 convs with bias and BN γ, β: 1→8, 8→32, 32→64 each pooled, then 64→64 at 3×3 (28 → 3
    # after three poolings); flatten → 256 → 10 logits.
    convs = sum(9 * i * o + o + 2 * o for i, o in ((1, 8), (8, 32), (32, 64), (64, 64)))
    assert dlrecipes.count_params(model)[0] == convs + (3 * 3 * 64 + 1) * 256 + (256 + 1) * 10 == 208_458
    assert model.get_layer("block3_pool").output.shape[1:] == (3, 3, 64)
    assert model.get_layer("block4_conv1_act").output.shape[1:] == (3, 3, 64)
    assert recipe.mixed_precision == "auto" and recipe.model.dropout_rate == 0.3 and recipe.augmentation.test_flip


def test_gpu_speed_recipe_loads_and_validates():
    recipe = dlrecipes.get_recipe("fashion_mnist_fast_gpu")
    assert recipe.dataset == "fashion_mnist" and recipe.validation == 0 and recipe.augmentation.test_flip
    assert "0.94" in recipe.reference and "10 s" in recipe.reference
    # equal batches: a smaller last batch would make XLA compile the training step a second time
    assert 60_000 % recipe.batch_size == 0
    model = dlrecipes.build_model(
        recipe.model.name, input_shape=(28, 28, 1), num_classes=10, **recipe.model.builder_kwargs()
    )
    # 3×3 convs with bias and BN γ, β: 1→64 pooled, 64→128, 128→128 pooled, 128→256, 256→256
    # pooled (28 → 3); flatten → 256 → 10 logits.
    convs = sum(9 * i * o + o + 2 * o for i, o in ((1, 64), (64, 128), (128, 128), (128, 256), (256, 256)))
    assert dlrecipes.count_params(model)[0] == convs + (3 * 3 * 256 + 1) * 256 + (256 + 1) * 10 == 1_701_642
    assert model.get_layer("block3_pool").output.shape[1:] == (3, 3, 256)


def test_peer_time_ratios_pair_each_round_and_keep_older_sections():
    ratios = benchmark_script()._time_ratios
    run = lambda peer, seconds, **round_: {"peer": peer, "wall_time_s": seconds, **round_}  # noqa: E731
    paired = [run("Keras on tensorflow", 200.0, round=0), run("plain torch", 180.0, round=0),
              run("plain torch", 300.0, round=1), run("Keras on tensorflow", 250.0, round=1),
              run("Keras on jax", 690.0)]
    # torch to ours in its own round (180/200, 300/250); the unpaired JAX run to ours' median (225 s)
    assert ratios(paired) == pytest.approx([1.0, 0.9, 1.2, 1.0, 690.0 / 225.0])
    # sections measured before the rounds: every run to the first one, Keras on TensorFlow
    older = [run("Keras on tensorflow", 250.0), run("plain torch", 205.0)]
    assert ratios(older) == pytest.approx([1.0, 0.82])


def test_peer_tables_name_each_run_s_network():
    script = benchmark_script()
    run = lambda peer, seconds, params, **extra: {  # noqa: E731
        "peer": peer, "dtype_policy": "mixed_bfloat16", "trainable_params": params, "test_accuracy": 0.9257,
        "test_accuracy_flip_tta": 0.9301, "wall_time_s": seconds, "epochs_run": 12, "epoch_s": [7.0] * 12,
        "load": [0.2, 2.0], **extra}
    peers = script.fast_recipe_peers_markdown([
        run("Keras on tensorflow", 84.0, 208_458, round=0, seed=0), run("plain torch", 72.0, 208_458, round=0),
        run("Keras on jax", 369.6, 210_858)])
    assert "| Keras on tensorflow | 0 | mixed_bfloat16 | 208,458 | 0.9257 | 0.9301 | 84.0 | 1.00 | 7, 7," in peers
    assert "| plain torch | 0 | mixed_bfloat16 | 208,458 | 0.9257 | 0.9301 | 72.0 | 0.86 |" in peers
    assert "| Keras on jax | 0 | mixed_bfloat16 | 210,858 | 0.9257 | 0.9301 | 369.6 | 4.40 |" in peers
    same_time = script.fast_recipe_same_time_markdown([
        run("Keras on tensorflow", 80.0, 208_458, budget_s=84.0), run("Keras on jax", 88.0, 208_458, epochs_run=3)])
    assert "| Keras on tensorflow | mixed_bfloat16 | 208,458 | 0.9257 | 0.9301 | 80.0 | 12 | 1.00 |" in same_time
    assert "| Keras on jax | mixed_bfloat16 | 208,458 | 0.9257 | 0.9301 | 88.0 | 3 | 1.10 |" in same_time
    assert same_time.endswith("Budget: 84.0 s, Keras on TensorFlow's median training time for the recipe's "
                              "epochs in this device's section \"Speed recipe vs its peers\".")


def test_batch_section_times_the_same_examples_at_every_batch_size():
    steps = benchmark_script().timed_steps
    # 5,120 examples per repeat: 40 steps of 128 … 5 of 1,024; with 10 steps per execution
    # (JAX's default) rounded up to whole executions, 10 of 512 and of 1,024
    assert [steps(batch, 1) for batch in (128, 256, 512, 1024)] == [40, 20, 10, 5]
    assert [steps(batch, 10) for batch in (128, 256, 512, 1024)] == [40, 20, 10, 10]
    assert steps(100, 1) * 100 >= 5120 > (steps(100, 1) - 1) * 100


def test_same_time_peers_train_the_epochs_that_fit_into_our_time(tmp_path, monkeypatch):
    script = benchmark_script()
    # 10 epochs of ours in 241 s: a peer that took 838 s for 10 gets 2.9 → 3, one of 382 s 6.3 → 6,
    # a faster one of 210 s 11.5 → 11; never fewer than one
    assert [script.same_time_epochs(10, 241.0, t) for t in (838.0, 382.0, 241.0, 210.0, 1e6)] == [3, 6, 10, 11, 1]
    monkeypatch.setattr(script, "HERE", tmp_path)  # no kept fast_recipe_peers records there
    with pytest.raises(ConfigError, match=r"needs this device's fast_recipe_peers section first.*--json-dir"):
        script.fast_recipe_same_time()
    # kept records of another version of the recipe (the 10-epoch, 210,858-parameter one) are refused
    current = {"peer": "Keras on tensorflow", "epochs_run": 12, "trainable_params": 208_458}
    script.check_peer_records_match([current, {**current, "peer": "plain torch"}], 12, 208_458, "kept.json")
    older = {**current, "peer": "plain torch", "epochs_run": 10, "trainable_params": 210_858}
    with pytest.raises(ConfigError, match=r"kept.json was measured on another version .*'plain torch', 10, 210858"
                                          r".*now: 12 epochs, 208,458 parameters.*fast_recipe_peers"):
        script.check_peer_records_match([current, older], 12, 208_458, "kept.json")
    with pytest.raises(ConfigError, match=r"another version .*'Keras on jax', None, None"):
        script.check_peer_records_match([{"peer": "Keras on jax"}], 12, 208_458, "kept.json")
    assert script._trainable_params(dlrecipes.get_recipe("fashion_mnist_fast")) == 208_458


def test_gpu_peers_train_ours_on_a_warm_cache_then_the_same_time_from_their_records(tmp_path, monkeypatch):
    script = benchmark_script()
    calls = []

    def trained(peer, seed, out, epochs=None, recipe="fashion_mnist_fast", env=None):
        if peer == "Keras on jax":  # what a run leaves in the cache
            pathlib.Path(env["DLRECIPES_CACHE_DIR"], "jax").mkdir(exist_ok=True)
        calls.append((peer, epochs, recipe))
        seconds = {"Keras on jax": 12.0, "Keras on torch": 30.0, "plain torch": 8.0}[peer] * (epochs or 16) / 16
        return {"peer": peer, "wall_time_s": seconds, "epochs_run": epochs or 16, "trainable_params": 1_701_642}

    monkeypatch.setattr(script, "_train_peer", trained)
    monkeypatch.setattr(script, "gpu_description", lambda: "NVIDIA H200")
    peers = script.gpu_fast_recipe_peers()
    # Keras on JAX runs twice, the first (unreported) filling XLA's compilation cache
    assert calls == [("Keras on jax", None, "fashion_mnist_fast_gpu"), *((p, None, "fashion_mnist_fast_gpu")
                                                                        for p in script.GPU_PEERS)]
    assert [run["peer"] for run in peers] == list(script.GPU_PEERS) and peers[0]["device"] == "NVIDIA H200"
    monkeypatch.setattr(script, "HERE", tmp_path)
    (tmp_path / "results").mkdir()
    kept = tmp_path / "results" / "gpu_fast_recipe_peers@nvidia-h200.json"
    kept.write_text(json.dumps({"records": peers}))
    calls.clear()
    same_time = script.gpu_fast_recipe_same_time()
    # 16 epochs of ours in 12 s: torch's 30 s → 6 epochs, plain PyTorch's 8 s → 24; ours again first
    assert [(peer, epochs) for peer, epochs, _ in calls] == [
        ("Keras on jax", None), ("Keras on jax", 16), ("Keras on torch", 6), ("plain torch", 24)]
    assert [run["budget_s"] for run in same_time] == [12.0] * 3
    table = script.fast_recipe_same_time_markdown([
        {**run, "recipe": "fashion_mnist_fast_gpu", "dtype_policy": "mixed_bfloat16", "test_accuracy": 0.94,
         "test_accuracy_flip_tta": 0.943, "load": [0.0, 0.0]} for run in same_time])
    assert table.endswith("Budget: 12.0 s, Keras on JAX's median training time for the recipe's epochs in this "
                          "device's section \"GPU speed recipe vs its peers\".")


def test_speed_recipe_table_names_each_run_s_network_and_judges_the_median():
    table = benchmark_script().fast_recipe_markdown
    run = lambda tta, seconds, params=208_458: {  # noqa: E731
        "dtype_policy": "float32", "trainable_params": params, "test_accuracy": tta - 0.004,
        "test_accuracy_flip_tta": tta, "wall_time_s": seconds, "epochs_run": 12, "epoch_s": [8.0] * 12,
        "load": [0.1, 1.9]}
    met = table([run(0.9307, 97.2), run(0.9284, 96.1), run(0.9309, 95.8, params=210_858)])
    assert "| 0 | float32 | 208,458 | 0.9267 | 0.9307 | 97.2 | 12 |" in met
    assert "| 2 | float32 | 210,858 |" in met
    assert met.endswith("with flip TTA 0.9307, training 96.1 s (target ≥ 0.930 within 120 s: met).")
    # the median, not the best run, is judged: one fast run or one accurate run does not meet it
    assert "NOT met" in table([run(0.9307, 97.2), run(0.9284, 121.0), run(0.9309, 125.0)])
    assert "NOT met" in table([run(0.9320, 97.2), run(0.9284, 96.1), run(0.9299, 95.8)])
    # where fit's time outside the epochs went, for the records that split it
    split = {"fit_setup_s": 0.625, "between_epochs_s": 0.19, "fit_teardown_s": 0.01}
    assert table([{**run(0.9307, 97.2), **split}, run(0.9284, 96.1), {**run(0.9309, 95.8), **split}]).endswith(
        "(target ≥ 0.930 within 120 s: met). `fit`'s time besides its epochs' training, before the first + between "
        "them + after the last: seed 0: 0.62 + 0.19 + 0.01 s; seed 2: 0.62 + 0.19 + 0.01 s.")


def test_gpu_speed_recipe_is_judged_by_its_own_target_and_variants_name_their_change():
    script = benchmark_script()
    run = lambda tta, seconds, **extra: {  # noqa: E731
        "recipe": "fashion_mnist_fast_gpu", "dtype_policy": "mixed_bfloat16", "trainable_params": 1_701_642,
        "test_accuracy": tta - 0.003, "test_accuracy_flip_tta": tta, "wall_time_s": seconds, "epochs_run": 16,
        "epoch_s": [0.5] * 16, "load": [0.1, 0.5], **extra}
    met = script.fast_recipe_markdown([run(0.9412, 9.1), run(0.9405, 9.6), run(0.9431, 12.0)])
    assert met.endswith("with flip TTA 0.9412, training 9.6 s (target ≥ 0.940 within 10 s: met).")
    assert "NOT met" in script.fast_recipe_markdown([run(0.9412, 9.1), run(0.9405, 10.2), run(0.9431, 12.0)])
    assert "NOT met" in script.fast_recipe_markdown([run(0.9412, 9.1), run(0.9385, 9.6), run(0.9391, 9.0)])
    # the warm-cache seeds are judged; the cold first run is reported beside them, epochs in tenths
    runs = [run(0.9454, 29.0, seed=0, compilation_cache="cold", epoch_s=[19.2] + [0.4] * 15),
            *(run(tta, t, seed=seed, compilation_cache="warm") for seed, (tta, t) in enumerate(
                [(0.9454, 9.7), (0.9436, 9.9), (0.9399, 12.9)]))]
    table = script.gpu_fast_recipe_markdown(runs)
    assert "| 0 | mixed_bfloat16 | 1,701,642 | 0.9424 | 0.9454 | 9.7 | 16 | 0.5, 0.5," in table
    assert "training 9.9 s (target ≥ 0.940 within 10 s: met)." in table
    assert "first run on this machine), seed 0: test accuracy with flip TTA 0.9454, training 29.0 s (epochs: 19.2, 0.4," in table
    assert "besides its epochs' training" not in table  # records before metrics.json split fit's time
    split = {"fit_setup_s": 1.5, "between_epochs_s": 2.25, "fit_teardown_s": 0.125}
    table = script.gpu_fast_recipe_markdown([{**run, **split} for run in runs])
    assert table.endswith("before the first + between them + after the last: cold seed 0: 1.50 + 2.25 + 0.12 s; "
                          "warm seed 0: 1.50 + 2.25 + 0.12 s; warm seed 1: 1.50 + 2.25 + 0.12 s; "
                          "warm seed 2: 1.50 + 2.25 + 0.12 s.")
    variants = script.gpu_fast_recipe_variants_markdown(
        [run(0.94, 8.0, changes={"steps_per_execution": 10}),
         run(0.94, 8.0, changes={"model.options.config": [32, "M", 64]})])
    assert "| `steps_per_execution=10` | mixed_bfloat16 | 1,701,642 | 0.9370 | 0.9400 | 8.0 | 16 | 0.5, 0.5," in variants
    assert '| `model.options.config=[32, "M", 64]` |' in variants
    recipe = dlrecipes.get_recipe("fashion_mnist_fast_gpu")
    for change in script.GPU_RECIPE_VARIANTS:  # each one a valid recipe that differs from it
        assert recipe.override(change).to_json() != recipe.to_json()


def test_peer_runs_alternate_our_engine_and_plain_torch_then_the_other_backends(monkeypatch):
    script = benchmark_script()
    calls = []

    def trained(command_or_recipe, *args, **variables):
        calls.append((command_or_recipe, *args))
        return {}

    monkeypatch.setattr(script, "_last_json_line", trained)
    monkeypatch.setattr(script, "_train_in_fresh_process", trained)
    monkeypatch.setattr(script, "installed_backends", lambda: ["tensorflow", "jax", "torch"])
    runs = script.fast_recipe_peers(rounds=2)
    assert [(run["backend"] if "backend" in run else run["peer"], run.get("round")) for run in runs] == [
        ("Keras on tensorflow", 0), ("plain torch", 0), ("plain torch", 1), ("Keras on tensorflow", 1),
        ("Keras on jax", None), ("Keras on torch", None)]
    torch_command = calls[1][0]
    assert torch_command[-2:] == ["--train-fast-recipe", "0"] and calls[1][1] == "torch"
    assert [call[3:] for call in calls if call[0] == "fashion_mnist_fast"] == [
        ("tensorflow", None), ("tensorflow", None), ("jax", None), ("torch", None)]
    calls.clear()
    script._train_peer("plain torch", 3, "out", epochs=12)
    assert calls[0][0][-4:] == ["--train-fast-recipe", "3", "--epochs", "12"]
    calls.clear()
    script._train_peer("plain torch", 0, "out", recipe="fashion_mnist_fast_gpu")
    script._train_peer("Keras on jax", 0, "out", recipe="fashion_mnist_fast_gpu")
    assert calls[0][0][-4:] == ["--train-fast-recipe", "0", "--recipe", "fashion_mnist_fast_gpu"]
    assert calls[1][:1] + calls[1][3:] == ("fashion_mnist_fast_gpu", "jax", None)


def test_gpu_sections_run_only_where_a_gpu_is():
    script = benchmark_script()
    cpu_sections = [name for name in script.SECTIONS if name not in script.GPU_SECTIONS]
    assert set(script.GPU_SECTIONS) <= set(script.SECTIONS) and "gpu_fast_recipe" in script.GPU_SECTIONS
    assert script.sections_to_run([], measure=True, gpu=False) == cpu_sections
    assert script.sections_to_run([], measure=True, gpu=True) == list(script.SECTIONS)
    assert script.sections_to_run(["gpu_resnet50"], measure=True, gpu=True) == ["gpu_resnet50"]
    assert script.sections_to_run(["gpu_resnet50"], measure=False, gpu=False) == ["gpu_resnet50"]  # kept records
    with pytest.raises(ConfigError, match=r"measure a GPU.*sections=\['gpu_resnet50'\]"):
        script.sections_to_run(["backends", "gpu_resnet50"], measure=True, gpu=False)


def test_benchmark_script_errors_are_usage_errors(tmp_path, capsys):
    """An empty --from-json folder once rewrote nothing and exited 0."""
    with pytest.raises(SystemExit) as exit_:
        benchmark_script().main(["--from-json", str(tmp_path)])
    assert exit_.value.code == 2 and "holds no section records" in capsys.readouterr().err


def test_every_other_paired_process_builds_the_models_in_reverse_order(monkeypatch):
    """A model built first may run faster; the ratios stay ours ÷ the first spec's, round by round."""
    script = benchmark_script()
    rates = iter([{"a": [10.0, 20.0], "b": [5.0, 5.0]}, {"b": [15.0, 60.0], "a": [30.0, 40.0]}])  # per process
    orders = []

    def measured(specs, backend):
        orders.append([spec["model"] for spec in specs])
        process = next(rates)
        return [{"spec": spec, "peak_rss_mib": 1.0, "paired_run": f"run{len(orders)}",
                 "train_examples_per_s_repeats": process[spec["model"]],
                 "infer_examples_per_s_repeats": [2 * rate for rate in process[spec["model"]]],
                 "train_ratio_repeats": [0.0, 0.0], "infer_ratio_repeats": [0.0, 0.0]} for spec in specs]

    monkeypatch.setattr(script, "measure_paired_isolated", measured)
    first, second = script._paired([{"model": "a", "batch_size": 4}, {"model": "b", "batch_size": 4}], 2)
    assert orders == [["a", "b"], ["b", "a"]]
    assert first["train_examples_per_s_repeats"] == [10.0, 20.0, 30.0, 40.0]
    assert second["train_examples_per_s_repeats"] == [5.0, 5.0, 15.0, 60.0]
    assert first["train_ratio_repeats"] == first["infer_ratio_repeats"] == [1.0] * 4
    assert second["train_ratio_repeats"] == second["infer_ratio_repeats"] == [0.5, 0.25, 0.5, 1.5]
    assert second["paired_run"] == first["paired_run"] == "run1 + run2"


def test_paired_summary_leaves_out_rows_outside_the_pair():
    script = benchmark_script()
    pair = [{"paired_run": "p", "train_ratio_repeats": [1.0] * 3, "infer_ratio_repeats": [1.0] * 3},
            {"paired_run": "p", "train_ratio_repeats": [0.9, 1.0, 1.1], "infer_ratio_repeats": [1.2, 1.2, 1.2]}]
    summary = script.paired_summary([*pair, {"backend": "plain torch"}])
    assert summary == ("Row 2 ÷ row 1, 3 paired rounds: training 1.000 (quartiles 0.900–1.100); "
                       "inference 1.200 (quartiles 1.200–1.200).")
