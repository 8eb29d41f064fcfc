"""Network in Network on ImageNet (Lin, Chen & Yan 2014, "Network In Network", §4), the
authors' ImageNet model (four mlpconv blocks, global average pooling, no FC layer).

The paper trains as Krizhevsky et al. did: batch 128, the learning rate divided by 10 when the
validation accuracy stops improving, dropout between mlpconv blocks (here 0.5 before the last,
as in the authors' ImageNet model). It states no learning rate, momentum, weight decay or epoch
count for ImageNet, so this is the AlexNet recipe (recipes/alexnet_imagenet.py; unconfirmed for
NiN) with He initialization: SGD with momentum 0.9, lr 0.01 (three divisions, so down to 1e-5),
λ = 5e-4 as the Keras L2 coefficient c = λ/2 = 2.5e-4, 90 epochs, random 224×224 crops of the
256-pixel image (the data pipeline) and horizontal flips.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("alexnet_imagenet").override(
    {
        "name": "nin_imagenet",
        "description": "Network in Network on ImageNet, the AlexNet recipe",
        "model": {"name": "nin", "dropout_rate": 0.5},
        "reference": "No ImageNet figure in REFERENCE.md; NiN on CIFAR-10: 10.41% test error without "
        "augmentation, 8.81% with (Lin et al. 2014; REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
