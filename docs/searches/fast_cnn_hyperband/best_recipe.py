"""Best configuration of search fast_cnn_fashion_mnist-hyperband-87fc1569416f (its results lie next to this file): val_accuracy 0.9396 (trial 18, best epoch 8).

Run it like any recipe: python best_recipe.py --epochs 10
"""

from dlrecipes import Recipe
from dlrecipes.cli import main

RECIPE = Recipe.from_dict(
{   'augmentation': {   'brightness': 0.0,
                        'contrast': 0.0,
                        'crop_padding': 0,
                        'erasing': 0.0,
                        'erasing_size': 0.5,
                        'flip': 'horizontal',
                        'noise_stddev': 0.0,
                        'padding_mode': 'constant',
                        'pca_lighting': 0.0,
                        'rotation': 0.0,
                        'scale_jitter': 1.0,
                        'test_flip': True,
                        'translation': 0.0},
    'aux_loss_weight': 0.3,
    'batch_size': 128,
    'classes': [],
    'dataset': 'fashion_mnist',
    'description': 'small VGG-style BN CNN pooled before its norms, one-cycle SGD, label '
                   'smoothing, flips, flip TTA',
    'early_stopping': {'min_delta': 0.0, 'monitor': 'val_loss', 'patience': None},
    'epochs': 9,
    'examples_per_class': None,
    'jit_compile': None,
    'loss': 'crossentropy',
    'mixed_precision': None,
    'model': {   'dropout_rate': 0.15,
                 'name': 'vgg11',
                 'options': {   'batch_norm': True,
                                'config': [32, 'M', 64, 64, 'M', 128, 128, 'M'],
                                'hidden_units': [256],
                                'pool_first': True}},
    'name': 'fast_cnn_fashion_mnist_best',
    'optimizer': {'learning_rate': 0.019616610706704486, 'name': 'nesterov', 'options': {}},
    'reference': 'issue 8 target: ≥ 0.93 test accuracy within 120 s of training on 2 CPU cores',
    'regularization': {   'l1': 0.0,
                          'label_smoothing': 0.2,
                          'max_norm': None,
                          'weight_decay': 1.9528654576328538e-05},
    'schedule': {   'interval': 'step',
                    'name': 'one_cycle',
                    'options': {'final_factor': 0.01, 'max_factor': 10.0, 'up_fraction': 0.25},
                    'warmup_epochs': 0.0,
                    'warmup_start': 0.0},
    'seed': 0,
    'steps_per_execution': None,
    'transfer': {'freeze_below': None, 'new_head': True, 'source': '', 'train_top': None},
    'validation': 5000}
)

if __name__ == "__main__":
    main(RECIPE)
