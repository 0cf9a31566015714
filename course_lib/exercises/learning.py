"""Exercises of ``03_learning``: the gradient of one neuron, then the loops that use it.

The learner writes, in order:

* ``bce_gradients(x, y, w, b) -> (dw, db)``: the gradient of the mean binary cross-entropy
  of ``p = sigmoid(x @ w + b)``, assembled from the chain-rule pieces;
* ``gradient_descent(x, y, w, b, lr, steps) -> path``: full-batch gradient descent on ``w``;
* ``sgd(x, y, w, b, lr, epochs, batch_size, seed) -> path``: mini-batch SGD on ``w``,
  reshuffling the examples every epoch.

Both loops keep the bias ``b`` fixed (the notebook's map is drawn at a fixed bias) and
return the path of weights they visited, ``(steps + 1, D)`` with the start first.
``random_search`` is shown, not set as an exercise; its reference is here too because the
explorer of ``03_learning`` runs it.

The checks compare with the reference answers in this module and name the usual slips:

* gradient: a flipped sign, a forgotten ``1/N``, a missing ``dp/dz`` factor, the factor
  ``p (1 - p)`` applied twice, a missing bias gradient, a wrong shape;
* gradient descent: stepping uphill (the loss rises), updating ``w`` in place (every point
  of the path is the same array), a gradient computed once outside the loop, a step that is
  not ``lr`` times the gradient, and hiding divergence (stopping or refusing steps when the
  loss rises at a huge learning rate, which is how a too-large rate shows itself);
* SGD: stepping uphill, a mini-batch gradient summed instead of averaged (too large by the
  batch size) or averaged over all N examples, no shuffling, the same order every epoch
  (shuffled only once, or the generator re-created inside the epoch loop), batches drawn
  with replacement (examples repeat), the same first batch at every step, the last smaller
  batch dropped, one step per epoch instead of one per mini-batch.

Shapes: ``x (N, D)``, ``y (N,)`` labels in {0, 1}, ``w (D,)``, ``b`` a number.
Introduced in ``03_learning``.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import sigmoid
from course_lib.numpy_nn.gradcheck import GradientCheckError, check_gradient, numerical_gradient
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits
from course_lib.validate import (
    as_float_array,
    as_labels,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
    check_seed,
)

# --- reference answers ---------------------------------------------------------------------


def bce_gradients(x, y, w, b):
    """Reference answer: ``(x.T @ (p - y) / N, mean(p - y))`` with ``p = sigmoid(x @ w + b)``.

    Shapes: ``x (N, D)``, ``y (N,)``, ``w (D,)``, ``b`` scalar -> ``dw (D,)``, ``db`` scalar.
    Introduced in ``03_learning``.
    """
    p = sigmoid(x @ w + b)  # (N,)
    error = p - y  # (N,): dl/dz for each example
    return x.T @ error / len(y), float(np.mean(error))


def bce_loss(x, y, w, b) -> float:
    """Mean binary cross-entropy of ``sigmoid(x @ w + b)`` (stable, from the score)."""
    return binary_cross_entropy_with_logits(x @ w + b, y)[0]


def _check_loop_inputs(x, y, w, b):
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    y = as_labels(y, "y", x.shape[0], num_classes=2)
    w = as_float_array(w, "w", ndim=1, layout="(D,)")
    if w.shape != (x.shape[1],):
        raise ValueError(
            f"w must hold one weight per feature of x, shape ({x.shape[1]},), got {w.shape}"
        )
    b_arr = as_float_array(b, "b")
    if b_arr.size != 1:
        raise ValueError(f"b must be a single number (the bias), got shape {b_arr.shape}")
    return x, y, w.astype(np.float64), float(b_arr.reshape(()))


def gradient_descent(x, y, w, b, lr, steps):
    """Reference loop: full-batch gradient descent on ``w``, the bias ``b`` fixed.

    Every step computes the gradient over all N examples and moves against it,
    ``w = w - lr * dw``. Returns the path ``(steps + 1, D)``: the start, then ``w`` after
    every step. Introduced in ``03_learning``.
    """
    x, y, w, b = _check_loop_inputs(x, y, w, b)
    lr = check_positive_float(lr, "lr")
    steps = check_nonnegative_int(steps, "steps")
    path = [w]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)  # the gradient over all N examples
        w = w - lr * dw  # a new array: the points already in path stay as they were
        path.append(w)
    return np.array(path)


_reference_gradient_descent = gradient_descent  # the checks' parameters shadow the name


def sgd(x, y, w, b, lr, epochs, batch_size, seed=0):
    """Reference loop: mini-batch stochastic gradient descent on ``w``, the bias ``b`` fixed.

    Every epoch shuffles the N examples afresh and takes one step per mini-batch of
    ``batch_size`` examples (the last one may be smaller), ``ceil(N / batch_size)`` steps
    per epoch. Seeded, so the same arguments give the same path. Returns the path
    ``(epochs * ceil(N / batch_size) + 1, D)``. Introduced in ``03_learning``.
    """
    x, y, w, b = _check_loop_inputs(x, y, w, b)
    lr = check_positive_float(lr, "lr")
    epochs = check_nonnegative_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(seed)
    n = len(y)
    path = [w]
    for _ in range(epochs):
        order = rng.permutation(n)  # a fresh order every epoch
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            dw, _ = bce_gradients(x[batch], y[batch], w, b)  # the batch's MEAN gradient
            w = w - lr * dw
            path.append(w)
    return np.array(path)


def random_search(x, y, w, b, step_size, steps, seed=0):
    """Reference loop: random search on ``w``, the bias ``b`` fixed.

    Every step tries ``w`` plus a random step of length ``step_size`` and keeps it only if
    the loss went down. It needs no gradient and never makes the loss rise, but it wastes
    most of its tries. Returns the path ``(steps + 1, D)``. Introduced in ``03_learning``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    w = as_float_array(w, "w", ndim=1, layout="(D,)", finite=True)
    x, y, w, b = _check_loop_inputs(x, y, w, b)
    step_size = check_positive_float(step_size, "step_size")
    steps = check_nonnegative_int(steps, "steps")
    rng = np.random.default_rng(check_seed(seed))
    best = _search_loss(x, y, w, b)
    path = [w]
    for _ in range(steps):
        direction = rng.normal(size=w.shape)
        candidate = w + step_size * direction / np.linalg.norm(direction)
        loss = _search_loss(x, y, candidate, b)
        if loss < best:  # keep only an improvement
            w, best = candidate, loss
        path.append(w)
    return np.array(path)


