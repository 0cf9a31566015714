"""The exercises of 05: each reference passes, each stub is 'not implemented', and each classic
slip of backprop, the training loop, initialisation, the PyTorch loop and softmax
cross-entropy gets its own named hint."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_lib.exercises import backprop as ex
from course_lib.exercises.backprop import (
    check_backward,
    check_init_params,
    check_softmax_cross_entropy,
    check_train,
    check_train_torch,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _stub(*args, **kwargs):
    raise NotImplementedError("not yet")


# ------------------------------------------------------------------------------- backward


def make_backward(slip: str = ""):
    """A hand-written backward, correct unless ``slip`` names a classic mistake."""

    def backward(y, cache):
        x, z1, h, p, W2 = cache["x"], cache["z1"], cache["h"], cache["p"], cache["W2"]
        n = x.shape[0]
        dz2 = (p - y) / n
        if slip == "sign":
            dz2 = (y - p) / n
        if slip == "no 1/N":
            dz2 = p - y
        dW2 = h.T @ dz2
        if slip == "dW2 transposed":
            dW2 = dz2.T @ h
        if slip == "z1 for dW2":
            dW2 = z1.T @ dz2
        if slip == "double 1/N":
            dW2 = h.T @ dz2 / n
        db2 = dz2.sum(axis=0)
        if slip == "db2 mean":
            db2 = dz2.mean(axis=0)
        dh = dz2 @ W2 if slip == "missing transpose" else dz2 @ W2.T
        dz1 = dh * (1 - h**2)
        if slip == "no derivative":
            dz1 = dh
        if slip == "derivative at z1":
            dz1 = dh * (1 - z1**2)
        if slip == "sigmoid derivative":
            dz1 = dh * h * (1 - h)
        dW1 = dz1.T @ x if slip == "dW1 transposed" else x.T @ dz1
        db1 = dz1.sum(axis=0)
        if slip == "db1 wrong axis":
            db1 = dz1.sum(axis=1)
        if slip == "db keepdims":
            db1 = dz1.sum(axis=0, keepdims=True)
        if slip == "db all":
            db1 = dz1.sum()
        if slip == "db unsummed":
            db1 = dz1
        grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        if slip == "tuple":
            return 0.5, grads
        if slip == "missing key":
            del grads["b1"]
        return grads

    return backward


def test_backward_reference_and_hand_written_pass():
    assert check_backward(ex.backward).status == "correct"
    fb = check_backward(make_backward())
    assert fb.status == "correct", fb
    assert "numerical gradients" in fb.message


def test_backward_stub_is_not_implemented():
    fb = check_backward(_stub)
    assert fb.status == "not_implemented"
    assert "local derivative" in fb.message


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("sign", "wrong sign"),
        ("no 1/N", "the 1/N must appear (once)"),
        ("double 1/N", "divided by N twice"),
        ("db2 mean", "divided by N twice"),
        ("missing transpose", "shapes do not line up"),
        ("dW2 transposed", "it is transposed"),
        ("dW1 transposed", "dW1 has shape (4, 3)"),
        ("z1 for dW2", "dW2 uses z1"),
        ("no derivative", "you used dh where dz1 belongs"),
        ("derivative at z1", "not 1 - z1^2"),
        ("sigmoid derivative", "the sigmoid's local derivative"),
        ("db1 wrong axis", "wrong axis"),
        ("db keepdims", "without keepdims=True"),
        ("db all", "summed over every axis"),
        ("db unsummed", "one row per example"),
        ("tuple", "not (loss, grads)"),
        ("missing key", "missing ['b1']"),
    ],
)
def test_backward_slips_are_named(slip, hint):
    fb = check_backward(make_backward(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_backward_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="wrong sign"):
        check_backward(make_backward("sign"))


# ---------------------------------------------------------------------------------- train


def make_train(slip: str = ""):
    """A hand-written training loop, correct unless ``slip`` names a classic mistake."""

    def train(x, y, params, backward, lr, steps):
        losses = []
        _, cache = ex.forward(x, params)
        if slip == "grads once":
            grads = backward(y, cache)
        for _ in range(steps):
            if slip not in ("stale cache", "grads once"):
                _, cache = ex.forward(x, params)
            if slip != "grads once":
                grads = backward(y, cache)
            if slip != "late loss":
                losses.append(ex.bce_loss(y, cache))
            if slip == "new dict":
                params = {k: v - lr * grads[k] for k, v in params.items()}
                continue
            for name in params:
                if slip == "weights only" and name.startswith("b"):
                    continue
                if slip == "ascent":
                    params[name] += lr * grads[name]
                elif slip == "no lr":
                    params[name] -= grads[name]
                else:
                    params[name] -= lr * grads[name]
            if slip == "late loss":
                losses.append(ex.bce_loss(y, ex.forward(x, params)[1]))
        if slip == "no return":
            return None
        return losses

    return train


def test_train_reference_and_hand_written_pass():
    assert check_train(ex.train).status == "correct"
    fb = check_train(make_train())
    assert fb.status == "correct", fb
    assert "the loss fell from" in fb.message


def test_train_stub_is_not_implemented():
    assert check_train(_stub).status == "not_implemented"


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("ascent", "moved up the gradient"),
        ("weights only", "b1 and b2 never changed"),
        ("grads once", "backward ran once"),
        ("stale cache", "stale gradients"),
        ("new dict", "did not change"),
        ("no lr", "scale it by the learning rate"),
        ("late loss", "one step late"),
        ("no return", "return the list of losses"),
    ],
)
def test_train_slips_are_named(slip, hint):
    fb = check_train(make_train(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_train_without_backward_is_named():
    def no_backward(x, y, params, backward, lr, steps):
        return [0.0] * steps

    fb = check_train(no_backward)
    assert "backward was never called" in fb.message


# ---------------------------------------------------------------------------- init_params


def make_init(slip: str = ""):
    """A hand-written init_params, right unless ``slip`` names a classic mistake."""

    def init_params(n_features, n_hidden, seed=0):
        rng = np.random.default_rng(None if slip == "no seed" else seed)
        if slip == "seed ignored":
            rng = np.random.default_rng(0)
        scale1, scale2 = 1 / np.sqrt(n_features), 1 / np.sqrt(n_hidden)
        if slip == "too large":
            scale1 = scale2 = 1.0
        if slip == "too small":
            scale1 = scale2 = 1e-4
        if slip == "W2 by D":
            scale2 = scale1
        params = {
            "W1": rng.standard_normal((n_features, n_hidden)) * scale1,
            "b1": np.zeros(n_hidden),
            "W2": rng.standard_normal((n_hidden, 1)) * scale2,
            "b2": np.zeros(1),
        }
        if slip == "zeros":
            params = {k: np.zeros_like(v) for k, v in params.items()}
        if slip == "constant":
            params["W1"] = np.full((n_features, n_hidden), 0.05)
        if slip == "uniform 0 1":
            params["W1"] = rng.random((n_features, n_hidden)) * scale1
        if slip == "transposed":
            params["W1"] = params["W1"].T
        if slip == "b1 column":
            params["b1"] = np.zeros((n_hidden, 1))
        if slip == "W2 flat":
            params["W2"] = params["W2"][:, 0]
        return params

    return init_params


def test_init_reference_glorot_and_he_pass():
    assert check_init_params(ex.init_params).status == "correct"

    def glorot(d, h, seed=0):
        rng = np.random.default_rng(seed)
        lim1, lim2 = np.sqrt(6 / (d + h)), np.sqrt(6 / (h + 1))
        return {
            "W1": rng.uniform(-lim1, lim1, (d, h)),
            "b1": np.zeros(h),
            "W2": rng.uniform(-lim2, lim2, (h, 1)),
            "b2": np.zeros(1),
        }

    def he(d, h, seed=0):
        rng = np.random.default_rng(seed)
        return {
            "W1": rng.normal(0, np.sqrt(2 / d), (d, h)),
            "b1": np.zeros(h),
            "W2": rng.normal(0, np.sqrt(2 / h), (h, 1)),
            "b2": np.zeros(1),
        }

    for fn in (glorot, he, make_init()):
        fb = check_init_params(fn)
        assert fb.status == "correct", (fn, fb)


def test_init_stub_is_not_implemented():
    assert check_init_params(_stub).status == "not_implemented"


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("zeros", "symmetry"),
        ("constant", "all hidden units start identical"),
        ("too large", "too large for D=400"),
        ("too small", "so small"),
        ("uniform 0 1", "centred on zero"),
        ("W2 by D", "its fan-in is H"),
        ("transposed", "It is transposed"),
        ("b1 column", "b1 must have shape (25,)"),
        ("W2 flat", "W2 must have shape (25, 1)"),
        ("no seed", "same seed gave different weights"),
        ("seed ignored", "the seed is ignored"),
    ],
)
def test_init_slips_are_named(slip, hint):
    fb = check_init_params(make_init(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


# ---------------------------------------------------------------------------- train_torch


def make_train_torch(slip: str = ""):
    """A hand-written PyTorch loop, right unless ``slip`` names a classic mistake."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional

    def train_torch(model, x, y, lr, steps):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1 if slip == "wrong lr" else lr)
        losses = []
        for _ in range(steps):
            if slip != "no zero_grad":
                optimizer.zero_grad()
            scores = model(x)
            if slip == "double sigmoid":
                scores = torch.sigmoid(scores)
            target = y[:, 0] if slip == "flat targets" else y
            loss = F.binary_cross_entropy_with_logits(scores, target)
            loss.backward()
            if slip == "zero_grad late":
                optimizer.zero_grad()
            if slip != "no step":
                optimizer.step()
            losses.append(loss if slip == "loss tensor" else loss.item())
        return losses[1:] if slip == "short losses" else losses

    return train_torch


