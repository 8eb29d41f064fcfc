"""A recipe is data: one frozen `Recipe` (model, dataset, optimizer, schedule, regularization,
augmentation, early stopping, transfer, seed, reference result), validated when it is made,
serialisable to JSON, and overridable by dotted field names ("optimizer.learning_rate")."""

import dataclasses
import json

from dlrecipes.errors import ConfigError
from dlrecipes.training.compile_defaults import POLICIES
from dlrecipes.training.losses import LOSSES
from dlrecipes.training.optimizers import check_optimizer_options
from dlrecipes.training.schedules import INTERVALS, MONITORS, schedule_options
from dlrecipes.validation import check_choice, check_float, check_int, check_rate, suggest


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A registered model and its builder options; `dropout_rate` None keeps the builder's."""

    name: str
    options: dict = dataclasses.field(default_factory=dict)
    dropout_rate: float | None = None

    def __post_init__(self):
        from dlrecipes.registry import builder_options
        from dlrecipes.training.initializers import check_initializer
        from dlrecipes.layers import ACTIVATIONS

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
        if "activation" in self.options:
            check_choice("model.options.activation", self.options["activation"], ACTIVATIONS)
        if "kernel_initializer" in self.options:
            check_initializer("model.options.kernel_initializer", self.options["kernel_initializer"])

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
    """A learning-rate schedule by name (training.schedules.SCHEDULES), options in epochs,
    after `warmup_epochs` of linear warm-up from warmup_start·lr, updated per "step" or "epoch"."""

    name: str = "constant"
    options: dict = dataclasses.field(default_factory=dict)
    warmup_epochs: float = 0.0
    warmup_start: float = 0.0
    interval: str = "step"

    def __post_init__(self):
        # stored complete and normalised, so recipe.json shows every setting in force
        object.__setattr__(self, "options", schedule_options(self.name, self.options))
        check_float("schedule.warmup_epochs", self.warmup_epochs, minimum=0.0)
        check_float("schedule.warmup_start", self.warmup_start, minimum=0.0, maximum=1.0)
        check_choice("schedule.interval", self.interval, INTERVALS)

    def build_kwargs(self):
        """Keyword arguments of `build_schedule` besides learning rate, steps and epochs."""
        return dict(warmup_epochs=self.warmup_epochs, warmup_start=self.warmup_start, interval=self.interval)


@dataclasses.dataclass(frozen=True)
class RegularizationSpec:
    """Penalties on every kernel (biases and batch norm excluded): `weight_decay` is the Keras
    L2 coefficient c (c·Σw², paper λ = 2c), `l1` adds l1·Σ|w| (both: elastic net, Zou & Hastie
    2005); `max_norm` constrains each unit's incoming weight vector to ‖w‖₂ ≤ max_norm (Srivastava
    et al. 2014); `label_smoothing` ε trains cross-entropy on (1 − ε)·onehot + ε/C (Szegedy et
    al. 2016)."""

    weight_decay: float = 0.0
    l1: float = 0.0
    max_norm: float | None = None
    label_smoothing: float = 0.0

    def __post_init__(self):
        check_float("regularization.weight_decay", self.weight_decay, minimum=0.0)
        check_float("regularization.l1", self.l1, minimum=0.0)
        if self.max_norm is not None:
            check_float("regularization.max_norm", self.max_norm, minimum=1e-12)
        check_rate("regularization.label_smoothing", self.label_smoothing)


