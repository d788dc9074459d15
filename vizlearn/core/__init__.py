"""The numpy training core: layers, losses, models, optimizers, gradients.

Nothing in this package imports matplotlib.
"""

from vizlearn.core.conv import Convolution, Pooling, col2im, im2col
from vizlearn.core.convnet import SimpleConvNet
from vizlearn.core.gradients import gradient_check, numerical_grad
from vizlearn.core.layers import (
    ACTIVATIONS,
    Identity,
    Layer,
    Linear,
    Parameter,
    ReLU,
    Sigmoid,
    Tanh,
)
from vizlearn.core.losses import mean_squared_error, softmax, softmax_cross_entropy
from vizlearn.core.models import MLP
from vizlearn.core.normalization import BatchNormalization
from vizlearn.core.optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Optimizer
from vizlearn.core.regularization import (
    Dropout,
    add_weight_decay,
    frozen,
    weight_decay_penalty,
)

__all__ = [
    "ACTIVATIONS",
    "Identity",
    "Layer",
    "Linear",
    "Parameter",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "mean_squared_error",
    "softmax",
    "softmax_cross_entropy",
    "MLP",
    "BatchNormalization",
    "Dropout",
    "add_weight_decay",
    "frozen",
    "weight_decay_penalty",
    "OPTIMIZERS",
    "SGD",
    "Momentum",
    "AdaGrad",
    "Adam",
    "Optimizer",
    "numerical_grad",
    "gradient_check",
    "Convolution",
    "Pooling",
    "im2col",
    "col2im",
    "SimpleConvNet",
]
