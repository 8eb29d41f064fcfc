"""Babysitting the learning process (CS231n, "Training neural networks"): the checks to run
before a long training run, each a function returning plain numbers, and `diagnose()`, which
runs them for a recipe and writes report.md, report.json and plots into a run folder.

1. initial loss ≈ ln C for softmax (C − 1 for the hinge loss), rising with regularization;
2. overfitting ~20 examples to ~100% training accuracy without regularization;
3. LR range test (Smith 2017, "Cyclical learning rates"): loss over exponentially growing LRs;
4. activation / gradient statistics per layer at initialization (Glorot & Bengio 2010);
5. time per epoch; 6. the first layer whose output holds NaN or Inf.
Every model comes from the engine's `compiled_model`; fits are on tiny data.
"""

import dataclasses
import datetime
import math
import pathlib
import time

import keras
import numpy as np

from dlrecipes.errors import ConfigError
from dlrecipes.tasks import CLASSIFICATION, task_of
from dlrecipes.training import reporting
from dlrecipes.training.engine import compiled_model, load_data, resolve_recipe
from dlrecipes.training.recipe import AugmentationSpec, ScheduleSpec
from dlrecipes.validation import make_folder

_NO_AUGMENTATION = dataclasses.asdict(AugmentationSpec())


def _model(recipe, data, **overrides):
    keras.utils.set_random_seed(recipe.seed)
    return compiled_model(recipe.override(overrides), data)[0]


def expected_initial_loss(loss, num_classes):
    """The loss of a model whose scores are all ~0: ln C for cross-entropy (uniform softmax),
    (C − 1)·Δ for the multiclass hinge with margin Δ = 1; None where there is no such value."""
    return {"crossentropy": math.log(num_classes), "multiclass_hinge": num_classes - 1.0}.get(loss)


def initial_loss(recipe, data, *, examples=512, weight_decays=(0.0, 1e-3, 1e-2)):
    """Loss at initialization on `examples` training examples (same seed, hence same weights)
    for each Keras L2 coefficient in `weight_decays`: the data loss should be near
    `expected_initial_loss` and the total loss should rise with the regularization."""
    x, y = data.normalized("train")
    x, y = x[:examples], y[:examples]
    losses = [
        float(_model(recipe, data, **{"regularization.weight_decay": c}).evaluate(x, y, verbose=0, return_dict=True)["loss"])
        for c in weight_decays
    ]
    return {
        "expected": expected_initial_loss(recipe.loss, data.num_classes),
        "measured": losses[0],
        "weight_decays": list(weight_decays),
        "losses": losses,
        "rises_with_regularization": all(b > a for a, b in zip(losses, losses[1:])),
    }


def overfit_tiny(recipe, data, *, examples=20, epochs=150, learning_rate=None):
    """Train on the first `examples` training examples (no regularization, augmentation, decay
    or dropout) and return the training accuracy per epoch: it should reach ~1.0."""
    changes = {
        "regularization.weight_decay": 0.0,
        "regularization.l1": 0.0,
        "regularization.label_smoothing": 0.0,
        "augmentation": _NO_AUGMENTATION,
        "schedule": dataclasses.asdict(ScheduleSpec()),
        "optimizer.learning_rate": learning_rate,
    }
    if recipe.model.dropout_rate is not None:
        changes["model.dropout_rate"] = 0.0
    tiny = data.limit(train=examples)
    model = _model(recipe, tiny, **changes)
    x, y = tiny.normalized("train")
    history = model.fit(x, y, batch_size=examples, epochs=epochs, verbose=0, shuffle=False).history
    return {"examples": len(y), "accuracy": history["accuracy"], "final_accuracy": history["accuracy"][-1],
            "final_loss": history["loss"][-1]}


class _BatchLosses(keras.callbacks.Callback):
    """Per-batch losses recovered from Keras' running mean M_t: L_t = t·M_t − (t − 1)·M_{t−1};
    stops when the loss exceeds `divergence` × its best value."""

    def __init__(self, divergence):
        super().__init__()
        self.divergence, self.losses, self._mean = divergence, [], 0.0

    def on_train_batch_end(self, batch, logs=None):
        mean = float(logs["loss"])
        loss = (batch + 1) * mean - batch * self._mean
        self._mean = mean
        self.losses.append(loss)
        if not math.isfinite(loss) or loss > self.divergence * min(self.losses):
            self.model.stop_training = True


