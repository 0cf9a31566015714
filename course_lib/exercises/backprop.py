"""Exercises of ``05_feed_forward_networks``: a two-layer network built by hand.

The network of the notebook (rows of ``x`` are examples, ``*`` is the elementwise product)::

    z1 = x @ W1 + b1      # (N, H)
    h  = tanh(z1)         # (N, H)
    z2 = h @ W2 + b2      # (N, 1)
    p  = sigmoid(z2)      # (N, 1)
    L  = mean binary cross-entropy of p against y (N, 1)

The learner writes, in this order, and each has a reference answer here that the notebook
runs until the learner's own passes its check (``yours_or_reference``):

* :func:`backward` ``(y, cache) -> grads``: backpropagation, checked against numerical
  gradients by :func:`check_backward`;
* :func:`train` ``(x, y, params, backward, lr, steps) -> losses``: full-batch gradient
  descent, :func:`check_train`;
* :func:`init_params` ``(D, H, seed) -> params``: random, small starting weights,
  :func:`check_init_params`;
* :func:`train_torch` ``(model, x, y, lr, steps) -> losses``: the same loop in PyTorch,
  :func:`check_train_torch`;
* :func:`softmax_cross_entropy` ``(logits, labels) -> (loss, dlogits)``: from two classes
  to K, :func:`check_softmax_cross_entropy` (notebook 06 uses this name and signature).

Each check runs the learner's function on small chosen inputs and names the usual slip.
Introduced in ``05_feed_forward_networks``.
"""

from __future__ import annotations

import copy

import numpy as np

from course_lib import two_layer
from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn import losses as _losses
from course_lib.numpy_nn.gradcheck import (
    GradientCheckError,
    check_gradient,
    numerical_gradient,
    rel_error,
)

__all__ = [
    "backward",
    "check_backward",
    "check_init_params",
    "check_softmax_cross_entropy",
    "check_train",
    "check_train_torch",
    "forward",
    "init_params",
    "softmax_cross_entropy",
    "train",
    "train_torch",
]

PARAMS = two_layer.PARAM_NAMES  # W1, b1, W2, b2
TOP_DOWN = ("W2", "b2", "W1", "b1")  # the order backprop reaches them


# ----------------------------------------------------------------------- reference answers


def forward(x, params: dict):
    """The notebook's forward pass with tanh hidden units: ``x (N, D)`` -> ``(p (N, 1), cache)``.

    ``cache`` is a dict with ``x``, ``W1``, ``b1``, ``W2``, ``b2``, ``z1``, ``h``, ``z2``, ``p``.
    Introduced in ``05_feed_forward_networks``.
    """
    return two_layer.forward(x, params, activation="tanh")


def bce_loss(y, cache: dict) -> float:
    """Mean binary cross-entropy of the cached scores ``z2 (N, 1)`` against ``y (N, 1)``."""
    return _losses.binary_cross_entropy_with_logits(cache["z2"], y)[0]


def backward(y, cache: dict) -> dict:
    """Reference answer: the gradients ``{"W1", "b1", "W2", "b2"}`` of the mean cross-entropy.

    ``y (N, 1)``, ``cache`` from :func:`forward`. Each gradient has its parameter's shape.
    Introduced in ``05_feed_forward_networks``.
    """
    return two_layer.backward(y, cache, activation="tanh")


def train(x, y, params: dict, backward, lr: float, steps: int) -> list[float]:
    """Reference answer: ``steps`` steps of full-batch gradient descent, in place.

    Every step: forward pass at the current weights, the loss (recorded *before* the update),
    ``backward(y, cache)``, then every parameter moves against its gradient,
    ``params[name] -= lr * grads[name]``. Shapes: ``x (N, D)``, ``y (N, 1)``. Returns the
    list of the ``steps`` losses. Introduced in ``05_feed_forward_networks``.
    """
    losses = []
    for _ in range(steps):
        _, cache = forward(x, params)
        losses.append(bce_loss(y, cache))
        grads = backward(y, cache)
        for name in params:
            params[name] -= lr * grads[name]
    return losses


def init_params(n_features: int, n_hidden: int, seed: int = 0) -> dict:
    """Reference answer: ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, 1)``, ``b2 (1,)``.

    Weights are Gaussian with standard deviation ``1 / sqrt(fan_in)`` (D for W1, H for W2),
    biases zero; the same seed gives the same weights. Introduced in
    ``05_feed_forward_networks``.
    """
    return two_layer.init_params(n_features, n_hidden, seed=seed, activation="tanh")


def train_torch(model, x, y, lr: float, steps: int) -> list[float]:
    """Reference answer: the training loop of :func:`train` in PyTorch.

    ``model(x)`` gives the scores ``z2 (N, 1)``; the loss is
    ``F.binary_cross_entropy_with_logits(model(x), y)`` with ``y (N, 1)`` float; plain SGD
    with learning rate ``lr``. Returns the ``steps`` losses as Python floats, each recorded
    before its update. Introduced in ``05_feed_forward_networks``.
    """
    import torch
    import torch.nn.functional as F

    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()  # forget the previous step's gradients
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()  # autograd fills every parameter's .grad
        optimizer.step()  # p -= lr * p.grad for every parameter
        losses.append(loss.item())
    return losses


