"""Recipes and the training engine."""

from dlrecipes.training import initializers  # noqa: F401  (registers "small_normal")
from dlrecipes.training import task_metrics  # noqa: F401  (registers BitsPerCharacter, Perplexity)
from dlrecipes.training.engine import RunResult, train
from dlrecipes.training.recipe import (
    AugmentationSpec,
    EarlyStoppingSpec,
    ModelSpec,
    OptimizerSpec,
    Recipe,
    RegularizationSpec,
    ScheduleSpec,
    TransferSpec,
)
from dlrecipes.training.recipes import get_recipe, list_recipes

__all__ = [
    "AugmentationSpec",
    "EarlyStoppingSpec",
    "ModelSpec",
    "OptimizerSpec",
    "Recipe",
    "RegularizationSpec",
    "RunResult",
    "ScheduleSpec",
    "TransferSpec",
    "get_recipe",
    "list_recipes",
    "train",
]
