"""VGG-16 with batch norm, small-image form, on CIFAR-10 with the VGG paper's recipe (Simonyan
& Zisserman 2015, §3.1; REFERENCE.md §3): SGD momentum 0.9, batch 256, learning rate 0.01
divided by 10 when validation accuracy stops improving (three times), 74 epochs, dropout 0.5 in
the two hidden FC layers (512 wide here). Weight decay λ = 5e-4 → Keras L2 coefficient
c = λ/2 = 2.5e-4. Batch-norm momentum 0.9 (PyTorch's 0.1). Crops + flips.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="vgg16_bn_cifar_cifar10",
    description="VGG-16-BN (512-512 head), SGD 0.01 /10 on validation plateaus, 74 epochs",
    model=ModelSpec("vgg16_bn_cifar", dropout_rate=0.5),
    dataset="cifar10",
    batch_size=256,
    epochs=74,
    optimizer=OptimizerSpec("momentum", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec(
        "plateau", {"factor": 0.1, "patience": 5, "min_lr": 1e-5, "monitor": "val_accuracy"}
    ),
    regularization=RegularizationSpec(weight_decay=2.5e-4),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="Fashion-MNIST table: VGG-16 (26M, no augmentation) 0.935 (REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
