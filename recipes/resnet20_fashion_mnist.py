"""CIFAR ResNet-20 on Fashion-MNIST (28×28×1) with the CIFAR-10 recipe of He et al. 2015
(recipes/resnet20_cifar10.py): SGD momentum 0.9, batch 128, learning rate 0.1 ÷10 at epochs 91
and 136 of 182, weight decay λ = 1e-4 → Keras L2 coefficient c = λ/2 = 5e-5, batch-norm momentum
0.9, 4-pixel padding + random crop + horizontal flip. A shorter `--epochs` keeps the learning
rate at 0.1 (the boundaries are epochs).
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("resnet20_cifar10").override(
    {
        "name": "resnet20_fashion_mnist",
        "description": "CIFAR ResNet-20 (option A) on Fashion-MNIST, the CIFAR-10 recipe",
        "dataset": "fashion_mnist",
        "reference": "Fashion-MNIST benchmark table: ResNet-18 0.949 test accuracy (REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
