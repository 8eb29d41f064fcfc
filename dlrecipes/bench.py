"""Throughput benchmark harness: `dlrecipes bench MODEL ...` and `measure_isolated(spec)`.

Every measurement runs in a fresh Python process (KERAS_BACKEND must be set before Keras is
imported, and the process' peak resident set size is then the measurement's own). In it:

- the model is built (our registered builder, or `keras:ResNet50` from keras.applications) and
  compiled with SGD and sparse cross-entropy (`jit_compile`, `steps_per_execution`, optional
  mixed-precision policy);
- **compile time** is the wall time of the first training call (one step: tracing, graph or
  XLA compilation, and the step itself);
- after `warmup` more untimed steps, each of `repeats` runs of `steps` training steps is timed
  and the **training throughput** is the median of their examples/s; **inference throughput**
  likewise with `predict` (its first call, also untimed, compiles it);
- **peak host memory** is the process' `ru_maxrss` (it includes the framework itself, whose
  baseline after import is reported as well); **device memory** is the framework's peak on GPU;
- **MFU** (model FLOPs utilisation, Chowdhery et al. 2022) = examples/s × 6 × MACs per example
  (forward 2·MACs, backward 4·MACs; MACs from `dlrecipes.flops`) ÷ the device's peak, for
  devices whose peak is in `PEAK_TFLOPS`.

Data: `synthetic` repeats one batch of random images already in memory (a tf.data
`from_tensors(...).repeat()` on TensorFlow, a generator of the same numpy batch elsewhere);
`pipeline:DATASET` trains from the package's own pipeline `DatasetSplits.as_dataset("train")`
and `memory:DATASET` on that pipeline's first batch, repeated, for the input-pipeline check.

`--paired` (`measure_paired`) measures several models in one process instead, alternating their
timed runs round by round, and compares them by the median of the per-round ratios: on a shared
machine the throughput of one graph varies ±15% between processes, far more than between two
neighbouring runs in one process.

Bad settings fail before anything is measured: names, options and datasets in this process
(`make_spec`), what only a builder can judge (shapes) in the measuring process, reported as the
same clear error; several models measured in separate processes are first all built in one
(`check_builds`), so the last one's bad input does not come after the first one's minutes.

Numbers are only comparable on the same device: `compare` refuses records of different devices.
Benchmarks are not tests: nothing here asserts on time.
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time

from dlrecipes.arguments import key_value, shape
from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.training.compile_defaults import PRECISIONS, cpu_info, dtype_policy
from dlrecipes.validation import check_choice, check_int

BACKENDS = ("tensorflow", "jax", "torch")
JIT_CHOICES = ("auto", True, False)
# keras.applications' constructors of the architectures we also build (issue 8's peers).
KERAS_APPLICATIONS = {"resnet50": "ResNet50", "vgg16": "VGG16", "densenet121": "DenseNet121"}
# Dense peak TFLOP/s per device and compute dtype, from the vendors' datasheets (SXM parts,
# without sparsity). CPUs are absent: their peak depends on clock, cores and vector units.
PEAK_TFLOPS = {
    "H200": {"bfloat16": 989.4, "float16": 989.4, "float32": 66.9},
    "H100": {"bfloat16": 989.4, "float16": 989.4, "float32": 66.9},
    "A100": {"bfloat16": 312.0, "float16": 312.0, "float32": 19.5},
}
DEFAULT_SPEC = {
    "model": "lenet5",
    "options": {},
    "input_shape": None,
    "num_classes": None,
    "batch_size": 32,
    "steps": 10,
    "repeats": 3,
    "warmup": 2,
    "jit_compile": "auto",
    "steps_per_execution": 1,
    "mixed_precision": "float32",
    "data": "synthetic",
}


def make_spec(**changes):
    """A complete, validated measurement spec: DEFAULT_SPEC with `changes` (unknown keys raise)."""
    unknown = sorted(set(changes) - set(DEFAULT_SPEC))
    if unknown:
        raise TypeError(f"Unknown benchmark settings {unknown}. Allowed: {sorted(DEFAULT_SPEC)}")
    spec = {**DEFAULT_SPEC, **{k: v for k, v in changes.items() if v is not None}}
    for key in ("batch_size", "steps", "repeats", "steps_per_execution"):
        check_int(key, spec[key], minimum=1)
    check_int("warmup", spec["warmup"], minimum=0)
    if spec["steps"] % spec["steps_per_execution"]:
        raise ConfigError(
            "steps must be a multiple of steps_per_execution. "
            f"Received: steps={spec['steps']}, steps_per_execution={spec['steps_per_execution']}"
        )
    check_choice("jit_compile", spec["jit_compile"], JIT_CHOICES)
    check_choice("mixed_precision", spec["mixed_precision"], PRECISIONS)
    kind, _, dataset = spec["data"].partition(":")
    check_choice("data", kind, ("synthetic", "pipeline", "memory"))
    if (kind == "synthetic") != (not dataset):
        raise ConfigError(f"data must be synthetic, pipeline:DATASET or memory:DATASET. Received: data={spec['data']!r}")
    if dataset:
        from dlrecipes.data import list_datasets

        check_choice("data's dataset", dataset, list_datasets())
    if spec["input_shape"] is not None:
        spec["input_shape"] = [check_int("input_shape", d, minimum=1) for d in spec["input_shape"]]
    if not spec["model"].startswith("keras:"):
        from dlrecipes.registry import builder_options, model_info

        model_info(spec["model"])  # unknown names raise with suggestions
        allowed = sorted(builder_options(spec["model"]))
        unknown = sorted(set(spec["options"]) - set(allowed))
        if unknown:
            raise ConfigError(f"{spec['model']} has no options {unknown}. Allowed: {allowed}")
    elif spec["model"].removeprefix("keras:") not in KERAS_APPLICATIONS.values():
        check_choice("model", spec["model"], [f"keras:{n}" for n in KERAS_APPLICATIONS.values()])
    return spec


# The widest matrix/vector extension a CPU's flags name, first match: CPUs sold under one model
# name (a VM's "AMD EPYC") differ by these, and so do their speeds.
CPU_EXTENSIONS = (("amx_bf16", "AMX"), ("avx512_bf16", "AVX-512 BF16"), ("avx512f", "AVX-512"),
                  ("avx2", "AVX2"), ("asimd", "NEON"))


def cpu_description(cpuinfo="/proc/cpuinfo"):
    """'<CPU model> (<widest extension>) × <usable cores>' from `cpuinfo` (platform's processor
    where it names no model), e.g. 'AMD EPYC (AVX2) × 2 cores'."""
    model, flags = cpu_info(cpuinfo)
    model = model or platform.processor() or platform.machine()
    extension = next((name for flag, name in CPU_EXTENSIONS if flag in flags), None)
    return f"{model}{f' ({extension})' if extension else ''} × {len(os.sched_getaffinity(0))} cores"


def gpu_description():
    """Name of the first NVIDIA GPU (nvidia-smi), or None."""
    try:
        names = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    return names[0].strip() or None


def peak_tflops(device, dtype):
    """The device's dense peak for `dtype` from PEAK_TFLOPS, or None when unknown."""
    for key, peaks in PEAK_TFLOPS.items():
        if key in device:
            return peaks.get(dtype)
    return None


