"""Network in Network (CIFAR model) on Fashion-MNIST (28×28×1: 7×7 class maps) with the CIFAR
recipe (recipes/nin_cifar_cifar10.py; Lin et al. 2014): batch 128, SGD 0.1 momentum 0.9 ÷10
twice on training-accuracy plateaus, weight decay λ = 1e-4 → Keras L2 coefficient
c = λ/2 = 5e-5, dropout 0.5 after the first two poolings, crops + flips; no batch norm.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("nin_cifar_cifar10").override(
    {
        "name": "nin_cifar_fashion_mnist",
        "description": "NiN (CIFAR model) on Fashion-MNIST, the CIFAR recipe",
        "dataset": "fashion_mnist",
        "reference": "No published NiN row for Fashion-MNIST; CIFAR-10 8.81% error (REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