@dataclasses.dataclass(frozen=True)
class AugmentationSpec:
    """Training-only augmentation layers put in front of the model (data.augmentation): `flip`,
    random crop after `crop_padding` pixels of zero ("constant") or "reflect" padding,
    `translation` (fraction of the size), `rotation` (± degrees), `brightness` / `contrast`
    (± amounts in standardized units / factors), Gaussian `noise_stddev`, random erasing
    (cutout) with probability `erasing` of a square `erasing_size` of the image side, scale
    jitter (zoom in by up to `scale_jitter` ≥ 1, VGG's multi-scale training) and AlexNet's PCA
    colour jitter with α ~ N(0, `pca_lighting`) (0.1 in the paper). `test_flip` is test-time
    augmentation, classification only: metrics.json also reports `test_accuracy_flip_tta`, the
    accuracy of the class probabilities averaged over each test image and its mirror image."""

    flip: str = "none"
    crop_padding: int = 0
    padding_mode: str = "constant"
    translation: float = 0.0
    rotation: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    noise_stddev: float = 0.0
    erasing: float = 0.0
    erasing_size: float = 0.5
    scale_jitter: float = 1.0
    pca_lighting: float = 0.0
    test_flip: bool = False

    def __post_init__(self):
        check_choice("augmentation.flip", self.flip, FLIPS)
        check_int("augmentation.crop_padding", self.crop_padding, minimum=0)
        check_choice("augmentation.padding_mode", self.padding_mode, ("constant", "reflect"))
        check_rate("augmentation.translation", self.translation)
        check_float("augmentation.rotation", self.rotation, minimum=0.0, maximum=180.0)
        check_float("augmentation.brightness", self.brightness, minimum=0.0)
        check_rate("augmentation.contrast", self.contrast)
        check_float("augmentation.noise_stddev", self.noise_stddev, minimum=0.0)
        check_float("augmentation.erasing", self.erasing, minimum=0.0, maximum=1.0)
        check_float("augmentation.erasing_size", self.erasing_size, minimum=1e-9, maximum=1.0)
        check_float("augmentation.scale_jitter", self.scale_jitter, minimum=1.0, maximum=8.0)
        check_float("augmentation.pca_lighting", self.pca_lighting, minimum=0.0)
        if not isinstance(self.test_flip, bool):
            raise ConfigError(f"augmentation.test_flip must be True or False. Received: test_flip={self.test_flip!r}")


FLIPS = ("none", "horizontal", "vertical", "horizontal_and_vertical")


@dataclasses.dataclass(frozen=True)
class TransferSpec:
    """Start from the model of a finished run (`source`, its folder; "" builds from scratch):
    freeze the layers before `freeze_below` (a layer name) or all but the top `train_top`
    layers with weights, and with `new_head` replace the `predictions` layer by a fresh one for
    the recipe's classes."""

    source: str = ""
    freeze_below: str | None = None
    train_top: int | None = None
    new_head: bool = True

    def __post_init__(self):
        if not isinstance(self.source, str):
            raise ConfigError(f"transfer.source must be a run folder path. Received: transfer.source={self.source!r}")
        if self.freeze_below is not None and self.train_top is not None:
            raise ConfigError(
                "transfer.freeze_below and transfer.train_top exclude each other. "
                f"Received: freeze_below={self.freeze_below!r}, train_top={self.train_top!r}"
            )
        if self.train_top is not None:
            check_int("transfer.train_top", self.train_top, minimum=0)
        if not isinstance(self.new_head, bool):
            raise ConfigError(f"transfer.new_head must be True or False. Received: transfer.new_head={self.new_head!r}")


@dataclasses.dataclass(frozen=True)
class EarlyStoppingSpec:
    """Keras EarlyStopping (best weights restored); `patience` None turns it off. A recipe may
    name a preset instead (`early_stopping="patient"`, see EARLY_STOPPING_PRESETS)."""

    patience: int | None = None
    monitor: str = "val_loss"
    min_delta: float = 0.0

    def __post_init__(self):
        if self.patience is not None:
            check_int("early_stopping.patience", self.patience, minimum=0)
        check_choice("early_stopping.monitor", self.monitor, MONITORS)
        check_float("early_stopping.min_delta", self.min_delta, minimum=0.0)

    @classmethod
    def preset(cls, name):
        """The spec of preset `name` (one of EARLY_STOPPING_PRESETS)."""
        check_choice("early_stopping", name, EARLY_STOPPING_PRESETS)
        return cls(**EARLY_STOPPING_PRESETS[name])


EARLY_STOPPING_PRESETS = {
    "off": {},
    "quick": {"patience": 3},  # smoke runs and small models
    "patient": {"patience": 10, "min_delta": 1e-4},  # long runs with LR drops
    "accuracy": {"patience": 10, "monitor": "val_accuracy"},
}