_train_torch_reference = train_torch  # the checks' name for it, beside the learner's


def softmax_cross_entropy(logits, labels):
    """Reference answer: mean cross-entropy of ``softmax(logits)`` and its gradient.

    ``logits (N, K)`` scores, ``labels (N,)`` integers in ``0 .. K-1``. Returns
    ``(loss, dlogits)``: ``loss = -mean_n log softmax(logits_n)[labels_n]`` computed stably
    (row maximum subtracted, log-softmax without taking ``log`` of a probability) and
    ``dlogits = (softmax(logits) - onehot(labels)) / N`` of shape ``(N, K)``. Delegates to
    :func:`course_lib.numpy_nn.losses.softmax_cross_entropy`, the maths' one home.
    Introduced in ``05_feed_forward_networks``; used in ``06_mnist_with_a_feed_forward_net``.
    """
    return _losses.softmax_cross_entropy(logits, labels)


_softmax_reference = softmax_cross_entropy  # the checks' name for it, beside the learner's


# ------------------------------------------------------------------------------ helpers


def _ratio(mine, true) -> float | None:
    """The constant ``c`` with ``mine = c * true`` entry by entry, or None if there is none."""
    mine, true = np.asarray(mine, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if mine.shape != true.shape:
        return None
    mask = np.abs(true) > 1e-3 * np.max(np.abs(true), initial=0.0)
    if not mask.any():
        return None
    ratios = mine[mask] / true[mask]
    if np.allclose(ratios, ratios[0], rtol=1e-4) and np.allclose(mine[~mask], 0, atol=1e-9):
        return float(ratios[0])
    return None


def _shape_error(error: Exception) -> str | None:
    """The first line of a NumPy shape error, or None for other errors."""
    text = str(error)
    shape_words = ("matmul", "shapes", "aligned", "broadcast", "mismatch in its core")
    if isinstance(error, ValueError) and any(word in text for word in shape_words):
        return text.split("\n")[0]
    return None


# -------------------------------------------------------------------------- check_backward


def _backward_problem(seed: int = 5):
    """N=6, D=3, H=4: every size differs, so a mix-up of axes shows in a shape."""
    rng = np.random.default_rng(seed)
    n, d, h = 6, 3, 4
    x = rng.standard_normal((n, d))
    y = np.array([[1.0], [0.0], [0.0], [1.0], [1.0], [0.0]])
    params = {
        "W1": 0.8 * rng.standard_normal((d, h)),
        "b1": 0.3 * rng.standard_normal(h),
        "W2": rng.standard_normal((h, 1)),
        "b2": 0.3 * rng.standard_normal(1),
    }
    return x, y, params


def _variant(x, y, params, slip: str) -> dict:
    """The gradients a classic slip produces (for naming it when the learner's match)."""
    _, c = forward(x, params)
    dz2 = (c["p"] - y) / len(x)
    dh = dz2 @ params["W2"].T
    if slip == "z1 for dW2":
        return {"W2": c["z1"].T @ dz2}
    if slip == "no activation derivative":
        return {"W1": x.T @ dh, "b1": dh.sum(axis=0)}
    if slip == "derivative at z1":
        dz1 = dh * (1 - c["z1"] ** 2)
        return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0)}
    if slip == "sigmoid derivative":
        dz1 = dh * c["h"] * (1 - c["h"])
        return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0)}
    raise ValueError(slip)


def _bias_shape_message(name: str, got: tuple, want: tuple, n: int, h: int) -> str:
    hidden = "dz1" if name == "b1" else "dz2"
    if got == (n,):
        return (
            f"d{name} has shape {got}, one number per example: you summed {hidden} over the "
            "wrong axis (across a row, axis=1). A bias is shared by all N examples, so its "
            f"gradient adds up the contributions of the examples: sum down the rows, over axis "
            f"0, to get shape {want}."
        )
    if got == (1, *want):
        return (
            f"d{name} has shape {got} but {name} has shape {want}: sum over the examples "
            "without keepdims=True."
        )
    if got == ():
        return (
            f"d{name} is a single number but {name} has shape {want}: you summed over every "
            "axis; sum over the examples (axis 0) only."
        )
    if len(got) == 2 and got[0] == n:
        return (
            f"d{name} has shape {got}, one row per example: the bias is shared by all N "
            "examples, so add up their contributions over axis 0."
        )
    return f"d{name} must have shape {want} like {name} itself, got {got}."


