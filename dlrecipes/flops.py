"""Multiply-accumulate count of a built model, layer by layer from its symbolic shapes.

`flops(model)` returns MACs per example (one multiply + one add = 1), the unit of torchvision's
"GFLOPS" column and of most papers' "FLOPs" (VGG-16 ≈ 15.5 G, AlexNet ≈ 0.71 G, GoogLeNet
≈ 1.5 G at 224×224). Counted: the weight multiplications of convolutions (Conv1D/2D/3D with
groups, DepthwiseConv, SeparableConv, ConvTranspose) and Dense (EinsumDense is not).
Ignored: biases, pooling, batch norm, activations, normalization, element-wise merges (each is
at most one operation per output value, a fraction of a percent in these networks) and
recurrent or attention layers. Nested models are entered and counted once per call;
layers *inside* a subclassed layer are invisible to the graph and are not counted (a warning
says so when such a layer owns a kernel).
"""

import math
import warnings

import keras

from dlrecipes.validation import check_model

_CONV_TRANSPOSE = (
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
)
_SEPARABLE = (keras.layers.SeparableConv1D, keras.layers.SeparableConv2D)
# MACs = (output positions) × (kernel size): each kernel weight is used once per output position
# (groups and depth multipliers are already in the kernel's shape).
_CONV = (
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
    keras.layers.DepthwiseConv1D,
    keras.layers.DepthwiseConv2D,
)


def _positions(shape, data_format):
    """Number of spatial positions of a (batch, ..., channels) or (batch, channels, ...) shape."""
    spatial = shape[1:-1] if data_format == "channels_last" else shape[2:]
    return math.prod(spatial)


def _size(variable):
    return math.prod(variable.shape)


def _layer_macs(layer, inputs, outputs):
    """MACs of one call of `layer` with input/output shapes (batch dimension first)."""
    if isinstance(layer, _CONV_TRANSPOSE):  # every input position scatters the whole kernel
        return _positions(inputs[0], layer.data_format) * _size(layer.kernel)
    if isinstance(layer, _SEPARABLE):
        # the depthwise step runs at the output resolution (the pointwise step is 1×1, stride 1)
        positions = _positions(outputs[0], layer.data_format)
        return positions * (_size(layer.depthwise_kernel) + _size(layer.pointwise_kernel))
    if isinstance(layer, _CONV):
        return _positions(outputs[0], layer.data_format) * _size(layer.kernel)
    if isinstance(layer, keras.layers.Dense):  # applied along the last axis of any rank
        return math.prod(inputs[0][1:-1]) * _size(layer.kernel)
    return None


def _graph_nodes(model):
    """The call nodes of a Functional model's graph (of a built Sequential's inner graph)."""
    if isinstance(model, keras.Sequential):
        if getattr(model, "_functional", None) is None:
            raise ValueError(
                f"flops() needs a built model with a known input shape; Sequential model "
                f"{model.name!r} has none (start it with keras.Input(shape=...))."
            )
        model = model._functional
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            "flops() counts Functional and Sequential models (a subclassed Model has no graph "
            f"to read shapes from). Received: {type(model).__name__} {model.name!r}"
        )
    for depth in sorted(model._nodes_by_depth, reverse=True):  # inputs first
        yield from model._nodes_by_depth[depth]


def flops(model):
    """Multiply-accumulates per example (an int) of a Functional or Sequential `model`;
    see the module docstring for what is counted."""
    check_model("model", model)
    total = 0
    for node in _graph_nodes(model):
        layer = node.operation
        if isinstance(layer, keras.layers.InputLayer) or node.is_input:
            continue
        if isinstance(layer, keras.Model):
            total += flops(layer)
            continue
        inputs = [tuple(t.shape) for t in node.input_tensors]
        outputs = [tuple(t.shape) for t in node.output_tensors]
        macs = _layer_macs(layer, inputs, outputs)
        if macs is not None:
            total += macs
        elif any("kernel" in w.path.split("/")[-1] for w in layer.weights):
            warnings.warn(
                f"flops(): layer {layer.name!r} ({type(layer).__name__}) has kernels that are "
                "not counted.",
                stacklevel=2,
            )
    return int(total)
