"""Yu & Koltun's (2016) front end + basic context module (3×3 convs dilated 1, 1, 2, 4, 8, 16,
1 and a 1×1 on the 11 class maps, identity-initialised) on Fashion-MNIST scenes, with the
recipe of dilated_frontend_scenes so that the two compare. The paper trains the context
module on the trained front end's outputs; here both are trained together from scratch."""

from dlrecipes import get_recipe
from dlrecipes.cli import main

RECIPE = get_recipe("dilated_frontend_scenes").override(
    {
        "name": "dilated_scenes",
        "description": "Dilated front end + basic context module at width 1/16 on 64x64 Fashion-MNIST scenes",
        "model.name": "dilated_context",
    }
)

if __name__ == "__main__":
    main(RECIPE)