def test_train_torch_reference_and_hand_written_pass():
    pytest.importorskip("torch")
    assert check_train_torch(ex.train_torch).status == "correct"
    fb = check_train_torch(make_train_torch())
    assert fb.status == "correct", fb


def test_train_torch_stub_is_not_implemented():
    assert check_train_torch(_stub).status == "not_implemented"


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("no zero_grad", "gradients piled up"),
        ("zero_grad late", "did not move"),
        ("no step", "did not move"),
        ("double sigmoid", "applied twice"),
        ("flat targets", "different shapes"),
        ("wrong lr", "differ from plain SGD"),
        ("short losses", "one loss per step"),
        ("loss tensor", "you recorded the loss tensor"),
    ],
)
def test_train_torch_slips_are_named(slip, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the check lets no warning reach the learner
        fb = check_train_torch(make_train_torch(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


# ------------------------------------------------------------------- softmax_cross_entropy


def make_softmax_ce(slip: str = ""):
    """A hand-written softmax cross-entropy, right unless ``slip`` names a classic mistake."""

    def softmax_cross_entropy(logits, labels):
        n, k = logits.shape
        axis = 0 if slip == "axis 0" else 1
        if slip == "in place":
            logits -= logits.max(axis=1, keepdims=True)
            shifted = logits
        elif slip == "no max":
            shifted = logits
        elif slip == "global max":
            shifted = logits - logits.max()
        else:
            shifted = logits - logits.max(axis=axis, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=axis, keepdims=True)
        if slip == "log of p":
            log_probs = np.log(probs)
        else:
            log_probs = shifted - np.log(exp.sum(axis=axis, keepdims=True))
        rows = np.arange(n)
        loss = -np.mean(log_probs[rows, labels])
        if slip == "sum loss":
            loss = -np.sum(log_probs[rows, labels])
        onehot = np.eye(k)[labels]
        dlogits = (probs - onehot) / n
        if slip == "no onehot":
            dlogits = probs / n
        if slip == "no 1/N":
            dlogits = probs - onehot
        if slip == "sign":
            dlogits = (onehot - probs) / n
        if slip == "transposed":
            dlogits = dlogits.T
        return loss, dlogits

    return softmax_cross_entropy


def test_softmax_reference_and_hand_written_pass():
    assert check_softmax_cross_entropy(ex.softmax_cross_entropy).status == "correct"
    fb = check_softmax_cross_entropy(make_softmax_ce())
    assert fb.status == "correct", fb


def test_softmax_stub_is_not_implemented():
    assert check_softmax_cross_entropy(_stub).status == "not_implemented"


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("no max", "exp(1000) overflows"),
        ("log of p", "log(0) = -inf"),
        ("global max", "one maximum for the whole array"),
        ("axis 0", "wrong axis"),
        ("no onehot", "subtract the one-hot"),
        ("no 1/N", "times too large (N = 4)"),
        ("sum loss", "not the sum"),
        ("sign", "wrong sign"),
        ("transposed", "it must be (N, K)"),
        ("in place", "changed the logits"),
    ],
)
def test_softmax_slips_are_named(slip, hint):
    fb = check_softmax_cross_entropy(make_softmax_ce(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_softmax_reference_keeps_the_name_and_signature_notebook_06_uses():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    labels = np.array([0, 1])
    loss, dlogits = ex.softmax_cross_entropy(logits=logits, labels=labels)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.isclose(loss, -np.mean(np.log(p[[0, 1], labels])))
    np.testing.assert_allclose(dlogits, (p - np.eye(3)[labels]) / 2)
