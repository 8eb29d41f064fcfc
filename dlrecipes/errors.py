"""Exceptions for user errors, raised before any computation starts."""


class ConfigError(ValueError):
    """A bad argument: the message names the argument, the value received and what is allowed."""


class DataUnavailableError(RuntimeError):
    """A dataset cannot be found locally and cannot be downloaded; the message says how to provide it."""