def check_backward(backward) -> Feedback:
    """Check the learner's ``backward(y, cache) -> grads`` against numerical gradients.

    Names the slips: a missing activation derivative (``dh`` used where ``dz1`` belongs),
    transposes in the wrong place (shape errors), bias gradients summed over the wrong axis,
    a forgotten or doubled ``1/N``, ``z1`` instead of ``h`` in ``dW2``, a flipped sign.
    Introduced in ``05_feed_forward_networks``.
    """
    x, y, params = _backward_problem()
    n, h = x.shape[0], params["W1"].shape[1]

    def loss_at() -> float:
        return bce_loss(y, forward(x, params)[1])

    def attempt() -> str:
        _, cache = forward(x, params)
        given = {k: np.array(v, copy=True) for k, v in cache.items()}
        try:
            grads = backward(y.copy(), given)
        except ValueError as error:
            line = _shape_error(error)
            if line is None:
                raise
            raise Mistake(
                f"a matrix product's shapes do not line up ({line}). A transpose is missing or "
                "in the wrong place. Write the shape next to every line, e.g. dz2 (N, 1), "
                "W2 (H, 1), and choose the product whose shapes give the result's shape: "
                "dh must come out (N, H) like h."
            ) from None
        if isinstance(grads, tuple) and len(grads) == 2 and isinstance(grads[1], dict):
            raise Mistake("return only the dict of gradients, not (loss, grads).")
        if not isinstance(grads, dict):
            raise Mistake(
                f"return a dict {{'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}}, got "
                f"{type(grads).__name__}."
            )
        missing = [k for k in PARAMS if k not in grads]
        if missing:
            raise Mistake(f"the dict is missing {missing}; it needs W1, b1, W2 and b2.")
        for name in TOP_DOWN:
            want, got = params[name].shape, np.shape(grads[name])
            if got == want:
                continue
            if name.startswith("b"):
                raise Mistake(_bias_shape_message(name, got, want, n, h))
            layer_input = "h" if name == "W2" else "x"
            if got == want[::-1]:
                raise Mistake(
                    f"d{name} has shape {got} but {name} has shape {want}: it is transposed. "
                    f"Which of {layer_input} and the gradient arriving from above goes first, "
                    "and which one is transposed? Let the shapes decide."
                )
            raise Mistake(f"d{name} must have the shape of {name}, {want}, got {got}.")
        mine = {k: np.asarray(grads[k], dtype=np.float64) for k in PARAMS}
        numeric = {k: numerical_gradient(loss_at, params[k]) for k in PARAMS}

        ratios = {k: _ratio(mine[k], numeric[k]) for k in PARAMS}
        if all(r is not None and np.isclose(r, -1) for r in ratios.values()):
            raise Mistake(
                "every gradient has the right size but the wrong sign: the gradient of the "
                "loss with respect to the score z2 is (p - y) / N, prediction minus truth."
            )
        for name in TOP_DOWN:
            r = ratios[name]
            if r is not None and np.isclose(r, n):
                raise Mistake(
                    f"d{name} is {n} times too large, where {n} = N: the loss is a mean over "
                    "the N examples, so the 1/N must appear (once) in dz2."
                )
            if r is not None and np.isclose(r, 1 / n):
                raise Mistake(
                    f"d{name} is {n} times too small, where {n} = N: you divided by N twice. "
                    "The 1/N belongs in dz2 only; after that, gradients are sums (a matrix "
                    "product sums over the examples, and so does .sum(axis=0)), not means."
                )
        top_right = all(rel_error(mine[k], numeric[k]) < 1e-6 for k in ("W2", "b2"))
        if not top_right and rel_error(mine["b2"], numeric["b2"]) < 1e-6:
            if rel_error(mine["W2"], _variant(x, y, params, "z1 for dW2")["W2"]) < 1e-6:
                raise Mistake(
                    "dW2 uses z1, the hidden layer's scores, but W2 multiplies h = tanh(z1), "
                    "the hidden layer's outputs: the input of a product node is what appears "
                    "in its weight gradient."
                )
        if top_right:
            for slip, message in (
                (
                    "no activation derivative",
                    "dW2 and db2 are right but dW1 and db1 skip the tanh node: you used dh "
                    "where dz1 belongs. Going back through h = tanh(z1) multiplies, entry by "
                    "entry (⊙), by the local derivative of tanh.",
                ),
                (
                    "derivative at z1",
                    "dW2 and db2 are right but the tanh step is off: 1 - tanh(z1)^2 is "
                    "1 - h^2, with h the tanh's output, not 1 - z1^2.",
                ),
                (
                    "sigmoid derivative",
                    "dW2 and db2 are right but the tanh step uses h * (1 - h), the sigmoid's "
                    "local derivative; the hidden units here are tanh units.",
                ),
            ):
                variant = _variant(x, y, params, slip)
                if all(rel_error(mine[k], variant[k]) < 1e-6 for k in ("W1", "b1")):
                    raise Mistake(message)
        worst = 0.0
        for name in TOP_DOWN:
            try:
                worst = max(worst, check_gradient(mine[name], numeric[name], "d" + name, 1e-6))
            except GradientCheckError as error:
                where = " (dW2 and db2 are right, so look below them)" if top_right else ""
                raise Mistake(str(error) + where) from None
        return (
            "dW1, db1, dW2 and db2 all match the numerical gradients (largest relative error "
            f"{worst:.0e})."
        )

    return run_check(
        "backward",
        attempt,
        start_hint="start at the top: what does the loss send back to the score z2? (notebook "
        "03 found it). Then visit each node of the graph in reverse, multiplying what arrives "
        "by the node's local derivative, and let the shapes place the transposes.",
    )


