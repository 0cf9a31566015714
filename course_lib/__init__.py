"""course_lib: the code behind the Deep Learning Demystified notebooks.

Which notebook uses which module:

* ``00_welcome``: :mod:`course_lib.device`, :mod:`course_lib.data`, :mod:`course_lib.style`,
  :mod:`course_lib.plots` (image grids, reused in ``06``-``08``),
  :mod:`course_lib.widgets.welcome`, :mod:`course_lib.exercises.welcome`
* ``01``-``05`` (neuron to feed-forward networks): :mod:`course_lib.numpy_nn` and
  :mod:`course_lib.torch_nn` (activations, losses, neuron, optim, layers, mlp),
  :mod:`course_lib.data.synthetic`, :mod:`course_lib.widgets`; ``01`` also
  :mod:`course_lib.throughput` (matrix-multiply speed), ``03`` :mod:`course_lib.landscape`
  (loss landscape, optimiser paths), ``04``
  :mod:`course_lib.depth` (vanishing gradients), ``05`` :mod:`course_lib.two_layer`
  (backprop by hand, the playground's trainer)
* ``06``-``08`` (MNIST, convolutions, CNNs): :mod:`course_lib.numpy_nn.conv`,
  :mod:`course_lib.torch_nn` (conv, cnn, train), :mod:`course_lib.data`; ``06`` also
  :mod:`course_lib.exercises.mnist_ffn`; ``07`` :mod:`course_lib.widgets.kernels` (kernel
  explorer), :mod:`course_lib.permutation` (the pixel-shuffle experiment) and
  :mod:`course_lib.exercises.convolutions`

Each piece exists twice with the same file name, function name, argument order and weight
layout: once in NumPy to read (:mod:`course_lib.numpy_nn`), once in PyTorch to go fast
(:mod:`course_lib.torch_nn`). :mod:`course_lib.crosscheck` proves the two agree.

Importing this package does no work: no device probing, no downloads, no printing.
"""

__version__ = "0.1.0"
