"""Search spaces as data: dotted recipe fields -> hyperparameter specs, over a base recipe.

A space file in tuning/ (the package `dlrecipes.spaces`) defines

    BASE = "mlp_fashion_mnist"            # a recipe name, or a Recipe for a small-input setup
    SPACE = {
        "optimizer.learning_rate": Float(1e-4, 1e-1, sampling="log"),
        "optimizer.name": Choice(["sgd", "adam"]),
        "optimizer.options.momentum": Float(0.5, 0.99, when={"optimizer.name": "sgd"}),
        "regularization.weight_decay": Float(1e-6, 1e-2, sampling="log", include_zero=True),
        "model.options.hidden_units": Choice([(256,), (256, 128), (256, 128, 100)]),
    }

Each spec becomes one keras-tuner hyperparameter named by its dotted path (`when` puts it in a
keras-tuner conditional scope). Defaults are the base recipe's values, so the first trial of a
search (and keras-tuner's defaults) is the base recipe itself; a base value outside its spec's
range raises ConfigError.
"""

import dataclasses
import fnmatch
import hashlib
import importlib
import json
import pkgutil

from dlrecipes.errors import ConfigError
from dlrecipes.validation import suggest

SPACE_PACKAGE = "dlrecipes.spaces"
# Recipe fields a space may not tune: they change the data, not the model or its training.
_DATA_FIELDS = ("dataset", "validation", "seed", "name")


def _plain(value):
    """JSON-like value with tuples as lists (for comparison and hashing)."""
    return json.loads(json.dumps(value, default=list))


def _tuples(value):
    """Lists (from JSON) back to tuples, recursively, as builders and recipes spell them."""
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(v) for v in value)
    return value


def _conditions(when):
    if when is None:
        return ()
    if not isinstance(when, dict) or not when:
        raise ConfigError(f"when must be a dict {{field: value or [values]}}. Received: when={when!r}")
    return tuple(
        (parent, tuple(v) if isinstance(v, (list, tuple)) else (v,)) for parent, v in when.items()
    )


@dataclasses.dataclass(frozen=True)
class Float:
    """A float in [min, max]; `sampling` "linear" or "log"; `step` (a factor for log) makes it
    discrete; `include_zero` adds 0 as a separate choice (e.g. weight decay: off, or 1e-6..1e-2)."""

    min: float
    max: float
    sampling: str = "linear"
    step: float | None = None
    include_zero: bool = False
    when: dict | None = None

    def __post_init__(self):
        if not self.min < self.max:
            raise ConfigError(f"Float needs min < max. Received: min={self.min!r}, max={self.max!r}")
        if self.sampling not in ("linear", "log"):
            raise ConfigError(f"Float sampling must be 'linear' or 'log'. Received: sampling={self.sampling!r}")
        if self.sampling == "log" and self.min <= 0:
            raise ConfigError(f"log sampling needs min > 0 (use include_zero=True for 0). Received: min={self.min!r}")

    def contains(self, value):
        return (self.include_zero and value == 0) or self.min <= value <= self.max

    def declare(self, hp, name, default, grid=False):
        step = self.step
        if step is None and grid:  # the course's coarse grid: decades, or 5 points
            step = 10.0 if self.sampling == "log" else (self.max - self.min) / 4
        if self.include_zero:
            on = hp.Boolean(f"{name}/on", default=default != 0)
            with hp.conditional_scope(f"{name}/on", [True]):
                value = hp.Float(
                    name, self.min, self.max, step=step, sampling=self.sampling,
                    default=default if default else self.min,
                )
            return 0.0 if not on else value
        return hp.Float(name, self.min, self.max, step=step, sampling=self.sampling, default=default)

    def narrowed(self, values, widen=2.0):
        """The same spec over the range of `values` (best trials), widened by a factor (log) or
        a fraction of the range (linear), clipped to the original range."""
        nonzero = [v for v in values if v]
        if not nonzero:
            return self
        low, high = min(nonzero), max(nonzero)
        if self.sampling == "log":
            low, high = low / widen, high * widen
        else:
            pad = (widen - 1) * max(high - low, (self.max - self.min) / 10) / 2
            low, high = low - pad, high + pad
        low, high = max(low, self.min), min(high, self.max)
        if not low < high:
            low, high = self.min, self.max
        return dataclasses.replace(self, min=low, max=high, include_zero=self.include_zero and 0 in values)