# ----------------------------------------------------------------------------- check_train


def _train_problem():
    """24 XOR points (standardised), a 2 -> 3 -> 1 network, 15 steps at lr 0.5."""
    from course_lib.data.synthetic import make_xor

    x, labels = make_xor(24, seed=3)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = labels.reshape(-1, 1).astype(np.float64)
    return x, y, init_params(2, 3, seed=4), 0.5, 15


def _train_variant(x, y, start: dict, lr: float, steps: int, slip: str) -> dict:
    """Final weights of gradient descent with a classic slip in its loop."""
    params = {k: v.copy() for k, v in start.items()}
    grads = backward(y, forward(x, params)[1])
    for _ in range(steps):
        if slip != "stale":
            grads = backward(y, forward(x, params)[1])
        for name in params:
            if slip == "ascent":
                params[name] += lr * grads[name]
            elif slip == "no lr":
                params[name] -= grads[name]
            else:
                params[name] -= lr * grads[name]
    return params


def check_train(train) -> Feedback:
    """Check the learner's ``train(x, y, params, backward, lr, steps) -> losses``.

    Runs it with the reference backward on a small XOR problem and names the slips: the
    update's sign (climbing the loss), parameters left out of the update, stale gradients
    (computed once, or from a forward pass before the last update), the learning rate left
    out, a new dict instead of updating ``params``, losses recorded after the update.
    Introduced in ``05_feed_forward_networks``.
    """

    def attempt() -> str:
        x, y, start, lr, steps = _train_problem()
        expected = {k: v.copy() for k, v in start.items()}
        expected_losses = _train_reference(x, y, expected, lr, steps)
        given = {k: v.copy() for k, v in start.items()}
        fresh_calls: list[bool] = []

        def spy_backward(y_, cache):
            # Was this cache made at the weights the learner holds right now?
            z1_now = x @ given["W1"] + given["b1"]
            fresh_calls.append(bool(np.allclose(cache["z1"], z1_now, rtol=0, atol=1e-12)))
            return backward(y_, cache)

        losses = train(x.copy(), y.copy(), given, spy_backward, lr, steps)
        if not fresh_calls:
            raise Mistake(
                "backward was never called: every step needs the gradients, "
                "grads = backward(y, cache), with the cache from that step's forward pass."
            )
        unchanged = [k for k in PARAMS if np.array_equal(given[k], start[k])]
        if len(unchanged) == len(PARAMS):
            raise Mistake(
                "the params dict you were given did not change. Every step must update its "
                "arrays in place, params[name] -= lr * grads[name]; building a new dict "
                "leaves the caller (and the rest of the notebook) holding the old weights."
            )
        if len(fresh_calls) == 1 and steps > 1:
            raise Mistake(
                f"backward ran once for {steps} steps: the gradients were computed before the "
                "loop and reused, but they are stale as soon as the weights move. Run forward "
                "and backward inside the loop, at the current weights."
            )
        if not all(fresh_calls):
            raise Mistake(
                "backward was given a cache from a forward pass at older weights (stale "
                "gradients): run forward at the start of every step, after the last update, "
                "and pass that step's cache to backward."
            )
        if len(fresh_calls) < steps:
            raise Mistake(
                f"backward ran {len(fresh_calls)} times for steps={steps}: some steps reused "
                "old gradients (stale). Every step needs its own forward and backward pass."
            )
        if unchanged:
            raise Mistake(
                f"{' and '.join(unchanged)} never changed: every parameter must move against "
                "its own gradient at every step; loop over all four names."
            )

        def ends_like(slip: str) -> bool:
            variant = _train_variant(x, y, start, lr, steps, slip)
            return all(np.allclose(given[k], variant[k], rtol=1e-6, atol=1e-10) for k in PARAMS)

        if ends_like("ascent"):
            raise Mistake(
                "the weights moved up the gradient, so the loss climbs: the gradient points "
                "uphill, and gradient descent steps the other way (subtract lr * grad)."
            )
        if ends_like("no lr"):
            raise Mistake(
                f"each step moved the weights by the whole gradient: scale it by the learning "
                f"rate lr (here {lr})."
            )
        if not all(np.allclose(given[k], expected[k], rtol=1e-6, atol=1e-10) for k in PARAMS):
            raise Mistake(
                f"after {steps} steps your weights differ from gradient descent's: each step "
                "should run forward, backward, then params[name] -= lr * grads[name] for every "
                "name, once."
            )
        if losses is None:
            raise Mistake("return the list of losses, one per step.")
        losses = [float(v) for v in losses]
        if len(losses) != steps:
            raise Mistake(f"return one loss per step: {steps} values, got {len(losses)}.")
        if np.allclose(losses[:-1], expected_losses[1:], rtol=1e-9):
            raise Mistake(
                "your losses are one step late: record each step's loss before the update, at "
                "the weights that backward saw."
            )
        if not np.allclose(losses, expected_losses, rtol=1e-6):
            raise Mistake(
                "the weights are right but the losses are not: record the mean binary "
                "cross-entropy of that step's forward pass, before the update."
            )
        return (
            f"{steps} steps of gradient descent: every parameter updated with fresh gradients; "
            f"the loss fell from {losses[0]:.3f} to {losses[-1]:.3f}."
        )

    return run_check(
        "train",
        attempt,
        start_hint="one step is four things, in an order that matters: where are we "
        "(forward), how wrong (loss), which way is uphill (backward), and a step the other "
        "way for every parameter.",
    )


