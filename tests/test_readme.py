"""The README stays true: every command it shows parses with the real parser and names a recipe,
space, model, schedule, script, benchmark section, Makefile target or pip extra that exists, and
its Python examples run (training replaced by resolving the recipe it would train)."""

import argparse
import functools
import pathlib
import re
import shlex
import tomllib
import types

import pytest

import dlrecipes
from dlrecipes.cli import _overrides, add_train_arguments, parser
from dlrecipes.registry import list_models, model_info
from dlrecipes.search import Boolean, Choice, Float, Int
from dlrecipes.search.run import add_tune_arguments
from dlrecipes.search.space import get_space, space_from_module
from dlrecipes.training.engine import resolve_recipe
from dlrecipes.training.recipes import get_recipe
from dlrecipes.training.schedules import schedule_values
from tests.conftest import ROOT, benchmark_script

README = (ROOT / "README.md").read_text()
# A usage synopsis, not a command: a placeholder word (RECIPE, MODEL, RUN, P), `[optional]` or `...`.
SYNOPSIS = re.compile(r"\b[A-Z][A-Z_]*\b|\[|\.\.\.")
ENVIRONMENT_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def code_blocks(language):
    """The text of the README's fenced code blocks in `language`."""
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def readme_commands():
    """The shell commands the README shows: each line of its bash blocks (backslash continuations
    joined) and the inline `dlrecipes ...` / `python ...` commands that are not synopses."""
    commands = []
    for block in code_blocks("bash"):
        commands += [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    inline = re.findall(r"`((?:\.venv/bin/)?(?:dlrecipes|python) [^`]+)`", README)
    return commands + [command for command in inline if not SYNOPSIS.search(command)]


def _words(command):
    """The command's words without its comment and leading VAR=value assignments."""
    words = shlex.split(command, comments=True)
    while words and ENVIRONMENT_ASSIGNMENT.match(words[0]):
        words.pop(0)
    return words


def _parse(argument_parser, words):
    try:
        return argument_parser.parse_args(words)
    except SystemExit:
        pytest.fail(f"argparse rejects {shlex.join(words)!r}")


def _check_dlrecipes(words):
    args = _parse(parser(), words[1:])
    if args.command == "list":
        if args.tag or args.family:
            assert list_models(args.pattern, family=args.family, tag=args.tag), "lists no model"
    elif args.command == "train":
        resolve_recipe(args.recipe, _overrides(args))
    elif args.command == "diagnose":
        get_recipe(args.recipe)
    elif args.command == "tune":
        get_space(args.space)
    elif args.command == "show":
        model_info(args.model)
    elif args.command == "schedule":
        schedule_values(args.name, dict(args.option), learning_rate=args.lr, steps_per_epoch=args.steps_per_epoch,
                        epochs=args.epochs)
    elif args.command == "bench":
        for name in args.models:
            if not name.startswith("keras:"):
                model_info(name)
    # retrain-best and ensemble take folders that a search or a run writes: nothing to look up


def _check_python(words):
    script, flags = ROOT / words[1], words[2:]
    assert script.is_file(), f"{words[1]} does not exist"
    if script.parent.name == "recipes":
        get_recipe(script.stem)
        add_flags = add_train_arguments
    elif script.parent.name == "tuning":
        get_space(script.stem)
        add_flags = functools.partial(add_tune_arguments, with_space=False)
    else:
        assert script.name == "run_benchmarks.py", f"no check for the script {words[1]}"
        unknown = set(flags) - set(benchmark_script().SECTIONS)
        assert not unknown, f"unknown benchmark sections {sorted(unknown)}"
        return
    script_parser = argparse.ArgumentParser()
    add_flags(script_parser)
    _parse(script_parser, flags)


def _check_make(words):
    targets = re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    assert set(words[1:]) <= set(targets), f"the Makefile has no target {set(words[1:]) - set(targets)}"


def _check_pip(words):
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    named = {extra for word in words if word.startswith(".[") for extra in word[2:-1].split(",")}
    assert words[1] == "install" and named <= set(extras), f"pyproject.toml has no extra {named - set(extras)}"


CHECKS = {"dlrecipes": _check_dlrecipes, "python": _check_python, "make": _check_make, "pip": _check_pip}


def test_the_readme_shows_commands_of_every_kind():
    assert {pathlib.Path(_words(command)[0]).name for command in readme_commands()} == set(CHECKS)


@pytest.mark.parametrize("command", readme_commands(), ids=lambda command: shlex.join(_words(command)))
def test_readme_command_is_real(command):
    words = _words(command)
    CHECKS[pathlib.Path(words[0]).name](words)


def test_readme_python_examples_run(monkeypatch):
    """The builder example runs as shown (and lists what its comment says); the training example's
    call resolves its recipe and overrides (training itself is the engine's tests' business); the
    space example is a valid space over its base recipe."""
    building, training, space = code_blocks("python")
    namespace = {}
    exec("import dlrecipes\n" + building, namespace)
    assert namespace["dlrecipes"].list_models("lenet*") == ["lenet5", "lenet5_modern"]
    assert "# ['lenet5', 'lenet5_modern']" in building

    resolved = []

    def resolve_only(recipe, **overrides):
        resolved.append(resolve_recipe(recipe, overrides))
        return types.SimpleNamespace(metrics={"test_accuracy": 0.0}, run_dir=None)

    monkeypatch.setattr(dlrecipes, "train", resolve_only)
    exec(training, {"dlrecipes": dlrecipes})
    assert resolved and resolved[0].optimizer.learning_rate == 2e-3 and resolved[0].epochs == 3

    names = {"Float": Float, "Int": Int, "Choice": Choice, "Boolean": Boolean}
    exec(space, names)
    space_from_module("readme_example", types.SimpleNamespace(SPACE=names["SPACE"], BASE=names["BASE"]))
