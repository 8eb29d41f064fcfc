"""SqueezeNet 1.1 on ImageNet (Iandola et al. 2016, "SqueezeNet: AlexNet-level accuracy with
50x fewer parameters and <0.5MB model size"; v1.1 from the authors' repository: conv1 3×3×64,
pools after conv1, fire3 and fire5), the recipe of the authors' Caffe solver.

SGD with momentum 0.9, learning rate 0.08 with polynomial decay of power 0.5 to 0 over the run,
weight decay λ = 2e-4 (w ← w − lr·(g + λw)), i.e. the Keras L2 coefficient c = λ/2 = 1e-4;
dropout 0.5 after fire9 (REFERENCE.md §3). The batch size is unconfirmed: 512 (the global batch
of the v1.0 solver) here, for 68 epochs (its 170k iterations). Augmentation: random 224×224
crops of the 256-pixel image (the data pipeline) and horizontal flips.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="squeezenet1_1_imagenet",
    description="SqueezeNet 1.1 on ImageNet, SGD 0.08 poly(0.5), batch 512, 68 epochs",
    model=ModelSpec("squeezenet1_1", dropout_rate=0.5),
    dataset="imagenet2012",
    batch_size=512,
    epochs=68,
    optimizer=OptimizerSpec("momentum", learning_rate=0.08, options={"momentum": 0.9}),
    schedule=ScheduleSpec("polynomial", {"power": 0.5, "end_factor": 0.0}),
    regularization=RegularizationSpec(weight_decay=1e-4),
    augmentation=AugmentationSpec(flip="horizontal"),
    validation=10000,
    reference="SqueezeNet 1.0, ILSVRC-2012 val: 57.5% top-1, 80.3% top-5 accuracy (secondary "
    "source; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