def model_flops_utilization(examples_per_s, macs_per_example, peak_tflops):
    """Training FLOP/s ÷ peak: 6 FLOPs per MAC and example (forward 2, backward 4)."""
    return examples_per_s * 6 * macs_per_example / (peak_tflops * 1e12)


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------- in the measuring process


def _backend_device(backend):
    """(device description, uses a GPU) as the backend sees it."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
    elif backend == "jax":
        import jax

        gpu = jax.devices()[0].platform == "gpu"
    else:
        import torch

        gpu = torch.cuda.is_available()
    return ((gpu_description() or "GPU") if gpu else cpu_description()), gpu


def _onednn_enabled(backend):
    """Whether TensorFlow runs its oneDNN CPU kernels in this process (None on other backends)."""
    if backend != "tensorflow":
        return None
    from tensorflow.python.util import _pywrap_util_port  # TensorFlow's own switch, after its env var

    return bool(_pywrap_util_port.IsMklEnabled())


def _device_peak_mib(backend):
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    if backend == "jax":
        import jax

        return jax.local_devices()[0].memory_stats().get("peak_bytes_in_use", 0) / 2**20
    import torch

    return torch.cuda.max_memory_allocated() / 2**20


def _versions(backend):
    import keras

    versions = {"python": platform.python_version(), "keras": keras.__version__}
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend]
    versions[module] = __import__(module).__version__
    return versions


def _build(spec):
    import keras

    import dlrecipes

    shape = tuple(spec["input_shape"]) if spec["input_shape"] else None
    if spec["model"].startswith("keras:"):
        constructor = getattr(keras.applications, spec["model"].removeprefix("keras:"))
        try:
            return constructor(
                weights=None, input_shape=shape, classes=spec["num_classes"] or 1000,
                classifier_activation=None, **spec["options"],
            )
        except (TypeError, ValueError) as error:  # keras.applications' own argument checks
            raise ConfigError(f"{spec['model']} cannot be built: {error}") from error
    return dlrecipes.build_model(
        spec["model"], input_shape=shape, num_classes=spec["num_classes"], **spec["options"]
    )


def _repeated(x, y, backend):
    """An endless stream of the batch (x, y), with no per-step work (on TensorFlow without
    tf.data autotuning, whose iterator teardown stalls the next timed `fit`)."""
    if backend == "tensorflow":
        import tensorflow as tf

        from dlrecipes.data.datasets import prefetched_in_memory

        return prefetched_in_memory(tf.data.Dataset.from_tensors((x, y)).repeat())

    def batches():
        while True:
            yield x, y

    return batches()


def _training_data(spec, splits, model, backend):
    import numpy as np

    batch = spec["batch_size"]
    if splits is None:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch, *model.input_shape[1:]), dtype=np.float32)
        y = rng.integers(0, model.output_shape[-1], batch).astype(np.int32)
        return _repeated(x, y, backend)
    pipeline = splits.as_dataset("train", batch, drop_remainder=True).repeat()
    if spec["data"].startswith("pipeline:"):
        return pipeline
    x, y = next(iter(pipeline))
    return _repeated(x.numpy(), y.numpy(), backend)


def _dataset_shapes(spec):
    """The spec's dataset splits (None for synthetic data), its missing input shape and number of
    classes filled in from them: the model takes the dataset's shapes."""
    if spec["data"] == "synthetic":
        return None
    from dlrecipes.data import load

    splits = load(spec["data"].partition(":")[2])
    spec["input_shape"] = spec["input_shape"] or list(splits.input_shape)
    spec["num_classes"] = spec["num_classes"] or splits.num_classes
    return splits


