"""Side-by-side speed benchmarks of issue 8, written into docs/BENCHMARKS.md as generated sections.

    python benchmarks/run_benchmarks.py [SECTION ...] [--write docs/BENCHMARKS.md] [--json-dir DIR]

Sections (all when none is named):
- `applications`: our ResNet-50 / VGG-16 / DenseNet-121 builders vs keras.applications' on the
  same backend (small inputs and batches on CPU; the ratio is what is compared);
- `backends`: our LeNet-5 and ResNet-20 on TensorFlow, JAX and PyTorch (each installed
  backend), at each backend's measured compile defaults;
- `torch_peers`: plain PyTorch implementations (benchmarks/torch_peers.py) of the fast recipe's
  CNN and ResNet-20 vs our builders on TensorFlow;
- `pipeline`: training from `DatasetSplits.as_dataset` vs the same batch already in memory,
  LeNet-5 and ResNet-20 on Fashion-MNIST (target ≥ 95 %);
- `epoch_start`: the stall at each epoch's start with tf.data autotuning on vs off (the
  package's in-memory pipelines run with it off);
- `defaults`: jit_compile × steps_per_execution per backend, the measurements behind
  dlrecipes.training.compile_defaults;
- `fast_recipe`: the speed recipe trained with three seeds; `fast_recipe_peers`: the same recipe
  on the other backends and in plain PyTorch.

Every number comes from `dlrecipes.bench` (one fresh process per measurement); each section
states the device, versions, date and this command, and refuses rows from different devices.
"""

import argparse
import datetime
import importlib.util
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys

from dlrecipes.bench import compare, environment_line, make_spec, measure_isolated, table, write_section

HERE = pathlib.Path(__file__).resolve().parent
FASHION = {"input_shape": [28, 28, 1], "num_classes": 10}
SMALL_CNN = {  # a 32-64-128 BN CNN (recipes/fashion_mnist_fast.py's model until 2026-12-01)
    "model": "vgg11",
    "options": {"config": [32, "M", 64, "M", 128, "M"], "batch_norm": True, "hidden_units": [256], "dropout_rate": 0.3},
}
SMALL_MODELS = [
    {"model": "lenet5", "options": {"input_padding": 2}},
    {"model": "resnet20", "options": {}},
    SMALL_CNN,
]


def installed_backends():
    """The Keras backends installed here, in the order the sections list them."""
    return [b for b in ("tensorflow", "jax", "torch") if importlib.util.find_spec(b) is not None]


def _defaults(backend):
    from dlrecipes.training.compile_defaults import COMPILE_DEFAULTS

    return COMPILE_DEFAULTS[backend]


def _interleaved(specs, rounds):
    """Each spec measured `rounds` times in fresh processes, alternating between the specs (A B A
    B ...) so that a slow spell of a shared machine hits both; per spec, the record of its fastest
    training round, with its fastest inference round and every round's figures. The fastest, as
    `timeit` advises: interference only ever slows a run down."""
    measured = [[] for _ in specs]
    for _ in range(rounds):
        for records, spec in zip(measured, specs):
            records.append(measure_isolated(spec))
    merged = []
    for records in measured:
        train = [r["train_examples_per_s"] for r in records]
        infer = [r["infer_examples_per_s"] for r in records]
        fastest = max(records, key=lambda r: r["train_examples_per_s"])
        merged.append({**fastest, "infer_examples_per_s": max(infer),
                       "train_examples_per_s_rounds": train, "infer_examples_per_s_rounds": infer})
    return merged


