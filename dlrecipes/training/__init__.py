"""Recipes and the training engine."""

from dlrecipes.training.engine import RunResult, train
from dlrecipes.training.recipe import (
    EarlyStoppingSpec,
    ModelSpec,
    OptimizerSpec,
    Recipe,
    RegularizationSpec,
    ScheduleSpec,
)
from dlrecipes.training.recipes import get_recipe, list_recipes

__all__ = [
    "EarlyStoppingSpec",
    "ModelSpec",
    "OptimizerSpec",
    "Recipe",
    "RegularizationSpec",
    "RunResult",
    "ScheduleSpec",
    "get_recipe",
    "list_recipes",
    "train",
]
