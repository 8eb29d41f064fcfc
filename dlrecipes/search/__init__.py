"""Hyperparameter search with keras-tuner over recipe fields (`dlrecipes tune`)."""

from dlrecipes.search.hypermodel import (
    OBJECTIVE,
    RecipeHyperModel,
    hyperband_budget,
    make_tuner,
)
from dlrecipes.search.run import SearchSettings, main, read_search, retrain_best, run_search, tune
from dlrecipes.search.space import Boolean, Choice, Float, Int, SearchSpace, get_space, list_spaces

__all__ = [
    "OBJECTIVE",
    "Boolean",
    "Choice",
    "Float",
    "Int",
    "RecipeHyperModel",
    "SearchSettings",
    "SearchSpace",
    "get_space",
    "hyperband_budget",
    "list_spaces",
    "main",
    "make_tuner",
    "read_search",
    "retrain_best",
    "run_search",
    "tune",
]
