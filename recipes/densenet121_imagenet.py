"""DenseNet-121 on ImageNet (Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected
Convolutional Networks", §4.2): DenseNet-BC, growth rate 32, bottleneck 4k, compression 0.5.

SGD with Nesterov momentum 0.9, batch 256, 90 epochs, learning rate 0.1 divided by 10 at epochs
30 and 60 (the paper's ImageNet settings; REFERENCE.md §3 lists its CIFAR ones, which share the
optimizer and weight decay). The weight decay λ = 1e-4 (w ← w − lr·(g + λw)) is the Keras L2
coefficient c = λ/2 = 5e-5. He initialization, no dropout (the paper drops out only without
augmentation). Augmentation: random 224×224 crops of the 256-pixel image (the data pipeline)
and horizontal flips; the paper's ResNet-style scale and colour augmentation is not reproduced.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="densenet121_imagenet",
    description="DenseNet-121 on ImageNet, Nesterov SGD 0.1 /10 at epochs 30 and 60, batch 256",
    model=ModelSpec("densenet121"),
    dataset="imagenet2012",
    batch_size=256,
    epochs=90,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.1, options={"momentum": 0.9, "nesterov": True}),
    schedule=ScheduleSpec("step", {"boundaries": (30, 60), "factor": 0.1}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    augmentation=AugmentationSpec(flip="horizontal"),
    validation=10000,
    reference="No ImageNet figure in REFERENCE.md; DenseNet-BC (L=100, k=12) on CIFAR-10+: 4.51% "
    "test error (Huang et al. 2017; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
