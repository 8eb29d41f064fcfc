"""Per-backend defaults of `model.compile(jit_compile=..., steps_per_execution=...)`, used when a
recipe leaves them as None. Chosen from measurements, not assumptions: the "Measured compile
defaults" section of docs/BENCHMARKS.md (`python benchmarks/run_benchmarks.py defaults`), on 2
CPU cores (2026-12-01, LeNet-5 and ResNet-20, batch 128): TensorFlow without XLA trained
1.3–2.6× faster than with it, and steps_per_execution=10 was slower (0.87× and 0.53×); JAX
(always XLA) was 1.03–1.04× faster with 10 steps per execution (1.5–2.5× in an earlier run
under load, when dispatch cost more); Keras' torch trainer allows only 1, and its
`jit_compile=True` (torch.compile) trained slower on an AMD EPYC with AVX-512 BF16 (2026-12-07,
torch 2.13.0+cpu, `dlrecipes bench resnet20 --backend torch --batch-size 128 --input-shape
28,28,1 --num-classes 10 --jit {false,true}`, and the speed recipe's network as `vgg11 --option
'config=[8,"M",32,"M",64,"M",64]' --option batch_norm=true --option pool_first=true --option
'hidden_units=[256]' --option dropout_rate=0.3 --batch-size 512`, 2 fresh processes each):
ResNet-20 355–384 against 449–501 examples/s, the speed recipe's network 3,383–3,392 against
4,423–4,815, after 31–67 s of compiling (under 1.3 s eager), and it
fails on LeNet-5's ZeroPadding2D (inductor: "cannot determine truth value of Relational", a plain
Keras ZeroPadding2D model too). On an AMD EPYC
without AVX512 the section is paired (the settings of one model alternating in one process,
median of 8 rounds' ratios) and ran with TensorFlow's oneDNN kernels on, as dlrecipes sets them:
on TensorFlow, XLA trained LeNet-5, ResNet-20 and the speed recipe's network at 0.64×, 0.94× and
0.59× (0.74×, 0.94×, 0.59× with 10 steps per execution), and steps_per_execution=10 alone at
1.07×, 1.00× and 1.03×; JAX's 10 steps per execution 1.06×, 1.00× and 1.01×. (With oneDNN off,
TensorFlow's own choice on that CPU, XLA had been 1.63× and 1.08× faster for the two small
models.) On an AMD EPYC with AVX-512 BF16 (2026-12-02, paired, the speed recipe's network at its
batch 512): XLA 0.54×, 0.81× and 0.41× (0.63×, 0.81×, 0.41× with 10 steps per execution),
steps_per_execution=10 alone 1.07×, 1.02× and 1.01×; JAX's 10 steps per execution 0.97×, 1.06×
and 1.00×. XLA being slower on all three CPUs for every model measured, the TensorFlow default
is without it; a model measured faster with XLA can ask for it (`jit_compile=True` in its
recipe). steps_per_execution stays 1 on TensorFlow: 10 was slower on the Intel Xeon and within
7 % on both AMD EPYCs, inside the rounds' quartiles. On a GPU (NVIDIA H200, JAX 0.11.2,
2026-12-04, docs/RESULTS.md, the first GPU run's "one change at a time" table), JAX with
steps_per_execution=10 trained the GPU speed recipe in 18.3 s against 24.5 s at Keras' default 1
(seed 0; the time after the first epoch, 0.42 against 0.63 s per epoch): Keras' callbacks run after every
execution, and TerminateOnNaN reads the loss back from the device there, so with one step per
execution the host waits for every step. Other backends on an accelerator keep Keras' defaults.
`dtype_policy` builds a model under a mixed-precision policy (Micikevicius et al. 2018);
`"auto"` picks it from the hardware (`auto_precision`)."""

import contextlib
import os

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
POLICIES = (*PRECISIONS, "auto")  # what recipes and searches accept: "auto" = auto_precision()
# CPU flags of native bfloat16 arithmetic (/proc/cpuinfo): AVX512-BF16 and AMX.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")

COMPILE_DEFAULTS = {
    "tensorflow": {"jit_compile": False, "steps_per_execution": 1},
    "jax": {"jit_compile": True, "steps_per_execution": 10},
    "torch": {"jit_compile": False, "steps_per_execution": 1},
}
KERAS_DEFAULTS = {"jit_compile": "auto", "steps_per_execution": 1}
ACCELERATOR_DEFAULTS = {"jax": {"jit_compile": True, "steps_per_execution": 10}}


def on_accelerator(backend):
    """Whether `backend` computes on a GPU (or TPU)."""
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"))
    if backend == "jax":
        import jax

        return jax.default_backend() != "cpu"
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    return False


def compile_options(jit_compile=None, steps_per_execution=None, backend=None):
    """`jit_compile` and `steps_per_execution` for `model.compile`, None ones replaced by the
    default of `backend` (Keras' current backend by default) on this machine's device."""
    import keras

    backend = backend or keras.backend.backend()
    defaults = ACCELERATOR_DEFAULTS if on_accelerator(backend) else COMPILE_DEFAULTS
    chosen = defaults.get(backend, KERAS_DEFAULTS)
    return {
        "jit_compile": chosen["jit_compile"] if jit_compile is None else jit_compile,
        "steps_per_execution": chosen["steps_per_execution"] if steps_per_execution is None else steps_per_execution,
    }


