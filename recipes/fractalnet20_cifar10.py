"""FractalNet, 20 layers (C=3 columns, B=5 blocks), on CIFAR-10 with augmentation (Larsson,
Maire & Shakhnarovich 2017, "FractalNet: Ultra-Deep Neural Networks without Residuals", §4).

SGD momentum 0.9, batch 100, 400 epochs, learning rate 0.02 divided by 10 whenever the number
of remaining epochs halves (epochs 200, 300, 350, 375). Dropout 0, 10, 20, 30, 40% over the
blocks; drop-path 15% local, and global drop-path for half of the mini-batches (the mix is not
confirmed by the paper). The paper states no weight decay; none here (with one, the Keras L2
coefficient would be c = λ/2). Batch-norm momentum 0.9 (PyTorch's 0.1); pad-4 crops + flips.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="fractalnet20_cifar10",
    description="FractalNet C=3 B=5, dropout + local/global drop-path, SGD 0.02 over 400 epochs",
    model=ModelSpec(
        "fractalnet20", options={"drop_path_rate": 0.15, "global_drop_path_rate": 0.5}, dropout_rate=0.4
    ),
    dataset="cifar10",
    batch_size=100,
    epochs=400,
    optimizer=OptimizerSpec("momentum", learning_rate=0.02, options={"momentum": 0.9}),
    schedule=ScheduleSpec("step", {"boundaries": (200, 300, 350, 375), "factor": 0.1}),
    augmentation=AugmentationSpec(flip="horizontal", crop_padding=4),
    reference="CIFAR-10+ test error 5.22%, 4.60% with dropout and drop-path (Larsson et al. 2017, Table 1)",
)

if __name__ == "__main__":
    main(RECIPE)