def _search_loss(x, y, w, b) -> float:
    """:func:`bce_loss` at ``w``, refused (naming the weights) when it is not a number.

    A NaN loss would silently lose every comparison ``loss < best`` and the search would
    stand still; an overflowing score means the step size has thrown the weights too far.
    """
    with np.errstate(all="ignore"):
        z = x @ w + b  # (N,)
    if not np.all(np.isfinite(z)):
        raise ValueError(
            f"the loss is not a number at the weights w={w.tolist()}: the scores x @ w + b "
            "overflow or are NaN; use a smaller step_size or standardised features"
        )
    loss = binary_cross_entropy_with_logits(z, y)[0]
    if not np.isfinite(loss):
        raise ValueError(
            f"the loss is {loss} at the weights w={w.tolist()}; it must be a finite number: "
            "use a smaller step_size or standardised features"
        )
    return loss


# --- the gradient --------------------------------------------------------------------------


def _probe():
    rng = np.random.default_rng(3)
    n, d = 8, 3
    x = rng.normal(size=(n, d))
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    w = np.array([0.4, -0.9, 0.3])
    b = np.array(-0.35)  # an array so the numerical gradient can nudge it in place
    return x, y, w, b


def check_bce_gradients(bce_gradients) -> Feedback:
    """Check a learner's ``bce_gradients(x, y, w, b) -> (dw, db)`` against numerical gradients.

    Introduced in ``03_learning``.
    """

    def attempt() -> str:
        x, y, w, b = _probe()
        n, d = x.shape
        result = bce_gradients(x.copy(), y.copy(), w.copy(), float(b))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake("return two things, the pair (dw, db): return dw, db")
        dw, db = result
        if db is None:
            raise Mistake(
                "db is None: the bias needs its gradient too. The score depends on b with "
                "dz/db = 1, so db is built like dw with 1 in place of x."
            )
        dw = np.asarray(dw, dtype=float)
        db_arr = np.asarray(db, dtype=float)
        if dw.shape in ((d, 1), (1, d)):
            raise Mistake(
                f"dw has shape {dw.shape}; it must have the shape of w, (D,) = ({d},). "
                "Keep the per-example errors as a vector of shape (N,), not a column."
            )
        if dw.shape == (n, d):
            raise Mistake(
                f"dw has shape (N, D) = {dw.shape}: one gradient per example. The loss is the "
                "mean over the examples, so its gradient is the mean of these rows: combine "
                "them with x.T @ (...) and divide by N."
            )
        if dw.shape != (d,):
            raise Mistake(f"dw must have the shape of w, ({d},), got {dw.shape}")
        if db_arr.size == n and n != 1:
            raise Mistake(
                f"db has {n} entries, one per example; the loss is their mean, so average them "
                "into one number"
            )
        if db_arr.size != 1:
            raise Mistake(f"db must be a single number, got shape {db_arr.shape}")

        num_dw = numerical_gradient(lambda: bce_loss(x, y, w, b), w)
        num_db = float(numerical_gradient(lambda: bce_loss(x, y, w, b), b))
        db = float(db_arr)
        p = sigmoid(x @ w + b)
        if np.allclose(dw, -num_dw, atol=1e-6) and not np.allclose(dw, 0):
            raise Mistake(
                "dw has the right size but the wrong sign: dl/dz is prediction minus truth, "
                "p - y, not y - p. Descending with it would climb the loss."
            )
        if np.allclose(dw, n * num_dw, atol=1e-6):
            raise Mistake(
                f"dw is {n} times too large: the loss is a MEAN over the N = {n} examples, so "
                "divide the sum over the examples by N."
            )
        if np.allclose(dw, x.T @ ((p - y) / (p * (1 - p))) / n, atol=1e-6):
            raise Mistake(
                "dw is missing the middle piece of the chain rule: you used dl/dp times dz/dw, "
                "but p depends on z through the sigmoid, so multiply by dp/dz = p (1 - p) too "
                "(then simplify: much of it cancels)."
            )
        twice = (p - y) * p * (1 - p)  # (N,): the sigmoid's slope applied a second time
        if np.allclose(dw, x.T @ twice / n, atol=1e-6) or (
            np.allclose(dw, num_dw, atol=1e-6) and np.isclose(db, np.mean(twice), atol=1e-6)
        ):
            raise Mistake(
                "you multiplied by the sigmoid's slope p (1 - p) again, although dl/dp times "
                "dp/dz already cancelled to p - y: that product IS dl/dz. Use the error p - y "
                "as it is."
            )
        if np.allclose(dw, num_dw, atol=1e-6):
            if db == 0.0 and num_db != 0.0:
                raise Mistake(
                    "db is 0: the bias gradient is missing. With dz/db = 1 it is the mean of "
                    "the same per-example error that dw uses."
                )
            if np.isclose(db, -num_db, atol=1e-6):
                raise Mistake("dw is right but db has the wrong sign: use p - y, not y - p")
            if np.isclose(db, n * num_db, atol=1e-6):
                raise Mistake(
                    "dw is right but db is N times too large: average the errors, do not sum"
                )
        try:
            check_gradient(dw, num_dw, name="dw", tol=1e-5)
            check_gradient(db, num_db, name="db", tol=1e-5)
        except GradientCheckError as err:
            raise Mistake(str(err)) from None
        return "dw and db agree with the numerical gradient (nudging each weight and the bias)."

    return run_check(
        "bce_gradients",
        attempt,
        start_hint=(
            "compute p for all N examples at once, multiply the three chain-rule pieces "
            "for one example (they simplify a lot), then turn the mean over the examples "
            "into one matrix product."
        ),
    )