def _train_reference(x, y, params: dict, lr: float, steps: int) -> list[float]:
    """:func:`train` with the reference :func:`backward` (what the checks compare against)."""
    return train(x, y, params, backward, lr, steps)


# ----------------------------------------------------------------------- check_init_params


def check_init_params(init_params) -> Feedback:
    """Check the learner's ``init_params(D, H, seed) -> params``.

    Names the slips: all-zero weights (every hidden unit identical forever: symmetry),
    identical hidden units from a constant, weights far too large (saturated tanh) or far too
    small, weights not centred on zero, wrong shapes, a seed that is ignored or not used
    reproducibly. Introduced in ``05_feed_forward_networks``.
    """
    d, h = 400, 25

    def attempt() -> str:
        params = init_params(d, h, 0)
        if not isinstance(params, dict):
            raise Mistake(f"return a dict with W1, b1, W2, b2, got {type(params).__name__}.")
        missing = [k for k in PARAMS if k not in params]
        if missing:
            raise Mistake(f"the dict is missing {missing}; it needs W1, b1, W2 and b2.")
        shapes = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}
        for name, want in shapes.items():
            got = np.shape(params[name])
            if got == want:
                continue
            extra = ""
            if got == want[::-1] and len(want) == 2:
                extra = " It is transposed: rows of x are examples, so x @ W1 needs W1 (D, H)."
            raise Mistake(
                f"with D={d} inputs and H={h} hidden units, {name} must have shape {want}, "
                f"got {got}.{extra}"
            )
        w1 = np.asarray(params["W1"], dtype=np.float64)
        w2 = np.asarray(params["W2"], dtype=np.float64)
        if not np.all(np.isfinite(w1)) or not np.all(np.isfinite(w2)):
            raise Mistake("the weights contain inf or NaN.")
        if not w1.any() and not w2.any():
            raise Mistake(
                "all weights are zero. Then every hidden unit computes the same thing, gets "
                "the same gradient and stays identical to the others forever (symmetry); with "
                "tanh they even stay at exactly zero. Draw the weights at random."
            )
        if np.allclose(w1, w1[:, :1]):
            raise Mistake(
                "every column of W1 is the same, so all hidden units start identical, receive "
                "identical gradients and stay identical (symmetry): the layer acts like a "
                "single unit. Draw every weight at random."
            )
        target1, target2 = 1 / np.sqrt(d), 1 / np.sqrt(h)
        std1, std2 = w1.std(), w2.std()
        if abs(w1.mean()) > 0.5 * std1:
            raise Mistake(
                f"W1's weights average {w1.mean():.3g}, far from zero for their spread "
                f"{std1:.3g}: draw them centred on zero (a normal distribution, or uniform on "
                "a symmetric interval), so units can push either way."
            )
        if std1 > 3 * target1:
            raise Mistake(
                f"W1's weights have standard deviation {std1:.3g}: too large for D={d} inputs. "
                f"Each score z1 adds up {d} terms, so its spread is about sqrt(D) * "
                f"{std1:.3g} = {np.sqrt(d) * std1:.3g}; tanh is then flat (saturated) almost "
                f"everywhere and passes back almost no gradient. Aim for about 1/sqrt(D) = "
                f"{target1:.3g}."
            )
        if std1 < 0.15 * target1:
            raise Mistake(
                f"W1's weights have standard deviation {std1:.2g}: so small that the scores "
                f"z1 (spread about {np.sqrt(d) * std1:.2g}) and the gradients nearly vanish. "
                f"Aim for about 1/sqrt(D) = {target1:.3g}."
            )
        if not w2.any() or np.allclose(w2, w2[0]):
            raise Mistake(
                "W2's entries are all equal: the hidden units then receive identical "
                "gradients (dh = dz2 @ W2.T has equal columns) and can stay alike. Draw W2 at "
                "random too."
            )
        if np.isclose(std2, target1, rtol=0.35) and not np.isclose(std2, target2, rtol=0.5):
            raise Mistake(
                f"W2 is scaled by 1/sqrt(D) = {target1:.3g}, but W2's inputs are the H={h} "
                f"hidden units: its fan-in is H, so aim for about 1/sqrt(H) = {target2:.3g}."
            )
        if not 0.3 * target2 <= std2 <= 3 * target2:
            raise Mistake(
                f"W2's weights have standard deviation {std2:.3g}; with H={h} inputs aim for "
                f"about 1/sqrt(H) = {target2:.3g}."
            )
        for name in ("b1", "b2"):
            b = np.asarray(params[name], dtype=np.float64)
            if not np.all(np.isfinite(b)) or np.max(np.abs(b), initial=0.0) > 1:
                raise Mistake(f"{name} should start small; zeros are the usual choice.")
        again = init_params(d, h, 0)
        if not all(np.array_equal(np.asarray(again[k]), np.asarray(params[k])) for k in PARAMS):
            raise Mistake(
                "two calls with the same seed gave different weights: make a generator from "
                "the seed, np.random.default_rng(seed), and draw from it, so a run can be "
                "repeated."
            )
        other = init_params(d, h, 1)
        if np.array_equal(np.asarray(other["W1"]), w1):
            raise Mistake(
                "seeds 0 and 1 gave the same W1: the seed is ignored. Draw from "
                "np.random.default_rng(seed)."
            )
        return (
            f"shapes right, weights random and centred; for D={d}, H={h} W1 has standard "
            f"deviation {std1:.3f} (1/sqrt(D) = {target1:.3f}) and W2 {std2:.3f} "
            f"(1/sqrt(H) = {target2:.3f}); the same seed repeats."
        )

    return run_check(
        "init_params",
        attempt,
        start_hint="make a generator from the seed, draw each weight matrix at random with "
        "the shape x @ W needs, and think about how large a score z1 gets when it adds up D "
        "terms.",
    )


