#!/usr/bin/env bash
# Issue 8's GPU measurements in one run, for a machine with one NVIDIA GPU where JAX and PyTorch
# (with torchvision) are installed but TensorFlow is not (the workplace's device machine).
#
#   bash benchmarks/gpu_check.sh prepare    # here: the wheels and Fashion-MNIST that travel
#   bash benchmarks/gpu_check.sh run OUT    # there: everything below, its results under OUT
#
# `prepare` downloads for Python 3.12 the wheels the GPU machine lacks (Keras and what it needs
# beyond that machine's packages) into .whl/ and copies Fashion-MNIST's four IDX files into
# .device-data/fashion-mnist/ (both git-ignored: carry them). `run` then, on Keras' JAX backend:
# 1. `run_benchmarks.py gpu_resnet50`: ResNet-50 at 224×224, batch 256, bfloat16 — our builder
#    vs keras.applications on JAX vs torchvision under torch.compile, with MFU; the section's
#    records land in OUT (`--from-json OUT` writes them into docs/BENCHMARKS.md here);
# 2. the speed recipe `fashion_mnist_fast` trained once on the GPU (NumPy batches: no tf.data);
#    its metrics.json lands in OUT as fast_recipe_metrics.json.
set -euo pipefail
cd "$(dirname "$0")/.."

WHEELS=(keras==3.15.1 keras-tuner==1.4.8 kt-legacy==1.0.5 namex==0.1.0 optree==0.20.0)
DATA=.device-data/fashion-mnist

prepare() {
    rm -rf .whl && mkdir -p .whl "$DATA"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d .whl "${WHEELS[@]}"
    cp /usr/share/datasets/fashion-mnist/*-ubyte.gz "$DATA"/
    du -sh .whl "$DATA"
}

run() {
    local out=${1:?usage: gpu_check.sh run OUT}
    mkdir -p "$out"
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl
    export PYTHONPATH="/tmp/site:$PWD" KERAS_BACKEND=jax PYTHONUNBUFFERED=1 DLRECIPES_DATA_DIR="$PWD/$DATA"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
    python3 -m pip show jax torch torchvision 2>/dev/null | grep -E '^(Name|Version)' | tee -a "$out/gpu.txt"

    timeout 420 python3 benchmarks/run_benchmarks.py gpu_resnet50 --json-dir "$out" 2>&1 | tail -n 30 || true

    timeout 150 python3 -c "from dlrecipes.cli import cli; cli()" train fashion_mnist_fast \
        --out /tmp/runs 2>&1 | tail -n 5 || true
    cp /tmp/runs/fashion_mnist_fast/*/metrics.json "$out/fast_recipe_metrics.json" 2>/dev/null || true
}

case "${1:-}" in
    prepare) prepare ;;
    run) run "${2:-}" ;;
    *) echo "usage: $0 prepare | run OUT" >&2; exit 2 ;;
esac
