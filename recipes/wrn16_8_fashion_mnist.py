"""Wide ResNet WRN-16-8 on Fashion-MNIST (28×28×1) with the WRN CIFAR recipe
(recipes/wrn28_10_cifar10.py; Zagoruyko & Komodakis 2016): Nesterov SGD momentum 0.9, batch
128, 0.1 ×0.2 at epochs 60/120/160 of 200, weight decay λ = 5e-4 → Keras L2 coefficient
c = λ/2 = 2.5e-4, batch-norm momentum 0.9, reflection-padded crops + flips; no dropout (the
paper's WRN-16-8 row).
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("wrn28_10_cifar10").override(
    {
        "name": "wrn16_8_fashion_mnist",
        "description": "WRN-16-8 on Fashion-MNIST, the WRN CIFAR recipe without dropout",
        "dataset": "fashion_mnist",
        "model.name": "wrn16_8",
        "model.dropout_rate": 0.0,
        "reference": "Fashion-MNIST benchmark table: WRN-40-4 0.967, WRN-28-10 0.959 (REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
