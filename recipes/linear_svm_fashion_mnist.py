"""A linear classifier trained with the multiclass SVM hinge loss Σ_{j≠y} max(0, s_j − s_y + 1)
(Weston & Watkins 1999) on Fashion-MNIST pixels, with L2 regularization as in an SVM.

Keras L2 coefficient c = 5e-5 on the weights, i.e. SGD weight decay λ = 2c = 1e-4.
"""

from dlrecipes import ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="linear_svm_fashion_mnist",
    description="linear multiclass SVM (hinge loss) on Fashion-MNIST pixels",
    model=ModelSpec("linear"),
    dataset="fashion_mnist",
    batch_size=128,
    epochs=10,
    loss="multiclass_hinge",
    optimizer=OptimizerSpec("sgd", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec("cosine"),
    regularization=RegularizationSpec(weight_decay=5e-5),
    reference="no published row for a pixel-level linear SVM; HOG + SVM reaches 0.926 (REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
