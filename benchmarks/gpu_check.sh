#!/usr/bin/env bash
# Issue 8's GPU measurements in one run, for a machine with one NVIDIA GPU where JAX and PyTorch
# (with torchvision) are installed but TensorFlow is not (the workplace's device machine).
#
#   bash benchmarks/gpu_check.sh prepare    # here: the wheels and Fashion-MNIST that travel
#   bash benchmarks/gpu_check.sh run OUT [SECTION ...]   # there: the sections below (all by
#                                           # default), their results under OUT
#   bash benchmarks/gpu_check.sh profile OUT [FLAG ...]  # there: where a warm GPU speed-recipe
#                                           # run's time goes (FLAGs of `dlrecipes train`)
#
# `prepare` downloads for Python 3.12 the wheels the GPU machine lacks (Keras and what it needs
# beyond that machine's packages), builds dlrecipes' own wheel from this checkout (its recipes/
# and tuning/ ship inside it) into .whl/, and copies Fashion-MNIST's four IDX files into
# .device-data/fashion-mnist/ (both git-ignored: carry them). `run` installs the wheels, then,
# outside the checkout (so that its dlrecipes/ folder does not shadow the installed package), on
# Keras' JAX backend, the GPU sections of benchmarks/run_benchmarks.py, those not yet measured
# first: the GPU speed recipe (a cold run, then three seeds on a warm compilation cache), its
# peers (Keras on PyTorch, plain PyTorch) with all its epochs and in the same training time, the
# measured GPU defaults, its one-change variants, and ResNet-50 (ours vs keras.applications vs
# torchvision under torch.compile). Each section's records are kept as it ends and land in
# OUT/sections.tgz (unpacked into benchmarks/results here, `--from-json benchmarks/results --write
# docs/BENCHMARKS.md` writes them into the docs), with the log. JAX allocates GPU memory as it
# needs it (XLA_PYTHON_CLIENT_PREALLOCATE=false): each measurement runs in its own process, and a
# parent that touched the GPU must not hold 75 % of it. `profile` trains the GPU speed recipe once
# to fill a compilation cache, then once more on it under Python's cProfile: OUT/profile.txt lists
# the functions by cumulative and by own time (OUT/warm_run.prof, the whole profile, reads with
# pstats), OUT/metrics.json is that run's (`fit`'s time split outside its epochs).
set -euo pipefail
cd "$(dirname "$0")/.."

WHEELS=(keras==3.15.1 keras-tuner==1.4.8 kt-legacy==1.0.5 namex==0.1.0 optree==0.20.0)
DATA=.device-data/fashion-mnist
SECTIONS=(gpu_fast_recipe gpu_fast_recipe_peers gpu_fast_recipe_same_time gpu_defaults gpu_fast_recipe_variants
          gpu_resnet50)

prepare() {
    rm -rf .whl && mkdir -p .whl "$DATA"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl "${WHEELS[@]}"
    python3 -m pip wheel --quiet --no-deps -w .whl .
    cp /usr/share/datasets/fashion-mnist/*-ubyte.gz "$DATA"/
    du -sh .whl "$DATA"
}

install() {  # the wheels into /tmp/site, the environment every measurement runs in, the GPU's name
    local out=$1 repo=$PWD
    mkdir -p "$out"
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site KERAS_BACKEND=jax PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false \
        DLRECIPES_DATA_DIR="$repo/$DATA"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
    { python3 -m pip show jax torch torchvision 2>/dev/null || true; } | grep -E '^(Name|Version)' | tee -a "$out/gpu.txt"
}

run() {
    local out=${1:?usage: gpu_check.sh run OUT [SECTION ...]} repo=$PWD
    shift
    local sections=("${@:-${SECTIONS[@]}}")
    install "$out"
    cd /tmp
    touch /tmp/gpu_check.start
    timeout "${GPU_CHECK_SECONDS:-540}" python3 "$repo/benchmarks/run_benchmarks.py" "${sections[@]}" \
        --json-dir "$repo/benchmarks/results" 2>&1 | tee "$out/log.txt" | grep -v '^|' || true
    # the records this run kept, named SECTION@DEVICE.json, travel back as one archive ('@' is not
    # a name that comes back); the checkout's copy of benchmarks/results lets gpu_fast_recipe_same_time
    # read the records gpu_fast_recipe_peers kept before it
    (cd "$repo/benchmarks/results" && find . -name '*.json' -newer /tmp/gpu_check.start | tar -czf "$out/sections.tgz" -T -)
}

profile() {
    local out=${1:?usage: gpu_check.sh profile OUT [FLAG ...]}
    shift
    install "$out"
    cd /tmp
    rm -rf /tmp/profile-fill /tmp/profile-runs
    export DLRECIPES_CACHE_DIR=/tmp/profile-cache
    python3 -m dlrecipes.cli train fashion_mnist_fast_gpu --out /tmp/profile-fill "$@" > "$out/fill_run.txt" 2>&1
    python3 -m cProfile -o "$out/warm_run.prof" -m dlrecipes.cli train fashion_mnist_fast_gpu \
        --out /tmp/profile-runs "$@" 2>&1 | tee "$out/warm_run.txt"
    cp /tmp/profile-runs/fashion_mnist_fast_gpu/*/metrics.json "$out/metrics.json"
    python3 - "$out/warm_run.prof" > "$out/profile.txt" <<'PYTHON'
import pstats, sys
stats = pstats.Stats(sys.argv[1])
stats.sort_stats("cumulative").print_stats("keras|dlrecipes", 100)  # where the run's time goes
stats.sort_stats("tottime").print_stats(50)  # what spends it: waits on the device, file writes, tracing
PYTHON
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    profile) shift; profile "$@" ;;
    *) echo "usage: $0 prepare | run OUT [SECTION ...] | profile OUT" >&2; exit 2 ;;
esac