# ------------------------------------------------------------------------ check_train_torch


def _torch_problem():
    """A float64 ``2 -> 3 -> 1`` tanh model, 24 XOR points, lr 0.5, 12 steps."""
    import torch

    x, y, start, lr, steps = _train_problem()
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    model = model.double()
    with torch.no_grad():  # the same start as the NumPy problem; Linear stores W transposed
        model[0].weight.copy_(torch.from_numpy(start["W1"].T))
        model[0].bias.copy_(torch.from_numpy(start["b1"]))
        model[2].weight.copy_(torch.from_numpy(start["W2"].T))
        model[2].bias.copy_(torch.from_numpy(start["b2"]))
    return model, torch.from_numpy(x), torch.from_numpy(y), lr, 12


def _torch_variant(model, x, y, lr: float, steps: int, slip: str):
    """Final weights of the PyTorch loop with a classic slip."""
    import torch
    import torch.nn.functional as F

    model = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        if slip != "no zero_grad":
            optimizer.zero_grad()
        scores = model(x)
        if slip == "double sigmoid":
            scores = torch.sigmoid(scores)
        F.binary_cross_entropy_with_logits(scores, y).backward()
        optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


def check_train_torch(train_torch) -> Feedback:
    """Check the learner's ``train_torch(model, x, y, lr, steps) -> losses``.

    Compares the weights after a few steps with plain SGD and names the slips: no
    ``optimizer.zero_grad()`` (gradients pile up from step to step), no ``optimizer.step()``
    or a ``zero_grad()`` between ``backward()`` and ``step()`` (the weights never move), a
    sigmoid before ``binary_cross_entropy_with_logits`` (applied twice), a shape mismatch
    between scores and targets, a wrong learning rate, the loss tensor recorded instead of
    ``loss.item()``.
    Introduced in ``05_feed_forward_networks``.
    """

    def attempt() -> str:
        import torch

        model, x, y, lr, steps = _torch_problem()
        reference, fresh = copy.deepcopy(model), copy.deepcopy(model)
        expected_losses = _train_torch_reference(reference, x, y, lr, steps)
        expected = [p.detach() for p in reference.parameters()]
        start = [p.detach().clone() for p in model.parameters()]
        try:
            losses = train_torch(model, x.clone(), y.clone(), lr, steps)
        except ValueError as error:
            if "must be the same as input size" in str(error):
                raise Mistake(
                    f"the scores and the targets have different shapes ({error}). model(x) "
                    "gives (N, 1) and y is (N, 1) here: pass them to the loss as they are."
                ) from None
            raise
        mine = [p.detach() for p in model.parameters()]
        if all(torch.equal(a, b) for a, b in zip(mine, start, strict=True)):
            raise Mistake(
                "the model's weights did not move. optimizer.step() applies the gradients: "
                "call it after loss.backward() and before the next optimizer.zero_grad() "
                "(zero_grad between backward and step wipes the gradients first)."
            )

        def matches(params) -> bool:
            pairs = zip(mine, params, strict=True)
            return all(torch.allclose(a, b, rtol=1e-6, atol=1e-10) for a, b in pairs)

        if not matches(expected):
            if matches(_torch_variant(fresh, x, y, lr, steps, "no zero_grad")):
                raise Mistake(
                    "the gradients piled up: loss.backward() adds to each parameter's .grad, it "
                    "does not overwrite it. Call optimizer.zero_grad() at the start of every "
                    "step."
                )
            if matches(_torch_variant(fresh, x, y, lr, steps, "double sigmoid")):
                raise Mistake(
                    "the sigmoid was applied twice: binary_cross_entropy_with_logits takes "
                    "the scores (logits) and applies the sigmoid itself, stably. Pass "
                    "model(x) straight to it."
                )
            raise Mistake(
                f"after {steps} steps the weights differ from plain SGD with lr={lr}: use "
                "torch.optim.SGD(model.parameters(), lr=lr) and, every step, zero_grad, "
                "loss, backward, step."
            )
        if losses is None:
            raise Mistake("return the list of losses, one per step.")
        if isinstance(losses, torch.Tensor) or any(isinstance(v, torch.Tensor) for v in losses):
            raise Mistake(
                "you recorded the loss tensor; record a plain number with loss.item(), "
                "otherwise every step's graph is kept alive and NumPy cannot read it."
            )
        losses = [float(v) for v in losses]
        if len(losses) != steps:
            raise Mistake(f"return one loss per step: {steps} values, got {len(losses)}.")
        if not np.allclose(losses, expected_losses, rtol=1e-6):
            raise Mistake(
                "the weights are right but the losses are not: record each step's loss "
                "(loss.item()) before optimizer.step() changes the weights."
            )
        return (
            f"{steps} SGD steps in PyTorch: the same weights as plain gradient descent; the loss "
            f"fell from {losses[0]:.3f} to {losses[-1]:.3f}."
        )

    return run_check(
        "train_torch",
        attempt,
        start_hint="the same four things as your NumPy loop; PyTorch's optimiser needs to be "
        "told when to forget old gradients and when to apply new ones.",
    )