def applications(rounds=3):
    """keras.applications' model (weights=None, first row of each pair) vs our builder of the same
    architecture on the TensorFlow backend at its compile defaults, 64×64×3 input, 1000 classes,
    batch 8, 10 timed steps × 3 repeats (CPU: small inputs and batches), each model in 3 fresh
    processes interleaved with its peer's; throughputs are the fastest of the 3. Ratio = ours ÷
    keras.applications; issue 8 asks ≥ 0.98. Our `vgg16` is keras.applications' VGG16 graph
    (tests/test_zoo_classic.py): its ratio shows how far apart two measurements of one graph fall
    on this machine. The synthetic batches stream without tf.data autotuning since 2026-12-01
    (section "Stalls at the start of an epoch"): before, a timed repeat could absorb an idle
    stall of a few seconds and halve its throughput (keras:ResNet50's repeats 35.9, 31.4, 15.7
    examples/s in benchmarks/results/applications.json as of commit 1113570)."""
    rows = []
    for ours, theirs in (("resnet50", "ResNet50"), ("vgg16", "VGG16"), ("densenet121", "DenseNet121")):
        settings = dict(input_shape=[64, 64, 3], num_classes=1000, batch_size=8, steps=10, repeats=3, warmup=1,
                        **_defaults("tensorflow"))
        rows.append(_interleaved([make_spec(model=m, **settings) for m in (f"keras:{theirs}", ours)], rounds))
    return rows


def backends():
    """One model per table block, each backend at its measured compile defaults
    (dlrecipes.training.compile_defaults), 28×28×1 input, batch 128, 10 timed steps × 3 repeats.
    Ratios are to the TensorFlow row."""
    rows = []
    for model in SMALL_MODELS[:2]:
        rows.append([
            measure_isolated(make_spec(**model, **FASHION, batch_size=128, steps=10, **_defaults(b)), b)
            for b in installed_backends()
        ])
    return rows


