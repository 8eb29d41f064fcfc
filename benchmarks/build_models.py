"""Build time and peak memory of every registered ImageNet model (224×224×3, 1000 classes).

Each model is measured in a fresh Python process: three builds separated by
`keras.backend.clear_session()`, their median time, and the process' peak resident set size
(RSS, which includes TensorFlow and Keras themselves, reported apart as the
baseline after import). VGG-19 is also built, summarised and saved to .keras in a fresh process,
for the issue's target of < 4 GB peak memory; the target for a build is < 5 s on 2 CPU cores.

    python benchmarks/build_models.py [--models 'resnet*'] [--json build_models.json]

Prints a Markdown report (the environment, one table row per model, the targets) for
docs/BENCHMARKS.md. This is a benchmark, not a test: nothing here asserts on time.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

BUILDS = 3
BUILD_TARGET_S = 5.0
VGG19_TARGET_MIB = 4096


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _child_build(name):
    """Runs in the fresh process: `BUILDS` builds of `name`."""
    import keras

    import dlrecipes

    baseline = _peak_rss_mib()
    times = []
    for _ in range(BUILDS):
        keras.backend.clear_session()
        start = time.perf_counter()
        model = dlrecipes.build_model(name)
        times.append(time.perf_counter() - start)
    trainable, _ = dlrecipes.count_params(model)
    return {
        "model": name,
        "build_s": times,
        "median_build_s": statistics.median(times),
        "trainable_params": trainable,
        "baseline_rss_mib": baseline,
        "peak_rss_mib": _peak_rss_mib(),
    }


def _child_build_summary_save(name):
    """Runs in the fresh process: one build, `summary()` and `.save()` of `name`."""
    import dlrecipes

    baseline = _peak_rss_mib()
    start = time.perf_counter()
    model = dlrecipes.build_model(name)
    model.summary(print_fn=lambda *args, **kwargs: None)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{name}.keras")
        model.save(path)
        size = os.path.getsize(path)
    return {
        "model": name,
        "build_summary_save_s": time.perf_counter() - start,
        "file_mib": size / 2**20,
        "baseline_rss_mib": baseline,
        "peak_rss_mib": _peak_rss_mib(),
    }


CHILDREN = {"build": _child_build, "build_summary_save": _child_build_summary_save}


def _in_fresh_process(task, name):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, __file__, "--child", task, name]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{task} of {name} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def imagenet_models(pattern="*"):
    """Registered models whose reference configuration is 224×224×3 with 1000 classes."""
    import dlrecipes

    return [
        name
        for name in dlrecipes.list_models(pattern)
        if dlrecipes.model_info(name).default_input_shape == (224, 224, 3)
        and dlrecipes.model_info(name).default_num_classes == 1000
    ]


def environment():
    import keras
    import tensorflow as tf

    return {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }


def markdown(env, builds, vgg19):
    slowest = max(builds, key=lambda row: row["median_build_s"])
    lines = [
        f"Measured {env['date']} on {env['cpus']} CPU cores, TensorFlow {env['tensorflow']}, "
        f"Keras {env['keras']} ({env['backend']} backend), Python {env['python']}; "
        "`python benchmarks/build_models.py`.",
        "",
        f"| model | trainable params | build, median of {BUILDS} (s) | peak RSS (MiB) |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['model']} | {r['trainable_params']:,} | {r['median_build_s']:.2f} | {r['peak_rss_mib']:,.0f} |"
        for r in builds
    ]
    baseline = statistics.median(r["baseline_rss_mib"] for r in builds)
    lines += [
        "",
        f"Peak RSS includes the process after importing TensorFlow and Keras ({baseline:,.0f} MiB).",
        f"Slowest build: {slowest['model']}, {slowest['median_build_s']:.2f} s "
        f"(target < {BUILD_TARGET_S:.0f} s: {'met' if slowest['median_build_s'] < BUILD_TARGET_S else 'NOT met'}).",
    ]
    if vgg19:
        met = "met" if vgg19["peak_rss_mib"] < VGG19_TARGET_MIB else "NOT met"
        lines.append(
            f"VGG-19 build + summary + save: {vgg19['build_summary_save_s']:.1f} s, "
            f"{vgg19['file_mib']:,.0f} MiB file, peak RSS {vgg19['peak_rss_mib']:,.0f} MiB "
            f"(target < {VGG19_TARGET_MIB:,} MiB: {met})."
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="*", help="fnmatch pattern over the ImageNet models")
    parser.add_argument("--json", metavar="PATH", help="also write the measurements as JSON")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        task, name = args.child
        print(json.dumps(CHILDREN[task](name)))
        return 0
    names = imagenet_models(args.models)
    if not names:
        parser.error(f"no registered ImageNet model matches --models {args.models!r}")
    builds = []
    for index, name in enumerate(names, 1):
        builds.append(_in_fresh_process("build", name))
        print(f"[{index}/{len(names)}] {name}: {builds[-1]['median_build_s']:.2f} s", file=sys.stderr)
    vgg19 = _in_fresh_process("build_summary_save", "vgg19") if "vgg19" in names else None
    env = environment()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": env, "builds": builds, "vgg19_build_summary_save": vgg19}, f, indent=2)
    print(markdown(env, builds, vgg19))
    return 0


if __name__ == "__main__":
    sys.exit(main())
