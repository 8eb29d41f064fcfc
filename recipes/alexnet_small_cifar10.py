"""AlexNet, small-image form, on CIFAR-10 with the AlexNet paper's recipe (Krizhevsky,
Sutskever & Hinton 2012, §5; REFERENCE.md §3): SGD momentum 0.9, batch 128, learning rate 0.01
divided by 10 when the validation error stops improving (three times), about 90 epochs, dropout
0.5 in the two hidden FC layers; random crops + flips (no PCA colour jitter). Weight decay
λ = 5e-4 → Keras L2 coefficient c = λ/2 = 2.5e-4. He initialization instead of the paper's
N(0, 0.01). No batch norm in AlexNet (BN momentum 0.9 applies to the batch-norm families).
Override `dataset` for Fashion-MNIST (the model takes 28×28 inputs).
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="alexnet_small_cifar10",
    description="AlexNet small-image form, SGD 0.01 /10 on validation plateaus, 90 epochs",
    model=ModelSpec("alexnet_small", dropout_rate=0.5),
    dataset="cifar10",
    batch_size=128,
    epochs=90,
    optimizer=OptimizerSpec("momentum", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec(
        "plateau", {"factor": 0.1, "patience": 5, "min_lr": 1e-5, "monitor": "val_accuracy"}
    ),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="Fashion-MNIST table: AlexNet (triplet loss) 0.899 (REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
