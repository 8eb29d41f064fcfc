"""Argument checks shared by builders, data and training: each raises ConfigError naming the
argument, the value received and what is allowed, before any computation."""

import difflib
import numbers

from dlrecipes.errors import ConfigError


def suggest(value, options):
    """A ' Did you mean ...?' hint with the closest names, or ''."""
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=3, cutoff=0.5)
    return f" Did you mean: {', '.join(close)}?" if close else ""


def check_choice(argument, value, allowed):
    """`value` must be one of `allowed`."""
    allowed = list(allowed)
    if value not in allowed:
        raise ConfigError(
            f"{argument} must be one of {allowed}. Received: {argument}={value!r}."
            + suggest(value, allowed)
        )
    return value


def check_int(argument, value, minimum=None):
    """`value` must be an int (not a bool) and at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{argument} must be an integer. Received: {argument}={value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{argument} must be >= {minimum}. Received: {argument}={value!r}")
    return int(value)


def check_float(argument, value, minimum=None, maximum=None, include_maximum=True):
    """`value` must be a real number in [minimum, maximum] (maximum excluded if asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{argument} must be a number. Received: {argument}={value!r}")
    value = float(value)
    too_big = maximum is not None and (value > maximum if include_maximum else value >= maximum)
    if (minimum is not None and value < minimum) or too_big or value != value:
        closing = "]" if include_maximum else ")"
        low = "-inf" if minimum is None else minimum
        high = "inf" if maximum is None else maximum
        raise ConfigError(
            f"{argument} must be in [{low}, {high}{closing}. Received: {argument}={value!r}"
        )
    return value


def check_rate(argument, value):
    """A dropout-like probability in [0, 1)."""
    return check_float(argument, value, 0.0, 1.0, include_maximum=False)


def check_num_classes(num_classes):
    """At least 2 classes, or 0 for a feature extractor without classifier."""
    num_classes = check_int("num_classes", num_classes)
    if num_classes == 1 or num_classes < 0:
        raise ConfigError(
            "num_classes must be >= 2 (or 0 for a feature extractor without classifier). "
            f"Received: num_classes={num_classes}"
        )
    return num_classes


def check_input_shape(input_shape, rank, min_size=None, model="model"):
    """A tuple of `rank` positive ints; the leading `rank - 1` (spatial) dims at least `min_size`."""
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise ConfigError(
            f"input_shape must be a tuple of {rank} positive integers. "
            f"Received: input_shape={input_shape!r}"
        ) from None
    if len(shape) != rank or any(
        isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1 for d in shape
    ):
        layout = "(height, width, channels)" if rank == 3 else f"{rank} dimensions"
        raise ConfigError(
            f"{model} needs input_shape of {rank} positive integers {layout}. "
            f"Received: input_shape={input_shape!r}"
        )
    spatial = shape[:-1] if rank > 1 else shape
    if min_size is not None and any(d < min_size for d in spatial):
        raise ConfigError(
            f"{model} needs inputs of at least {min_size}x{min_size} pixels. "
            f"Received: input_shape={shape!r}"
        )
    return tuple(int(d) for d in shape)


def check_depth(depth, *, per_unit, offset, examples, argument="depth"):
    """`depth` must be per_unit·n + offset for some n >= 1 (ResNet 6n+2, WRN 6n+4, ...);
    returns n. `examples` are valid depths quoted in the message."""
    depth = check_int(argument, depth)
    n, remainder = divmod(depth - offset, per_unit)
    if remainder or n < 1:
        quoted = ", ".join(str(e) for e in examples)
        raise ConfigError(
            f"{argument} must be {per_unit}n+{offset} ({quoted}, ...). Received: {argument}={depth}"
        )
    return n


def check_model(argument, value):
    """`value` must be a keras.Model (a TypeError otherwise, as for any wrong type)."""
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{argument} must be a keras.Model (build one with dlrecipes.build_model). Received: {value!r}")
    return value


def make_folder(path, *, out, exist_ok=False):
    """Create the folder `path` (and its parents) under the output root `out`; a ConfigError
    naming `out` when it cannot be (a file in the way, no permission)."""
    try:
        path.mkdir(parents=True, exist_ok=exist_ok)
    except (NotADirectoryError, FileExistsError, PermissionError) as error:
        raise ConfigError(
            f"out must be a folder this process can write into. Received: out={str(out)!r} "
            f"({error.strerror}: {error.filename})"
        ) from error
    return path
