"""Plain PyTorch peers of our models, timed the way `dlrecipes.bench` times ours, and a plain
PyTorch training of the speed recipe.

- `fast_cnn`: recipes/fashion_mnist_fast.py's model, its layout read from the recipe (conv widths
  and "M" poolings, each pooled conv max-pooled before its batch norm and ReLU, flatten → hidden
  units → logits, dropout);
- `resnet20`: He et al. 2016's CIFAR ResNet-20 with option-A (zero-padded identity) shortcuts,
  as our `resnet20`;
- `resnet50`: torchvision's resnet50 (imported only for it; the GPU section's peer).

Timing: same batch size, same number of threads (every usable core), SGD with momentum 0.9 and
cross-entropy, one batch repeated: random (`--data synthetic`) or Fashion-MNIST's first
`batch_size` standardised training images (`--data memory:fashion_mnist`, as `dlrecipes bench
--data memory:fashion_mnist` repeats its pipeline's first batch); channels-first as PyTorch
expects, and channels-last in memory on a GPU (PyTorch's advice for convolutions under
autocast). `--mixed-precision mixed_bfloat16` runs the steps under bfloat16 autocast. MACs per
example are counted by `torch.utils.flop_counter` on one forward pass; on a GPU of
`dlrecipes.bench`'s peak table the record has its MFU, as ours do. Plain PyTorch trains faster
on the real batch than on a random one (the harness' `torch_peers` section times both);
TensorFlow's speed does not depend on it, so the harness compares the two on real data. Prints
one JSON record in `dlrecipes.bench`'s format (builder "torch"), so the harness can tabulate it.

    python benchmarks/torch_peers.py fast_cnn --batch-size 512 --input-shape 28,28,1

`--train-fast-recipe SEED` instead trains `fast_cnn` on Fashion-MNIST with the speed recipe
written the way a PyTorch user would (see `train_fast_recipe`) and prints its test accuracy and
training time as JSON.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

from dlrecipes.bench import _peak_rss_mib, cpu_description, gpu_description


def conv_bn(inputs, outputs, stride=1, bias=False, pool_first=False):
    """3×3 conv, batch norm, ReLU; with `pool_first`, 2×2 max pooling between conv and norm."""
    pool = [nn.MaxPool2d(2)] if pool_first else []
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride, 1, bias=bias), *pool, nn.BatchNorm2d(outputs), nn.ReLU()
    )


def vgg_cnn(config, channels, size, num_classes, pool_first=False, hidden_units=256, dropout_rate=0.3):
    """Our VGG builder's layout: `config` of conv widths and "M" (2×2 max pooling), convs with bias
    and batch norm, then flatten → `hidden_units` → ReLU → dropout → logits."""
    layers, width = [], channels
    for index, item in enumerate(config):
        if item == "M":
            size //= 2
            if not pool_first:
                layers.append(nn.MaxPool2d(2))
            continue
        pooled = pool_first and index + 1 < len(config) and config[index + 1] == "M"
        layers.append(conv_bn(width, item, bias=True, pool_first=pooled))
        width = item
    head = [nn.Flatten(), nn.Linear(width * size * size, hidden_units), nn.ReLU(), nn.Dropout(dropout_rate)]
    return nn.Sequential(*layers, *head, nn.Linear(hidden_units, num_classes))


def fast_cnn(channels, size, num_classes, recipe="fashion_mnist_fast"):
    """A speed recipe's network (one hidden layer; recipes/fashion_mnist_fast.py's by default), in
    PyTorch's default initialisation."""
    from dlrecipes.training.recipes import get_recipe

    model = get_recipe(recipe).model
    options = model.options
    if not options.get("pool_first") or not options.get("batch_norm") or len(options["hidden_units"]) != 1:
        raise SystemExit(f"fast_cnn mirrors a pool_first batch-norm VGG with one hidden layer. Received: {options}")
    return vgg_cnn(options["config"], channels, size, num_classes, pool_first=True,
                   hidden_units=options["hidden_units"][0], dropout_rate=model.dropout_rate)


