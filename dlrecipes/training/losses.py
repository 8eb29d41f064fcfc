"""Losses by name. Models output logits unless built with a classifier activation."""

import keras

from dlrecipes.validation import check_choice


@keras.saving.register_keras_serializable(package="dlrecipes")
class MulticlassHinge(keras.losses.Loss):
    """Multiclass SVM hinge loss of Weston & Watkins 1999 on class scores s and integer labels y:
    Σ_{j≠y} max(0, s_j − s_y + margin), averaged over the batch."""

    def __init__(self, margin=1.0, name="multiclass_hinge", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)

    def call(self, y_true, y_pred):
        ops = keras.ops
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        wrong = 1.0 - ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype)
        correct_score = ops.sum(y_pred * (1.0 - wrong), axis=-1, keepdims=True)
        return ops.sum(ops.relu(y_pred - correct_score + self.margin) * wrong, axis=-1)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


LOSSES = ("crossentropy", "multiclass_hinge")


def build_loss(name, *, from_logits=True):
    """The loss called `name` for integer labels (`from_logits` for cross-entropy)."""
    check_choice("loss", name, LOSSES)
    if name == "multiclass_hinge":
        return MulticlassHinge()
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
