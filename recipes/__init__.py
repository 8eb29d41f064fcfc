"""Recipes: one module per (model, dataset), each defining `RECIPE` and runnable as a script."""
