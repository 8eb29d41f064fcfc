"""Functional building blocks shared by every model family: one definition of each."""

from dlrecipes.blocks.conv import conv_bn_act
from dlrecipes.blocks.dense import dense_bn_act
from dlrecipes.blocks.inputs import model_input

__all__ = ["conv_bn_act", "dense_bn_act", "model_input"]