def use_compilation_cache(backend=None):
    """On JAX on an accelerator, keep XLA's compiled programs on disk across processes (JAX's
    persistent compilation cache) in `$DLRECIPES_CACHE_DIR/jax` (default ~/.cache/dlrecipes),
    unless JAX's own `jax_compilation_cache_dir` (or JAX_COMPILATION_CACHE_DIR) is set: the GPU
    speed recipe's first epoch, the training step's compilation and convolution autotuning
    included, took 11–15 s of its 21–25 s on an NVIDIA H200 (docs/RESULTS.md, the first GPU run),
    and a later run of the same program on that machine loads it instead (first epoch 1.9–2.0 s:
    docs/BENCHMARKS.md, "Speed recipe on one GPU"). Every compilation is kept, not only those over
    JAX's default 1 s (JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS, where the user sets it, is
    kept): Keras' eager steps around the training (building optimizer and metric variables, reading
    metrics and the learning rate between epochs) compile many small programs. With JAX on 2 CPU
    cores (2026-12-04; `KERAS_BACKEND=jax JAX_COMPILATION_CACHE_DIR=DIR
    JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 (or 1) dlrecipes train fashion_mnist_fast_gpu
    --epochs 2 --max-train-examples 5000 --set 'model.options.config=[8, "M", 16, "M"]'`,
    metrics.json's fit split; three runs on a warm cache each), keeping them all cut `fit`'s setup
    from 0.22–0.25 to 0.08–0.12 s, its time between epochs from 0.36–0.39 to 0.08–0.13 s and the
    whole process from 9.2–10.2 to 5.2–6.9 s, while a first run, writing them, trained in 5.4–6.4
    instead of 4.5–5.2 s (two runs each); on a GPU, where the H200 spent 4.0–4.5 s of `fit` outside
    its epochs, the effect is yet to be measured. On a CPU it stays off, though it would pay there
    too (docs/RESULTS.md, "JAX's compilation cache on a CPU"): on some Intel CPUs, jaxlib up to at
    least 0.10.2 rejects every entry it wrote itself (jax-ml/jax#38445: the CPU loader takes LLVM's
    tuning attributes +prefer-no-gather/-scatter for missing CPU features), logging an error per
    entry and recompiling. Returns the folder in use, or None where nothing is cached."""
    import keras

    backend = backend or keras.backend.backend()
    if backend != "jax" or not on_accelerator(backend):
        return None
    import jax

    if not jax.config.jax_compilation_cache_dir:
        root = os.environ.get("DLRECIPES_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dlrecipes")
        jax.config.update("jax_compilation_cache_dir", os.path.join(root, "jax"))
        if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" not in os.environ:
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    return jax.config.jax_compilation_cache_dir


def cpu_info(cpuinfo="/proc/cpuinfo"):
    """(model name, set of flags) of the first processor in `cpuinfo`; (None, empty set) where it
    cannot be read."""
    fields = {}
    try:
        with open(cpuinfo) as info:
            for line in info:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields.get("model name"), set(fields.get("flags", "").split())


def cpu_has_native_bfloat16(cpuinfo="/proc/cpuinfo"):
    """Whether this CPU computes bfloat16 natively (one of BFLOAT16_CPU_FLAGS in `cpuinfo`)."""
    _, flags = cpu_info(cpuinfo)
    return any(flag in flags for flag in BFLOAT16_CPU_FLAGS)


def auto_precision(backend=None):
    """The measured precision of `"auto"`: mixed_bfloat16 on an accelerator and on TensorFlow on a
    CPU with native bfloat16, float32 elsewhere. On 2 CPU cores, for the speed recipe's network
    of 2026-12-01 (16, M, 32, M, 64, 64, M): mixed_bfloat16 trained 1.37× faster than float32 on
    an Intel Xeon with AMX (recipes/fashion_mnist_fast.py) and 1.32× and 1.44× on an AMD EPYC
    with AVX-512 BF16 (2026-12-02), but at 0.117× of float32's speed on an AMD EPYC without AVX512
    (docs/BENCHMARKS.md, section "float32 vs bfloat16", paired rounds, oneDNN on); for the present
    network (8, M, 32, M, 64, M, 64), 1.41× on the AMD EPYC with AVX-512 BF16 (2026-12-03);
    Keras' JAX backend in bfloat16 was slow even with AMX (section "Speed recipe vs its peers")."""
    import keras

    backend = backend or keras.backend.backend()
    if on_accelerator(backend):
        return "mixed_bfloat16"
    return "mixed_bfloat16" if backend == "tensorflow" and cpu_has_native_bfloat16() else "float32"


@contextlib.contextmanager
def dtype_policy(name):
    """Layers made inside this block take Keras' dtype policy `name` (one of PRECISIONS,
    `"auto"` for `auto_precision()`; None keeps the current one); the previous global policy is
    restored on leaving."""
    import keras

    previous = keras.config.dtype_policy()
    if name == "auto":
        name = auto_precision()
    if name is not None:
        keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
