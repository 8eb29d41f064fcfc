"""FCN-32s (Long et al. 2015) on Fashion-MNIST scenes with the recipe of fcn8s_scenes
(narrow VGG-16 from scratch, Adam; see recipes/fcn8s_scenes.py for why not the paper's SGD)."""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("fcn8s_scenes").override(
    {
        "name": "fcn32s_scenes",
        "description": "FCN-32s, VGG-16 at width 1/8, on 64x64 Fashion-MNIST scenes",
        "model.name": "fcn32s",
    }
)

if __name__ == "__main__":
    main(RECIPE)
