"""Finding recipes by name: every module of the `dlrecipes.recipes` package (the recipes/ folder,
shipped inside the package) that defines `RECIPE`."""

import fnmatch
import importlib
import pkgutil

from dlrecipes.errors import ConfigError
from dlrecipes.validation import suggest

RECIPE_PACKAGE = "dlrecipes.recipes"


def list_recipes(pattern="*"):
    """Sorted recipe names matching an fnmatch `pattern`."""
    package = importlib.import_module(RECIPE_PACKAGE)
    names = (m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))


def get_recipe(name):
    """The `RECIPE` of recipes/<name>.py."""
    from dlrecipes.training.recipe import Recipe

    available = list_recipes()
    if name not in available:
        raise ConfigError(f"Unknown recipe {name!r}. Available: {available}." + suggest(name, available))
    module = importlib.import_module(f"{RECIPE_PACKAGE}.{name}")
    recipe = getattr(module, "RECIPE", None)
    if not isinstance(recipe, Recipe) or recipe.name != name:
        raise ConfigError(f"{module.__file__} must define RECIPE = Recipe(name={name!r}, ...).")
    return recipe


def recipes_for_model(model_name):
    """Names of the recipes that train `model_name`."""
    return tuple(n for n in list_recipes() if get_recipe(n).model.name == model_name)
