"""Fashion-MNIST, fast: issue 8's speed recipe, aiming at ≥ 0.93 test accuracy within 120 s of
training on 2 CPU cores (median of 3 seeds). Measured (docs/BENCHMARKS.md, section "Speed
recipe", `python benchmarks/run_benchmarks.py fast_recipe`): median 0.9314 with flip TTA
(0.9289 without) in 155 s of training — the accuracy is reached, the time is not: on this
shared machine the same epoch took 11 s or 20–23 s, depending on whether the second core was
busy elsewhere.

Choices, each from a measurement on this 2-core machine (TensorFlow backend):
- a small VGG-style CNN (the VGG builder's config table, Simonyan & Zisserman 2015, with batch
  norm, Ioffe & Szegedy 2015): 3×3 convs of 16, 32, 64, 64 channels with 2×2 max pooling after
  the first, second and fourth, then flatten → 256 → 10 with dropout 0.3 (210,858 trainable
  parameters). The previous 32-64-128 version reached a median 0.9305 in 381 s;
- `pool_first`: each pooled conv is pooled before its batch norm and ReLU (Jordan 2024's
  order), so normalisation and activation run on 4× fewer values: for the 32-64-128 network
  2,011 vs 1,003 training examples/s (`dlrecipes bench vgg11 --input-shape 28,28,1
  --num-classes 10 --batch-size 256 --steps 20 --repeats 5 --option
  'config=[32,"M",64,"M",128,"M"]' --option batch_norm=true --option 'hidden_units=[256]'
  --option pool_first=true|false`, 2026-12-01);
- float32, chosen on the older pool-last network (bfloat16 no faster there, a throwaway timing
  script). For this network the same `dlrecipes bench` command with this config and
  `--mixed-precision mixed_bfloat16` says otherwise: 5,558 / 4,045 / 6,343 examples/s in
  bfloat16 vs 4,229 / 4,054 / 4,037 in float32 (three alternating runs). bfloat16's accuracy
  on this recipe is not measured yet, so the recipe stays float32. TensorFlow without XLA
  (the measured default: XLA was 1.3–2.6× slower, docs/BENCHMARKS.md);
- 10 epochs of SGD with Nesterov momentum 0.9, batch 256, a one-cycle learning rate (Smith &
  Topping 2019) rising from 0.04 to 0.4 over the first quarter and annealed to 4e-4;
- label smoothing 0.1 (Szegedy et al. 2016), horizontal flips, Keras L2 c = 2.5e-4 (λ = 5e-4);
- flip test-time augmentation (`test_flip`, a test-time cost, not training time): +0.17 to
  +0.33 points in the three benchmark runs (0.9302 → 0.9319, 0.9275 → 0.9308, 0.9289 → 0.9314);
- all 60,000 training images (validation=0: no validation pass is paid for).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="fashion_mnist_fast",
    description="small VGG-style BN CNN pooled before its norms, one-cycle SGD, label smoothing, flips, flip TTA",
    model=ModelSpec(
        "vgg11",
        options={"config": (16, "M", 32, "M", 64, 64, "M"), "batch_norm": True, "pool_first": True,
                 "hidden_units": (256,)},
        dropout_rate=0.3,
    ),
    dataset="fashion_mnist",
    batch_size=256,
    epochs=10,
    validation=0,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.04),
    schedule=ScheduleSpec("one_cycle", {"max_factor": 10.0, "up_fraction": 0.25}),
    regularization=RegularizationSpec(weight_decay=2.5e-4, label_smoothing=0.1),
    augmentation=AugmentationSpec(flip="horizontal", test_flip=True),
    reference="issue 8 target: ≥ 0.93 test accuracy within 120 s of training on 2 CPU cores",
)

if __name__ == "__main__":
    main(RECIPE)
