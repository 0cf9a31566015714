"""PyTorch twins of :mod:`course_lib.numpy_nn`: same file names, function names, argument
order and weight layout; autograd does the backward passes.

* ``activations`` (``04``), ``losses`` (``02``, ``05``), ``neuron`` (``01``)
* ``optim`` (``03``), ``layers`` and ``mlp`` (``05``)
* ``conv`` (``07``), ``cnn`` (``08``)

Nothing here touches a device at import time; pass ``device=`` where tensors are created.
"""

from course_lib.torch_nn.activations import (
    ACTIVATION_MODULES,
    ACTIVATIONS,
    leaky_relu,
    leaky_relu_forward,
    leaky_relu_grad,
    maxout,
    maxout_forward,
    relu,
    relu_forward,
    relu_grad,
    sigmoid,
    sigmoid_forward,
    sigmoid_grad,
    softmax,
    softmax_forward,
    tanh,
    tanh_forward,
    tanh_grad,
)
from course_lib.torch_nn.cnn import CNN
from course_lib.torch_nn.conv import conv2d_forward, maxpool2d_forward
from course_lib.torch_nn.layers import flatten_forward, linear_forward
from course_lib.torch_nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    softmax_cross_entropy,
)
from course_lib.torch_nn.mlp import MLP
from course_lib.torch_nn.neuron import Neuron, neuron_score, predict, predict_proba
from course_lib.torch_nn.optim import (
    SGD,
    Adam,
    GradientDescent,
    Momentum,
    RandomSearch,
    make_optimizer,
    minibatches,
)

# train.predict and train.predict_proba stay in course_lib.torch_nn.train: the neuron's
# functions already use those names here.
from course_lib.torch_nn.train import History, LiveLossPlot, evaluate, fit

__all__ = [
    "ACTIVATION_MODULES",
    "ACTIVATIONS",
    "leaky_relu",
    "leaky_relu_forward",
    "leaky_relu_grad",
    "maxout",
    "maxout_forward",
    "relu",
    "relu_forward",
    "relu_grad",
    "sigmoid",
    "sigmoid_forward",
    "sigmoid_grad",
    "softmax",
    "softmax_forward",
    "tanh",
    "tanh_forward",
    "tanh_grad",
    "flatten_forward",
    "linear_forward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
    "MLP",
    "Neuron",
    "neuron_score",
    "predict",
    "predict_proba",
    "SGD",
    "Adam",
    "GradientDescent",
    "Momentum",
    "RandomSearch",
    "make_optimizer",
    "minibatches",
    # --- convolution, pooling, the CNN and training (conv.py, cnn.py, train.py): names below ---
    "CNN",
    "conv2d_forward",
    "maxpool2d_forward",
    "History",
    "LiveLossPlot",
    "evaluate",
    "fit",
]
