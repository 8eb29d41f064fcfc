"""Keras metrics and callbacks of the tasks beyond classification (`dlrecipes.tasks`), kept out
of `dlrecipes.data` so that the data layer imports neither Keras nor TensorFlow: mean IoU for
segmentation (Long et al. 2015, §5), bits per character and perplexity for character language
models (Karpathy et al. 2015) and the reset of a stateful RNN's state between epochs."""

import math

import keras


def mean_iou_metric(num_classes):
    """Keras' MeanIoU over integer labels (B, H, W) and logits or probabilities (B, H, W, k),
    named "mean_iou". Classes absent from both labels and predictions are left out of the mean
    (their IoU is 0/0), as in Keras and in Long et al.'s evaluation code."""
    return keras.metrics.MeanIoU(num_classes, name="mean_iou", sparse_y_true=True, sparse_y_pred=False)


def reset_states(model):
    """Zero the state of every stateful recurrent layer of `model` (nested models included)."""
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()
        elif hasattr(layer, "layers"):
            reset_states(layer)


class ResetStates(keras.callbacks.Callback):
    """Zero the recurrent state at each epoch start, before each evaluation (validation) and
    at the end of training, so that test evaluation starts from zero state too."""

    def _reset(self, *args, **kwargs):
        reset_states(self.model)

    on_epoch_begin = on_test_begin = on_train_end = _reset


class _MeanCrossEntropy(keras.metrics.Mean):
    """The mean next-token cross-entropy (nats) of logits over every position."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        losses = keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
        return super().update_state(losses, sample_weight)


@keras.saving.register_keras_serializable(package="dlrecipes")
class BitsPerCharacter(_MeanCrossEntropy):
    """Mean cross-entropy in bits: CE / ln 2."""

    def __init__(self, name="bits_per_character", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return super().result() / math.log(2.0)


@keras.saving.register_keras_serializable(package="dlrecipes")
class Perplexity(_MeanCrossEntropy):
    """Per-character perplexity: exp(mean cross-entropy in nats) = 2^(bits per character)."""

    def __init__(self, name="perplexity", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def result(self):
        return keras.ops.exp(super().result())
