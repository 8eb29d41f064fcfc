"""The 256-128-100 ReLU MLP of the Fashion-MNIST benchmark table (0.883 test accuracy,
REFERENCE.md §2), with dropout and Adam."""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe
from dlrecipes.cli import main

RECIPE = Recipe(
    name="mlp_fashion_mnist",
    description="MLP 256-128-100, ReLU, dropout 0.2, on Fashion-MNIST",
    model=ModelSpec("mlp", options={"hidden_units": (256, 128, 100)}, dropout_rate=0.2),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=15,
    optimizer=OptimizerSpec("adam", learning_rate=1e-3),
    early_stopping=EarlyStoppingSpec(patience=3),
    reference="MLP 256-128-100: 0.883 test accuracy (Fashion-MNIST benchmark table, REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
