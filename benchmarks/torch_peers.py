"""Plain PyTorch peers of two of our models, timed the way `dlrecipes.bench` times ours.

- `small_cnn`: a compact BN CNN, the speed recipe's model until 2026-12-01 (the VGG builder with
  config (32, M, 64, M, 128, M), batch norm, flatten → 256 → logits, dropout 0.3), in float32;
- `resnet20`: He et al. 2016's CIFAR ResNet-20 with option-A (zero-padded identity) shortcuts,
  as our `resnet20`.

Same batch size, same number of threads (every usable core), SGD with momentum 0.9 and
cross-entropy, one random batch repeated; channels-first as PyTorch expects. Prints one JSON
record in `dlrecipes.bench`'s format (builder "torch"), so the harness can tabulate it.

    python benchmarks/torch_peers.py small_cnn --batch-size 128 --input-shape 28,28,1
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


def conv_bn(inputs, outputs, stride=1, bias=False):
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride, 1, bias=bias), nn.BatchNorm2d(outputs), nn.ReLU()
    )


def small_cnn(channels, size, num_classes):
    layers, width = [], channels
    for filters in (32, 64, 128):
        layers += [conv_bn(width, filters, bias=True), nn.MaxPool2d(2)]  # as our VGG builder
        width, size = filters, size // 2
    head = [nn.Flatten(), nn.Linear(width * size * size, 256), nn.ReLU(), nn.Dropout(0.3)]
    return nn.Sequential(*layers, *head, nn.Linear(256, num_classes))


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


MODELS = {"small_cnn": small_cnn, "resnet20": resnet20}


def measure(name, batch_size, input_shape, num_classes, steps, repeats, warmup, compile_model):
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    height, width, channels = input_shape
    model = MODELS[name](channels, height, num_classes).to(device)
    step_model = torch.compile(model) if compile_model else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch_size, channels, height, width, device=device)
    y = torch.randint(0, num_classes, (batch_size,), device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def train(n):
        model.train()
        for _ in range(n):
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(step_model(x), y).backward()
            optimizer.step()
        sync()

    def infer(n):
        model.eval()
        with torch.no_grad():
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
    return {
        "spec": {
            "model": f"torch:{name}", "options": {}, "input_shape": list(input_shape),
            "num_classes": num_classes, "batch_size": batch_size, "steps": steps, "repeats": repeats,
            "warmup": warmup, "jit_compile": compile_model, "steps_per_execution": 1,
            "mixed_precision": "float32", "data": "synthetic",
        },
        "backend": "plain torch",
        "device": (gpu_description() or "GPU") if device == "cuda" else cpu_description(),
        "versions": {"python": platform.python_version(), "torch": torch.__version__},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "macs_per_example": None,
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
        "peak_tflops": None,
        "mfu": None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--input-shape", type=lambda t: tuple(int(d) for d in t.split(",")), default=(28, 28, 1))
    parser.add_argument("--num-classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    args = parser.parse_args(argv)
    record = measure(args.model, args.batch_size, args.input_shape, args.num_classes, args.steps,
                     args.repeats, args.warmup, args.compile)
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
