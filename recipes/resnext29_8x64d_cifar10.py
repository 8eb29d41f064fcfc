"""ResNeXt-29 8×64d on CIFAR-10 (Xie, Girshick, Dollár, Tu & He 2017, "Aggregated Residual
Transformations for Deep Neural Networks", §5.3).

SGD momentum 0.9, batch 128, 300 epochs, learning rate 0.1 ÷10 at epochs 150 and 225; weight
decay λ = 5e-4 → Keras L2 coefficient c = λ/2 = 2.5e-4; batch-norm momentum 0.9 (PyTorch's
0.1); pad-4 crops + flips.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="resnext29_8x64d_cifar10",
    description="ResNeXt-29 8x64d, SGD 0.1 /10 at 150 and 225 of 300 epochs",
    model=ModelSpec("resnext29_8x64d"),
    dataset="cifar10",
    batch_size=128,
    epochs=300,
    optimizer=OptimizerSpec("momentum", learning_rate=0.1, options={"momentum": 0.9}),
    schedule=ScheduleSpec("step", {"boundaries": (150, 225), "factor": 0.1}),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="CIFAR-10 test error 3.65% (Xie et al. 2017, Table 7; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
