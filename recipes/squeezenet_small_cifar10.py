"""SqueezeNet v1.1, small-image form (stride-1 conv1), on CIFAR-10 with the authors' solver
settings (Iandola et al. 2016; REFERENCE.md §3): SGD momentum 0.9, learning rate 0.08 with
polynomial decay of power 0.5 to 0, dropout 0.5 before conv10. Weight decay λ = 2e-4 → Keras
L2 coefficient c = λ/2 = 1e-4. Batch 128 and 100 epochs are ours (the solver's batch is not
confirmed). No batch norm in SqueezeNet (BN momentum 0.9 applies to the batch-norm families).
Crops + flips.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="squeezenet_small_cifar10",
    description="SqueezeNet 1.1 small-image form, SGD 0.08 poly(0.5), 100 epochs",
    model=ModelSpec("squeezenet_small", dropout_rate=0.5),
    dataset="cifar10",
    batch_size=128,
    epochs=100,
    optimizer=OptimizerSpec("momentum", learning_rate=0.08, options={"momentum": 0.9}),
    schedule=ScheduleSpec("polynomial", {"power": 0.5, "end_factor": 0.0}),
    regularization=RegularizationSpec(weight_decay=1e-4),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="Fashion-MNIST table: SqueezeNet, cyclical LR, 200 epochs 0.900 (REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
