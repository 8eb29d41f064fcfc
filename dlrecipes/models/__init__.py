"""Model families; importing this package registers every builder."""

from dlrecipes.models import lenet, linear, mlp  # noqa: F401
from dlrecipes.models import densenet, resnet  # noqa: F401
from dlrecipes.models import alexnet, googlenet, nin, squeezenet, vgg  # noqa: F401
from dlrecipes.models import fractalnet  # noqa: F401
from dlrecipes.models import fcn  # noqa: F401
from dlrecipes.models import captioning, rnn  # noqa: F401
