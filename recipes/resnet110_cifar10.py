"""CIFAR ResNet-110 on CIFAR-10 (He, Zhang, Ren & Sun 2015, §4.2): the ResNet-20 recipe
(SGD momentum 0.9, batch 128, 0.1 ÷10 at epochs 91 and 136 of 182, weight decay λ = 1e-4 →
Keras L2 coefficient c = λ/2 = 5e-5, batch-norm momentum 0.9, pad-4 crops + flips, option A)
with the paper's warm-up: learning rate 0.01 until training error falls below 80%, about 400
iterations, here the first epoch (352 iterations).
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("resnet20_cifar10").override(
    {
        "name": "resnet110_cifar10",
        "description": "CIFAR ResNet-110 (option A), one epoch at 0.01, then the ResNet-20 schedule",
        "model.name": "resnet110",
        "schedule.name": "piecewise",
        "schedule.options": {"boundaries": (1, 91, 136), "values": (0.1, 1.0, 0.1, 0.01)},
        "reference": "CIFAR-10 test error 6.43% (He et al. 2015, Table 6; REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
