"""Shared fixtures. Tests run on the TensorFlow backend unless KERAS_BACKEND says otherwise."""

import os
import pathlib
import socket
import subprocess
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dlrecipes  # noqa: E402,F401  (before any test module imports Keras: the package's TensorFlow settings apply)

FASHION_MNIST_DIR = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parents[1]
# XLA's CPU compiler otherwise spends ~1 s per small function in its LLVM passes.
FAST_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def jax_env():
    """Environment for a JAX subprocess on the CPU with fast (unoptimised) XLA compilation."""
    flags = f"{os.environ.get('XLA_FLAGS', '')} {FAST_XLA_FLAGS}".strip()
    return {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "XLA_FLAGS": flags}


@pytest.fixture(autouse=True)
def same_random_state():
    """Every test starts from seed 0 (Python, NumPy, the backend, Keras' generators), whatever
    ran before it in its worker: an unseeded one-step NiN test once drew an initialisation whose
    ReLU'd class maps were all dead (2026-12-07)."""
    import keras

    keras.utils.set_random_seed(0)


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    """The Debian package's Fashion-MNIST (installed by `make test` as root)."""
    if not (FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
    return FASHION_MNIST_DIR


@pytest.fixture(scope="session")
def closed_port():
    """A local TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def offline_data(monkeypatch, tmp_path_factory, closed_port):
    """No data is read from the user's data dirs or tfds data dir, and tfds' hosts are closed."""
    from dlrecipes.data import datasets, list_datasets, tfds_source

    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(datasets, "SYSTEM_DIRS", {})
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path_factory.mktemp("tfds")))
    monkeypatch.setattr(
        tfds_source, "TFDS_HOSTS", dict.fromkeys(list_datasets(), ("127.0.0.1", closed_port))
    )


def benchmark_script():
    """benchmarks/run_benchmarks.py as a module (benchmarks/ holds scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_benchmarks", ROOT / "benchmarks" / "run_benchmarks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
