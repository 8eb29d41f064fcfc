"""Project rules that keep the model code backend-agnostic and Keras-3-only."""

import pathlib
import re

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "dlrecipes"
BACKEND_AGNOSTIC = ("models", "blocks", "layers", "heads.py", "registry.py", "validation.py")
TENSORFLOW_IMPORT = re.compile(r"^\s*(import tensorflow|from tensorflow|import tf_keras)", re.M)


def _sources(*paths):
    for path in paths:
        path = PACKAGE / path
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_model_code_imports_no_tensorflow():
    offenders = [str(p) for p in _sources(*BACKEND_AGNOSTIC) if TENSORFLOW_IMPORT.search(p.read_text())]
    assert offenders == []
    assert len(list(_sources(*BACKEND_AGNOSTIC))) >= 6  # the rule really looked at the code


def test_no_tf_keras_anywhere():
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if "tf.keras" in p.read_text()]
    assert offenders == []
