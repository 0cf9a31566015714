"""The vanishing-gradient experiment: sigmoid stacks lose the gradient, ReLU stacks keep it."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.depth import gradient_norms_by_layer


def test_sigmoid_gradient_vanishes_exponentially_with_depth():
    norms = gradient_norms_by_layer("sigmoid", depth=15, width=32, n=64)
    assert norms.shape == (15,)
    assert norms[0] < 1e-6 * norms[-1]
    # roughly a constant factor per layer: the log is close to a straight line
    slope, _ = np.polyfit(np.arange(15), np.log10(norms), 1)
    assert slope > 0.3  # more than 2x per layer, growing towards the output


def test_relu_with_he_weights_keeps_the_gradient_size():
    norms = gradient_norms_by_layer("relu", depth=15, width=32, n=64)
    assert 0.1 < norms[0] / norms[-1] < 10


def test_deeper_sigmoid_stack_loses_more():
    shallow = gradient_norms_by_layer("sigmoid", depth=5, width=32, n=64)
    deep = gradient_norms_by_layer("sigmoid", depth=15, width=32, n=64)
    assert deep[0] / deep[-1] < shallow[0] / shallow[-1]


def test_bad_activation_and_depth_are_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        gradient_norms_by_layer("softplus")
    with pytest.raises(ValueError, match="positive integer"):
        gradient_norms_by_layer("relu", depth=0)
