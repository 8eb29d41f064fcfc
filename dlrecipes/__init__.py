"""dlrecipes: the classic deep-learning architectures as Keras 3 Functional-API builders, with
the training recipes that made them work."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow loads: no C++ info logs
# TensorFlow's oneDNN CPU kernels, which it turns on by itself only where the CPU has
# AVX512-VNNI, AVX512-BF16 or AMX: on an AVX2-only CPU they trained our networks faster
# (docs/BENCHMARKS.md, section "TensorFlow's oneDNN CPU kernels off vs on"). Read when
# TensorFlow loads: import dlrecipes first, or set TF_ENABLE_ONEDNN_OPTS=0 to keep Eigen's kernels.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
# Keras builds and loads functional graphs recursively, one Python frame per layer of the
# longest path: ResNet-1202 (~4,200 layers deep) needs more than Python's default 1,000.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

try:
    import keras  # noqa: F401  (its backend is chosen as it is first imported)
except ModuleNotFoundError as missing:
    if missing.name != "tensorflow":
        raise
    raise ImportError(
        "Keras' backend is TensorFlow (its default where neither KERAS_BACKEND nor "
        "~/.keras/keras.json names another), which is not installed: install it, or choose an "
        "installed backend, e.g. KERAS_BACKEND=jax or KERAS_BACKEND=torch."
    ) from missing

from dlrecipes.errors import ConfigError, DataUnavailableError
from dlrecipes.flops import flops
from dlrecipes import layers  # noqa: F401  (registers the custom layers for load_model)
from dlrecipes.registry import ModelInfo, Paper, build_model, count_params, list_models, model_info
from dlrecipes.training import (
    AugmentationSpec,
    EarlyStoppingSpec,
    ModelSpec,
    OptimizerSpec,
    Recipe,
    RegularizationSpec,
    ScheduleSpec,
    TransferSpec,
    get_recipe,
    list_recipes,
    train,
)

__version__ = "0.1.0"
__all__ = [
    "AugmentationSpec",
    "ConfigError",
    "DataUnavailableError",
    "EarlyStoppingSpec",
    "ModelInfo",
    "ModelSpec",
    "OptimizerSpec",
    "Paper",
    "Recipe",
    "RegularizationSpec",
    "ScheduleSpec",
    "TransferSpec",
    "build_model",
    "count_params",
    "flops",
    "get_recipe",
    "list_models",
    "list_recipes",
    "model_info",
    "train",
]