# --- the loops: shared helpers -------------------------------------------------------------


def _loss(x, y, w, b) -> float:
    """Mean BCE without input checks (the checks probe many points)."""
    z = x @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - z * y))


def _as_path(result, rows: int, d: int, w0: np.ndarray) -> np.ndarray:
    """The learner's returned path as a float array, or a Mistake saying what is wrong."""
    if result is None:
        raise Mistake(
            "your function returned None: collect the weights in a list and end with "
            "return np.array(path)"
        )
    try:
        path = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(
            "the result is not a path of weights: return np.array(path), where path is a list "
            "of the weight vectors, each of shape (D,)"
        ) from None
    if path.shape == (d,):
        raise Mistake(
            "you returned only the final weights; return the whole path, the starting w and w "
            f"after every step, as an array of shape (steps + 1, D) = ({rows}, {d})"
        )
    if path.ndim != 2 or path.shape[1] != d:
        raise Mistake(
            f"the path must have shape (steps + 1, D) = ({rows}, {d}), one row per point, "
            f"got {path.shape}"
        )
    if path.shape[0] == rows - 1:
        if np.allclose(path[0], w0):
            raise Mistake(
                f"the path has {rows - 1} points, one too few: take every step you are asked "
                "for (range(steps) runs exactly steps times)"
            )
        raise Mistake(
            f"the path has {rows - 1} points: the starting weights are missing. Put the start "
            "in the path before the first step (path = [w])."
        )
    if path.shape[0] != rows:
        raise Mistake(
            f"the path has {path.shape[0]} points; it should have {rows}: the start and one "
            "point after every step"
        )
    if not np.all(np.isfinite(path)):
        raise Mistake("the path contains inf or NaN at a small learning rate: check the update")
    if rows > 2 and np.all(path[1:] == path[-1]) and not np.allclose(path[-1], w0):
        raise Mistake(
            "every point of your path after the start is the same: you appended one array and "
            "then changed it in place (w -= ...). Write w = w - lr * dw, which makes a new "
            "array at every step, or append w.copy()."
        )
    if not np.allclose(path[0], w0):
        raise Mistake("the path must start with the weights w you were given, unchanged")
    return path


