"""CIFAR ResNet-20 on CIFAR-10 (He, Zhang, Ren & Sun 2015, "Deep Residual Learning for Image
Recognition", §4.2), the paper's recipe.

SGD with momentum 0.9, batch 128, learning rate 0.1 divided by 10 at 32k and 48k iterations,
stop at 64k: with 352 steps per epoch on the 45k/5k split, epochs 91, 136 and 182. The paper's
weight decay λ = 1e-4 (SGD: w ← w − lr·(g + λw)) is the Keras L2 coefficient c = λ/2 = 5e-5.
Batch-norm momentum 0.9 (PyTorch's 0.1), the builders' default. 4-pixel padding + random
32×32 crop + horizontal flip; option A (parameter-free) shortcuts.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="resnet20_cifar10",
    description="CIFAR ResNet-20 (option A), SGD 0.1 /10 at 50% and 75% of 64k iterations",
    model=ModelSpec("resnet20"),
    dataset="cifar10",
    batch_size=128,
    epochs=182,
    optimizer=OptimizerSpec("momentum", learning_rate=0.1, options={"momentum": 0.9}),
    schedule=ScheduleSpec("step", {"boundaries": (91, 136), "factor": 0.1}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="CIFAR-10 test error 8.75% (He et al. 2015, Table 6; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
