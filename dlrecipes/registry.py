"""The model registry: one ModelInfo per name, one builder per name, `build_model` by string.

Style of torchvision's/timm's registries: duplicate names are refused, names take fnmatch
wildcards, and an unknown name raises with the closest names.
"""

import dataclasses
import fnmatch
import inspect
import math

from dlrecipes.errors import ConfigError
from dlrecipes.validation import check_choice, check_model, check_num_classes, suggest


@dataclasses.dataclass(frozen=True)
class Paper:
    """Where an architecture was published."""

    title: str
    authors: str
    year: int
    link: str = ""


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """Metadata of a registered model.

    `num_params` is the reference *trainable*-parameter count of the reference configuration
    (`default_input_shape`, `default_num_classes`, default options): torchvision's convention.
    `recipes` lists the recipes that train this model (filled in by `model_info`).
    """

    name: str
    family: str
    task: str
    paper: Paper
    default_input_shape: tuple
    min_input_size: int | None
    num_params: int
    default_num_classes: int = 10
    recipes: tuple = ()
    tags: tuple = ()


_BUILDERS = {}
_INFOS = {}


# The scale of a classification model's reference configuration, a tag every one of them has.
SCALE_TAGS = ("imagenet", "cifar", "mnist")


def _scale_tag(info):
    """"imagenet" for 224×224 (or larger) inputs, "cifar" for 32×32 colour, else "mnist"."""
    height, *_, channels = info.default_input_shape
    if height >= 224:
        return "imagenet"
    return "cifar" if channels == 3 else "mnist"


def register_model(builder, **info):
    """Register `builder` under `info["name"]`; the keyword arguments are ModelInfo's fields.
    Classification models get their scale tag (`SCALE_TAGS`) added to `tags`."""
    info = ModelInfo(**info)
    if info.task == "classification" and len(info.default_input_shape) == 3:
        scale = _scale_tag(info)
        if set(info.tags) & set(SCALE_TAGS) - {scale}:
            raise ConfigError(f"{info.name}: tags {info.tags} contradict its input scale {scale!r}.")
        info = dataclasses.replace(info, tags=tuple(dict.fromkeys((*info.tags, scale))))
    if info.name in _INFOS:
        raise ConfigError(f"A model named {info.name!r} is already registered.")
    _BUILDERS[info.name] = builder
    _INFOS[info.name] = info
    return builder


def _import_models():
    import dlrecipes.models  # noqa: F401  (registers every family on import)


def list_models(pattern="*", family=None, task=None, tag=None):
    """Sorted names matching an fnmatch `pattern`, optionally of one `family` or `task`, or
    carrying `tag` (e.g. "imagenet", "cifar", "mnist", "batch_norm"). A family, task or tag that
    no model has raises ConfigError (a typo should not look like an empty list)."""
    _import_models()
    for argument, value, known in (
        ("family", family, {info.family for info in _INFOS.values()}),
        ("task", task, {info.task for info in _INFOS.values()}),
        ("tag", tag, {t for info in _INFOS.values() for t in info.tags}),
    ):
        if value is not None:
            check_choice(argument, value, sorted(known))
    return sorted(
        name
        for name, info in _INFOS.items()
        if fnmatch.fnmatchcase(name, pattern)
        and (family is None or info.family == family)
        and (task is None or info.task == task)
        and (tag is None or tag in info.tags)
    )


def _lookup(name):
    _import_models()
    if name not in _INFOS:
        raise ConfigError(
            f"Unknown model {name!r}. Available: `dlrecipes list`." + suggest(name, _INFOS)
        )
    return _INFOS[name]


def model_info(name):
    """The ModelInfo of `name`, with the recipes that use it."""
    from dlrecipes.training.recipes import recipes_for_model

    return dataclasses.replace(_lookup(name), recipes=recipes_for_model(name))


def count_params(model):
    """(trainable, total) parameter counts; total includes batch-norm moving statistics."""
    check_model("model", model)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return trainable, trainable + sum(math.prod(w.shape) for w in model.non_trainable_weights)


def forwards_options(base, *, fixed=()):
    """Decorator for a builder that takes a few keyword arguments of its own and passes
    `**options` on to the builder `base`: its signature becomes its own keyword arguments plus
    base's, less the `fixed` ones it sets itself, so `builder_options`, `build_model`'s check of
    unknown keywords and `help()` see every option without the list being written twice."""

    def decorate(function):
        own = [p for p in inspect.signature(function).parameters.values() if p.kind is not p.VAR_KEYWORD]
        taken = {p.name for p in own} | set(fixed)
        inherited = [
            p
            for p in inspect.signature(base).parameters.values()
            if p.kind is p.KEYWORD_ONLY and p.name not in taken
        ]
        function.__signature__ = inspect.Signature(own + inherited)
        return function

    return decorate


def builder_options(name):
    """Keyword arguments the builder of `name` accepts, with their defaults."""
    _lookup(name)
    signature = inspect.signature(_BUILDERS[name])
    return {
        key: parameter.default
        for key, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }


def build_model(name, *, input_shape=None, num_classes=None, weight_decay=0.0, **options):
    """Build the registered model `name` as a Functional `keras.Model`.

    `input_shape` and `num_classes` default to the model's reference configuration.
    `weight_decay` is the Keras L2 coefficient c put on every kernel (c·Σw², i.e. a paper's
    SGD weight decay λ corresponds to c = λ/2). Unknown options raise a TypeError.
    """
    info = _lookup(name)
    allowed = builder_options(name)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(
            f"{name} got unexpected keyword arguments {unknown}. Allowed: {sorted(allowed)}."
            + suggest(unknown[0], allowed)
        )
    if "kernel_initializer" in options:
        from dlrecipes.training.initializers import check_initializer

        check_initializer("kernel_initializer", options["kernel_initializer"])
    input_shape = info.default_input_shape if input_shape is None else input_shape
    num_classes = info.default_num_classes if num_classes is None else num_classes
    num_classes = check_num_classes(num_classes)
    model = _BUILDERS[name](input_shape=input_shape, num_classes=num_classes, **options)
    from dlrecipes.training.regularizers import apply_weight_decay

    apply_weight_decay(model, weight_decay)
    return model
