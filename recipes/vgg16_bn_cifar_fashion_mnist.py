"""VGG-16 with batch norm, small-image form, on Fashion-MNIST (28×28×1; ceil-mode pooling
reaches 1×1) with the VGG recipe (recipes/vgg16_bn_cifar_cifar10.py): SGD momentum 0.9, batch
256, 0.01 ÷10 on validation plateaus, 74 epochs, dropout 0.5, weight decay λ = 5e-4 → Keras L2
coefficient c = λ/2 = 2.5e-4, batch-norm momentum 0.9, crops + flips.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("vgg16_bn_cifar_cifar10").override(
    {
        "name": "vgg16_bn_cifar_fashion_mnist",
        "description": "VGG-16-BN (512-512 head) on Fashion-MNIST, the VGG recipe",
        "dataset": "fashion_mnist",
    }
)

if __name__ == "__main__":
    main(RECIPE)
