"""What a task adds to the one engine: its metrics, extra builder arguments, callbacks and the
report written after the test evaluation. A dataset's splits name their task (`data.task`);
classification, the default, adds nothing but accuracy. Segmentation, language modelling and
captioning subclass `Task` next to their datasets."""


class Task:
    """Image classification: accuracy, no extra arguments, callbacks or report."""

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
        return {}


CLASSIFICATION = Task()


def task_of(data):
    """The task of loaded splits: `data.task`, classification when they name none."""
    return getattr(data, "task", CLASSIFICATION)