def lr_range_test(recipe, data, *, min_lr=1e-6, max_lr=1.0, steps=100, batch_size=None, divergence=4.0):
    """Smith's LR range test: one pass of `steps` batches with the learning rate growing
    exponentially from `min_lr` to `max_lr` (α_t = min·(max/min)^(t/steps)), the loss of every
    batch, and a suggested learning rate: a tenth of the one with the lowest smoothed loss."""
    batch_size = batch_size or recipe.batch_size
    part = data.limit(train=min(len(data.y_train), steps * batch_size))
    steps = part.steps_per_epoch(batch_size)
    model = _model(
        recipe.override({"batch_size": batch_size}),
        part,
        **{
            "optimizer.learning_rate": min_lr,
            "schedule": {"name": "exponential", "options": {"decay_epochs": 1.0, "decay_rate": max_lr / min_lr}},
            "augmentation": _NO_AUGMENTATION,
        },
    )
    recorder = _BatchLosses(divergence)
    x, y = part.normalized("train")
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False, callbacks=[recorder])
    losses = recorder.losses
    rates = [min_lr * (max_lr / min_lr) ** (t / steps) for t in range(len(losses))]
    smooth, value = [], losses[0]
    for loss in losses:  # exponential moving average, as in fastai's lr_find
        value = 0.8 * value + 0.2 * loss if math.isfinite(loss) else value
        smooth.append(value)
    best = int(np.argmin(smooth))
    return {"learning_rates": rates, "losses": losses, "smoothed": smooth,
            "min_loss_lr": rates[best], "suggested_lr": rates[best] / 10}


