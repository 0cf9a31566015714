"""The cross-implementation check catches real disagreements and says where they are."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.crosscheck import assert_numpy_matches_torch, from_loss, from_pair
from course_lib.numpy_nn import activations as A
from course_lib.numpy_nn import losses as L
from course_lib.torch_nn import activations as T
from course_lib.torch_nn import losses as TL

X = np.array([[-1.5, 0.5, 2.0], [0.3, -0.2, 1.0]])


def test_agreeing_pair_passes(device):
    assert_numpy_matches_torch(
        from_pair(A.tanh_forward, A.tanh_backward), T.tanh_forward, [X], device=device
    )


def test_wrong_forward_is_caught(device):
    with pytest.raises(AssertionError, match=r"relu vs tanh: output.*disagree"):
        assert_numpy_matches_torch(
            from_pair(A.relu_forward, A.relu_backward),
            T.tanh_forward,
            [X],
            device=device,
            name="relu vs tanh",
        )


def test_wrong_backward_is_caught(device):
    def bad_backward(dout, cache):  # forgets the (1 - out) factor of the sigmoid
        return dout * cache.out  # the cache of sigmoid_forward holds its output

    with pytest.raises(AssertionError, match=r"sigmoid: gradient of input 0.*disagree"):
        assert_numpy_matches_torch(
            from_pair(A.sigmoid_forward, bad_backward),
            T.sigmoid_forward,
            [X],
            device=device,
            name="sigmoid",
        )


def test_loss_missing_the_batch_average_is_caught(device):
    def summed_loss(logits, y):  # gradient not divided by N
        loss, d = L.softmax_cross_entropy(logits, y)
        return loss, d * len(y)

    with pytest.raises(AssertionError, match=r"gradient of input 0"):
        assert_numpy_matches_torch(
            from_loss(summed_loss),
            TL.softmax_cross_entropy,
            [X, np.array([0, 2])],
            device=device,
        )


def test_shape_mismatch_is_caught():
    with pytest.raises(AssertionError, match=r"NumPy shape \(2, 3\) != PyTorch shape \(3, 2\)"):
        assert_numpy_matches_torch(
            from_pair(A.relu_forward, A.relu_backward), lambda x: torch.relu(x).T, [X]
        )
