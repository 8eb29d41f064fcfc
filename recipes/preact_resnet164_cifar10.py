"""Pre-activation ResNet-164 on CIFAR-10 (He, Zhang, Ren & Sun 2016, "Identity Mappings in Deep
Residual Networks"): bottleneck units, pre-activated projection shortcuts, final BN-ReLU; the
ResNet-110 recipe (recipes/resnet110_cifar10.py: one warm-up epoch at 0.01, then SGD momentum
0.9, batch 128, 0.1 ÷10 at epochs 91 and 136 of 182, weight decay λ = 1e-4 → Keras L2
coefficient c = λ/2 = 5e-5, batch-norm momentum 0.9, pad-4 crops + flips).
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("resnet110_cifar10").override(
    {
        "name": "preact_resnet164_cifar10",
        "description": "Pre-activation ResNet-164 (bottleneck), the ResNet-110 recipe with warm-up",
        "model.name": "preact_resnet164",
        "reference": "CIFAR-10 test error 5.46% (He et al. 2016, Table 2; REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
