"""ZFNet on ImageNet (Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional
Networks", §3), the paper's recipe: AlexNet's (recipes/alexnet_imagenet.py) for 70 epochs.

SGD with momentum 0.9, batch 128, learning rate 0.01 divided by 10 by hand when the validation
error plateaus (three times here), weight decay λ = 5e-4 as the Keras L2 coefficient
c = λ/2 = 2.5e-4, weights from N(0, 0.01) ("small_normal"), dropout 0.5 in the FC layers,
contrast normalization after pool1/pool2 (`original=True`). Augmentation: random 224×224 crops
of the 256-pixel image (the data pipeline) and horizontal flips. The paper's renormalization of
conv filters whose RMS exceeds 0.1 is not reproduced.
"""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("alexnet_imagenet").override(
    {
        "name": "zfnet_imagenet",
        "description": "ZFNet on ImageNet, the AlexNet recipe for 70 epochs",
        "model.name": "zfnet",
        "epochs": 70,
        "reference": "One net, ILSVRC-2012 val: top-1/top-5 error 38.4/16.5% (Zeiler & Fergus 2014; "
        "REFERENCE.md §2)",
    }
)

if __name__ == "__main__":
    main(RECIPE)
