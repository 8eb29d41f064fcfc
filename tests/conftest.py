"""Shared fixtures. Tests run on the TensorFlow backend unless KERAS_BACKEND says otherwise."""

import os
import pathlib
import subprocess
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FASHION_MNIST_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parents[1]
# XLA's CPU compiler otherwise spends ~1 s per small function in its LLVM passes.
FAST_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def jax_env():
    """Environment for a JAX subprocess on the CPU with fast (unoptimised) XLA compilation."""
    flags = f"{os.environ.get('XLA_FLAGS', '')} {FAST_XLA_FLAGS}".strip()
    return {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "XLA_FLAGS": flags}


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    """The Debian package's Fashion-MNIST (installed by `make test` as root)."""
    if not (FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
    return FASHION_MNIST_DIR


def run_python(code, *, env=None, timeout=600, cwd=None):
    """Run `code` in a fresh Python process; return the CompletedProcess (output captured)."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        cwd=cwd or ROOT,
    )
