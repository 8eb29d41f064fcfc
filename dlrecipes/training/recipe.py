"""A recipe is data: one frozen `Recipe` (model, dataset, optimizer, schedule, regularization,
early stopping, seed, reference result), validated when it is made, serialisable to JSON, and
overridable by dotted field names ("optimizer.learning_rate")."""

import dataclasses
import json

from dlrecipes.errors import ConfigError
from dlrecipes.training.losses import LOSSES
from dlrecipes.training.optimizers import check_optimizer_options
from dlrecipes.training.schedules import MONITORS, schedule_options
from dlrecipes.validation import check_choice, check_float, check_int, check_rate, suggest


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A registered model and its builder options; `dropout_rate` None keeps the builder's."""

    name: str
    options: dict = dataclasses.field(default_factory=dict)
    dropout_rate: float | None = None

    def __post_init__(self):
        from dlrecipes.registry import builder_options

        allowed = sorted(set(builder_options(self.name)) - {"input_shape", "num_classes"})
        unknown = sorted(set(self.options) - set(allowed))
        if unknown:
            raise ConfigError(
                f"model.options {unknown} are not options of {self.name}. Allowed: {allowed}."
                + suggest(unknown[0], allowed)
            )
        if self.dropout_rate is not None:
            if "dropout_rate" not in allowed:
                raise ConfigError(f"{self.name} has no dropout. Received: model.dropout_rate={self.dropout_rate!r}")
            check_rate("model.dropout_rate", self.dropout_rate)

    def builder_kwargs(self):
        """Keyword arguments for `build_model` (besides input shape and classes)."""
        extra = {} if self.dropout_rate is None else {"dropout_rate": self.dropout_rate}
        return {**self.options, **extra}


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
    """A keras optimizer by name (training.optimizers.OPTIMIZERS) and its settings."""

    name: str = "adam"
    learning_rate: float = 1e-3
    options: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        check_float("optimizer.learning_rate", self.learning_rate, minimum=1e-12)
        check_optimizer_options(self.name, self.options)


@dataclasses.dataclass(frozen=True)
class ScheduleSpec:
    """A learning-rate schedule by name (training.schedules.SCHEDULES), options in epochs."""

    name: str = "constant"
    options: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        # stored complete and normalised, so recipe.json shows every setting in force
        object.__setattr__(self, "options", schedule_options(self.name, self.options))


@dataclasses.dataclass(frozen=True)
class RegularizationSpec:
    """`weight_decay` is the Keras L2 coefficient c on every kernel (paper λ = 2c)."""

    weight_decay: float = 0.0

    def __post_init__(self):
        check_float("regularization.weight_decay", self.weight_decay, minimum=0.0)


@dataclasses.dataclass(frozen=True)
class EarlyStoppingSpec:
    """Keras EarlyStopping (best weights restored); `patience` None turns it off."""

    patience: int | None = None
    monitor: str = "val_loss"
    min_delta: float = 0.0

    def __post_init__(self):
        if self.patience is not None:
            check_int("early_stopping.patience", self.patience, minimum=0)
        check_choice("early_stopping.monitor", self.monitor, MONITORS)
        check_float("early_stopping.min_delta", self.min_delta, minimum=0.0)


_SPECS = {
    "model": ModelSpec,
    "optimizer": OptimizerSpec,
    "schedule": ScheduleSpec,
    "regularization": RegularizationSpec,
    "early_stopping": EarlyStoppingSpec,
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How to train one model on one dataset, the way its paper (or our measurement) did.

    `reference` states the result to compare with and its source.
    """

    name: str
    model: ModelSpec
    dataset: str
    batch_size: int = 128
    epochs: int = 10
    optimizer: OptimizerSpec = OptimizerSpec()
    schedule: ScheduleSpec = ScheduleSpec()
    regularization: RegularizationSpec = RegularizationSpec()
    early_stopping: EarlyStoppingSpec = EarlyStoppingSpec()
    loss: str = "crossentropy"
    validation: int = 5000
    seed: int = 0
    reference: str = ""
    description: str = ""

    def __post_init__(self):
        from dlrecipes.data import list_datasets

        for field, spec in _SPECS.items():
            if not isinstance(getattr(self, field), spec):
                raise ConfigError(
                    f"Recipe.{field} must be a {spec.__name__}. Received: {field}={getattr(self, field)!r}"
                )
        check_choice("dataset", self.dataset, list_datasets())
        check_int("batch_size", self.batch_size, minimum=1)
        check_int("epochs", self.epochs, minimum=1)
        check_int("validation", self.validation, minimum=0)
        check_int("seed", self.seed, minimum=0)
        check_choice("loss", self.loss, LOSSES)
        uses_validation = self.early_stopping.patience is not None or self.schedule.name == "plateau"
        monitors = {self.early_stopping.monitor, self.schedule.options.get("monitor", "")}
        if self.validation == 0 and uses_validation and any(m.startswith("val_") for m in monitors):
            raise ConfigError(
                "Monitoring a validation metric needs a validation split. Received: validation=0"
            )

    def to_dict(self):
        return dataclasses.asdict(self)

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=list)

    @classmethod
    def from_dict(cls, data):
        """Inverse of `to_dict` (sections may be dicts or specs)."""
        data = dict(data)
        unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f"Recipe has no field {unknown}." + suggest(unknown[0], _field_names(cls)))
        for field, spec in _SPECS.items():
            if isinstance(data.get(field), dict):
                section = data[field]
                bad = sorted(set(section) - set(_field_names(spec)))
                if bad:
                    raise ConfigError(
                        f"Recipe.{field} has no field {bad}. Allowed: {_field_names(spec)}."
                        + suggest(bad[0], _field_names(spec))
                    )
                data[field] = spec(**section)
        return cls(**data)

    def override(self, changes):
        """A new recipe with `changes` applied: keys are field names or dotted paths
        ("optimizer.learning_rate", "model.options.hidden_units"); None values are skipped."""
        data = self.to_dict()
        for path, value in changes.items():
            if value is None:
                continue
            *parents, leaf = path.split(".")
            node = data
            for depth, key in enumerate(parents):
                if not isinstance(node.get(key), dict):
                    raise ConfigError(f"Recipe has no field {'.'.join(parents[: depth + 1])!r} (in {path!r}).")
                node = node[key]
            is_free_mapping = parents[-1:] == ["options"]
            if leaf not in node and not is_free_mapping:
                raise ConfigError(f"Recipe has no field {path!r}." + suggest(leaf, node))
            node[leaf] = value
        return Recipe.from_dict(data)


def _field_names(cls):
    return [f.name for f in dataclasses.fields(cls)]