@dataclasses.dataclass(frozen=True)
class Int:
    """An integer in [min, max] with `step`; `sampling` "linear" or "log"."""

    min: int
    max: int
    step: int | None = None
    sampling: str = "linear"
    when: dict | None = None

    def __post_init__(self):
        if not self.min < self.max:
            raise ConfigError(f"Int needs min < max. Received: min={self.min!r}, max={self.max!r}")

    def contains(self, value):
        return isinstance(value, int) and self.min <= value <= self.max

    def declare(self, hp, name, default, grid=False):
        return hp.Int(name, self.min, self.max, step=self.step, sampling=self.sampling, default=default)

    def narrowed(self, values, widen=2.0):
        low, high = min(values), max(values)
        pad = max(1, round((widen - 1) * (high - low) / 2))
        low, high = max(self.min, low - pad), min(self.max, high + pad)
        return self if not low < high else dataclasses.replace(self, min=low, max=high)


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of `values` (any JSON values: names, numbers, tuples such as layer widths)."""

    values: tuple
    when: dict | None = None

    def __post_init__(self):
        object.__setattr__(self, "values", _tuples(tuple(self.values)))
        if len(self.values) < 1 or len(set(map(self._label, self.values))) != len(self.values):
            raise ConfigError(f"Choice needs distinct values. Received: values={self.values!r}")

    @staticmethod
    def _label(value):
        # keras-tuner choices hold scalars; tuples go in as their JSON text
        return value if isinstance(value, (str, int, float, bool)) else json.dumps(_plain(value))

    def contains(self, value):
        return self._label(_tuples(value)) in map(self._label, self.values)

    def declare(self, hp, name, default, grid=False):
        labels = [self._label(v) for v in self.values]
        label = hp.Choice(name, labels, default=self._label(_tuples(default)))
        return None if label is None else self.values[labels.index(label)]

    def narrowed(self, values, widen=2.0):
        kept = tuple(v for v in self.values if self.contains(v) and v in [_tuples(x) for x in values])
        return dataclasses.replace(self, values=kept or self.values)


@dataclasses.dataclass(frozen=True)
class Boolean:
    """True or False."""

    when: dict | None = None

    def contains(self, value):
        return isinstance(value, bool)

    def declare(self, hp, name, default, grid=False):
        return hp.Boolean(name, default=bool(default))

    def narrowed(self, values, widen=2.0):
        return self if len(set(values)) > 1 else Choice(tuple(set(values)), when=self.when)


SPEC_TYPES = {cls.__name__: cls for cls in (Float, Int, Choice, Boolean)}


def spec_to_dict(spec):
    return {"type": type(spec).__name__, **_plain(dataclasses.asdict(spec))}


def spec_from_dict(data):
    data = dict(data)
    kind = data.pop("type")
    if kind not in SPEC_TYPES:
        raise ConfigError(f"Unknown spec type {kind!r}. Allowed: {sorted(SPEC_TYPES)}.")
    return SPEC_TYPES[kind](**data)


def _lookup(data, path):
    node = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return _tuples(node)


@dataclasses.dataclass(frozen=True)
class SearchSpace:
    """A named mapping {dotted recipe field: spec} over a base recipe."""

    name: str
    base: object  # Recipe
    specs: dict

    def __post_init__(self):
        from dlrecipes.training.recipe import Recipe

        if not isinstance(self.base, Recipe):
            raise ConfigError(f"A space's base must be a Recipe. Received: base={self.base!r}")
        if not self.specs:
            raise ConfigError(f"Space {self.name!r} has no hyperparameters.")
        for path, spec in self.specs.items():
            if not isinstance(spec, tuple(SPEC_TYPES.values())):
                raise ConfigError(f"SPACE[{path!r}] must be one of {sorted(SPEC_TYPES)}. Received: {spec!r}")
            if path.split(".")[0] in _DATA_FIELDS:
                raise ConfigError(f"A space cannot tune {path!r}: it changes the data, not the model.")
            for parent, values in _conditions(spec.when):
                if parent not in self.specs or list(self.specs).index(parent) > list(self.specs).index(path):
                    raise ConfigError(
                        f"SPACE[{path!r}] depends on {parent!r}, which must be a hyperparameter listed before it."
                    )
                bad = [v for v in values if not self.specs[parent].contains(v)]
                if bad:
                    raise ConfigError(f"SPACE[{path!r}].when: {bad} are not values of {parent!r}.")
            default = self.default(path)
            if default is not None and not spec.contains(default):
                raise ConfigError(
                    f"The default of {path!r} is the base recipe's value {default!r}, outside its "
                    f"spec {spec!r}: widen the spec or change the base recipe."
                )
        self.recipe_for(self.defaults())  # every path is a recipe field, the defaults valid

    def default(self, path):
        """The base recipe's value at `path` (None when the base has no such setting)."""
        value = _lookup(self.base.to_dict(), path)
        if value is None:
            value = self._implicit_default(path)
        return value

    def _implicit_default(self, path):
        """What is in force when the base recipe leaves `path` unset: the optimizer's or the
        builder's default."""
        leaf = path.rsplit(".", 1)[-1]
        if path.startswith("optimizer.options."):
            import inspect

            from dlrecipes.training.optimizers import DEFAULTS, OPTIMIZERS

            name = self.base.optimizer.name
            if leaf in DEFAULTS.get(name, {}):
                return DEFAULTS[name][leaf]
            parameter = inspect.signature(OPTIMIZERS[name].__init__).parameters.get(leaf)
            return None if parameter is None else parameter.default
        if path.startswith("model.options.") or path == "model.dropout_rate":
            from dlrecipes.registry import builder_options

            return _tuples(builder_options(self.base.model.name).get(leaf))
        return None

    def _fallback(self, spec):
        if isinstance(spec, Choice):
            return spec.values[0]
        if isinstance(spec, Boolean):
            return False
        return spec.min

    def defaults(self):
        """{path: value} of the base recipe (active hyperparameters only)."""
        values = {}
        for path, spec in self.specs.items():
            if all(values.get(parent) in vals for parent, vals in _conditions(spec.when)):
                default = self.default(path)
                values[path] = self._fallback(spec) if default is None else default
        return values

    def declare(self, hp, grid=False):
        """Declare every hyperparameter on keras-tuner's `hp`; return {path: value} of the
        active ones (inactive conditional ones are left out)."""
        values = {}
        for path, spec in self.specs.items():
            default = self.default(path)
            default = self._fallback(spec) if default is None else default
            scopes = [hp.conditional_scope(parent, [Choice._label(v) for v in vals]) for parent, vals in _conditions(spec.when)]
            for scope in scopes:
                scope.__enter__()
            try:
                value = spec.declare(hp, path, default, grid=grid)
            finally:
                for scope in reversed(scopes):
                    scope.__exit__(None, None, None)
            if value is not None and all(values.get(p) in vals for p, vals in _conditions(spec.when)):
                values[path] = value
        return values

    def recipe_for(self, values, **settings):
        """The base recipe with `values` ({path: value}) and `settings` (plain recipe fields such
        as epochs) applied; ConfigError when the combination is not a valid recipe."""
        changes = dict(settings)
        new_optimizer = values.get("optimizer.name")
        if new_optimizer is not None and new_optimizer != self.base.optimizer.name:
            from dlrecipes.training.optimizers import optimizer_arguments

            allowed = optimizer_arguments(new_optimizer)
            changes["optimizer.options"] = {
                k: v for k, v in self.base.optimizer.options.items() if k in allowed
            }
        base = self.base.to_dict()
        for path, value in values.items():
            # a value the base leaves to the builder/optimizer default stays implicit
            implicit = _lookup(base, path) is None and _plain(value) == _plain(self._implicit_default(path))
            if not implicit or path in changes:
                changes[path] = _tuples(value)
        return self.base.override(changes)

    def to_dict(self):
        return {
            "name": self.name,
            "base": self.base.to_dict(),
            "space": {path: spec_to_dict(spec) for path, spec in self.specs.items()},
        }

    @classmethod
    def from_dict(cls, data):
        from dlrecipes.training.recipe import Recipe

        specs = {path: spec_from_dict(spec) for path, spec in data["space"].items()}
        return cls(data["name"], Recipe.from_dict(data["base"]), specs)

    def fingerprint(self, settings=None):
        """sha256 of the space, its base recipe and `settings`: names a search folder."""
        text = json.dumps({"space": self.to_dict(), "settings": settings or {}}, sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()

    def narrowed(self, best_values, widen=2.0):
        """Coarse-to-fine: a space whose ranges cover `best_values` (a list of {path: value} of
        the best trials), widened, inside the original ranges; choices keep the values seen."""
        specs = {}
        for path, spec in self.specs.items():
            seen = [v[path] for v in best_values if path in v]
            specs[path] = spec.narrowed(seen, widen) if seen else spec
        # the base recipe becomes the best trial, so defaults stay inside the narrowed ranges
        base = self.recipe_for(best_values[0]) if best_values else self.base
        return SearchSpace(f"{self.name}_fine", base, specs)


def list_spaces(pattern="*"):
    """Sorted space names (modules of tuning/ defining SPACE) matching an fnmatch pattern."""
    package = importlib.import_module(SPACE_PACKAGE)
    names = (m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    return sorted(n for n in names if fnmatch.fnmatchcase(n, pattern))


def space_from_module(name, module):
    from dlrecipes.training.recipe import Recipe
    from dlrecipes.training.recipes import get_recipe

    space, base = getattr(module, "SPACE", None), getattr(module, "BASE", None)
    if not isinstance(space, dict) or not isinstance(base, (str, Recipe)):
        raise ConfigError(f"{module.__file__} must define SPACE = {{...}} and BASE = recipe name or Recipe.")
    return SearchSpace(name, get_recipe(base) if isinstance(base, str) else base, dict(space))


def get_space(name):
    """The SearchSpace of tuning/<name>.py."""
    if isinstance(name, SearchSpace):
        return name
    available = list_spaces()
    if name not in available:
        raise ConfigError(f"Unknown space {name!r}. Available: {available}." + suggest(name, available))
    return space_from_module(name, importlib.import_module(f"{SPACE_PACKAGE}.{name}"))

