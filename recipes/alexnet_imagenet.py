"""AlexNet on ImageNet (Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", §4–5), the paper's recipe on the single-tower network.

SGD with momentum 0.9, batch 128, learning rate 0.01 divided by 10 when the validation error
stops improving (three times, so down to 1e-5), about 90 epochs. The paper's weight decay
λ = 5e-4 (w ← w − lr·(g + λw)) is the Keras L2 coefficient c = λ/2 = 2.5e-4. Weights from
N(0, 0.01) ("small_normal"), biases 1 in conv2/4/5 and the hidden FC layers and 0 elsewhere
(`unit_biases=True`), dropout 0.5 in fc1/fc2, LRN after conv1/conv2 (`original=True`).
Augmentation: random 224×224 crops of the 256-pixel image (the data pipeline), horizontal
flips, and the PCA colour jitter with α ~ N(0, 0.1) (`pca_lighting=0.1`, §4.1).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="alexnet_imagenet",
    description="AlexNet with LRN on ImageNet, SGD 0.01 /10 on plateau, batch 128, 90 epochs",
    model=ModelSpec("alexnet", options={"original": True, "unit_biases": True, "kernel_initializer": "small_normal"}, dropout_rate=0.5),
    dataset="imagenet2012",
    batch_size=128,
    epochs=90,
    optimizer=OptimizerSpec("momentum", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec("plateau", {"factor": 0.1, "patience": 5, "min_lr": 1e-5, "monitor": "val_accuracy"}),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", pca_lighting=0.1),
    validation=10000,
    reference="One CNN, ILSVRC-2012 val: top-1/top-5 error 40.7/18.2% (Krizhevsky et al. 2012; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
