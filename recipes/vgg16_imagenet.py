"""VGG-16 on ImageNet (Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for
Large-Scale Image Recognition", §3.1, configuration D), the paper's recipe.

SGD with momentum 0.9, batch 256, learning rate 0.01 divided by 10 when the validation accuracy
stops improving (three times, so down to 1e-5), 74 epochs. The paper's weight decay
λ = 5e-4 (w ← w − lr·(g + λw)) is the Keras L2 coefficient c = λ/2 = 2.5e-4. Dropout 0.5 in
fc1/fc2; Glorot initialization, which the paper notes trains D without its staged pre-training.
Augmentation: random 224×224 crops of the 256-pixel image (the data pipeline, S = 256),
zoomed in by up to 2× (`scale_jitter=2.0`: the paper's multi-scale training S ∈ [256, 512]),
horizontal flips and the RGB colour shift of AlexNet (`pca_lighting=0.1`).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="vgg16_imagenet",
    description="VGG-16 on ImageNet, SGD 0.01 /10 on plateau, batch 256, 74 epochs",
    model=ModelSpec("vgg16", options={"kernel_initializer": "glorot_uniform"}, dropout_rate=0.5),
    dataset="imagenet2012",
    batch_size=256,
    epochs=74,
    optimizer=OptimizerSpec("momentum", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec("plateau", {"factor": 0.1, "patience": 5, "min_lr": 1e-5, "monitor": "val_accuracy"}),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", scale_jitter=2.0, pca_lighting=0.1),
    validation=10000,
    reference="ILSVRC-2012 val, single scale, trained with S in [256, 512]: top-1/top-5 error "
    "25.6/8.1% (Simonyan & Zisserman 2015; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
