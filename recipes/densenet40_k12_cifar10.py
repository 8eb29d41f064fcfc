"""DenseNet (L=40, k=12) on CIFAR-10 without augmentation (Huang, Liu, van der Maaten &
Weinberger 2017, §4.2): the DenseNet-BC recipe (recipes/densenet_bc100_cifar10.py: Nesterov SGD
momentum 0.9, batch 64, 0.1 ÷10 at epochs 150 and 225 of 300, weight decay λ = 1e-4 → Keras L2
coefficient c = λ/2 = 5e-5, batch-norm momentum 0.9) with dropout 0.2 after every convolution
and no augmentation (the paper's C10 column).
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("densenet_bc100_cifar10").override(
    {
        "name": "densenet40_k12_cifar10",
        "description": "DenseNet L=40 k=12, dropout 0.2, no augmentation (C10)",
        "model.name": "densenet40_k12",
        "model.dropout_rate": 0.2,
        "augmentation": {"flip": "none", "crop_padding": 0},
        "reference": "CIFAR-10 test error 7.00% without augmentation, 5.24% with (Huang et al. 2017, Table 2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
