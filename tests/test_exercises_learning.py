"""Checks of 03_learning: the answers pass, and each slip gets its own named hint.

Every wrong version below is a mistake a learner could make; the test asserts that the
check's feedback names that mistake.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.learning import (
    bce_gradients,
    check_bce_gradients,
    check_gradient_descent,
    check_sgd,
    gradient_descent,
    random_search,
    sgd,
)
from course_lib.numpy_nn.activations import sigmoid


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def error(x, y, w, b):
    return sigmoid(x @ w + b) - y  # (N,)


def stub(*args, **kwargs):
    raise NotImplementedError("replace this line with your answer.")


# --- bce_gradients -------------------------------------------------------------------------


def test_reference_gradient_is_correct():
    fb = check_bce_gradients(bce_gradients)
    assert fb.status == "correct", fb


def test_gradient_stub_is_not_implemented_and_the_hint_gives_no_formula():
    fb = check_bce_gradients(stub)
    assert fb.status == "not_implemented" and "chain-rule pieces" in fb.message
    assert "p - y" not in fb.message and "x.T @" not in fb.message


def without_dp_dz(x, y, w, b):
    p = sigmoid(x @ w + b)
    dl_dp = (p - y) / (p * (1 - p))  # -y/p + (1-y)/(1-p), the sigmoid's piece forgotten
    return x.T @ dl_dp / len(y), float(np.mean(dl_dp))


def slope_twice(x, y, w, b):
    p = sigmoid(x @ w + b)
    dl_dz = (p - y) * p * (1 - p)  # p - y is already dl/dz; the sigmoid's slope again
    return x.T @ dl_dz / len(y), float(np.mean(dl_dz))


def slope_twice_in_db(x, y, w, b):
    p = sigmoid(x @ w + b)
    return x.T @ (p - y) / len(y), float(np.mean((p - y) * p * (1 - p)))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, y, w, b: x.T @ error(x, y, w, b) / len(y), "pair (dw, db)"),
        (slope_twice, "p (1 - p) again"),
        (slope_twice_in_db, "p (1 - p) again"),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), None), "db is None"),
        (
            lambda x, y, w, b: ((x.T @ error(x, y, w, b) / len(y))[:, None], 0.0),
            "shape of w",
        ),
        (
            lambda x, y, w, b: (x * error(x, y, w, b)[:, None] / len(y), 0.0),
            "one gradient per example",
        ),
        (lambda x, y, w, b: (np.zeros(2), 0.0), "must have the shape of w, (3,)"),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), error(x, y, w, b)),
            "one per example",
        ),
        (
            lambda x, y, w, b: (-x.T @ error(x, y, w, b) / len(y), -np.mean(error(x, y, w, b))),
            "wrong sign",
        ),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b), np.sum(error(x, y, w, b))), "MEAN"),
        (without_dp_dz, "dp/dz = p (1 - p)"),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), 0.0), "bias gradient is missing"),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), -np.mean(error(x, y, w, b))),
            "db has the wrong sign",
        ),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), np.sum(error(x, y, w, b))),
            "N times too large",
        ),
        (
            lambda x, y, w, b: (x.T @ (sigmoid(x @ w) - y) / len(y), np.mean(error(x, y, w, b))),
            "dw is wrong",
        ),
        (lambda x, y, w, b: (x @ w, 0.0), "shape of w"),
    ],
)
def test_each_gradient_slip_gets_its_hint(wrong, hint):
    fb = check_bce_gradients(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="wrong sign"):
        check_bce_gradients(lambda x, y, w, b: (-bce_gradients(x, y, w, b)[0], 0.0))


# --- gradient descent ----------------------------------------------------------------------


def test_reference_gradient_descent_is_correct_and_names_the_huge_rate():
    fb = check_gradient_descent(gradient_descent)
    assert fb.status == "correct", fb
    assert "learning rate is too large, not that the loop is wrong" in fb.message


def test_gradient_descent_stub_is_not_implemented():
    fb = check_gradient_descent(stub)
    assert fb.status == "not_implemented" and "gradients(...)" in fb.message


def gd_uphill(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)
        w = w + lr * dw
        path.append(w)
    return np.array(path)


def gd_in_place(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)
        w -= lr * dw  # moves the caller's array
        path.append(w)
    return np.array(path)


def gd_aliased(x, y, w, b, lr, steps):
    w = w.copy()
    path = [w.copy()]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)
        w -= lr * dw
        path.append(w)  # the same array every time
    return np.array(path)


def gd_gradient_once(x, y, w, b, lr, steps):
    dw, _ = bce_gradients(x, y, w, b)
    path = [w]
    for _ in range(steps):
        w = w - lr * dw
        path.append(w)
    return np.array(path)


def gd_divides_by_lr(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)
        w = w - dw / lr
        path.append(w)
    return np.array(path)


def gd_fixed_rate(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        dw, _ = bce_gradients(x, y, w, b)
        w = w - 30.0 * dw  # a typed-in rate, far too large
        path.append(w)
    return np.array(path)


def gd_final_only(x, y, w, b, lr, steps):
    for _ in range(steps):
        w = w - lr * bce_gradients(x, y, w, b)[0]
    return w


def gd_no_start(x, y, w, b, lr, steps):
    path = []
    for _ in range(steps):
        w = w - lr * bce_gradients(x, y, w, b)[0]
        path.append(w)
    return np.array(path)


def gd_one_short(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps - 1):
        w = w - lr * bce_gradients(x, y, w, b)[0]
        path.append(w)
    return np.array(path)


def gd_no_return(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        w = w - lr * bce_gradients(x, y, w, b)[0]
        path.append(w)


def loss(x, y, w, b):
    z = x @ w + b
    return np.mean(np.logaddexp(0, z) - z * y)


def gd_stops_when_loss_rises(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        new = w - lr * bce_gradients(x, y, w, b)[0]
        if loss(x, y, new, b) > loss(x, y, w, b):
            break  # hides the divergence
        w = new
        path.append(w)
    return np.array(path)


def gd_refuses_uphill_steps(x, y, w, b, lr, steps):
    path = [w]
    for _ in range(steps):
        new = w - lr * bce_gradients(x, y, w, b)[0]
        if loss(x, y, new, b) < loss(x, y, w, b):
            w = new  # random search's rule
        path.append(w)
    return np.array(path)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (gd_uphill, "steps uphill: the loss went UP"),
        (gd_in_place, "changed the w it was given"),
        (gd_aliased, "changed it in place"),
        (gd_gradient_once, "reuses the gradient of the starting point"),
        (gd_divides_by_lr, "divided by lr"),
        (gd_fixed_rate, "exactly like a too-large learning rate"),
        (gd_final_only, "only the final weights"),
        (gd_no_start, "starting weights are missing"),
        (gd_one_short, "one too few"),
        (gd_no_return, "returned None"),
        (gd_stops_when_loss_rises, "stopped after"),
        (gd_refuses_uphill_steps, "refused steps that raised the loss"),
    ],
)
def test_each_gradient_descent_slip_gets_its_hint(wrong, hint):
    fb = check_gradient_descent(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_hiding_divergence_is_named_as_a_too_large_learning_rate():
    for wrong in (gd_stops_when_loss_rises, gd_refuses_uphill_steps):
        message = check_gradient_descent(wrong).message
        assert "too-large learning rate" in message and "lr = 100" in message


# --- SGD -----------------------------------------------------------------------------------


def test_reference_sgd_is_correct():
    fb = check_sgd(sgd)
    assert fb.status == "correct", fb


def test_sgd_stub_is_not_implemented():
    fb = check_sgd(stub)
    assert fb.status == "not_implemented" and "shuffle" in fb.message


def make_sgd(
    *,
    sign=1.0,
    average="batch",
    shuffle="every epoch",
    batches="slices",
    drop_last=False,
    seeded=True,
):
    """An SGD loop with one deliberate slip, chosen by the arguments."""

    def loop(x, y, w, b, lr, epochs, batch_size, seed=0):
        rng = np.random.default_rng(seed if seeded else None)
        n = len(y)
        path = [w]
        order = rng.permutation(n) if shuffle == "once" else np.arange(n)
        for _ in range(epochs):
            if shuffle == "new generator every epoch":
                rng = np.random.default_rng(seed)
                order = rng.permutation(n)
            if shuffle == "every epoch":
                order = rng.permutation(n)
            stop = n - n % batch_size if drop_last else n
            starts = [0] if batches == "one per epoch" else range(0, stop, batch_size)
            for start in starts:
                if batches == "same first":
                    batch = order[:batch_size]
                elif batches == "random":
                    batch = rng.choice(n, size=batch_size, replace=False)
                elif batches == "with replacement":
                    batch = rng.choice(n, size=batch_size)
                elif batches == "all":
                    batch = np.arange(n)
                else:
                    batch = order[start : start + batch_size]
                err = sigmoid(x[batch] @ w + b) - y[batch]
                divisor = {"batch": len(batch), "none": 1, "N": n, "batch_size": batch_size}
                dw = x[batch].T @ err / divisor[average]
                w = w - sign * lr * dw
                path.append(w)
        return np.array(path)

    return loop


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (make_sgd(sign=-1.0), "went uphill"),
        (make_sgd(average="none"), "summed the gradients"),
        (make_sgd(average="N"), "instead of by the"),
        (make_sgd(average="batch_size"), "average over len(batch)"),
        (make_sgd(shuffle="never"), "you never shuffle"),
        (make_sgd(shuffle="once"), "every epoch draws the same order"),
        (make_sgd(shuffle="new generator every epoch"), "Create the generator once"),
        (make_sgd(batches="same first"), "used the same mini-batch"),
        (make_sgd(batches="random"), "repeat examples"),
        (make_sgd(batches="with replacement"), "the batches repeat examples"),
        (make_sgd(batches="all"), "that is gradient descent"),
        (make_sgd(batches="one per epoch"), "one step per epoch"),
        (make_sgd(drop_last=True), "last, smaller batch"),
        (make_sgd(seeded=False), "same seed took different paths"),
    ],
)
def test_each_sgd_slip_gets_its_hint(wrong, hint):
    fb = check_sgd(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_the_slip_factory_without_slips_passes():
    assert check_sgd(make_sgd()).status == "correct"


def test_sgd_in_place_update_is_named():
    def in_place(x, y, w, b, lr, epochs, batch_size, seed=0):
        rng = np.random.default_rng(seed)
        path = [w]
        for _ in range(epochs):
            order = rng.permutation(len(y))
            for start in range(0, len(y), batch_size):
                batch = order[start : start + batch_size]
                w -= lr * bce_gradients(x[batch], y[batch], w, b)[0]
                path.append(w)
        return np.array(path)

    fb = check_sgd(in_place)
    assert fb.status == "wrong" and "changed the w it was given" in fb.message


# --- the reference loops themselves ----------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    y = (x @ np.array([1.5, -1.0]) + 0.3 * rng.normal(size=40) > 0).astype(int)
    return x, y


def test_full_batch_sgd_is_gradient_descent(data):
    x, y = data
    w0 = np.array([-2.0, 3.0])
    gd = gradient_descent(x, y, w0, 0.0, lr=0.5, steps=6)
    assert gd.shape == (7, 2) and np.array_equal(gd[0], w0)
    assert np.allclose(sgd(x, y, w0, 0.0, lr=0.5, epochs=6, batch_size=40), gd)
    small = sgd(x, y, w0, 0.0, lr=0.5, epochs=2, batch_size=16, seed=3)
    assert small.shape == (2 * 3 + 1, 2)  # ceil(40 / 16) = 3 steps per epoch
    assert np.array_equal(small, sgd(x, y, w0, 0.0, lr=0.5, epochs=2, batch_size=16, seed=3))


def test_random_search_only_accepts_improvements_and_keeps_its_step(data):
    x, y = data
    path = random_search(x, y, np.array([-2.0, 3.0]), 0.0, step_size=0.3, steps=40)
    losses = [loss(x, y, w, 0.0) for w in path]
    assert path.shape == (41, 2) and np.all(np.diff(losses) <= 0) and losses[-1] < losses[0]
    moves = np.linalg.norm(np.diff(path, axis=0), axis=1)
    assert np.allclose(moves[moves > 0], 0.3)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x, y: gradient_descent(x, y, [0.0, 0.0, 0.0], 0.0, 1.0, 2), ValueError, "w"),
        (lambda x, y: gradient_descent(x, y, [0.0, 0.0], 0.0, -1.0, 2), ValueError, "lr"),
        (lambda x, y: gradient_descent(x, y[:5], [0.0, 0.0], 0.0, 1.0, 2), ValueError, "labels"),
        (lambda x, y: sgd(x, y, [0.0, 0.0], 0.0, 1.0, 2, 0), ValueError, "batch_size"),
        (lambda x, y: sgd(x, y, [0.0, 0.0], 0.0, 1.0, 2.5, 4), TypeError, "epochs"),
        (lambda x, y: random_search(x, y, [0.0, 0.0], [0.0, 1.0], 0.1, 2), ValueError, "b"),
    ],
)
def test_reference_loops_refuse_bad_input(data, call, error, match):
    x, y = data
    with pytest.raises(error, match=match):
        call(x, y)
