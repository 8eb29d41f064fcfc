"""Argument types shared by the command-line tools (`dlrecipes` and `dlrecipes bench`)."""

import argparse
import json


def shape(text):
    """"32,32,3" → (32, 32, 3)."""
    try:
        return tuple(int(d) for d in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 32,32,3, got {text!r}")


def key_value(text):
    """KEY=VALUE with VALUE read as JSON when it parses (numbers, lists, true), else a string."""
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as boundaries=[30,60], got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value
