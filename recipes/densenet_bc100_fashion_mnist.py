"""DenseNet-BC (L=100, k=12) on Fashion-MNIST (28×28×1) with the paper's CIFAR recipe
(recipes/densenet_bc100_cifar10.py; Huang et al. 2017): Nesterov SGD momentum 0.9, batch 64,
0.1 ÷10 at epochs 150 and 225 of 300, weight decay λ = 1e-4 → Keras L2 coefficient
c = λ/2 = 5e-5, batch-norm momentum 0.9, pad-4 crops + flips, no dropout.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("densenet_bc100_cifar10").override(
    {
        "name": "densenet_bc100_fashion_mnist",
        "description": "DenseNet-BC L=100 k=12 on Fashion-MNIST, the CIFAR recipe",
        "dataset": "fashion_mnist",
        "reference": "Fashion-MNIST benchmark table: DenseNet-BC 768K 0.954 (REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
