"""GoogLeNet (Inception v1) on ImageNet (Szegedy et al. 2015, "Going Deeper with
Convolutions", §5–6), the paper's recipe on the batch-norm variant of the network.

SGD with momentum 0.9, the learning rate decreased by 4% every 8 epochs (exponential schedule,
staircase); dropout 0.4 before the classifier. The auxiliary classifiers on inception4a and
inception4d (5×5/3 average pool → 1×1 conv 128 → FC 1024 → dropout 0.7 → classifier,
`aux_logits=True`) add their losses with weight 0.3 each during training and are dropped from
the saved model. The paper gives no initial learning rate, batch size, weight decay or epoch
count: lr 0.01, batch 32 and weight decay λ = 2e-4 (the Keras L2 coefficient c = λ/2 = 1e-4)
follow BVLC's Caffe reproduction (unconfirmed); 120 epochs is our choice. Augmentation: random
224×224 crops of the 256-pixel image (the data pipeline) and horizontal flips; the paper's
aspect-ratio crops and photometric distortions are not reproduced.
"""

from dlrecipes import AugmentationSpec, ModelSpec, OptimizerSpec, Recipe, RegularizationSpec, ScheduleSpec
from dlrecipes.cli import main

RECIPE = Recipe(
    name="googlenet_imagenet",
    description="GoogLeNet with auxiliary heads (weight 0.3) on ImageNet, SGD, lr -4% every 8 epochs",
    model=ModelSpec("googlenet", options={"aux_logits": True, "aux_dropout_rate": 0.7}, dropout_rate=0.4),
    dataset="imagenet2012",
    batch_size=32,
    epochs=120,
    optimizer=OptimizerSpec("momentum", learning_rate=0.01, options={"momentum": 0.9}),
    schedule=ScheduleSpec("exponential", {"decay_epochs": 8, "decay_rate": 0.96, "staircase": True}),
    regularization=RegularizationSpec(weight_decay=1e-4),
    augmentation=AugmentationSpec(flip="horizontal"),
    aux_loss_weight=0.3,
    validation=10000,
    reference="One model, one crop: top-5 error 10.07% (Szegedy et al. 2015; REFERENCE.md §2)",
)

if __name__ == "__main__":
    main(RECIPE)
