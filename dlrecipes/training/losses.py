"""Losses by name, for integer labels y and class scores s. Models output logits unless built
with a classifier activation.

    crossentropy               −log softmax(s)_y (optionally label-smoothed)
    multiclass_hinge           Σ_{j≠y} max(0, s_j − s_y + Δ)      (Weston & Watkins 1999)
    multiclass_squared_hinge   Σ_{j≠y} max(0, s_j − s_y + Δ)²
    mse                        mean_j (s_j − onehot(y)_j)²
    mae                        mean_j |s_j − onehot(y)_j|           (L1)
"""

import keras

from dlrecipes.validation import check_choice

ops = keras.ops


def _one_hot(y_true, y_pred):
    labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
    return ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype)


@keras.saving.register_keras_serializable(package="dlrecipes")
class MulticlassHinge(keras.losses.Loss):
    """Multiclass SVM hinge loss of Weston & Watkins 1999 on class scores s and integer labels y:
    Σ_{j≠y} max(0, s_j − s_y + margin), averaged over the batch; `squared` squares each term."""

    def __init__(self, margin=1.0, squared=False, name="multiclass_hinge", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)
        self.squared = bool(squared)

    def call(self, y_true, y_pred):
        correct = _one_hot(y_true, y_pred)
        correct_score = ops.sum(y_pred * correct, axis=-1, keepdims=True)
        margins = ops.relu(y_pred - correct_score + self.margin) * (1.0 - correct)
        return ops.sum(ops.square(margins) if self.squared else margins, axis=-1)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin, "squared": self.squared}


@keras.saving.register_keras_serializable(package="dlrecipes")
class OneHotRegression(keras.losses.Loss):
    """Mean squared ("mse") or absolute ("mae") error between the scores and one-hot labels."""

    def __init__(self, kind="mse", name=None, **kwargs):
        super().__init__(name=name or kind, **kwargs)
        self.kind = check_choice("kind", kind, ("mse", "mae"))

    def call(self, y_true, y_pred):
        error = y_pred - _one_hot(y_true, y_pred)
        return ops.mean(ops.square(error) if self.kind == "mse" else ops.abs(error), axis=-1)

    def get_config(self):
        return {**super().get_config(), "kind": self.kind}


@keras.saving.register_keras_serializable(package="dlrecipes")
class SmoothedCrossentropy(keras.losses.Loss):
    """Cross-entropy on integer labels against (1 − ε)·onehot(y) + ε/C (Szegedy et al. 2016,
    "Rethinking the Inception architecture", §7)."""

    def __init__(self, label_smoothing=0.1, from_logits=True, name="smoothed_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing, self.from_logits = float(label_smoothing), bool(from_logits)

    def call(self, y_true, y_pred):
        return keras.losses.categorical_crossentropy(
            _one_hot(y_true, y_pred), y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing, "from_logits": self.from_logits}


LOSSES = ("crossentropy", "multiclass_hinge", "multiclass_squared_hinge", "mse", "mae")


def build_loss(name, *, from_logits=True, label_smoothing=0.0):
    """The loss called `name` for integer labels (`from_logits`, `label_smoothing` for
    cross-entropy)."""
    check_choice("loss", name, LOSSES)
    if name == "multiclass_hinge":
        return MulticlassHinge()
    if name == "multiclass_squared_hinge":
        return MulticlassHinge(squared=True, name=name)
    if name in ("mse", "mae"):
        return OneHotRegression(name)
    if label_smoothing:
        return SmoothedCrossentropy(label_smoothing, from_logits=from_logits)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