def _timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


class _Subject:
    """One spec's model, compiled and fed, in this process: `fit(n)` trains n steps, `predict()`
    infers `steps` batches; `compile_s` / `predict_compile_s` time their first calls."""

    def __init__(self, spec):
        import keras

        self.spec = spec = make_spec(**spec)
        self.backend = keras.backend.backend()
        self.device, self.gpu = _backend_device(self.backend)
        self.baseline_rss = _peak_rss_mib()
        splits = _dataset_shapes(spec)
        keras.utils.set_random_seed(0)
        with dtype_policy(spec["mixed_precision"]):  # per model, so that a pair may differ
            self.model = _build(spec)
        self.model.compile(
            optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=spec["jit_compile"],
            steps_per_execution=spec["steps_per_execution"],
        )
        self.data = _training_data(spec, splits, self.model, self.backend)
        self.examples = spec["steps"] * spec["batch_size"]
        self.compile_s = _timed(lambda: self.fit(spec["steps_per_execution"]))
        if spec["warmup"]:
            self.fit(spec["warmup"] * spec["steps_per_execution"])
        self.predict_compile_s = _timed(self.predict)

    def fit(self, steps):
        self.model.fit(self.data, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=0)

    def predict(self):
        self.model.predict(self.data, steps=self.spec["steps"], verbose=0)

    def train_rate(self):
        """Examples/s of one timed run of `steps` training steps."""
        return self.examples / _timed(lambda: self.fit(self.spec["steps"]))

    def infer_rate(self):
        return self.examples / _timed(self.predict)

    def record(self, train, infer):
        """The JSON-ready record of this subject, from its timed training and inference rates."""
        from dlrecipes.flops import flops
        from dlrecipes.registry import count_params

        spec = self.spec
        macs = flops(self.model)
        train_rate, infer_rate = statistics.median(train), statistics.median(infer)
        dtype = {"float32": "float32", "mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}[spec["mixed_precision"]]
        peak = peak_tflops(self.device, dtype) if self.gpu else None
        return {
            "spec": spec,
            "backend": self.backend,
            "device": self.device,
            "versions": _versions(self.backend),
            "onednn": _onednn_enabled(self.backend),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "trainable_params": count_params(self.model)[0],
            "macs_per_example": macs,
            "compile_s": self.compile_s,
            "predict_compile_s": self.predict_compile_s,
            "train_examples_per_s": train_rate,
            "train_step_s": spec["batch_size"] / train_rate,
            "train_examples_per_s_repeats": train,
            "infer_examples_per_s": infer_rate,
            "infer_examples_per_s_repeats": infer,
            "baseline_rss_mib": self.baseline_rss,
            "peak_rss_mib": _peak_rss_mib(),
            "device_peak_mib": _device_peak_mib(self.backend) if self.gpu else None,
            "peak_tflops": peak,
            "mfu": model_flops_utilization(train_rate, macs, peak) if peak else None,
        }


def measure(spec):
    """Measure `spec` (see `make_spec`) in this process; a JSON-ready record."""
    subject = _Subject(spec)
    repeats = subject.spec["repeats"]
    train = [subject.train_rate() for _ in range(repeats)]
    infer = [subject.infer_rate() for _ in range(repeats)]
    return subject.record(train, infer)


PAIRED_SETTINGS = ("batch_size", "steps", "repeats", "warmup")  # the rounds' shape


def check_paired(specs):
    """Validated specs for `measure_paired`: at least two, equal in PAIRED_SETTINGS."""
    specs = [make_spec(**spec) for spec in specs]
    if len(specs) < 2:
        raise ConfigError(f"A paired measurement needs at least two models. Received: {len(specs)}")
    for key in PAIRED_SETTINGS:
        values = [spec[key] for spec in specs]
        if len(set(map(json.dumps, values))) > 1:
            raise ConfigError(
                f"Paired measurements must share {key} (every round times the same steps). "
                f"Received: {key}={values}"
            )
    return specs


def measure_paired(specs):
    """Measure several specs in this one process, alternating their timed runs: each of `repeats`
    rounds times every model once, in an order rotated every round (A B, B A, ...), so a slow spell
    of a shared machine falls on all of them alike. Each record also holds, per round, its
    throughput ÷ the first model's in that round (`train_ratio_repeats`, `infer_ratio_repeats`):
    a paired comparison, whose median `compare` reports. `peak_rss_mib` is the shared process'."""
    specs = check_paired(specs)
    subjects = [_Subject(spec) for spec in specs]
    rounds = specs[0]["repeats"]
    rates = {kind: [[0.0] * rounds for _ in subjects] for kind in ("train", "infer")}
    for kind, rate in (("train", _Subject.train_rate), ("infer", _Subject.infer_rate)):
        for r in range(rounds):
            for index in ((r + k) % len(subjects) for k in range(len(subjects))):  # rotated order
                rates[kind][index][r] = rate(subjects[index])
    run = f"{os.getpid()}@{datetime.datetime.now(datetime.timezone.utc).isoformat()}"
    return with_round_ratios([{**subject.record(rates["train"][index], rates["infer"][index]), "paired_run": run}
                              for index, subject in enumerate(subjects)])


def with_round_ratios(records):
    """`records` of a paired measurement, each given, per round, its throughput ÷ the first
    record's in that round (`train_ratio_repeats`, `infer_ratio_repeats`)."""
    for record in records:
        for kind in ("train", "infer"):
            rates = zip(record[f"{kind}_examples_per_s_repeats"], records[0][f"{kind}_examples_per_s_repeats"])
            record[f"{kind}_ratio_repeats"] = [mine / base for mine, base in rates]
    return records


# ---------------------------------------------------------------- in the calling process


# Exit status of a measuring process stopped by one of the package's clear errors (bad settings,
# missing data); its last line of output is {"error": class name, "message": ...}.
CLEAR_ERROR_EXIT = 2
CLEAR_ERRORS = {error.__name__: error for error in (ConfigError, DataUnavailableError)}


def check_backend(backend):
    """`backend` must be one of BACKENDS and installed here."""
    check_choice("backend", backend, BACKENDS)
    if importlib.util.find_spec(backend) is None:
        extra = {"tensorflow": "tensorflow", "jax": '-e ".[jax]"', "torch": '-e ".[torch]"'}[backend]
        raise ConfigError(f"backend {backend!r} is not installed here (pip install {extra}). Received: backend={backend!r}")
    return backend


def _in_fresh_process(mode, payload, backend, timeout, what, env=None):
    check_backend(backend)
    env = {**os.environ, **(env or {}), "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "dlrecipes.bench", mode, json.dumps(payload)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    lines = result.stdout.strip().splitlines()
    if result.returncode == CLEAR_ERROR_EXIT and lines and lines[-1].startswith('{"error": '):
        error = json.loads(lines[-1])
        raise CLEAR_ERRORS[error["error"]](error["message"])
    if result.returncode != 0:
        raise RuntimeError(f"benchmark of {what} on {backend} failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])


def check_builds(specs, backend="tensorflow", *, timeout=None):
    """Build every spec's model once, in one fresh process, measuring nothing: a bad option or
    dataset of the last model raises before the first one's minutes of measuring."""
    _in_fresh_process("--child-check", [make_spec(**spec) for spec in specs], backend, timeout, "the models")


def _check_child(specs):
    import keras

    for spec in specs:
        _dataset_shapes(spec)
        with dtype_policy(spec["mixed_precision"]):
            _build(spec)
        keras.backend.clear_session()
    return "built"


def measure_isolated(spec, backend="tensorflow", *, timeout=None, env=None):
    """`measure(spec)` in a fresh process with KERAS_BACKEND=`backend` and the variables `env`."""
    spec = make_spec(**spec)
    return _in_fresh_process("--child", spec, backend, timeout, spec["model"], env)


def measure_paired_isolated(specs, backend="tensorflow", *, timeout=None):
    """`measure_paired(specs)` in one fresh process with KERAS_BACKEND=`backend`."""
    specs = check_paired(specs)
    return _in_fresh_process("--child-paired", specs, backend, timeout, " vs ".join(s["model"] for s in specs))


def _ratio(record, base, kind):
    """`record`'s `kind` ("train"/"infer") throughput ÷ `base`'s: the median of the per-round
    ratios when both come from one paired run, else the ratio of their medians."""
    paired = record.get("paired_run")
    if paired is not None and paired == base.get("paired_run"):
        return statistics.median(record[f"{kind}_ratio_repeats"])
    return record[f"{kind}_examples_per_s"] / base[f"{kind}_examples_per_s"]


def compare(records):
    """Ratios of every record's throughputs to the first one's, refusing records taken on
    different devices: a list of {"train_ratio", "infer_ratio"}. Records of one paired run
    (`measure_paired`) are compared round by round (median of the rounds' ratios)."""
    if not records:
        raise ConfigError("compare needs at least one benchmark record. Received: records=[]")
    devices = sorted({record["device"] for record in records})
    if len(devices) > 1:
        raise ConfigError(
            "Refusing to compare throughputs measured on different devices; rerun them side by side "
            f"on one machine. Received: devices={devices}"
        )
    base = records[0]
    return [{f"{kind}_ratio": _ratio(record, base, kind) for kind in ("train", "infer")} for record in records]


def label(record):
    """A short name of what a record measured: model, options, backend and settings."""
    spec = record["spec"]
    parts = [spec["model"], *(f"{k}={v}" for k, v in spec["options"].items()), record["backend"]]
    if spec["jit_compile"] != "auto":
        parts.append(f"jit={spec['jit_compile']}")
    if spec["steps_per_execution"] != 1:
        parts.append(f"spe={spec['steps_per_execution']}")
    if spec["mixed_precision"] != "float32":
        parts.append(spec["mixed_precision"])
    if spec["data"] != "synthetic":
        parts.append(spec["data"])
    if record.get("onednn") is False:  # records before 2026-12-01 lack the field
        parts.append("oneDNN off")
    return " ".join(str(p) for p in parts)


def table(records):
    """A Markdown table of `records`, with throughput ratios to the first row."""
    ratios = compare(records)
    lines = [
        "| measured | batch | train ex/s | ratio | step (ms) | compile (s) | infer ex/s | ratio "
        "| peak RSS (MiB) | device peak (MiB) | MFU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for record, ratio in zip(records, ratios):
        device_mib = record["device_peak_mib"]
        mfu = record["mfu"]
        lines.append(
            f"| {label(record)} | {record['spec']['batch_size']} | {record['train_examples_per_s']:,.1f} "
            f"| {ratio['train_ratio']:.2f} | {1000 * record['train_step_s']:,.1f} | {record['compile_s']:.2f} "
            f"| {record['infer_examples_per_s']:,.1f} | {ratio['infer_ratio']:.2f} "
            f"| {record['peak_rss_mib']:,.0f} | {'-' if device_mib is None else f'{device_mib:,.0f}'} "
            f"| {'-' if mfu is None else f'{100 * mfu:.1f}%'} |"
        )
    return "\n".join(lines)


def environment_line(records, command):
    """One sentence: device, backends with their versions, date and the command."""
    first = records[0]
    versions = {}
    for record in records:
        versions.update(record["versions"])
    listed = ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
    return f"Measured {first['date'][:10]} on {first['device']}; {listed}; `{command}`."


def write_section(path, name, text, *, group=None):
    """Replace (or add) the generated section `name` of the Markdown file `path`: the text
    between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. A new section goes after the last
    section whose name starts with `group` (the same benchmark on another machine), else at the end."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    try:
        with open(path) as f:
            current = f.read()
    except FileNotFoundError:
        current = ""
    sibling = f"<!-- /bench:{group}" if group else None
    if start in current and end in current:
        before, rest = current.split(start, 1)
        updated = before + block + rest.split(end, 1)[1]
    elif sibling and sibling in current:
        before, rest = current.rsplit(sibling, 1)
        closing, after = rest.split("-->", 1)
        updated = f"{before}{sibling}{closing}-->\n\n{block}{after}"
    else:
        updated = current.rstrip("\n") + ("\n\n" if current else "") + block + "\n"
    with open(path, "w") as f:
        f.write(updated)


def _jit(text):
    return {"auto": "auto", "true": True, "false": False}.get(text.lower(), text)


def add_bench_arguments(parser):
    """The flags of `dlrecipes bench`."""
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="registered model names, or keras:ResNet50 / keras:VGG16 / keras:DenseNet121")
    parser.add_argument("--backend", default="tensorflow",
                        help="comma-separated backends, each in its own process (tensorflow,jax,torch)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_SPEC["batch_size"])
    parser.add_argument("--input-shape", type=lambda text: list(shape(text)), help="e.g. 64,64,3")
    parser.add_argument("--num-classes", type=int)
    parser.add_argument("--option", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                        help="builder option (JSON value), repeatable")
    parser.add_argument("--mixed-precision", default="float32", help=f"one of {PRECISIONS}")
    parser.add_argument("--jit", type=_jit, default="auto", help="auto, true or false (compile's jit_compile)")
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument("--steps", type=int, default=DEFAULT_SPEC["steps"], help="timed steps per repeat")
    parser.add_argument("--repeats", type=int, default=DEFAULT_SPEC["repeats"])
    parser.add_argument("--warmup", type=int, default=DEFAULT_SPEC["warmup"], help="untimed steps after compiling")
    parser.add_argument("--data", default="synthetic", help="synthetic, pipeline:DATASET or memory:DATASET")
    parser.add_argument("--paired", action="store_true",
                        help="measure the MODELs in one process per backend, alternating their timed runs "
                             "(each of --repeats rounds times every model once); ratios are per round")
    parser.add_argument("--json", metavar="OUT", help="write the records (and the command) as JSON")
    parser.add_argument("--compare", nargs="+", metavar="JSON",
                        help="tabulate records of earlier --json files instead (same device only)")
    return parser


def _command_line(args):
    """The `dlrecipes bench` command that reproduces `args` (flags left at their defaults omitted)."""
    words = ["dlrecipes", "bench", *args.models]
    defaults = vars(add_bench_arguments(argparse.ArgumentParser()).parse_args([]))
    for key, value in vars(args).items():
        if key in defaults and key != "models" and value != defaults[key]:
            flag = "--" + key.replace("_", "-")
            if key == "paired":
                words.append(flag)
            elif key == "option":
                words += [w for k, v in value for w in (flag, f"{k}={json.dumps(v)}")]
            elif isinstance(value, list):
                words += [flag, *(str(v) for v in value)] if key == "compare" else [flag, ",".join(map(str, value))]
            else:
                words += [flag, str(value).lower() if isinstance(value, bool) else str(value)]
    return " ".join(shlex.quote(w) for w in words)


def read_records(path):
    """The benchmark records of a `dlrecipes bench --json` file."""
    try:
        with open(path) as f:
            records = json.load(f)["records"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"--compare needs JSON files written by `dlrecipes bench --json`. Received: {path!r} ({error!r})"
        ) from error
    if not isinstance(records, list) or not all(isinstance(r, dict) and "device" in r for r in records):
        raise ConfigError(f"{path!r} holds no list of benchmark records under 'records'.")
    return records


def bench_command(args):
    """`dlrecipes bench`: measure every MODEL on every backend, print a table (+ --json)."""
    command = _command_line(args)
    if args.compare:
        records = [record for path in args.compare for record in read_records(path)]
    else:
        if not args.models:
            raise ConfigError("bench needs at least one MODEL (or --compare JSON ...). Received: none")
        backends = [b.strip() for b in args.backend.split(",")]
        for backend in backends:  # all of them before the first process starts
            check_backend(backend)
        specs = [
            make_spec(
                model=model, options=dict(args.option), input_shape=args.input_shape,
                num_classes=args.num_classes, batch_size=args.batch_size, steps=args.steps,
                repeats=args.repeats, warmup=args.warmup, jit_compile=args.jit,
                steps_per_execution=args.steps_per_execution, mixed_precision=args.mixed_precision,
                data=args.data,
            )
            for model in args.models
        ]
        if args.paired:  # one process builds all the models before it measures any
            records = [record for backend in backends for record in measure_paired_isolated(specs, backend)]
        else:
            if len(specs) > 1:
                check_builds(specs, backends[0])
            records = [measure_isolated(spec, backend) for spec in specs for backend in backends]
    print(table(records))
    print(environment_line(records, command))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": command, "records": records}, f, indent=2)


if __name__ == "__main__":
    CHILD_MODES = {"--child": measure, "--child-paired": measure_paired, "--child-check": _check_child}
    try:
        print(json.dumps(CHILD_MODES[sys.argv[1]](json.loads(sys.argv[2]))))
    except tuple(CLEAR_ERRORS.values()) as error:
        print(json.dumps({"error": type(error).__name__, "message": str(error)}))
        sys.exit(CLEAR_ERROR_EXIT)
