"""Semantic segmentation as a task of the one engine: per-pixel labels, pixel accuracy and mean
intersection over union (Long et al. 2015, "Fully convolutional networks for semantic
segmentation", §5: pixel accuracy Σ n_ii / Σ t_i and mean IU (1/n_cl) Σ n_ii / (t_i + Σ_j n_ji
− n_ii)), and a report with per-class IoU and a picture of predictions next to ground truth."""

import dataclasses

import numpy as np

from dlrecipes.data.datasets import DatasetSplits, unstandardize
from dlrecipes.tasks import Task


def confusion_matrix(labels, predictions, num_classes):
    """n[i, j] = number of pixels of class i predicted as j."""
    flat = np.asarray(labels, np.int64).ravel() * num_classes + np.asarray(predictions, np.int64).ravel()
    return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def per_class_iou(confusion):
    """n_ii / (t_i + Σ_j n_ji − n_ii) per class; NaN for a class absent from labels and predictions."""
    confusion = np.asarray(confusion, np.float64)
    union = confusion.sum(0) + confusion.sum(1) - np.diag(confusion)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(confusion) / union


class SegmentationTask(Task):
    """Per-pixel classification: "accuracy" (Keras resolves it to sparse categorical accuracy
    over every pixel when labels have one axis less than the outputs) and mean IoU; the report
    adds per-class IoU and `predictions.png`."""

    name = "segmentation"
    figure_examples = 6

    def metrics(self, data):
        from dlrecipes.training.task_metrics import mean_iou_metric

        return ["accuracy", mean_iou_metric(data.num_classes)]

    def report(self, recipe, data, model, run_dir):
        confusion = np.zeros((data.num_classes, data.num_classes), np.int64)
        shown = None
        for x, y in data.as_dataset("test", recipe.batch_size):
            predicted = np.argmax(np.asarray(model.predict_on_batch(x)), axis=-1)
            confusion += confusion_matrix(np.asarray(y), predicted, data.num_classes)
            if shown is None:  # the first test examples, pictured from the batch (data may be streamed)
                count = self.figure_examples
                shown = unstandardize(x[:count], data.mean, data.std), np.asarray(y[:count]), predicted[:count]
        iou = per_class_iou(confusion)
        plot_predictions(*shown, data.class_names, run_dir / "predictions.png")
        return {
            "test_pixel_accuracy": float(np.trace(confusion) / confusion.sum()),
            "test_iou_per_class": {
                name: (None if np.isnan(value) else float(value))
                for name, value in zip(data.class_names, iou, strict=True)
            },
        }


SEGMENTATION = SegmentationTask()


@dataclasses.dataclass(frozen=True, eq=False)
class SegmentationSplits(DatasetSplits):
    """`DatasetSplits` whose y arrays are uint8 label maps (N, H, W) and whose task is
    segmentation; `as_dataset` hands out (float32 x, int32 y) batches as for classification."""

    task: Task = dataclasses.field(default=SEGMENTATION, repr=False)


def plot_predictions(images, masks, predictions, class_names, path):
    """A PNG with one row per example: image, ground truth, prediction (same colours)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colors, patches, pyplot

    k = len(class_names)
    palette = colors.ListedColormap(["black", *pyplot.get_cmap("tab10").colors][:k]) if k <= 11 else pyplot.get_cmap("tab20", k)
    figure, axes = pyplot.subplots(len(images), 3, figsize=(6, 2 * len(images) + 1), squeeze=False)
    for row, (image, mask, predicted) in enumerate(zip(images, masks, predictions, strict=True)):
        axes[row, 0].imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray")
        for axis, labels in zip(axes[row, 1:], (mask, predicted)):
            axis.imshow(labels, cmap=palette, vmin=0, vmax=k - 1, interpolation="nearest")
        for axis, title in zip(axes[row], ("image", "ground truth", "prediction")):
            axis.set_axis_off()
            axis.set_title(title if row == 0 else "")
    handles = [patches.Patch(color=palette(i), label=name) for i, name in enumerate(class_names)]
    figure.legend(handles=handles, loc="lower center", ncol=4, fontsize=7)
    figure.tight_layout(rect=(0, 1 / (2 * len(images) + 1), 1, 1))
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
