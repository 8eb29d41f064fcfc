"""Functional building blocks shared by every model family: one definition of each."""

from dlrecipes.blocks.conv import conv_bn_act
from dlrecipes.blocks.dense import dense_bn_act
from dlrecipes.blocks.inputs import model_input
from dlrecipes.blocks.spatial import max_pool, min_input_size, padded_conv  # noqa: F401
from dlrecipes.blocks.fire import fire  # noqa: F401
from dlrecipes.blocks.inception import inception, inception_aux  # noqa: F401
from dlrecipes.blocks.mlpconv import conv_classifier, mlpconv  # noqa: F401
from dlrecipes.blocks.residual import bn_act, residual_block  # noqa: F401
from dlrecipes.blocks.dense_connectivity import dense_block, transition  # noqa: F401
from dlrecipes.blocks.fractal import fractal_block  # noqa: F401

__all__ = ["conv_bn_act", "dense_bn_act", "model_input"]
