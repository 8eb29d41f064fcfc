"""DenseNet-BC (L=100, k=12) on CIFAR-10 with augmentation (Huang, Liu, van der Maaten &
Weinberger 2017, "Densely Connected Convolutional Networks", §4.2).

Nesterov SGD momentum 0.9, batch 64, 300 epochs, learning rate 0.1 ÷10 at 50% and 75% of the
run (epochs 150 and 225); weight decay λ = 1e-4 → Keras L2 coefficient c = λ/2 = 5e-5; He
initialization; batch-norm momentum 0.9 (PyTorch's 0.1); pad-4 crops + flips, hence no dropout
(the paper uses 0.2 only without augmentation).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="densenet_bc100_cifar10",
    description="DenseNet-BC L=100 k=12, Nesterov SGD 0.1 /10 at 150 and 225 of 300 epochs, batch 64",
    model=ModelSpec("densenet_bc100_k12", dropout_rate=0.0),
    dataset="cifar10",
    batch_size=64,
    epochs=300,
    optimizer=OptimizerSpec("nesterov", learning_rate=0.1, options={"momentum": 0.9, "nesterov": True}),
    schedule=ScheduleSpec("step", {"boundaries": (150, 225), "factor": 0.1}),
    regularization=RegularizationSpec(weight_decay=5e-5),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="CIFAR-10+ test error 4.51% (Huang et al. 2017, Table 2; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
