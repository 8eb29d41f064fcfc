"""Model ensembles and test-time augmentation (CS231n, "Model ensembles"): average the class
probabilities of several trained models — models from run folders, or snapshots taken at the
end of each cycle of a cosine-restart schedule (Huang et al. 2017, "Snapshot ensembles") — and
of flipped / shifted copies of each test image."""

import pathlib

import keras
import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_int

SNAPSHOTS = "snapshots"


def load_models(run_dirs):
    """The `model.keras` of each run folder (or .keras files given directly)."""
    models = []
    for path in map(pathlib.Path, run_dirs):
        file = path / "model.keras" if path.is_dir() else path
        if not file.is_file() or file.suffix != ".keras":
            raise ConfigError(
                f"run_dirs must be run folders holding model.keras, or .keras files. Received: {str(path)!r}"
            )
        models.append(keras.saving.load_model(file))
    return models


def probabilities(model, x, batch_size=256):
    """Softmax class probabilities of `model` on `x` (its outputs are logits unless the last
    layer already applies softmax)."""
    outputs = model.predict(x, batch_size=batch_size, verbose=0)
    last = model.layers[-1]
    if getattr(last, "activation", None) is keras.activations.softmax:
        return outputs
    return keras.ops.convert_to_numpy(keras.ops.softmax(outputs, axis=-1))


def check_tta(shifts, crop):
    """ConfigError unless `shifts` >= 0 pixels and `crop` is None or >= 1 pixel."""
    check_int("shifts", shifts, minimum=0)
    if crop is not None:
        check_int("crop", crop, minimum=1)


def tta_views(x, *, flip=True, shifts=0, crop=None):
    """Test-time views of images `x` (N, H, W, C): the images, their horizontal mirror images
    (`flip`), and with `shifts` = p > 0 the four diagonal p-pixel shifts (zero-padded crops).
    With `crop` = c the views are instead the multi-crop test of AlexNet and VGG: the four
    corner and the centre c×c patches (and their mirror images with `flip`: "10-crop"), for a
    model that takes c×c inputs."""
    check_tta(shifts, crop)
    if crop is not None:
        height, width = x.shape[1:3]
        if not 0 < crop <= min(height, width):
            raise ConfigError(f"crop must be in [1, {min(height, width)}]. Received: crop={crop!r}")
        corners = [(0, 0), (0, width - crop), (height - crop, 0), (height - crop, width - crop)]
        corners.append(((height - crop) // 2, (width - crop) // 2))
        views = [x[:, i : i + crop, j : j + crop] for i, j in corners]
        return views + [v[:, :, ::-1] for v in views] * flip
    views = [x]
    if flip:
        views.append(x[:, :, ::-1])
    if shifts:
        p = shifts
        padded = np.pad(x, [(0, 0), (p, p), (p, p), (0, 0)])
        height, width = x.shape[1:3]
        views += [padded[:, i : i + height, j : j + width] for i in (0, 2 * p) for j in (0, 2 * p)]
    return views


def ensemble_probabilities(models, x, *, flip=False, shifts=0, crop=None):
    """Mean class probabilities over `models` and the TTA views of `x`."""
    views = tta_views(x, flip=flip, shifts=shifts, crop=crop)
    return np.mean([probabilities(m, v) for m in models for v in views], axis=0)


def compare(models, x, y, *, flip=False, shifts=0, crop=None):
    """Test accuracy of each member, of the ensemble, and of the ensemble with TTA."""
    members = [probabilities(m, x) for m in models]
    accuracy = lambda p: float(np.mean(np.argmax(p, axis=-1) == y))  # noqa: E731
    return {
        "members": [accuracy(p) for p in members],
        "ensemble": accuracy(np.mean(members, axis=0)),
        "ensemble_tta": accuracy(ensemble_probabilities(models, x, flip=flip, shifts=shifts, crop=crop)),
    }


def evaluate_runs(run_dirs, *, data_dir=None, flip=False, shifts=0, crop=None):
    """`compare` on the test split of the models of finished runs (folders, or .keras files
    inside a run folder such as its snapshots), which must share dataset, classes and split
    seed (read from their recipe.json files)."""
    import json

    from dlrecipes.training.engine import load_data
    from dlrecipes.training.recipe import Recipe

    check_tta(shifts, crop)
    paths = [pathlib.Path(p) for p in run_dirs]
    if not paths:
        raise ConfigError("run_dirs must name at least one run folder. Received: run_dirs=[]")
    recipes = []
    for path in paths:
        folder = path if path.is_dir() else next((p for p in path.parents if (p / "recipe.json").is_file()), path)
        if not (folder / "recipe.json").is_file():
            raise ConfigError(f"run_dirs must be run folders holding recipe.json. Received: {str(path)!r}")
        recipes.append(Recipe.from_dict(json.loads((folder / "recipe.json").read_text())))
    data_of = lambda r: (r.dataset, r.classes, r.validation, r.seed)  # noqa: E731
    if len({data_of(r) for r in recipes}) > 1:
        raise ConfigError(
            "run_dirs must be runs on the same data (dataset, classes, validation, seed). "
            f"Received: {sorted({str(data_of(r)) for r in recipes})}"
        )
    x, y = load_data(recipes[0], data_dir).normalized("test")
    return compare(load_models(paths), x, y, flip=flip, shifts=shifts, crop=crop)


def restart_epochs(first_epochs, t_mul, epochs):
    """The epochs (1-based) at which the cycles of a cosine-restart schedule end: first_epochs,
    first_epochs·(1 + t_mul), ... up to `epochs`, when they fall on whole epochs."""
    ends, end, length = [], 0.0, float(first_epochs)
    while end + length <= epochs + 1e-9:
        end += length
        length *= t_mul
        if abs(end - round(end)) < 1e-6:
            ends.append(int(round(end)))
    return ends


class SnapshotSaver(keras.callbacks.Callback):
    """Saves the model as `<folder>/epoch<N>.keras` at the end of each epoch N in `epochs`."""

    def __init__(self, folder, epochs):
        super().__init__()
        self.folder, self.epochs = pathlib.Path(folder), set(epochs)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.model.save(self.folder / f"epoch{epoch + 1:04d}.keras")


def snapshot_callbacks(recipe, run_dir):
    """A SnapshotSaver for recipes with a cosine-restart schedule (the ends of its cycles)."""
    if recipe.schedule.name != "cosine_restarts" or recipe.schedule.warmup_epochs:
        return []
    options = recipe.schedule.options
    return [SnapshotSaver(pathlib.Path(run_dir) / SNAPSHOTS, restart_epochs(options["first_epochs"], options["t_mul"], recipe.epochs))]


def snapshot_files(run_dir):
    """The snapshot model files of a run, in epoch order."""
    return sorted((pathlib.Path(run_dir) / SNAPSHOTS).glob("epoch*.keras"))
