"""ResNet-50 on ImageNet (He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image
Recognition", §3.4), the paper's recipe.

SGD with momentum 0.9, batch 256, learning rate 0.1 divided by 10 when the error plateaus
(three times, so down to 1e-4), up to 60×10⁴ iterations (≈ 120 epochs of 1.27M images). The
paper's weight decay λ = 1e-4 (w ← w − lr·(g + λw)) is the Keras L2 coefficient c = λ/2 = 5e-5.
No dropout; He initialization; batch norm after every convolution, before the ReLU; projection
shortcuts (option B) where the shape changes. Augmentation: random 224×224 crops of the
256-pixel image (the data pipeline) and horizontal flips; the paper's scale augmentation
(shorter side in [256, 480]) and colour augmentation are not reproduced.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="resnet50_imagenet",
    description="ResNet-50 (option B) on ImageNet, SGD 0.1 /10 on plateau, batch 256, 120 epochs",
    model=ModelSpec("resnet50"),
    dataset="imagenet2012",
    batch_size=256,
    epochs=120,
    optimizer=OptimizerSpec("momentum", learning_rate=0.1, options={"momentum": 0.9}),
    schedule=ScheduleSpec("plateau", {"factor": 0.1, "patience": 5, "min_lr": 1e-4, "monitor": "val_accuracy"}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    augmentation=AugmentationSpec(flip="horizontal"),
    validation=10000,
    reference="ILSVRC-2012 val, 10-crop: top-1 error 22.85% (He et al. 2016; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
