"""Model families; importing this package registers every builder."""

from dlrecipes.models import lenet, linear, mlp  # noqa: F401
