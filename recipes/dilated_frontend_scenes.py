"""Yu & Koltun's (2016) dilated front end on Fashion-MNIST scenes: VGG-16 without pool4/pool5
(conv5 dilated 2, fc6 dilated 4), output stride 8, fixed bilinear ×8 upsampling, at width
1/16 (4-8-16-32-32 conv channels, fc6/fc7 256): the dilated layers work on 8×8 maps where
FCN's work on 2×2 ones, so the same width would cost about 8× FCN's time on CPU.

The paper trains the front end with SGD (lr 1e-4, momentum 0.9, batch 14) from ImageNet
weights; here Adam (lr 1e-3) from scratch, as the FCN scene recipes, fits a CPU budget.
"""

from dlrecipes import ModelSpec, OptimizerSpec, Recipe
from dlrecipes.cli import main

RECIPE = Recipe(
    name="dilated_frontend_scenes",
    description="Dilated VGG-16 front end at width 1/16 on 64x64 Fashion-MNIST scenes",
    model=ModelSpec("dilated_frontend", options={"width": 0.0625}),
    dataset="fashion_scenes",
    batch_size=32,
    epochs=5,
    optimizer=OptimizerSpec("adam", learning_rate=1e-3),
    validation=1000,
    reference="Yu & Koltun 2016 (Table 3, VOC 2012): the context module raises the front end's mean IoU (not in REFERENCE.md).",
)

if __name__ == "__main__":
    main(RECIPE)