# -------------------------------------------------------------- check_softmax_cross_entropy


def _softmax_problem():
    """N=4 examples, K=3 classes (N != K, so an axis mix-up shows)."""
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((4, 3)) * 2
    labels = np.array([0, 2, 1, 2])
    return logits, labels


def _softmax_variant(logits, labels, slip: str):
    n, k = logits.shape
    onehot = np.eye(k)[labels]
    if slip == "axis 0":
        e = np.exp(logits - logits.max(axis=0, keepdims=True))
        p = e / e.sum(axis=0, keepdims=True)
    else:
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    if slip == "no onehot":
        return p / n
    if slip == "sign":
        return (onehot - p) / n
    return (p - onehot) / n


def check_softmax_cross_entropy(softmax_cross_entropy) -> Feedback:
    """Check the learner's ``softmax_cross_entropy(logits, labels) -> (loss, dlogits)``.

    Names the slips: no max subtraction (overflow to inf/NaN for large logits), one maximum
    for the whole array instead of each row's (a row far below the others underflows), the log of a
    probability that rounded to 0, a forgotten ``1/N`` (in the loss or the gradient), softmax
    over the wrong axis, the one-hot not subtracted, a flipped sign, the caller's logits
    changed in place. Introduced in ``05_feed_forward_networks``.
    """

    def attempt() -> str:
        logits, labels = _softmax_problem()
        n, k = logits.shape
        given = logits.copy()
        with np.errstate(all="ignore"):
            result = softmax_cross_entropy(given, labels.copy())
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake("return the pair (loss, dlogits).")
        loss, dlogits = result
        if not np.array_equal(given, logits):
            raise Mistake(
                "your function changed the logits it was given (an in-place -= or /=): the "
                "caller still needs them. Work on a new array, e.g. shifted = logits - m."
            )
        ref_loss, ref_grad = _softmax_reference(logits, labels)
        dlogits = np.asarray(dlogits, dtype=np.float64)
        if np.ndim(loss) != 0 and np.size(loss) != 1:
            raise Mistake(
                f"the loss must be one number (the mean over the N examples), got shape "
                f"{np.shape(loss)}."
            )
        loss = float(np.asarray(loss).reshape(()))
        if dlogits.shape != (n, k):
            if dlogits.shape == (k, n):
                raise Mistake(f"dlogits has shape {dlogits.shape}; it must be (N, K) = {(n, k)}.")
            raise Mistake(
                f"dlogits must have the shape of logits, (N, K) = {(n, k)}, got {dlogits.shape}."
            )
        shifted0 = logits - logits.max(axis=0, keepdims=True)
        log_p0 = shifted0 - np.log(np.exp(shifted0).sum(axis=0, keepdims=True))
        loss_axis0 = -np.mean(log_p0[np.arange(n), labels])
        axis0_grad = _softmax_variant(logits, labels, "axis 0")
        if np.isclose(loss, loss_axis0, rtol=1e-6) or np.allclose(dlogits, axis0_grad, atol=1e-9):
            raise Mistake(
                "the softmax ran over the wrong axis (down the columns, across examples): each "
                "row (one example) must sum to 1, so take max and sum over axis=1 with "
                "keepdims=True."
            )
        if np.isclose(loss, n * ref_loss, rtol=1e-6) and not np.isclose(loss, ref_loss):
            raise Mistake(
                f"the loss is {n} times too large (N = {n}): it is the mean over the examples, "
                "not the sum."
            )
        if not np.isclose(loss, ref_loss, rtol=1e-6):
            raise Mistake(
                f"the loss should be {ref_loss:.6f}, yours is {loss:.6f}: it is minus the mean "
                "over the examples of the log-probability given to each example's true class "
                "(labels picks the column, row by row)."
            )
        for slip, message in (
            (
                "no onehot",
                "dlogits is softmax / N: subtract the one-hot of the labels (1 at the true "
                "class) before dividing by N.",
            ),
            ("sign", "dlogits has the wrong sign: it is (probabilities - onehot) / N."),
        ):
            if np.allclose(dlogits, _softmax_variant(logits, labels, slip), atol=1e-9):
                raise Mistake(message)
        r = _ratio(dlogits, ref_grad)
        if r is not None and np.isclose(r, n):
            raise Mistake(
                f"dlogits is {n} times too large (N = {n}): the loss is a mean, so the "
                "gradient carries a 1/N."
            )
        if not np.allclose(dlogits, ref_grad, atol=1e-9):
            probe = logits.copy()  # nudged in place by the numerical gradient
            numeric = numerical_gradient(lambda: _softmax_reference(probe, labels)[0], probe)
            try:
                check_gradient(dlogits, numeric, "dlogits", tol=1e-6)
            except GradientCheckError as error:
                raise Mistake(str(error)) from None
        # Large logits: exp(1000) overflows unless the row maximum is subtracted first.
        big = np.array([[1000.0, 998.0, 0.0], [0.0, 500.0, 999.0]])
        big_labels = np.array([0, 2])
        with np.errstate(all="ignore"):
            big_loss, big_grad = softmax_cross_entropy(big.copy(), big_labels)
        want_loss, want_grad = _softmax_reference(big, big_labels)
        if not np.isfinite(big_loss) or not np.all(np.isfinite(big_grad)):
            raise Mistake(
                "for logits near 1000 the result is inf or NaN: exp(1000) overflows. Subtract "
                "each row's maximum first; softmax does not change, and the largest exp is "
                "then exp(0) = 1."
            )
        if not np.isclose(big_loss, want_loss, rtol=1e-6) or not np.allclose(
            big_grad, want_grad, atol=1e-9
        ):
            raise Mistake("for logits near 1000 the loss or gradient is off; see the hint above.")
        # Rows about 1000 apart: one maximum for the whole array leaves the low row all exp 0.
        apart = np.array([[1000.0, 999.0, 998.0], [0.0, -1.0, -2.0]])
        apart_labels = np.array([0, 2])
        with np.errstate(all="ignore"):
            apart_loss, apart_grad = softmax_cross_entropy(apart.copy(), apart_labels)
        if not np.isfinite(apart_loss) or not np.all(np.isfinite(apart_grad)):
            raise Mistake(
                "you subtracted one maximum for the whole array, not each row's own: for the "
                "rows [1000, 999, 998] and [0, -1, -2] the second row then becomes [-1000, "
                "-1001, -1002], its exponentials all underflow to 0, and its loss is inf or "
                "NaN. Take the maximum row by row, with keepdims=True so it broadcasts."
            )
        want_loss, want_grad = _softmax_reference(apart, apart_labels)
        if not np.isclose(apart_loss, want_loss, rtol=1e-6) or not np.allclose(
            apart_grad, want_grad, atol=1e-9
        ):
            raise Mistake(
                "for the rows [1000, 999, 998] and [0, -1, -2] the loss or gradient is off: "
                "each row's softmax depends on that row only."
            )
        # A true class far below the others: its probability rounds to 0 and log(0) = -inf.
        low = np.array([[0.0, 800.0]])
        with np.errstate(all="ignore"):
            low_loss, _ = softmax_cross_entropy(low.copy(), np.array([0]))
        if not np.isfinite(low_loss):
            raise Mistake(
                "when the true class's logit is 800 below another, its probability rounds to "
                "0 and log(0) = -inf. Compute the log-softmax directly: log p_k = "
                "(shifted_k) - log(sum_j exp(shifted_j)), never log of a probability."
            )
        if not np.isclose(low_loss, 800.0, rtol=1e-9):
            raise Mistake(f"for logits [0, 800] and label 0 the loss is 800, got {low_loss}.")
        return (
            "loss and dlogits match for ordinary logits, and stay exact for logits of 1000, "
            "rows 1000 apart and a true class 800 below the best."
        )

    return run_check(
        "softmax_cross_entropy",
        attempt,
        start_hint="build the log-probabilities of every class first (stably: what can you "
        "subtract from a row without changing its softmax?), then pick each example's true "
        "class; for the gradient, compare with the binary case of notebook 03.",
    )