def _gradients(model, x, y, loss):
    """Gradients of `loss` w.r.t. the model's trainable variables (TensorFlow, JAX or PyTorch)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = loss(y, model(x, training=True))
        return [g.numpy() for g in tape.gradient(value, model.trainable_variables)]
    if backend == "jax":
        import jax

        def compute(values):
            outputs, _ = model.stateless_call(values, [v.value for v in model.non_trainable_variables], x)
            return loss(y, outputs)

        return [np.asarray(g) for g in jax.grad(compute)([v.value for v in model.trainable_variables])]
    if backend == "torch":
        import torch

        value = loss(y, model(x, training=True))
        gradients = torch.autograd.grad(value, [v.value for v in model.trainable_variables])
        return [g.detach().cpu().numpy() for g in gradients]
    raise NotImplementedError(f"gradient statistics need the tensorflow, jax or torch backend, not {backend}")


def layer_statistics(*, depth=10, width=500, activation="tanh", initializer="small_normal", examples=1000, seed=0):
    """The course's experiment: a `depth`-layer MLP of `width` units fed N(0, 1) inputs; mean
    and std of each hidden layer's activations and std of its kernel's gradient at init.
    0.01·N(0, 1) makes both vanish with depth; Glorot (tanh) and He (ReLU) keep them."""
    from dlrecipes.registry import build_model

    keras.utils.set_random_seed(seed)
    model = build_model("mlp", input_shape=(width,), num_classes=10, hidden_units=(width,) * depth,
                        activation=activation, kernel_initializer=initializer)
    names = [f"fc{i}" for i in range(1, depth + 1)]
    probe = keras.Model(model.input, [model.get_layer(f"{n}_act").output for n in names])
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(examples, width)).astype("float32")
    y = rng.integers(0, 10, size=examples)
    activations = [keras.ops.convert_to_numpy(a) for a in probe(x)]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    grads = dict(zip([v.path for v in model.trainable_variables], _gradients(model, x, y, loss)))
    return {
        "activation": activation,
        "initializer": initializer,
        "layers": names,
        "activation_mean": [float(a.mean()) for a in activations],
        "activation_std": [float(a.std()) for a in activations],
        "gradient_std": [float(grads[model.get_layer(f"{n}_dense").kernel.path].std()) for n in names],
    }


def time_per_epoch(recipe, data, *, batches=5):
    """Seconds per epoch estimated from `batches` training batches after one warm-up batch."""
    part = data.limit(train=min(len(data.y_train), (batches + 1) * recipe.batch_size))
    model = _model(recipe, part)
    x, y = part.normalized("train")
    model.train_on_batch(x[: recipe.batch_size], y[: recipe.batch_size])  # compile the step
    start = time.perf_counter()
    for i in range(1, batches + 1):
        model.train_on_batch(x[i * recipe.batch_size : (i + 1) * recipe.batch_size], y[i * recipe.batch_size : (i + 1) * recipe.batch_size])
    per_batch = (time.perf_counter() - start) / batches
    steps = data.steps_per_epoch(recipe.batch_size)
    return {"seconds_per_batch": per_batch, "steps_per_epoch": steps, "seconds_per_epoch": per_batch * steps}


def first_nonfinite_layer(model, x):
    """Name of the first layer (in graph order) whose weights or output hold NaN or Inf on
    input `x`, or None when everything is finite."""
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    probe = keras.Model(model.input, [layer.output for layer in layers])
    outputs = probe(x, training=False)
    for layer, output in zip(layers, outputs if isinstance(outputs, (list, tuple)) else [outputs]):
        weights_bad = any(not np.all(np.isfinite(keras.ops.convert_to_numpy(w))) for w in layer.weights)
        if weights_bad or not np.all(np.isfinite(keras.ops.convert_to_numpy(output))):
            return layer.name
    return None


def _plot(path, panels):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for axis, (title, xlabel, ylabel, curves, log_x) in zip(axes[0], panels):
        for label, xs, ys in curves:
            axis.plot(xs, ys, marker="." if len(xs) < 30 else None, label=label)
        axis.set(title=title, xlabel=xlabel, ylabel=ylabel)
        if log_x:
            axis.set_xscale("log")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


def diagnose(recipe, *, out="runs", data_dir=None, max_train_examples=5000, lr_steps=100, overfit_epochs=150,
             depth=10, width=500, **overrides):
    """Run every check for `recipe` and write `<out>/<recipe>/diagnose-<timestamp>/` with
    report.md, report.json, lr_range.png and layer_statistics.png. Returns (folder, report)."""
    recipe = resolve_recipe(recipe, overrides)
    data = load_data(recipe, data_dir, max_train_examples)
    task = task_of(data)
    if task is not CLASSIFICATION:
        raise ConfigError(
            f"diagnose runs image-classification checks (initial loss vs ln C, overfitting 20 examples, ...); "
            f"recipe {recipe.name!r} trains a {task.name} task on {recipe.dataset!r}."
        )
    run_dir = pathlib.Path(out) / recipe.name / datetime.datetime.now().strftime("diagnose-%Y%m%d-%H%M%S")
    make_folder(run_dir, out=out, exist_ok=True)
    x, _ = data.normalized("train")
    report = {
        "recipe": recipe.name,
        "initial_loss": initial_loss(recipe, data),
        "overfit_tiny": overfit_tiny(recipe, data, epochs=overfit_epochs),
        "lr_range": lr_range_test(recipe, data, steps=lr_steps),
        "time_per_epoch": time_per_epoch(recipe, data),
        "first_nonfinite_layer": first_nonfinite_layer(_model(recipe, data), x[:64]),
        "layer_statistics": [
            layer_statistics(depth=depth, width=width, activation=a, initializer=i)
            for a, inits in (("tanh", ("small_normal", "glorot_normal")), ("relu", ("small_normal", "he_normal")))
            for i in inits
        ],
    }
    lr = report["lr_range"]
    _plot(run_dir / "lr_range.png", [("LR range test", "learning rate", "loss",
          [("batch loss", lr["learning_rates"], lr["losses"]), ("smoothed", lr["learning_rates"], lr["smoothed"])], True)])
    stats = report["layer_statistics"]
    depth = range(1, len(stats[0]["layers"]) + 1)
    _plot(run_dir / "layer_statistics.png", [
        (title, "layer", key.replace("_", " "), [(f"{s['activation']}, {s['initializer']}", depth, s[key]) for s in stats], False)
        for title, key in (("activations at init", "activation_std"), ("kernel gradients at init", "gradient_std"))
    ])
    reporting.write_json(run_dir / "report.json", report)
    (run_dir / "report.md").write_text(_markdown(report))
    return run_dir, report


def _markdown(report):
    loss, tiny, lr, timing = report["initial_loss"], report["overfit_tiny"], report["lr_range"], report["time_per_epoch"]
    expected = "n/a" if loss["expected"] is None else f"{loss['expected']:.4f}"
    lines = [
        f"# Diagnostics of {report['recipe']}",
        "",
        f"1. Initial loss {loss['measured']:.4f} (expected {expected}); with L2 c = "
        + ", ".join(f"{c:g}: {v:.4f}" for c, v in zip(loss["weight_decays"], loss["losses"]))
        + f" — rises with regularization: {loss['rises_with_regularization']}.",
        f"2. Overfitting {tiny['examples']} examples: training accuracy {tiny['final_accuracy']:.3f}, loss {tiny['final_loss']:.4f}.",
        f"3. LR range test: lowest smoothed loss at lr {lr['min_loss_lr']:.3g}; suggested lr {lr['suggested_lr']:.3g} (lr_range.png).",
        "4. Layer statistics at init (layer_statistics.png): std of the last hidden layer's activations "
        + ", ".join(f"{s['activation']}/{s['initializer']} {s['activation_std'][-1]:.3g}" for s in report["layer_statistics"]) + ".",
        f"5. Time per epoch ≈ {timing['seconds_per_epoch']:.1f} s ({timing['steps_per_epoch']} steps of {timing['seconds_per_batch'] * 1000:.1f} ms).",
        f"6. First layer with NaN/Inf at init: {report['first_nonfinite_layer'] or 'none'}.",
        "",
    ]
    return "\n".join(lines)