class BasicBlock(nn.Module):
    """Two 3×3 conv-BN, option-A shortcut: stride-2 subsampling and zero-padded channels."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = conv_bn(inputs, outputs, stride)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.stride, self.pad = stride, outputs - inputs

    def forward(self, x):
        shortcut = x[:, :, :: self.stride, :: self.stride] if self.stride > 1 else x
        if self.pad:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return F.relu(self.bn2(self.conv2(self.conv1(x))) + shortcut)


def resnet20(channels, size, num_classes):
    blocks, width = [conv_bn(channels, 16)], 16
    for stage, filters in enumerate((16, 32, 64)):
        for index in range(3):
            blocks.append(BasicBlock(width, filters, 2 if stage and not index else 1))
            width = filters
    return nn.Sequential(*blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, num_classes))


def resnet50(channels, size, num_classes):
    if channels != 3:
        raise SystemExit(f"torchvision's resnet50 takes 3 input channels. Received: {channels}")
    import torchvision

    return torchvision.models.resnet50(num_classes=num_classes)


MODELS = {"fast_cnn": fast_cnn, "resnet20": resnet20, "resnet50": resnet50}
PRECISIONS = ("float32", "mixed_bfloat16")


def train_fast_recipe(seed, epochs=None, recipe="fashion_mnist_fast"):
    """A speed recipe (recipes/fashion_mnist_fast.py by default) in plain PyTorch, its settings read
    from the recipe: `fast_cnn`
    (PyTorch's default initialisation), all 60,000 training images standardised as ours, reshuffled
    every epoch, random horizontal flips; `epochs` (the recipe's by default), the recipe's batch
    size; SGD with Nesterov momentum 0.9 and weight decay 2c on conv and dense weights (= our Keras
    L2 c), torch's OneCycleLR in its three-phase linear form (α0 → max_factor·α0 over up_fraction of
    the steps, back to α0, then to final_factor·α0: our `one_cycle`), the recipe's label smoothing,
    bfloat16 autocast where the recipe's `mixed_precision="auto"` takes bfloat16 (a GPU, or a CPU
    with native bfloat16: `compile_defaults.cpu_has_native_bfloat16`), every usable core; on a GPU
    the images on it from the start and the model channels-last; test accuracy plain and with flip
    TTA (mean of the two views' probabilities). `wall_time_s` is the training loop, every epoch
    (on a GPU, up to the last step's end)."""
    from dlrecipes.data import load
    from dlrecipes.training.compile_defaults import cpu_has_native_bfloat16
    from dlrecipes.training.recipes import get_recipe

    name, recipe = recipe, get_recipe(recipe)
    lr, cycle = recipe.optimizer.learning_rate, recipe.schedule.options
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = load("fashion_mnist", validation=0)
    (x_train, y_train), (x_test, y_test) = (
        (x.to(device), y.to(device)) for x, y in (_channels_first(data, split) for split in ("train", "test"))
    )
    memory_format = torch.channels_last if device == "cuda" else torch.contiguous_format
    model = fast_cnn(1, 28, data.num_classes, name).to(device, memory_format=memory_format)
    weights = [p for p in model.parameters() if p.dim() > 1]
    others = [p for p in model.parameters() if p.dim() <= 1]
    optimizer = torch.optim.SGD(
        [{"params": weights, "weight_decay": 2 * recipe.regularization.weight_decay},
         {"params": others, "weight_decay": 0.0}], lr=lr, momentum=0.9, nesterov=True,
    )
    epochs, batch_size = recipe.epochs if epochs is None else epochs, recipe.batch_size
    steps = -(-len(x_train) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr * cycle["max_factor"], total_steps=epochs * steps, pct_start=cycle["up_fraction"],
        anneal_strategy="linear", cycle_momentum=False, div_factor=cycle["max_factor"],
        final_div_factor=1 / cycle["final_factor"], three_phase=True,
    )
    loss_function = nn.CrossEntropyLoss(label_smoothing=recipe.regularization.label_smoothing)
    bfloat16 = device == "cuda" or cpu_has_native_bfloat16()
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    epoch_s = []
    start = time.perf_counter()
    for _ in range(epochs):
        epoch_start = time.perf_counter()
        model.train()
        for batch in torch.randperm(len(x_train), device=device).split(batch_size):
            x, y = x_train[batch], y_train[batch]
            flip = torch.rand(len(x), device=device) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x).contiguous(memory_format=memory_format)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device, dtype=torch.bfloat16, enabled=bfloat16):
                loss = loss_function(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
        sync()
        epoch_s.append(time.perf_counter() - epoch_start)
    wall_time_s = time.perf_counter() - start
    model.eval()
    with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16, enabled=bfloat16):
        plain = torch.cat([model(x).float().softmax(-1) for x in x_test.split(1000)])
        flipped = torch.cat([model(x.flip(3)).float().softmax(-1) for x in x_test.split(1000)])
    accuracy = lambda p: float((p.argmax(-1) == y_test).float().mean())  # noqa: E731
    return {
        "peer": "plain torch", "recipe": name, "seed": seed, "epochs_run": epochs, "wall_time_s": wall_time_s,
        "epoch_s": epoch_s,
        "test_accuracy": accuracy(plain), "test_accuracy_flip_tta": accuracy((plain + flipped) / 2),
        "dtype_policy": "mixed_bfloat16" if bfloat16 else "float32",
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "versions": {"python": platform.python_version(), "torch": torch.__version__},
    }


def _channels_first(data, split):
    """(images, labels) of `split` of the loaded dataset `data`, standardised as ours, as channels-first tensors."""
    images, labels = data.normalized(split)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels).long()


def _batch(data, batch_size, input_shape, num_classes):
    """(x, y) of the timed batch, channels-first: `data` "synthetic" or "memory:fashion_mnist"."""
    height, width, channels = input_shape
    if data == "synthetic":
        return torch.randn(batch_size, channels, height, width), torch.randint(0, num_classes, (batch_size,))
    if data != "memory:fashion_mnist" or (tuple(input_shape), num_classes) != ((28, 28, 1), 10):
        raise SystemExit("--data must be synthetic, or memory:fashion_mnist at 28,28,1 and 10 classes. "
                         f"Received: {data}")
    from dlrecipes.data import load

    images, labels = _channels_first(load("fashion_mnist", validation=0), "train")
    return images[:batch_size], labels[:batch_size]


