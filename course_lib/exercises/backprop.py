"""Checks for the exercise of ``05_feed_forward_networks``: backpropagation by hand.

The learner completes ``loss_and_grads(x, y, params)`` for the two-layer network

    a = x @ W1 + b1,  h = sigmoid(a),  z = h @ W2 + b2,  p = sigmoid(z)

with binary cross-entropy averaged over N, returning ``(loss, grads)``. Shapes: ``x (N, D)``,
``y (N, 1)``, ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, 1)``, ``b2 (1,)``; every gradient has the
shape of its parameter. :func:`check_backprop` compares the answer with the reference
:func:`course_lib.two_layer.loss_and_grads` and names the usual mistakes: a sign error, a
missing transpose, a forgotten activation derivative, a forgotten ``1/N``, a bias gradient of
the wrong shape.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.gradcheck import GradientCheckError, check_gradient, rel_error
from course_lib.two_layer import loss_and_grads as _reference

ORDER = ("W2", "b2", "W1", "b1")  # the order backprop computes them: from the top down


def _problem(seed: int = 5):
    """A small problem whose shapes are all different (N=6, D=3, H=4), so mix-ups show."""
    rng = np.random.default_rng(seed)
    n, d, h = 6, 3, 4
    x = rng.standard_normal((n, d))
    y = (rng.random((n, 1)) < 0.5).astype(np.float64)
    params = {
        "W1": rng.standard_normal((d, h)),
        "b1": 0.1 * rng.standard_normal(h),
        "W2": rng.standard_normal((h, 1)),
        "b2": 0.1 * rng.standard_normal(1),
    }
    return x, y, params


def _variant_without_activation_derivative(x, y, params) -> dict:
    """What the gradients are when ``da = dh`` (the sigmoid's derivative left out)."""
    a = x @ params["W1"] + params["b1"]
    h = 1 / (1 + np.exp(-a))
    p = 1 / (1 + np.exp(-(h @ params["W2"] + params["b2"])))
    dz = (p - y) / len(x)
    da = dz @ params["W2"].T  # the missing factor h * (1 - h)
    return {"W1": x.T @ da, "b1": da.sum(axis=0)}


def _bias_shape_hint(name: str, got: tuple, want: tuple, n: int) -> str:
    if got == (1, *want):
        return (
            f"{name} has shape {got} but the bias has shape {want}: sum over the examples "
            "with .sum(axis=0) and without keepdims=True."
        )
    if got == ():
        return (
            f"{name} is a single number but the bias has shape {want}: you summed over every "
            "axis; sum over the examples only, .sum(axis=0)."
        )
    if len(got) == 2 and got[0] == n:
        return (
            f"{name} has shape {got}, one row per example: the bias is shared by all N "
            "examples, so add up their contributions with .sum(axis=0)."
        )
    return f"{name} must have shape {want} like the bias itself, got {got}; use .sum(axis=0)."


def check_backprop(loss_and_grads) -> Feedback:
    """Check the learner's ``loss_and_grads(x, y, params) -> (loss, grads)``.

    Introduced in ``05_feed_forward_networks``.
    """
    x, y, params = _problem()
    n = len(x)

    def attempt() -> str:
        given = {k: v.copy() for k, v in params.items()}
        try:
            result = loss_and_grads(x.copy(), y.copy(), given)
        except ValueError as error:
            text = str(error)
            if "matmul" in text or "shapes" in text or "aligned" in text:
                raise Mistake(
                    "a matrix product's shapes do not line up (" + text.split("\n")[0] + "). "
                    "A transpose is probably missing: going backwards through z = h @ W2 you "
                    "need dh = dz @ W2.T, and through a = x @ W1 you need dW1 = x.T @ da."
                ) from None
            raise
        if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], dict):
            raise Mistake("return a pair (loss, grads) where grads is a dict like params.")
        loss, grads = result
        missing = set(ORDER) - set(grads)
        if missing:
            raise Mistake(f"grads is missing {sorted(missing)}; it needs W1, b1, W2 and b2.")
        ref_loss, ref = _reference(x, y, params, activation="sigmoid")
        if not np.isclose(float(loss), ref_loss, rtol=1e-6):
            raise Mistake(
                f"the loss should be {ref_loss:.6f} but yours is {float(loss):.6f}; the forward "
                "pass was given, so check that it is unchanged."
            )
        shapes = {k: np.shape(grads[k]) for k in ORDER}
        for name in ORDER:
            want, got = params[name].shape, shapes[name]
            if got == want:
                continue
            if name.startswith("b"):
                raise Mistake(_bias_shape_hint("d" + name, got, want, n))
            if got == want[::-1]:
                raise Mistake(
                    f"d{name} has shape {got} but {name} has shape {want}: it is transposed. "
                    f"The input of the layer goes first and transposed: "
                    f"{'h.T @ dz' if name == 'W2' else 'x.T @ da'}."
                )
            raise Mistake(f"d{name} must have the shape of {name}, {want}, got {got}.")
        mine = {k: np.asarray(grads[k], dtype=np.float64) for k in ORDER}
        if all(rel_error(mine[k], -ref[k]) < 1e-6 for k in ORDER):
            raise Mistake(
                "every gradient has the right size but the wrong sign. The gradient of the "
                "loss with respect to z is (p - y) / N, not (y - p) / N."
            )
        if all(np.allclose(mine[k], n * ref[k], rtol=1e-6, atol=1e-12) for k in ORDER):
            raise Mistake(
                f"every gradient is {n} times too large, where {n} = N: the loss is a mean, "
                "so dz = (p - y) / N; the 1/N is missing."
            )
        top_right = all(rel_error(mine[k], ref[k]) < 1e-6 for k in ("W2", "b2"))
        if top_right:
            no_deriv = _variant_without_activation_derivative(x, y, params)
            if all(rel_error(mine[k], no_deriv[k]) < 1e-6 for k in ("W1", "b1")):
                raise Mistake(
                    "dW2 and db2 are right but dW1 and db1 leave out the hidden activation: "
                    "going back through h = sigmoid(a) multiplies by sigmoid'(a) = h * (1 - h), "
                    "so da = dh * h * (1 - h)."
                )
        for name in ORDER:
            try:
                check_gradient(mine[name], ref[name], name="d" + name, tol=1e-6)
            except GradientCheckError as error:
                where = " (dW2 and db2 are right, so look below them)" if top_right else ""
                raise Mistake(str(error) + where) from None
        return "the loss and all four gradients match backpropagation's to 1e-6."

    return run_check(
        "backprop",
        attempt,
        start_hint="start at the top with dz = (p - y) / N, then dW2 = h.T @ dz, "
        "db2 = dz.sum(axis=0), dh = dz @ W2.T, and go on down.",
    )
