"""Maxout MLP on Fashion-MNIST (Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013,
"Maxout Networks"): the paper's permutation-invariant MNIST setup (its pylearn2 mnist_pi.yaml;
not in REFERENCE.md): two maxout layers of 240 units × 5 pieces, dropout 0.2 on the input and
0.5 on the hidden layers, each unit's weight vector constrained to norm ≤ 1.9365, SGD with
batch 100 and learning rate 0.1 decaying by 1.000004 per step (×0.9978 per epoch of 550
steps), momentum 0.7 (the paper ramps it from 0.5 over 250 epochs), early stopping with
patience 100. No weight decay (λ = 0; the Keras L2 coefficient would be λ/2) and no batch norm.
"""

from dlrecipes import EarlyStoppingSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="maxout_mlp_fashion_mnist",
    description="Maxout MLP 240x5-240x5, dropout 0.2/0.5, max-norm 1.9365, SGD 0.1 momentum 0.7",
    model=ModelSpec("maxout_mlp", options={"input_dropout_rate": 0.2}, dropout_rate=0.5),
    dataset="fashion_mnist",
    batch_size=100,
    epochs=250,
    optimizer=OptimizerSpec("momentum", learning_rate=0.1, options={"momentum": 0.7}),
    schedule=ScheduleSpec("exponential", {"decay_epochs": 1.0, "decay_rate": 0.9978}),
    regularization=RegularizationSpec(max_norm=1.9365),
    early_stopping=EarlyStoppingSpec(patience=100, monitor="val_accuracy"),
    reference="MNIST (permutation invariant) test error 0.94% (Goodfellow et al. 2013, Table 1)",
)

if __name__ == "__main__":
    main(RECIPE)
