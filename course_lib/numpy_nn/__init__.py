"""NumPy reference implementations: every piece of a network written out to read.

Modules in course order (the PyTorch twins in :mod:`course_lib.torch_nn` have the same
file and function names):

* ``activations`` (``04``), ``losses`` (``02``, ``05``), ``neuron`` (``01``)
* ``optim`` (``03``), ``layers`` and ``mlp`` (``05``), ``gradcheck`` (``05``)
* ``conv`` (``07``), ``cnn`` (``08``)
"""

from course_lib.numpy_nn.activations import (
    ACTIVATIONS,
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_forward,
    leaky_relu_grad,
    maxout,
    maxout_backward,
    maxout_forward,
    relu,
    relu_backward,
    relu_forward,
    relu_grad,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    sigmoid_grad,
    softmax,
    softmax_backward,
    softmax_forward,
    tanh,
    tanh_backward,
    tanh_forward,
    tanh_grad,
)
from course_lib.numpy_nn.cnn import CNN, CNNConfig
from course_lib.numpy_nn.conv import (
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_forward_naive,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)
from course_lib.numpy_nn.gradcheck import (
    GradientCheckError,
    check_gradient,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)
from course_lib.numpy_nn.layers import (
    flatten_backward,
    flatten_forward,
    linear_backward,
    linear_forward,
)
from course_lib.numpy_nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    softmax_cross_entropy,
)
from course_lib.numpy_nn.mlp import MLP, History
from course_lib.numpy_nn.neuron import neuron_score, predict, predict_proba
from course_lib.numpy_nn.optim import (
    SGD,
    Adam,
    GradientDescent,
    Momentum,
    RandomSearch,
    make_optimizer,
    minibatches,
)

__all__ = [
    "ACTIVATIONS",
    "leaky_relu",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "leaky_relu_grad",
    "maxout",
    "maxout_backward",
    "maxout_forward",
    "relu",
    "relu_backward",
    "relu_forward",
    "relu_grad",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "sigmoid_grad",
    "softmax",
    "softmax_backward",
    "softmax_forward",
    "tanh",
    "tanh_backward",
    "tanh_forward",
    "tanh_grad",
    "GradientCheckError",
    "check_gradient",
    "numerical_gradient",
    "numerical_gradient_array",
    "rel_error",
    "flatten_backward",
    "flatten_forward",
    "linear_backward",
    "linear_forward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "softmax_cross_entropy",
    "neuron_score",
    "predict",
    "predict_proba",
    "MLP",
    "History",
    "SGD",
    "Adam",
    "GradientDescent",
    "Momentum",
    "RandomSearch",
    "make_optimizer",
    "minibatches",
    # --- convolution, pooling and the CNN (conv.py, cnn.py): names go below this line ---
    "CNN",
    "CNNConfig",
    "conv2d_backward",
    "conv2d_backward_naive",
    "conv2d_forward",
    "conv2d_forward_naive",
    "conv_output_size",
    "maxpool2d_backward",
    "maxpool2d_forward",
]