def _macs_per_example(model, x):
    """Multiply-accumulates of one example's forward pass, as torch's FLOP counter counts them."""
    from torch.utils.flop_counter import FlopCounterMode

    model.eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(x[:1])
    return counter.get_total_flops() // 2


def measure(name, batch_size, input_shape, num_classes, steps, repeats, warmup, compile_model, data="synthetic",
            mixed_precision="float32"):
    from dlrecipes.bench import model_flops_utilization, peak_tflops

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    memory_format = torch.channels_last if device == "cuda" else torch.contiguous_format
    height, width, channels = input_shape
    model = MODELS[name](channels, height, num_classes).to(device, memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = (t.to(device) for t in _batch(data, batch_size, input_shape, num_classes))
    x = x.contiguous(memory_format=memory_format)
    macs = _macs_per_example(model, x)
    step_model = torch.compile(model) if compile_model else model
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=mixed_precision == "mixed_bfloat16")

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def train(n):
        model.train()
        for _ in range(n):
            optimizer.zero_grad(set_to_none=True)
            with autocast:
                loss = F.cross_entropy(step_model(x), y)
            loss.backward()
            optimizer.step()
        sync()

    def infer(n):
        model.eval()
        with torch.no_grad(), autocast:
            for _ in range(n):
                step_model(x)
        sync()

    def timed(function, n):
        start = time.perf_counter()
        function(n)
        return time.perf_counter() - start

    compile_s = timed(train, 1)
    train(warmup)
    rates = [steps * batch_size / timed(train, steps) for _ in range(repeats)]
    predict_compile_s = timed(infer, 1)
    infer_rates = [steps * batch_size / timed(infer, steps) for _ in range(repeats)]
    rate = statistics.median(rates)
    description = (gpu_description() or "GPU") if device == "cuda" else cpu_description()
    dtype = "bfloat16" if mixed_precision == "mixed_bfloat16" else "float32"
    peak = peak_tflops(description, dtype) if device == "cuda" else None
    return {
        "spec": {
            "model": f"torch:{name}", "options": {}, "input_shape": list(input_shape),
            "num_classes": num_classes, "batch_size": batch_size, "steps": steps, "repeats": repeats,
            "warmup": warmup, "jit_compile": compile_model, "steps_per_execution": 1,
            "mixed_precision": mixed_precision, "data": data,
        },
        "backend": "plain torch",
        "device": description,
        "versions": {"python": platform.python_version(), "torch": torch.__version__},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "macs_per_example": macs,
        "compile_s": compile_s,
        "predict_compile_s": predict_compile_s,
        "train_examples_per_s": rate,
        "train_step_s": batch_size / rate,
        "train_examples_per_s_repeats": rates,
        "infer_examples_per_s": statistics.median(infer_rates),
        "infer_examples_per_s_repeats": infer_rates,
        "baseline_rss_mib": None,
        "peak_rss_mib": _peak_rss_mib(),
        "device_peak_mib": torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None,
        "peak_tflops": peak,
        "mfu": model_flops_utilization(rate, macs, peak) if peak else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", choices=sorted(MODELS))
    parser.add_argument("--train-fast-recipe", type=int, metavar="SEED",
                        help="train the speed recipe in plain PyTorch with this seed instead")
    parser.add_argument("--epochs", type=int, help="with --train-fast-recipe: epochs instead of the recipe's")
    parser.add_argument("--recipe", help="with --train-fast-recipe: this speed recipe instead of fashion_mnist_fast")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--input-shape", type=lambda t: tuple(int(d) for d in t.split(",")), default=(28, 28, 1))
    parser.add_argument("--num-classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--data", default="synthetic", help="synthetic or memory:fashion_mnist (the timed batch)")
    parser.add_argument("--mixed-precision", default="float32", choices=PRECISIONS,
                        help="mixed_bfloat16: the steps under bfloat16 autocast")
    args = parser.parse_args(argv)
    for flag, value in (("--epochs", args.epochs), ("--recipe", args.recipe)):
        if value is not None and args.train_fast_recipe is None:
            parser.error(f"{flag} goes with --train-fast-recipe SEED (a benchmark times --steps)")
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be at least 1. Received: --epochs {args.epochs}")
    if args.train_fast_recipe is not None:
        print(json.dumps(train_fast_recipe(args.train_fast_recipe, args.epochs, args.recipe or "fashion_mnist_fast")))
        return 0
    if args.model is None:
        parser.error("name a model, or --train-fast-recipe SEED")
    record = measure(args.model, args.batch_size, args.input_shape, args.num_classes, args.steps,
                     args.repeats, args.warmup, args.compile, args.data, args.mixed_precision)
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