def _untouched(w_given: np.ndarray, w0: np.ndarray) -> None:
    if not np.array_equal(w_given, w0):
        raise Mistake(
            "your loop changed the w it was given: w -= lr * dw updates the array in place, "
            "so the caller's weights move and every point appended to the path is the same "
            "array. Write w = w - lr * dw, which makes a new array at every step."
        )


# --- gradient descent ----------------------------------------------------------------------

#: The gradient-descent check starts far from the minimum of the probe, with a sensible
#: learning rate and then a huge one.
GD_START = (-1.5, 2.0, 1.0)
GD_LR, GD_STEPS = 0.5, 6
HUGE_LR, HUGE_STEPS = 100.0, 8


def check_gradient_descent(gradient_descent) -> Feedback:
    """Check a learner's ``gradient_descent(x, y, w, b, lr, steps) -> path``.

    Compares the path with the reference loop at a sensible learning rate, then at a huge
    one, where the loss must be allowed to shoot up. Introduced in ``03_learning``.
    """

    def attempt() -> str:
        x, y, _, b = _probe()
        w0, b = np.array(GD_START), float(b)
        d = x.shape[1]
        lr = GD_LR
        w_given = w0.copy()
        result = gradient_descent(x.copy(), y.copy(), w_given, b, lr=lr, steps=GD_STEPS)
        _untouched(w_given, w0)
        path = _as_path(result, GD_STEPS + 1, d, w0)
        ref = _reference_gradient_descent(x, y, w0, b, lr=lr, steps=GD_STEPS)
        g0 = bce_gradients(x, y, w0, b)[0]
        first = path[1] - path[0]
        start, after = _loss(x, y, path[0], b), _loss(x, y, path[1], b)
        if np.allclose(first, lr * g0, rtol=1e-6, atol=1e-9):
            raise Mistake(
                f"your loop steps uphill: the loss went UP from {start:.3f} to {after:.3f} on "
                "the first step. The gradient points uphill, so move against it: w = w - lr * dw."
            )
        k = float(-(first @ g0) / (lr * (g0 @ g0)))
        if k > 0 and not np.isclose(k, 1.0, rtol=1e-6) and np.allclose(first, -k * lr * g0):
            how = (
                "you divided by lr instead of multiplying"
                if np.isclose(k, 1 / lr**2, rtol=1e-6)
                else f"each step is {k:.3g} times lr * dw"
            )
            losses = np.array([_loss(x, y, w, b) for w in path])  # (S+1,)
            rises = int(np.sum(np.diff(losses) > 0))
            rise = (
                f" That is why the loss went UP on {rises} of {GD_STEPS} steps (to "
                f"{losses.max():.3f} at worst, from {start:.3f}): a step that is too long "
                "overshoots the valley, exactly like a too-large learning rate."
                if rises
                else ""
            )
            raise Mistake(
                f"the direction is right but the length is not: {how}. A step is exactly "
                f"lr * dw long.{rise}"
            )
        if not np.allclose(path, ref, rtol=1e-6, atol=1e-9):
            fixed = w0 - np.arange(GD_STEPS + 1)[:, None] * lr * g0  # (S+1, D)
            if np.allclose(path, fixed, rtol=1e-6, atol=1e-9):
                raise Mistake(
                    "every step reuses the gradient of the starting point: compute dw inside "
                    "the loop, at the current w, so each step follows the slope where it stands."
                )
            t = int(np.argmax(~np.all(np.isclose(path, ref, rtol=1e-6, atol=1e-9), axis=1)))
            raise Mistake(
                f"point {t} of your path is {np.round(path[t], 4)}, expected "
                f"{np.round(ref[t], 4)}: every step should be w = w - lr * dw with dw the "
                "gradient over all N examples at the current w"
            )

        # A huge learning rate: a correct loop takes every step and the loss shoots up.
        w_given = w0.copy()
        with np.errstate(all="ignore"):
            result = gradient_descent(x.copy(), y.copy(), w_given, b, lr=HUGE_LR, steps=HUGE_STEPS)
            huge = np.asarray(result, dtype=float) if result is not None else None
        huge_ref = _reference_gradient_descent(x, y, w0, b, lr=HUGE_LR, steps=HUGE_STEPS)
        peak = max(_loss(x, y, w, b) for w in huge_ref)
        climb = f"from {_loss(x, y, w0, b):.2f} up to {peak:.2f}"
        if huge is not None and huge.shape != huge_ref.shape and len(huge) > len(huge_ref):
            raise Mistake(
                f"at lr = {HUGE_LR:g} your loop returned a path of shape {huge.shape}, not "
                f"(steps + 1, D) = {huge_ref.shape}"
            )
        if huge is None or huge.shape != huge_ref.shape:
            kept = 0 if huge is None or huge.ndim != 2 else huge.shape[0] - 1
            raise Mistake(
                f"at a huge learning rate (lr = {HUGE_LR:g}) your loop stopped after {kept} of "
                f"{HUGE_STEPS} steps. Take every step you are asked for: the loss then shoots "
                f"up ({climb}), and a loss that shoots up is how a too-large learning rate "
                "shows itself. It is not a bug to hide; the cure is a smaller lr."
            )
        if not np.allclose(huge, huge_ref, rtol=1e-6, atol=1e-6):
            stuck = np.all(np.isclose(huge[1:], huge[:-1]), axis=1)  # (S,)
            if stuck.any():
                raise Mistake(
                    f"at a huge learning rate (lr = {HUGE_LR:g}) your loop refused steps that "
                    "raised the loss (keeping only improvements is random search's rule). "
                    "Gradient descent takes every step; when the loss then shoots up "
                    f"({climb}) that is a too-large learning rate to lower, not a bug to hide."
                )
            raise Mistake(
                f"at lr = {HUGE_LR:g} your path differs from plain gradient descent: take "
                "every step as w = w - lr * dw, even when the loss rises"
            )
        return (
            f"your steps match gradient descent at lr = {lr:g}. At lr = {HUGE_LR:g} the same "
            f"loop sends the loss {climb} in {HUGE_STEPS} steps: a loss that shoots up like "
            "that means the learning rate is too large, not that the loop is wrong."
        )

    return run_check(
        "gradient_descent",
        attempt,
        start_hint=(
            "start a list with the starting w; in a loop that runs steps times, get the "
            "gradient at the current w with gradients(...), move w against it, and append "
            "the new w."
        ),
    )


