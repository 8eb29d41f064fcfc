"""ResNet-110 with stochastic depth on CIFAR-10 (Huang, Sun, Liu, Sedra & Weinberger 2016,
"Deep Networks with Stochastic Depth"): survival probability p_l = 1 − (l/L)(1 − p_L) with
p_L = 0.5, the gate sampled per mini-batch (`drop_path_mode="batch"`; "example" would give
timm's per-example DropPath), every block active at test time with its residual scaled by p_l.

Nesterov SGD momentum 0.9, batch 128, 500 epochs, learning rate 0.1 → 0.01 at epoch 250 →
0.001 at 375; weight decay λ = 1e-4 → Keras L2 coefficient c = λ/2 = 5e-5; batch-norm momentum
0.9; pad-4 crops + flips (C10+).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="resnet110_sd_cifar10",
    description="ResNet-110, stochastic depth p_L = 0.5 (per mini-batch, linear decay), 500 epochs",
    model=ModelSpec("resnet110_sd", options={"drop_path_rate": 0.5, "drop_path_mode": "batch"}),
    dataset="cifar10",
    batch_size=128,
    epochs=500,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.1, options={"momentum": 0.9, "nesterov": True}),
    schedule=ScheduleSpec("step", {"boundaries": (250, 375), "factor": 0.1}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="CIFAR-10+ test error 6.41% → 5.23% with stochastic depth (Huang et al. 2016; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
