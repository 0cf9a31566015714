"""course_lib: the code behind the Deep Learning Demystified notebooks.

Which notebook uses which module. Each notebook's own idea (its loss, loop, layer or model)
is written in the notebook itself; ``course_lib`` holds the plumbing, the reference versions
the exercise checks compare against (``course_lib.exercises.<module>``), and what an earlier
notebook already taught.

* ``00_welcome``: :mod:`course_lib.device`, :mod:`course_lib.data`, :mod:`course_lib.style`,
  :mod:`course_lib.plots` (image grids, reused in ``06``-``09``),
  :mod:`course_lib.widgets.welcome`, :mod:`course_lib.exercises.welcome`
* ``00a_primer`` (optional): :mod:`course_lib.exercises.primer`,
  :mod:`course_lib.data.synthetic` (the trip customers)
* ``01``: :mod:`course_lib.throughput` (matrix-multiply speed, timed by the learner's loop),
  :mod:`course_lib.exercises.why_now`
* ``02``: :mod:`course_lib.exercises.neuron` (``predict_proba``, ``bce_loss``),
  :mod:`course_lib.widgets.neuron`
* ``03``: :mod:`course_lib.landscape` (the loss landscape, trajectories of the learner's
  loops), :mod:`course_lib.widgets.learning`, :mod:`course_lib.exercises.learning`
  (reference gradient, gradient descent, SGD and random search)
* ``04``: :mod:`course_lib.depth` (vanishing gradients), :mod:`course_lib.widgets.activations`,
  :mod:`course_lib.widgets.universality`, :mod:`course_lib.exercises.activations` (leaky
  ReLU, step, bump and bump network)
* ``05``: :mod:`course_lib.two_layer` (forward/backward/trace reference, the playground's
  trainer), :mod:`course_lib.widgets.graph` (computational graph),
  :mod:`course_lib.widgets.playground`, :mod:`course_lib.exercises.backprop` (backward,
  training loop, initialisation, the PyTorch loop, softmax cross-entropy)
* ``06``-``08`` (MNIST, convolutions, CNNs): :mod:`course_lib.numpy_nn` and
  :mod:`course_lib.torch_nn` (layers, conv, mlp, cnn, train), :mod:`course_lib.data`,
  :mod:`course_lib.threads` (thread counts that suit a busy or quota-limited machine);
  ``06`` also :mod:`course_lib.exercises.mnist_ffn`; ``07``
  :mod:`course_lib.widgets.kernels` (kernel explorer), :mod:`course_lib.widgets.conv_arithmetic`
  (stride and padding explorer), :mod:`course_lib.permutation` (the pixel-shuffle experiment)
  and :mod:`course_lib.exercises.convolutions`; ``08`` :mod:`course_lib.exercises.cnn`
* ``09_your_own_handwriting`` (the finale): :mod:`course_lib.data.preprocess` (MNIST's
  preprocessing for drawn strokes), :mod:`course_lib.saved_models` (weights in the user's
  folder), :mod:`course_lib.handwriting` (the prediction path),
  :mod:`course_lib.widgets.drawing` (the drawing pad), :mod:`course_lib.exercises.handwriting`
* ``10_how_fast_can_it_go`` (optional): :mod:`course_lib.torch_nn.fast`,
  :mod:`course_lib.exercises.fast` (the one-cycle schedule)

Each piece exists twice with the same file name, function name, argument order and weight
layout: once in NumPy to read (:mod:`course_lib.numpy_nn`), once in PyTorch to go fast
(:mod:`course_lib.torch_nn`). :mod:`course_lib.crosscheck` proves the two agree.

Importing this package does no work: no device probing, no downloads, no printing.
"""

__version__ = "0.1.0"