_SPECS = {
    "model": ModelSpec,
    "optimizer": OptimizerSpec,
    "schedule": ScheduleSpec,
    "regularization": RegularizationSpec,
    "augmentation": AugmentationSpec,
    "early_stopping": EarlyStoppingSpec,
    "transfer": TransferSpec,
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How to train one model on one dataset, the way its paper (or our measurement) did.

    `reference` states the result to compare with and its source. `classes` keeps only those
    classes of the dataset (relabelled 0, 1, ... in that order; () keeps all) and
    `examples_per_class` only the first n training examples of each (in-memory datasets only).
    A model with extra outputs (auxiliary classifiers, e.g. GoogLeNet with `aux_logits`) trains
    on the loss of its first output plus `aux_loss_weight` times that of each other one
    (Szegedy et al. 2015: 0.3); they are dropped from the saved model.
    `jit_compile` (True, False or "auto") and `steps_per_execution` go to `model.compile`;
    None takes the backend's measured default (training.compile_defaults). `mixed_precision`
    ("mixed_bfloat16", "mixed_float16"; None or "float32": full precision) builds the model
    under that Keras dtype policy; "auto" takes the measured choice for this hardware
    (`compile_defaults.auto_precision`: bfloat16 where it is native, float32 elsewhere).
    """

    name: str
    model: ModelSpec
    dataset: str
    batch_size: int = 128
    epochs: int = 10
    optimizer: OptimizerSpec = OptimizerSpec()
    schedule: ScheduleSpec = ScheduleSpec()
    regularization: RegularizationSpec = RegularizationSpec()
    augmentation: AugmentationSpec = AugmentationSpec()
    early_stopping: EarlyStoppingSpec = EarlyStoppingSpec()
    transfer: TransferSpec = TransferSpec()
    loss: str = "crossentropy"
    aux_loss_weight: float = 0.3
    classes: tuple = ()
    examples_per_class: int | None = None
    validation: int = 5000
    seed: int = 0
    reference: str = ""
    description: str = ""
    jit_compile: bool | str | None = None
    steps_per_execution: int | None = None
    mixed_precision: str | None = None

    def __post_init__(self):
        from dlrecipes.data import list_datasets
        from dlrecipes.data.datasets import GENERATED, STREAMED, num_classes

        if isinstance(self.early_stopping, str):
            object.__setattr__(self, "early_stopping", EarlyStoppingSpec.preset(self.early_stopping))
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
        check_float("aux_loss_weight", self.aux_loss_weight, minimum=0.0)
        if self.jit_compile not in (None, "auto") and not isinstance(self.jit_compile, bool):
            raise ConfigError(f"jit_compile must be True, False, \"auto\" or None. Received: jit_compile={self.jit_compile!r}")
        if self.steps_per_execution is not None:
            check_int("steps_per_execution", self.steps_per_execution, minimum=1)
        if self.mixed_precision is not None:
            check_choice("mixed_precision", self.mixed_precision, POLICIES)
        classes = tuple(check_int("classes", c, minimum=0) for c in self.classes)
        count = num_classes(self.dataset)
        if len(set(classes)) != len(classes) or len(classes) == 1 or any(c >= count for c in classes):
            raise ConfigError(
                f"classes must be () or at least 2 distinct class indices of {self.dataset} "
                f"(0..{count - 1}). Received: classes={self.classes!r}"
            )
        object.__setattr__(self, "classes", classes)
        if self.examples_per_class is not None:
            check_int("examples_per_class", self.examples_per_class, minimum=1)
        if (self.dataset in STREAMED or self.dataset in GENERATED) and (
            classes or self.examples_per_class is not None
        ):
            raise ConfigError(
                "classes and examples_per_class need an in-memory classification dataset; "
                f"{self.dataset} is not one. Received: classes={self.classes!r}, "
                f"examples_per_class={self.examples_per_class!r}"
            )
        if self.regularization.label_smoothing and self.loss != "crossentropy":
            raise ConfigError(
                "regularization.label_smoothing applies to the crossentropy loss only. "
                f"Received: loss={self.loss!r}, label_smoothing={self.regularization.label_smoothing!r}"
            )
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
            if field == "early_stopping" and isinstance(data.get(field), str):
                data[field] = EarlyStoppingSpec.preset(data[field])
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
            if isinstance(node.get(leaf), dict) and isinstance(value, str) and leaf == "early_stopping":
                value = dataclasses.asdict(EarlyStoppingSpec.preset(value))
            if leaf not in node and not is_free_mapping:
                raise ConfigError(f"Recipe has no field {path!r}." + suggest(leaf, node))
            node[leaf] = value
        return Recipe.from_dict(data)


def _field_names(cls):
    return [f.name for f in dataclasses.fields(cls)]
