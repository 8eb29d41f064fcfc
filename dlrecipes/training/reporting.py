"""What a run leaves behind besides the model: history, metrics.json and curves.png."""

import csv
import json


def read_history(path):
    """history.csv as {column: [values]}, one value per epoch; when a resumed run logged an
    epoch twice, the last record of that epoch wins."""
    with open(path, newline="") as handle:
        rows = {int(row["epoch"]): row for row in csv.DictReader(handle)}
    epochs = sorted(rows)
    columns = list(rows[epochs[0]]) if epochs else []
    # Keras' CSVLogger adds val_* columns filled with "NA" when a run has no validation split
    columns = [c for c in columns if any(rows[e][c] != "NA" for e in epochs)]
    return {c: [float(rows[e][c]) for e in epochs] for c in columns}


def best_epoch(history, monitor):
    """1-based epoch with the best value of `monitor` (max for accuracies, min otherwise)."""
    values = history[monitor]
    pick = max if monitor.endswith("accuracy") else min
    return values.index(pick(values)) + 1


def write_json(path, data):
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def plot_curves(history, path, title):
    """Loss and accuracy per epoch, train vs validation, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    epochs = [int(e) + 1 for e in history["epoch"]]
    figure, axes = pyplot.subplots(1, 2, figsize=(10, 4))
    for axis, metric in zip(axes, ("loss", "accuracy")):
        for prefix, label in (("", "train"), ("val_", "validation")):
            if prefix + metric in history:
                axis.plot(epochs, history[prefix + metric], marker="o", label=label)
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def plot_schedule(values, steps_per_epoch, path, title):
    """Learning rate per optimizer step (x axis in epochs) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(6, 4))
    axis.plot([step / steps_per_epoch for step in range(len(values))], values)
    axis.set(title=title, xlabel="epoch", ylabel="learning rate")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