# --- SGD -----------------------------------------------------------------------------------

#: The SGD probe: N = 7 examples, each with a feature of its own (x = 1.5 * identity), so the
#: weights a step moves are exactly the examples of its mini-batch.
SGD_N, SGD_BATCH, SGD_EPOCHS, SGD_LR = 7, 3, 4, 0.8


def _sgd_probe():
    x = 1.5 * np.eye(SGD_N)  # (N, D) with D = N: example j only moves weight j
    y = np.array([1, 0, 1, 1, 0, 0, 1])
    w = np.array([0.3, -0.2, 0.1, 0.4, -0.5, 0.2, -0.1])
    return x, y, w, 0.1


def _batch_factor(x, y, w, b, lr, delta):
    """The weights one step moved, and by what fraction of ``-lr * (p_j - y_j) x_j`` each."""
    moved = np.flatnonzero(np.abs(delta) > 1e-12)  # (B,): the examples of this batch
    error = sigmoid(x @ w + b) - y  # (N,)
    scale = np.diag(x)
    factor = delta[moved] / (-lr * error[moved] * scale[moved])  # 1/B for a mean gradient
    return moved, factor


def check_sgd(sgd) -> Feedback:
    """Check a learner's ``sgd(x, y, w, b, lr, epochs, batch_size, seed) -> path``.

    Reads every step's mini-batch off the path (each probe example has a feature of its own)
    and checks the update, the batches of every epoch and the reshuffle. Introduced in
    ``03_learning``.
    """

    def attempt() -> str:
        x, y, w0, b = _sgd_probe()
        n, bs, lr = SGD_N, SGD_BATCH, SGD_LR
        per_epoch = -(-n // bs)  # ceil(N / batch_size) = 3
        rows = SGD_EPOCHS * per_epoch + 1
        w_given = w0.copy()
        result = sgd(x.copy(), y.copy(), w_given, b, lr=lr, epochs=SGD_EPOCHS, batch_size=bs)
        _untouched(w_given, w0)
        shape = np.shape(result) if result is not None else None
        if shape is not None and len(shape) == 2 and shape[0] == SGD_EPOCHS + 1:
            raise Mistake(
                f"the path has {SGD_EPOCHS + 1} points for {SGD_EPOCHS} epochs: one step per "
                f"epoch. SGD steps once per mini-batch, so an epoch of N = {n} examples in "
                f"batches of {bs} takes {per_epoch} steps (an inner loop over the batches)."
            )
        if shape is not None and len(shape) == 2 and shape[0] == SGD_EPOCHS * (n // bs) + 1:
            raise Mistake(
                f"every epoch takes {n // bs} steps, not {per_epoch}: the last, smaller batch "
                f"({n % bs} of the {n} examples) is dropped. range(0, n, batch_size) starts a "
                "batch at every multiple of batch_size, including the last short one."
            )
        path = _as_path(result, rows, n, w0)

        batches = []
        for t in range(rows - 1):
            moved, factor = _batch_factor(x, y, path[t], b, lr, path[t + 1] - path[t])
            size = len(moved)
            if size and np.allclose(factor, -1 / size, rtol=1e-6):
                raise Mistake(
                    f"step {t + 1} went uphill (the loss rose from "
                    f"{_loss(x, y, path[t], b):.3f} to {_loss(x, y, path[t + 1], b):.3f}): "
                    "move against the gradient, w = w - lr * dw."
                )
            if size > 1 and np.allclose(factor, 1.0, rtol=1e-6):
                raise Mistake(
                    f"step {t + 1} is {size} times too large: you summed the gradients of the "
                    f"{size} examples in the batch instead of averaging them. The loss of a "
                    "batch is a MEAN, so divide by the batch's size (gradients(...) of the "
                    "batch's rows already does)."
                )
            if size and size != n and np.allclose(factor, 1 / n, rtol=1e-6):
                raise Mistake(
                    f"step {t + 1} divides the batch's summed gradient by N = {n}, all the "
                    f"examples, instead of by the {size} in the batch: average over the batch."
                )
            if size and np.allclose(factor, 1 / bs, rtol=1e-6) and size != bs:
                raise Mistake(
                    f"step {t + 1} used a batch of {size} examples but divided by batch_size = "
                    f"{bs}: the last batch of an epoch is smaller, so average over len(batch)."
                )
            if size == n:
                raise Mistake(
                    "each step used all N examples: that is gradient descent. Give gradients "
                    "only the rows of the mini-batch, x[batch] and y[batch]."
                )
            if size > bs:
                raise Mistake(f"step {t + 1} used {size} examples; a batch holds at most {bs}")
            copies = factor * bs  # how often each example is in a batch of batch_size rows
            whole = np.round(copies)
            repeated = np.allclose(copies, whole, atol=1e-6) and whole.sum() == bs
            if size and not np.allclose(factor, 1 / size, rtol=1e-6) and repeated:
                twice = int(moved[np.argmax(whole)])
                times = {2: "twice", 3: "three times"}.get(int(whole.max()), "several times")
                raise Mistake(
                    f"the batches repeat examples: step {t + 1}'s mini-batch holds example "
                    f"{twice} {times}. Drawing each batch at random (rng.choice or "
                    "rng.integers, which draw with replacement) lets numbers repeat. Shuffle "
                    "the indices once per epoch with rng.permutation(n) and cut that order into "
                    "consecutive slices, so each example is used exactly once per epoch."
                )
            if not size or not np.allclose(factor, 1 / size, rtol=1e-6):
                raise Mistake(
                    f"step {t + 1} is not lr times the mean gradient of any mini-batch: each "
                    "step should be w = w - lr * dw, with dw from the batch's rows only"
                )
            batches.append(frozenset(moved.tolist()))

        epochs = [batches[e * per_epoch : (e + 1) * per_epoch] for e in range(SGD_EPOCHS)]
        for e, epoch in enumerate(epochs, start=1):
            if len(set(epoch)) == 1:
                raise Mistake(
                    f"every step of epoch {e} used the same mini-batch: take the next slice of "
                    "the shuffled order at each step, order[start : start + batch_size], so "
                    "that an epoch goes through all the examples."
                )
            seen = sorted(i for batch in epoch for i in batch)
            if seen != list(range(n)):
                raise Mistake(
                    f"the batches of epoch {e} repeat examples: it used {seen}, where each of "
                    f"the {n} examples should appear once. Batches drawn at random do that: "
                    "shuffle the indices 0 .. N-1 once per epoch and cut that order into "
                    "consecutive batches, so each example is used exactly once."
                )
        if all(epoch == epochs[0] for epoch in epochs):
            in_order = [frozenset(range(s, min(s + bs, n))) for s in range(0, n, bs)]
            if epochs[0] == in_order:
                raise Mistake(
                    "the batches come in the data's own order, the same in every epoch: you "
                    "never shuffle. Shuffle the indices at the start of every epoch "
                    "(rng.permutation(n)), so each step sees a fresh random batch."
                )
            raise Mistake(
                "every epoch draws the same order, so it repeats the same batches. Either the "
                "shuffle happens only once, before the epochs, or the generator is made afresh "
                "inside the epoch loop (np.random.default_rng(seed) then starts from the same "
                "state and draws the same permutation every time). Create the generator once, "
                "before the loop, and draw a new permutation from it at the start of every "
                "epoch."
            )
        again = sgd(x.copy(), y.copy(), w0.copy(), b, lr=lr, epochs=SGD_EPOCHS, batch_size=bs)
        if not np.allclose(np.asarray(again, dtype=float), path):
            raise Mistake(
                "two runs with the same seed took different paths: make the shuffles from "
                "rng = np.random.default_rng(seed), so a run can be repeated exactly"
            )
        return (
            f"every step moves w by -lr times the mean gradient of its mini-batch, every "
            f"epoch uses all {n} examples once, and the order is reshuffled every epoch."
        )

    return run_check(
        "sgd",
        attempt,
        start_hint=(
            "loop over the epochs; at the start of each, shuffle the example "
            "indices; then loop over that order in slices of batch_size and take one "
            "gradient step per slice, using only its rows."
        ),
    )
