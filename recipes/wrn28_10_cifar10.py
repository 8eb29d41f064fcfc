"""Wide ResNet WRN-28-10 with dropout on CIFAR-10 (Zagoruyko & Komodakis 2016, "Wide Residual
Networks").

Nesterov SGD momentum 0.9, batch 128, 200 epochs, learning rate 0.1 ×0.2 at epochs 60, 120
and 160; weight decay λ = 5e-4 → Keras L2 coefficient c = λ/2 = 2.5e-4; dropout 0.3 between
the two 3×3 convolutions of each unit; batch-norm momentum 0.9 (PyTorch's 0.1); random crops
after 4-pixel reflection padding + horizontal flips; inputs standardized with mean/std.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="wrn28_10_cifar10",
    description="WRN-28-10, dropout 0.3, Nesterov SGD 0.1 x0.2 at 60/120/160 of 200 epochs",
    model=ModelSpec("wrn28_10", dropout_rate=0.3),
    dataset="cifar10",
    batch_size=128,
    epochs=200,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.1, options={"momentum": 0.9, "nesterov": True}),
    schedule=ScheduleSpec("step", {"boundaries": (60, 120, 160), "factor": 0.2}),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4, padding_mode="reflect"),
    reference="CIFAR-10 test error 3.89% with dropout (4.00% without; Zagoruyko & Komodakis 2016; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