def _torch_peer(name, batch_size=128, steps=20):
    env = {**os.environ, "KERAS_BACKEND": "torch", "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, str(HERE / "torch_peers.py"), name, "--batch-size", str(batch_size),
               "--steps", str(steps), "--input-shape", "28,28,1"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def torch_peers():
    """Plain PyTorch (benchmarks/torch_peers.py, eager, all cores) first, then our builder of the same
    architecture (equal trainable parameters) with Keras on TensorFlow at its compile defaults;
    28×28×1, batch 128, 20 timed steps × 3 repeats. Ratios are to plain PyTorch (Keras' own
    torch backend is in the backends section)."""
    rows = []
    for peer, model in (("small_cnn", SMALL_CNN), ("resnet20", SMALL_MODELS[1])):
        ours = measure_isolated(make_spec(**model, **FASHION, batch_size=128, steps=20, **_defaults("tensorflow")))
        rows.append([_torch_peer(peer), ours])
    return rows


def pipeline():
    """TensorFlow backend at its compile defaults, batch 128, 3 repeats of a whole epoch (429 steps)
    for LeNet-5 and of 40 steps for ResNet-20: the first batch of the pipeline repeated from
    memory (`memory:`), then the package's pipeline `load('fashion_mnist').as_dataset('train',
    128)` (`pipeline:`, shuffled, standardised). Each timed `fit` starts a new iterator, i.e.
    refills the 55,000-image shuffle buffer, as every epoch of training does. Target: pipeline ≥
    0.95 × memory."""
    rows = []
    for model, steps in zip(SMALL_MODELS[:2], (55_000 // 128, 40)):
        rows.append([
            measure_isolated(make_spec(**model, batch_size=128, steps=steps, data=f"{kind}:fashion_mnist",
                                       **_defaults("tensorflow")))
            for kind in ("memory", "pipeline")
        ])
    return rows


EPOCH_START_EPOCHS = 5


def _epoch_start_run(autotune):
    """In this process: the fast recipe's model trained EPOCH_START_EPOCHS epochs from
    `as_dataset("train")`, autotuning turned back on or left off;
    prints the JSON of the seconds from each epoch's start to its first batch's end, and of each
    epoch."""
    import time

    import keras
    import tensorflow as tf

    from dlrecipes.training.engine import compiled_model, load_data
    from dlrecipes.training.recipes import get_recipe

    class Stamps(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.first_batch, self.epoch = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                self.first_batch.append(time.perf_counter() - self.start)

        def on_epoch_end(self, epoch, logs=None):
            self.epoch.append(time.perf_counter() - self.start)

    recipe = get_recipe("fashion_mnist_fast")
    data = load_data(recipe)
    model, _ = compiled_model(recipe, data)
    dataset = data.as_dataset("train", recipe.batch_size)
    options = tf.data.Options()
    options.autotune.enabled = autotune
    stamps = Stamps()
    model.fit(dataset.with_options(options), epochs=EPOCH_START_EPOCHS, callbacks=[stamps], verbose=0)
    print(json.dumps({"first_batch_s": stamps.first_batch, "epoch_s": stamps.epoch,
                      "keras_version": keras.__version__, "backend": keras.backend.backend()}))


def epoch_start(rounds=2):
    """The fast recipe's model (TensorFlow backend, bfloat16) trained 5 whole epochs
    (EPOCH_START_EPOCHS) from the
    package's pipeline, in fresh processes alternating tf.data autotuning on and off, 2 each:
    seconds from each epoch's start to the end of its first batch (epoch 1's includes tracing
    the train step). Deleting an autotuned iterator at an epoch's end waits on its optimisation
    thread, with the CPU idle; the package's in-memory pipelines therefore prefetch 2 batches
    with autotuning off (datasets.prefetched_in_memory)."""
    from dlrecipes.bench import cpu_description

    runs = []
    for _ in range(rounds):
        for autotune in (True, False):
            code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import run_benchmarks; run_benchmarks._epoch_start_run({autotune})"
            runs.append({**_last_json_line([sys.executable, "-c", code]), "autotune": autotune,
                         "device": cpu_description()})
    return runs


def epoch_start_markdown(runs):
    lines = ["| autotune | first batch of each epoch (s) | epochs (s) |", "|---|---|---|"]
    for run in runs:
        lines.append(f"| {'on' if run['autotune'] else 'off'} | {', '.join(f'{t:.2f}' for t in run['first_batch_s'])} "
                     f"| {', '.join(f'{t:.1f}' for t in run['epoch_s'])} |")
    summary = []
    for autotune in (True, False):
        later = [t for run in runs if run["autotune"] == autotune for t in run["first_batch_s"][1:]]
        summary.append(f"autotuning {'on' if autotune else 'off'}, median {statistics.median(later):.2f} s, "
                       f"longest {max(later):.2f} s")
    return "\n".join([*lines, "", f"First batch of every epoch but the first: {'; '.join(summary)}."])


def defaults():
    """`model.compile(jit_compile=..., steps_per_execution=...)` per backend, 28×28×1, batch 128, 20
    timed steps × 3 repeats; ratios to the first row of each block. The fastest setting of each
    backend is its default in dlrecipes.training.compile_defaults (JAX always compiles with XLA;
    torch.compile is left to GPU measurements)."""
    grid = {
        "tensorflow": [(False, 1), (False, 10), (True, 1), (True, 10)],
        "jax": [(True, 1), (True, 10)],
        "torch": [(False, 1)],  # Keras' torch trainer refuses steps_per_execution > 1
    }
    rows = []
    for model in SMALL_MODELS[:2]:
        for backend in installed_backends():
            rows.append([
                measure_isolated(make_spec(**model, **FASHION, batch_size=128, steps=20, jit_compile=jit,
                                           steps_per_execution=spe), backend)
                for jit, spe in grid[backend]
            ])
    return rows


def _last_json_line(command, backend="tensorflow"):
    """Run `command` in a fresh process on `backend`: the JSON of its last output line, with the
    1-minute load average before and after and the date."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    load_before = os.getloadavg()[0]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    run = json.loads(result.stdout.strip().splitlines()[-1])
    return {**run, "load": [load_before, os.getloadavg()[0]], "date": datetime.date.today().isoformat()}


def _train_in_fresh_process(recipe, seed, out, backend="tensorflow"):
    code = (
        "import json, os, dlrecipes; "
        f"r = dlrecipes.train({recipe!r}, seed={seed}, out={str(out)!r}, verbose=0); "
        "print(json.dumps({**r.metrics, 'epoch_s': r.history['train_time_s'], 'run_dir': str(r.run_dir)}))"
    )
    return _last_json_line([sys.executable, "-c", code], backend)


def fast_recipe(seeds=(0, 1, 2)):
    """recipes/fashion_mnist_fast.py trained in full with three seeds, one fresh process each
    (TensorFlow backend): test accuracy and training wall time (`wall_time_s` of metrics.json, the
    `fit` call: every epoch including the first one's compilation), and the test accuracy with
    flip test-time augmentation (`test_accuracy_flip_tta`, the recipe's result; a test-time cost,
    not training time). Issue 8's target: median test accuracy ≥ 0.930 within 120 s of training
    on 2 CPU cores. `load` is the 1-minute load average before → after the run: above the core
    count, other processes shared the CPU and the wall time is inflated."""
    import tempfile

    from dlrecipes.bench import cpu_description

    with tempfile.TemporaryDirectory() as out:
        runs = [_train_in_fresh_process("fashion_mnist_fast", seed, out) for seed in seeds]
    return [{**run, "device": cpu_description()} for run in runs]


def fast_recipe_peers(seed=0):
    """recipes/fashion_mnist_fast.py trained with seed 0 by each peer, one fresh process each: our
    engine on Keras' TensorFlow, JAX and PyTorch backends (those installed), then the same recipe
    written in plain PyTorch (benchmarks/torch_peers.py `--train-fast-recipe`: same network,
    data, schedule, regularisation, bfloat16 autocast and flip TTA; PyTorch's default
    initialisation and batch-norm settings). Every peer trains the whole recipe, 10 epochs, so
    accuracies are compared at each one's own training time; time ratio = training time ÷ that of
    Keras on TensorFlow."""
    import tempfile

    from dlrecipes.bench import cpu_description

    with tempfile.TemporaryDirectory() as out:
        runs = [{**_train_in_fresh_process("fashion_mnist_fast", seed, out, backend), "peer": f"Keras on {backend}"}
                for backend in installed_backends()]
    if "torch" in installed_backends():
        command = [sys.executable, str(HERE / "torch_peers.py"), "--train-fast-recipe", str(seed)]
        runs.append({**_last_json_line(command, "torch"), "backend": "plain torch"})
    return [{**run, "device": cpu_description()} for run in runs]


def fast_recipe_peers_markdown(runs):
    lines = [
        "| peer | test accuracy | with flip TTA | training (s) | time ratio | per-epoch (s) | load before → after |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for run in runs:  # time ratio: to the first peer, Keras on TensorFlow
        epochs = ", ".join(f"{t:.0f}" for t in run["epoch_s"])
        lines.append(
            f"| {run['peer']} | {run['test_accuracy']:.4f} | {run['test_accuracy_flip_tta']:.4f} "
            f"| {run['wall_time_s']:.1f} | {run['wall_time_s'] / runs[0]['wall_time_s']:.2f} | {epochs} "
            f"| {run['load'][0]:.1f} → {run['load'][1]:.1f} |"
        )
    return "\n".join(lines)


def fast_recipe_markdown(runs):
    lines = [
        "| seed | test accuracy | with flip TTA | training (s) | epochs | per-epoch (s) | load before → after |",
        "|---:|---:|---:|---:|---:|---|---|",
    ]
    tta = "test_accuracy_flip_tta" in runs[0]  # the recipe's result when it has flip TTA
    for seed, run in enumerate(runs):
        epochs = ", ".join(f"{t:.0f}" for t in run["epoch_s"])
        with_tta = f"{run['test_accuracy_flip_tta']:.4f}" if tta else "-"
        lines.append(
            f"| {seed} | {run['test_accuracy']:.4f} | {with_tta} | {run['wall_time_s']:.1f} | {run['epochs_run']} "
            f"| {epochs} | {run['load'][0]:.1f} → {run['load'][1]:.1f} |"
        )
    accuracy = statistics.median(run["test_accuracy_flip_tta" if tta else "test_accuracy"] for run in runs)
    seconds = statistics.median(run["wall_time_s"] for run in runs)
    met = "met" if accuracy >= 0.93 and seconds <= 120 else "NOT met"
    measured = "test accuracy with flip TTA" if tta else "test accuracy"
    lines += ["", f"Median of {len(runs)} seeds: {measured} {accuracy:.4f}, training {seconds:.1f} s "
                  f"(target ≥ 0.930 within 120 s: {met})."]
    return "\n".join(lines)


RUN_TABLES = {  # sections of training runs, not bench records
    "fast_recipe": fast_recipe_markdown,
    "fast_recipe_peers": fast_recipe_peers_markdown,
    "epoch_start": epoch_start_markdown,
}
SECTIONS = {
    "applications": applications,
    "backends": backends,
    "torch_peers": torch_peers,
    "pipeline": pipeline,
    "epoch_start": epoch_start,
    "defaults": defaults,
    "fast_recipe": fast_recipe,
    "fast_recipe_peers": fast_recipe_peers,
}
TITLES = {
    "applications": "Our builders vs keras.applications",
    "backends": "Our builders across backends",
    "torch_peers": "Plain PyTorch peers",
    "pipeline": "Input pipeline vs data in memory",
    "epoch_start": "Stalls at the start of an epoch: tf.data autotuning",
    "defaults": "Measured compile defaults",
    "fast_recipe": "Speed recipe: Fashion-MNIST ≥ 93 % in 120 s on 2 CPU cores",
    "fast_recipe_peers": "Speed recipe vs its peers: the same recipe on other backends and in plain PyTorch",
}


def section_markdown(name, intro, rows, command):
    intro = " ".join(intro.split())
    if name in RUN_TABLES:
        runs = rows
        backends = ", ".join(sorted({run["backend"] for run in runs}))
        torch = {run["versions"]["torch"] for run in runs if "versions" in run}  # plain PyTorch peers
        versions = f"Keras {runs[0]['keras_version']}" + "".join(f", torch {v}" for v in sorted(torch))
        when = f"Measured {runs[0]['date']} on {runs[0]['device']}, {versions} (backends: {backends})"
        return f"## {TITLES[name]}\n\n{intro}\n\n{RUN_TABLES[name](runs)}\n\n{when}; `{command}`."
    compare([record for block in rows for record in block])  # one device per section
    blocks = "\n\n".join(table(block) for block in rows)
    env = environment_line([record for block in rows for record in block], command)
    return f"## {TITLES[name]}\n\n{intro}\n\n{blocks}\n\n{env}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", choices=[*SECTIONS, []], metavar="SECTION")
    parser.add_argument("--write", metavar="MD", help="replace these sections in this Markdown file")
    parser.add_argument("--json-dir", metavar="DIR", help="also keep each section's records as JSON")
    parser.add_argument("--from-json", metavar="DIR",
                        help="measure nothing: rewrite the sections from records kept with --json-dir")
    args = parser.parse_args(argv)
    command = "python benchmarks/run_benchmarks.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    for name in args.sections or SECTIONS:
        if args.from_json:
            with open(pathlib.Path(args.from_json) / f"{name}.json") as f:
                kept = json.load(f)
            intro, rows, command = SECTIONS[name].__doc__, kept["records"], kept["command"]
        else:
            intro, rows = SECTIONS[name].__doc__, SECTIONS[name]()
        text = section_markdown(name, intro, rows, command.strip())
        print(text + "\n")
        if args.json_dir:
            pathlib.Path(args.json_dir).mkdir(parents=True, exist_ok=True)
            with open(pathlib.Path(args.json_dir) / f"{name}.json", "w") as f:
                json.dump({"command": command, "records": rows}, f, indent=2)
        if args.write:
            write_section(args.write, name, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
