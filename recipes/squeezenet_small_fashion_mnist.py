"""SqueezeNet v1.1, small-image form, on Fashion-MNIST (28×28×1) with the CIFAR recipe
(recipes/squeezenet_small_cifar10.py): SGD momentum 0.9, 0.08 poly(0.5), batch 128, 100 epochs,
dropout 0.5, weight decay λ = 2e-4 → Keras L2 coefficient c = λ/2 = 1e-4; no batch norm.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("squeezenet_small_cifar10").override(
    {
        "name": "squeezenet_small_fashion_mnist",
        "description": "SqueezeNet 1.1 small-image form on Fashion-MNIST, the CIFAR recipe",
        "dataset": "fashion_mnist",
    }
)

if __name__ == "__main__":
    main(RECIPE)
