"""Search spaces: one module per space, each defining `BASE` (a recipe) and `SPACE`, runnable as
a script (`python tuning/<name>.py --tuner hyperband`)."""
