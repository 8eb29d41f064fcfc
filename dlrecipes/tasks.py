"""What a task adds to the one engine: its metrics, extra builder arguments, callbacks and the
report written after the test evaluation. A dataset's splits name their task (`data.task`);
classification, the default, adds nothing but accuracy. Segmentation, language modelling and
captioning subclass `Task` next to their datasets."""

import numpy as np

from dlrecipes.errors import ConfigError


class Task:
    """Image classification: accuracy, no extra arguments or callbacks; the report has the
    flip test-time-augmentation accuracy when the recipe asks for it (`augmentation.test_flip`)."""

    name = "classification"

    def metrics(self, data):
        """Keras metrics compiled with the model; "accuracy" first (the engine reports it)."""
        return ["accuracy"]

    def builder_kwargs(self, recipe, data):
        """Arguments `build_model` needs from the data besides input_shape and num_classes."""
        return {}

    def callbacks(self, recipe, data, run_dir):
        """Callbacks the task needs during `fit` (e.g. resetting recurrent state)."""
        return []

    def report(self, recipe, data, model, run_dir):
        """Extra test metrics (a dict merged into metrics.json) and files written to run_dir."""
        if not recipe.augmentation.test_flip:
            return {}
        from dlrecipes.training.ensembles import ensemble_probabilities

        x, y = data.normalized("test")
        predictions = np.argmax(ensemble_probabilities([model], x, flip=True), axis=-1)
        return {"test_accuracy_flip_tta": float(np.mean(predictions == y))}

    def check(self, recipe):
        """ConfigError when `recipe` asks for what this task cannot do (before any training)."""
        if recipe.augmentation.test_flip and self is not CLASSIFICATION:
            raise ConfigError(
                "augmentation.test_flip is for classification only. "
                f"Received: test_flip=True for a {self.name} dataset ({recipe.dataset!r})"
            )


CLASSIFICATION = Task()


def task_of(data):
    """The task of loaded splits: `data.task`, classification when they name none."""
    return getattr(data, "task", CLASSIFICATION)
