"""Exercises of ``06_mnist_with_a_feed_forward_net``: from pictures to a trained network.

* :func:`flatten_images`: ``(N, H, W)`` images -> ``(N, H * W)`` rows, what an FFN needs;
* :func:`accuracy_from_logits`: the fraction of images whose highest logit is the true class;
* :func:`train_numpy`: the training loop of a NumPy network, mini-batch SGD written out
  (shuffle, batches, forward, softmax cross-entropy, backward, update);
* :class:`TwoLayerNet`: the same network as a PyTorch ``nn.Module``;
* :func:`train_torch`: the same loop in PyTorch (``zero_grad``, ``backward``, ``step``).

Each ``check_*`` runs the learner's code on small, chosen inputs and names the usual slip (a
batch flattened into one long vector, argmax over the wrong axis, a loop that never
reshuffles, drops the last batch, forgets to reset the gradients or steps uphill, a module
whose layers PyTorch cannot see, ...). The loop checks watch which examples reach each
backward pass and replay plain SGD on exactly those batches, so they accept any correct
loop, whatever random numbers it drew. Introduced in ``06_mnist_with_a_feed_forward_net``.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.losses import softmax_cross_entropy
from course_lib.numpy_nn.mlp import MLP as NumpyMLP

__all__ = [
    "TwoLayerNet",
    "accuracy_from_logits",
    "check_accuracy_from_logits",
    "check_flatten_images",
    "check_train_numpy",
    "check_train_torch",
    "check_two_layer_net",
    "flatten_images",
    "train_numpy",
    "train_torch",
]


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Reference answer: images ``(N, H, W)`` -> ``(N, H * W)``, each image read row by row.

    Row ``n`` of the result is image ``n``'s first row of pixels, then its second row, and so
    on (NumPy's default "C" order). Values and dtype are unchanged.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1)  # (N, H*W)


def accuracy_from_logits(logits: np.ndarray, labels: np.ndarray) -> float:
    """Reference answer: the fraction of rows whose largest logit is at the true class.

    ``logits``: ``(N, K)`` scores, one row per image; ``labels``: ``(N,)`` classes in
    ``0..K-1``. Returns a float in ``[0, 1]``.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    predictions = np.asarray(logits).argmax(axis=1)  # (N,)
    return float(np.mean(predictions == np.asarray(labels)))


def train_numpy(model, x, y, *, epochs: int, batch_size: int, lr: float, seed: int = 0):
    """Reference answer: train a NumPy network by mini-batch SGD; the mean loss of each epoch.

    ``model`` has ``params`` (a dict of arrays), ``forward(x) -> (logits, cache)`` and
    ``backward(dlogits, cache) -> grads`` (a dict like ``params``), as
    :class:`course_lib.numpy_nn.mlp.MLP`. ``x (N, D)``, ``y (N,)`` labels in ``0..K-1``.
    Every epoch shuffles the examples afresh, walks through them in batches of
    ``batch_size`` (the last one may be smaller), and for each batch runs the forward pass,
    the softmax cross-entropy, the backward pass and the update ``w -= lr * dL/dw``.
    Returns a list of ``epochs`` numbers: each epoch's loss averaged over its N examples
    (the loss of each batch as it was seen, before that batch's update).
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    rng = np.random.default_rng(seed)
    epoch_losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))  # a fresh order every epoch
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]  # the last batch may be smaller
            logits, cache = model.forward(x[idx])  # (B, K)
            loss, dlogits = softmax_cross_entropy(logits, y[idx])
            grads = model.backward(dlogits, cache)
            for name, grad in grads.items():
                model.params[name] -= lr * grad  # in place: downhill
            total += loss * len(idx)
        epoch_losses.append(total / len(x))
    return epoch_losses


class TwoLayerNet(nn.Module):
    """Reference answer: ``x (N, D) -> logits (N, K)`` through ``H`` ReLU units.

    ``Linear(D, H)``, ReLU, ``Linear(H, K)``: the 784-300-10 network of the notebook, written
    as an ``nn.Module``. No softmax at the end: ``F.cross_entropy`` takes the logits.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """

    def __init__(self, d_in: int, hidden: int, num_classes: int):
        super().__init__()
        self.layer1 = nn.Linear(d_in, hidden)
        self.layer2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        h = torch.relu(self.layer1(x))  # (N, H)
        return self.layer2(h)  # (N, K) logits


def train_torch(model, x, y, *, epochs: int, batch_size: int, lr: float, seed: int = 0):
    """Reference answer: the loop of :func:`train_numpy` in PyTorch; the mean loss per epoch.

    ``model`` an ``nn.Module`` mapping ``(B, D)`` to logits ``(B, K)``; ``x (N, D)`` a float
    tensor, ``y (N,)`` an int64 tensor. Plain SGD (``torch.optim.SGD``); autograd replaces
    the hand-written backward pass: ``optimizer.zero_grad()`` clears the gradients left by
    the previous batch, ``loss.backward()`` fills ``p.grad`` for every parameter,
    ``optimizer.step()`` does ``p -= lr * p.grad``.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    epoch_losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)  # a fresh order every epoch
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])  # mean over the batch
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        epoch_losses.append(total / len(x))
    return epoch_losses


# ------------------------------------------------------------------------- flatten_images


def _probe_images() -> np.ndarray:
    """(N, H, W) = (3, 4, 5): N, H and W all differ, so every mix-up shows in the shape."""
    return np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5) * 4


def check_flatten_images(flatten_images) -> Feedback:
    """Check a learner's ``flatten_images(images)``; explain the usual slips."""

    def attempt() -> str:
        images = _probe_images()
        original = images.copy()
        n, h, w = images.shape
        out = flatten_images(images)
        if not isinstance(out, np.ndarray):
            raise Mistake(
                f"return a NumPy array, got {type(out).__name__}; images.reshape(...) gives one"
            )
        if not np.array_equal(images, original):
            raise Mistake("the input images were changed; return a reshaped view or a new array")
        if out.shape == (n * h * w,):
            raise Mistake(
                f"the whole batch became one long vector of {n * h * w} numbers; keep one row "
                f"per image: the shape should be (N, H * W) = ({n}, {h * w}). "
                "Try images.reshape(len(images), -1)"
            )
        if out.shape == (h * w, n):
            raise Mistake(
                f"the result is transposed: shape {out.shape} has one column per image; the "
                f"network expects one row per image, shape (N, H * W) = ({n}, {h * w})"
            )
        if out.shape == images.shape:
            raise Mistake(
                f"the images still have shape (N, H, W) = {images.shape}; join each image's "
                "H rows into one row of H * W numbers"
            )
        if out.shape != (n, h * w):
            raise Mistake(
                f"expected shape (N, H * W) = ({n}, {h * w}) for {n} images of {h}x{w} "
                f"pixels, got {out.shape}"
            )
        if not np.array_equal(np.sort(out, axis=1), np.sort(images.reshape(n, -1), axis=1)):
            raise Mistake(
                "the pixel values changed; flattening only moves pixels into one row "
                "(no scaling here: the data layer and fit() do that)"
            )
        if not np.array_equal(out, images.reshape(n, -1)):
            raise Mistake(
                "every pixel is there but in another order; read each image row by row, as "
                "images.reshape(N, -1) does (no transpose, no order='F')"
            )
        return f"{n} images of {h}x{w} pixels became {n} rows of {h * w} numbers, row by row."

    return run_check(
        "flatten_images",
        attempt,
        start_hint=(
            "Keep the first axis (one row per image) and let NumPy work out the length of each row."
        ),
    )


# ------------------------------------------------------------------- accuracy_from_logits


def _probe_logits() -> tuple[np.ndarray, np.ndarray]:
    """Logits (N, K) = (6, 4) with labels chosen so that 4 of 6 predictions are right.

    The usual slips give other answers: argmax over axis 0 (a (K,) result, or wrong values
    on a square case), argmin (0 of 6), the error rate (1/3), a count (4), a percentage.
    """
    logits = np.array(
        [
            [2.0, 0.1, -1.0, 0.3],  # predicts 0
            [0.2, 3.0, 0.1, -0.5],  # predicts 1
            [-1.0, 0.0, 1.5, 0.4],  # predicts 2
            [0.3, 0.2, 0.1, 2.2],  # predicts 3
            [1.1, 0.9, -2.0, 0.0],  # predicts 0
            [0.0, 0.5, 0.4, -3.0],  # predicts 1
        ]
    )
    labels = np.array([0, 1, 2, 3, 1, 2])  # the last two predictions are wrong
    return logits, labels


def _probe_square() -> tuple[np.ndarray, np.ndarray]:
    """Logits (3, 3) where the argmax along rows and along columns disagree.

    Along each row (the right axis) every prediction is class 0, which is every label:
    accuracy 1. Along the columns (axis 0) the "predictions" are 0, 1, 2: accuracy 1/3.
    """
    logits = np.array([[5.0, 0.0, 0.0], [4.0, 1.0, 0.0], [3.0, 0.0, 2.0]])
    return logits, np.array([0, 0, 0])


_AXIS_HINT = (
    "take the argmax along the classes (axis=1, within each row), not along the images "
    "(axis=0): each row holds one image's K scores"
)


def check_accuracy_from_logits(accuracy_from_logits) -> Feedback:
    """Check a learner's ``accuracy_from_logits(logits, labels)``; explain the usual slips."""

    def on_square() -> float:
        logits, labels = _probe_square()
        return float(np.asarray(accuracy_from_logits(logits, labels)).mean())

    def attempt() -> str:
        logits, labels = _probe_logits()
        expected = 4 / 6
        try:
            out = accuracy_from_logits(logits.copy(), labels.copy())
        except (ValueError, IndexError) as error:
            # argmax over axis 0 gives K predictions for N labels: a shape clash
            try:
                square = on_square()
            except Exception:
                raise error from None
            if np.isclose(square, 1 / 3):
                raise Mistake(_AXIS_HINT) from None
            raise
        if isinstance(out, np.ndarray) and out.ndim > 0 and out.size > 1:
            raise Mistake(
                f"return one number, got an array of shape {out.shape}; the accuracy is the "
                "mean of (predictions == labels)"
            )
        if isinstance(out, np.ndarray):
            out = out.item()
        if isinstance(out, bool) or not isinstance(out, numbers.Real):
            raise Mistake(f"return a number between 0 and 1, got {type(out).__name__}")
        out = float(out)
        if np.isclose(out, 4.0):
            raise Mistake(
                "4 is the number of correct predictions; divide by the number of images (6) "
                "to get a fraction, e.g. with np.mean"
            )
        if np.isclose(out, 100 * expected):
            raise Mistake(
                f"{out:.1f} looks like a percentage; return a fraction between 0 and 1 "
                "(the notebook formats it as a percentage when printing)"
            )
        if np.isclose(out, 1 - expected):
            raise Mistake(
                "that is the error rate (the wrong ones); count the predictions that equal "
                "the labels"
            )
        if np.isclose(out, 0.0):
            raise Mistake(
                "none counted as right; the predicted class is the position of the LARGEST "
                "logit in each row: logits.argmax(axis=1)"
            )
        if not np.isclose(out, expected):
            raise Mistake(
                f"expected {expected:.3f} (4 of 6 rows have their largest logit at the true "
                f"class), got {out:.3f}; predictions are logits.argmax(axis=1)"
            )
        if not np.isclose(on_square(), 1.0):
            raise Mistake(_AXIS_HINT)
        return "4 of 6 rows have their largest logit at the true class: accuracy 0.667."

    return run_check(
        "accuracy_from_logits",
        attempt,
        start_hint=(
            "A network predicts the class with the largest logit in each row; then count how "
            "often that prediction equals the label, as a fraction."
        ),
    )


# ---------------------------------------------------------------- the training loops

# The probe: N = 10 examples in batches of 4 (so every epoch ends with a smaller batch of 2),
# 3 epochs (so a shuffle done only once shows), a tiny 3-4-3 network in float64.
_N, _D, _H, _K = 10, 3, 4, 3
_BATCH, _EPOCHS, _LR = 4, 3, 0.5


def _probe_data() -> tuple[np.ndarray, np.ndarray]:
    """``x (10, 3)`` with all rows different, ``y (10,)`` with every class present."""
    x = np.random.default_rng(6).normal(size=(_N, _D))
    y = np.array([0, 1, 2, 2, 1, 0, 1, 2, 0, 1])
    return x, y


def _epoch_loss_list(result, epochs: int) -> list[float]:
    """The loop's return value as plain floats, or the slip that made it something else."""
    if result is None:
        raise Mistake(
            "the function returned None; return epoch_losses, the list with one mean loss per epoch"
        )
    if isinstance(result, torch.Tensor) or not isinstance(result, (list, tuple, np.ndarray)):
        raise Mistake(
            f"return a list with one number per epoch, got {type(result).__name__}; "
            "append each epoch's mean loss to epoch_losses"
        )
    if len(result) != epochs:
        per_batch = " (one per batch? append once per epoch, after the batch loop)"
        raise Mistake(
            f"return one mean loss per epoch, {epochs} numbers for epochs={epochs}, got "
            f"{len(result)}" + (per_batch if len(result) > epochs else "")
        )
    values = []
    for value in result:
        if isinstance(value, torch.Tensor):
            raise Mistake(
                "the losses are tensors; add loss.item(), a plain Python number. A tensor "
                "that needs gradients keeps its whole computation graph alive in memory"
            )
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating)):
            raise Mistake(f"each epoch's loss must be a number, got {type(value).__name__}")
        values.append(float(value))
    return values


class _RowFinder:
    """Which row of ``x`` each row of a batch is (the probe's rows are all different)."""

    def __init__(self, x: np.ndarray):
        self._index = {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(x))}

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(rows, dtype=np.float64)
        found = [self._index.get(row.tobytes()) for row in rows.reshape(len(rows), -1)]
        if rows.ndim != 2 or any(i is None for i in found):
            raise Mistake(
                "the network was trained on rows that are not rows of x (changed or "
                "reshaped?); give it the batch x[idx] as it is"
            )
        return np.array(found)


def _split_into_epochs(batches: list[np.ndarray], n: int, batch_size: int, epochs: int):
    """Group the trained batches (index arrays, in order) into epochs, or name the slip.

    A correct loop trains, in every epoch, on each of the ``n`` examples exactly once, in a
    new random order, cut into batches of ``batch_size`` (the last one smaller).
    """
    sizes = [len(b) for b in batches]
    for a, b in zip(batches, batches[1:], strict=False):
        if np.array_equal(np.sort(a), np.sort(b)):
            raise Mistake(
                "the same batch was trained on twice in a row: the loop keeps taking the "
                "first batch. Move through the shuffled order, a new slice "
                "order[start : start + batch_size] at every step"
            )
    if max(sizes) > batch_size:
        raise Mistake(
            f"a batch held {max(sizes)} examples, more than batch_size = {batch_size}; cut "
            "each epoch's shuffled order into slices of batch_size"
        )
    full, rest = divmod(n, batch_size)
    if rest and len(batches) == epochs * full and all(s == batch_size for s in sizes):
        raise Mistake(
            f"the last, smaller batch of each epoch was skipped: with N = {n} and batch_size "
            f"= {batch_size} an epoch has {full} full batches and a last one of {rest}, so "
            f"{rest} examples never trained in that epoch. Let the loop run over "
            "range(0, N, batch_size); a slice past the end simply stops at N"
        )
    if sum(sizes) != epochs * n:
        raise Mistake(
            f"in {epochs} epochs over N = {n} examples the loop should train on "
            f"{epochs * n} examples (each one once per epoch), it trained on {sum(sizes)}"
        )
    groups, current, count = [], [], 0
    for b in batches:
        current.append(b)
        count += len(b)
        if count == n:
            groups.append(current)
            current, count = [], 0
        elif count > n:
            raise Mistake(
                "a batch mixed the end of one epoch with the start of the next; start every "
                "epoch with a new shuffled order and cut it into batches"
            )
    orders = [np.concatenate(group) for group in groups]
    for e, order in enumerate(orders, start=1):
        if not np.array_equal(np.sort(order), np.arange(n)):
            raise Mistake(
                f"epoch {e} trained on some examples twice and missed others: shuffle with a "
                "permutation of 0..N-1 (rng.permutation(N)) and cut it into batches; drawing "
                "random indices with replacement repeats examples"
            )
    for group in groups:
        if any(len(b) != batch_size for b in group[:-1]):
            raise Mistake(
                f"every batch but the last of an epoch should hold batch_size = {batch_size} "
                f"examples, got batches of {[len(b) for b in group]}"
            )
    if all(np.array_equal(order, np.arange(n)) for order in orders):
        raise Mistake(
            "the examples were never shuffled: every epoch went through them in their stored "
            "order 0, 1, 2, ... Shuffle at the start of each epoch, so each batch is a random "
            "sample and no epoch always sees the same neighbours together"
        )
    if all(np.array_equal(order, orders[0]) for order in orders[1:]):
        raise Mistake(
            "every epoch visited the examples in the same order: the shuffle ran once, "
            "before the epochs. Draw a new order at the start of each epoch, inside the "
            "epoch loop"
        )
    return groups


def _same(a: dict, b: dict) -> bool:
    return all(np.allclose(a[k], b[k], rtol=1e-7, atol=1e-10) for k in a)


def _check_weights(
    final: dict, start: dict, replay, *, unchanged: str, accumulate: str, softmax: bool = False
) -> None:
    """Compare the trained weights with SGD replayed on the same batches; name the slip.

    ``replay(variant)`` returns the weights after SGD on the learner's batches, done right
    (``"sgd"``) or with a known slip; ``softmax`` says whether that slip can be replayed.
    """
    if _same(final, start):
        raise Mistake(unchanged)
    if _same(final, replay("sgd")):
        return
    if _same(final, replay("uphill")):
        raise Mistake(
            "the weights moved uphill: the update added lr * gradient. The gradient points "
            "where the loss grows, so gradient descent subtracts it: w -= lr * dL/dw"
        )
    if _same(final, replay("accumulate")):
        raise Mistake(accumulate)
    if _same(final, replay("labels")):
        raise Mistake(
            "the labels do not belong to the images: the batch took the shuffled rows x[idx] "
            "but the labels in their stored order. Index x and y with the same idx"
        )
    if softmax and _same(final, replay("softmax")):
        raise Mistake(
            "the loss was given probabilities: F.cross_entropy applies the softmax itself, "
            "so pass it the logits model(xb) directly"
        )
    raise Mistake(
        "the weights after training differ from plain SGD on the batches your loop used: "
        "for every batch, forward, loss, backward, then w -= lr * (that batch's gradient), "
        "with the lr given"
    )


def _check_epoch_losses(returned: list[float], seen: list[list[tuple[float, int]]], n: int):
    """``seen[e]`` lists (batch loss, batch size) of epoch ``e``; accept either average."""

    def close(values) -> bool:
        return bool(np.allclose(returned, values, rtol=1e-6, atol=1e-9))

    weighted = [sum(loss * size for loss, size in epoch) / n for epoch in seen]
    plain = [float(np.mean([loss for loss, _ in epoch])) for epoch in seen]
    if close(weighted) or close(plain):
        return
    if close([sum(loss for loss, _ in epoch) for epoch in seen]) or close(
        [sum(loss * size for loss, size in epoch) for epoch in seen]
    ):
        raise Mistake(
            "each epoch's loss is a total, not an average: it grows with the number of "
            "batches. Divide the running total by the number of examples (or average the "
            "batch losses)"
        )
    if close([epoch[-1][0] for epoch in seen]):
        raise Mistake(
            "each epoch reported only its last batch's loss; add up the losses of all its "
            "batches and average them"
        )
    running = np.cumsum(weighted)
    everything = [np.mean([loss for e in seen[: i + 1] for loss, _ in e]) for i in range(len(seen))]
    if close(running) or close(everything):
        raise Mistake(
            "the running total was not reset between epochs, so each epoch's loss also "
            "counts the earlier epochs; set it to 0 at the start of every epoch"
        )
    raise Mistake(
        f"expected each epoch's mean batch loss, about {np.round(weighted, 4).tolist()}, got "
        f"{np.round(returned, 4).tolist()}; average the losses of the batches as they were "
        "trained on, before their update"
    )


class _RecordingMLP(NumpyMLP):
    """A NumPy MLP that remembers the input rows of every batch that reached ``backward``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: list[np.ndarray] = []

    def backward(self, dlogits, cache):
        self.batches.append(np.array(cache[0][0][0]))  # the first layer's input: the batch
        return super().backward(dlogits, cache)


def _replay_numpy(start: dict, x, y, epochs, lr: float, variant: str):
    """SGD on exactly the given batches; ``variant`` replays a known slip instead."""
    model = NumpyMLP([_D, _H, _K], dtype=np.float64)
    model.params = {k: v.copy() for k, v in start.items()}
    total = None
    seen = []
    for batches in epochs:
        position, losses = 0, []
        for idx in batches:
            labels = y[position : position + len(idx)] if variant == "labels" else y[idx]
            position += len(idx)
            logits, cache = model.forward(x[idx])
            loss, dlogits = softmax_cross_entropy(logits, labels)
            grads = model.backward(dlogits, cache)
            if variant == "accumulate":
                total = grads if total is None else {k: total[k] + grads[k] for k in grads}
                grads = total
            sign = -1.0 if variant == "uphill" else 1.0
            for k, g in grads.items():
                model.params[k] -= sign * lr * g
            losses.append((loss, len(idx)))
        seen.append(losses)
    return model.params, seen


def check_train_numpy(train_numpy) -> Feedback:
    """Check a learner's NumPy training loop ``train_numpy(model, x, y, *, epochs, ...)``.

    Trains a tiny network on 10 examples in batches of 4 for 3 epochs, records which
    examples reach each backward pass, and replays SGD on those batches. Names the slips:
    no shuffle, a shuffle done once, the same batch again and again, the last smaller batch
    dropped, examples repeated, labels that do not match the images, an update that goes
    uphill, gradients summed across batches, weights that never change, and an epoch loss
    that is a total, a last batch's loss or not reset between epochs.
    """

    def attempt() -> str:
        x, y = _probe_data()
        model = _RecordingMLP([_D, _H, _K], dtype=np.float64, seed=3)
        start = {k: v.copy() for k, v in model.params.items()}
        result = train_numpy(
            model, x.copy(), y.copy(), epochs=_EPOCHS, batch_size=_BATCH, lr=_LR, seed=0
        )
        returned = _epoch_loss_list(result, _EPOCHS)
        if not model.batches:
            raise Mistake(
                "the backward pass never ran: for every batch, get (loss, dlogits) from "
                "softmax_cross_entropy and then the gradients from "
                "model.backward(dlogits, cache)"
            )
        find = _RowFinder(x)
        epochs = _split_into_epochs([find(rows) for rows in model.batches], _N, _BATCH, _EPOCHS)
        _check_weights(
            model.params,
            start,
            lambda variant: _replay_numpy(start, x, y, epochs, _LR, variant)[0],
            unchanged=(
                "the weights never changed: update the arrays in model.params themselves, "
                "model.params[name] -= lr * grad. Writing w = w - lr * grad only gives a "
                "new array the name w; the model never sees it"
            ),
            accumulate=(
                "each update used the sum of this batch's gradient and all earlier ones; "
                "every step should follow the gradient of its own batch only"
            ),
        )
        _check_epoch_losses(returned, _replay_numpy(start, x, y, epochs, _LR, "sgd")[1], _N)
        return (
            f"{_EPOCHS} epochs, each a fresh shuffle of the {_N} examples in batches of "
            f"{_BATCH} (the last of 2), one SGD step per batch, and the right mean losses."
        )

    return run_check(
        "train_numpy",
        attempt,
        start_hint=(
            "two loops, one over the epochs and inside it one over the batches; the notebook's "
            "Hint box lists what happens to each batch."
        ),
    )


class _Recorder(nn.Module):
    """Wraps a network and remembers the input rows of every batch that gradients reach."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.batches: list[np.ndarray] = []

    def forward(self, x):
        out = self.net(x)
        if out.requires_grad:
            rows = x.detach().cpu().numpy().copy()
            out.register_hook(lambda grad, rows=rows: self.batches.append(rows))
        return out


def _fresh_torch_net() -> TwoLayerNet:
    """The reference 3-4-3 network in float64 with fixed weights (PyTorch's RNG untouched)."""
    with torch.random.fork_rng(devices=[]):
        net = TwoLayerNet(_D, _H, _K).double()
    rng = np.random.default_rng(3)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.from_numpy(rng.normal(scale=0.7, size=tuple(p.shape))))
    return net


def _replay_torch(start: dict, x, y, epochs, lr: float, variant: str):
    net = _fresh_torch_net()
    net.load_state_dict(start)
    opt = torch.optim.SGD(net.parameters(), lr=lr, maximize=variant == "uphill")
    seen = []
    for batches in epochs:
        position, losses = 0, []
        for idx in batches:
            rows = torch.as_tensor(idx)
            if variant == "labels":
                labels = y[position : position + len(idx)]
            else:
                labels = y[rows]
            position += len(idx)
            logits = net(x[rows])
            if variant == "softmax":
                logits = torch.softmax(logits, dim=1)
            loss = F.cross_entropy(logits, labels)
            if variant != "accumulate":
                opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append((loss.item(), len(idx)))
        seen.append(losses)
    return _numpy_state(net), seen


def _numpy_state(net: nn.Module) -> dict:
    return {k: v.detach().cpu().numpy().copy() for k, v in net.state_dict().items()}


def check_train_torch(train_torch) -> Feedback:
    """Check a learner's PyTorch training loop ``train_torch(model, x, y, *, epochs, ...)``.

    Trains a tiny network on 10 examples in batches of 4 for 3 epochs, records which
    examples the gradients flowed back to, and replays SGD on those batches. Names the
    slips: ``optimizer.zero_grad()`` forgotten (gradients pile up), ``backward`` or ``step``
    missing or in the wrong order, no shuffle or a shuffle done once, the same batch again
    and again, the last smaller batch dropped, labels that do not match the images, a
    softmax before ``F.cross_entropy``, losses kept as tensors, and an epoch loss that is a
    total, a last batch's loss or not reset between epochs.
    """

    def attempt() -> str:
        x_np, y_np = _probe_data()
        x, y = torch.from_numpy(x_np.copy()), torch.from_numpy(y_np.copy())
        net = _fresh_torch_net()
        start = {k: v.clone() for k, v in net.state_dict().items()}
        model = _Recorder(net)
        result = train_torch(model, x, y, epochs=_EPOCHS, batch_size=_BATCH, lr=_LR, seed=0)
        returned = _epoch_loss_list(result, _EPOCHS)
        if not model.batches:
            raise Mistake(
                "no gradient reached the network: call loss.backward() on every batch's "
                "loss, then optimizer.step()"
            )
        find = _RowFinder(x_np)
        epochs = _split_into_epochs([find(rows) for rows in model.batches], _N, _BATCH, _EPOCHS)
        x0, y0 = torch.from_numpy(x_np), torch.from_numpy(y_np)
        _check_weights(
            _numpy_state(net),
            {k: v.numpy() for k, v in start.items()},
            lambda variant: _replay_torch(start, x0, y0, epochs, _LR, variant)[0],
            unchanged=(
                "the weights never changed: loss.backward() computes the gradients and "
                "optimizer.step() applies them; optimizer.zero_grad() belongs before the "
                "backward pass, not between backward and step (it would wipe the gradients)"
            ),
            accumulate=(
                "optimizer.zero_grad() is missing: PyTorch ADDS each backward pass's "
                "gradients to p.grad, so every step also followed all earlier batches' "
                "gradients. Call optimizer.zero_grad() before loss.backward()"
            ),
            softmax=True,
        )
        _check_epoch_losses(returned, _replay_torch(start, x0, y0, epochs, _LR, "sgd")[1], _N)
        return (
            f"{_EPOCHS} epochs, each a fresh shuffle of the {_N} examples in batches of "
            f"{_BATCH}, gradients cleared, computed and applied once per batch, and the right "
            "mean losses."
        )

    return run_check(
        "train_torch",
        attempt,
        start_hint=(
            "the same two loops as your NumPy train_numpy; only the three lines that compute "
            "the gradients and move the weights change."
        ),
    )


# --------------------------------------------------------------------- TwoLayerNet


def check_two_layer_net(TwoLayerNet) -> Feedback:  # noqa: N803 - the learner's class
    """Check a learner's ``TwoLayerNet(d_in, hidden, num_classes)`` ``nn.Module``.

    Builds ``TwoLayerNet(5, 4, 3)`` and names the slips: ``super().__init__()`` forgotten,
    layers PyTorch cannot see (kept in a plain list), the wrong number of layers, sizes in
    the wrong order, no activation between the layers (the two collapse into one linear
    map), sigmoid or tanh instead of ReLU, a ReLU or a softmax on the output.
    """

    def attempt() -> str:
        d, h, k = 5, 4, 3
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            try:
                net = TwoLayerNet(d, h, k)
            except AttributeError as error:
                if "Module.__init__" in str(error):
                    raise Mistake(
                        "call super().__init__() first in __init__: nn.Module has to set "
                        "itself up before it can hold layers"
                    ) from None
                raise
        if not isinstance(net, nn.Module):
            raise Mistake("TwoLayerNet must be an nn.Module: class TwoLayerNet(nn.Module)")
        linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise Mistake(
                "PyTorch sees no layers in the network, so model.parameters() is empty and an "
                "optimiser would have nothing to train. Store each layer as an attribute, "
                "self.layer1 = nn.Linear(...); layers in a plain Python list stay invisible"
            )
        pairs = [(m.in_features, m.out_features) for m in linears]
        if len(linears) != 2:
            raise Mistake(
                f"expected two nn.Linear layers, {d} -> {h} and {h} -> {k} for "
                f"TwoLayerNet({d}, {h}, {k}); found {len(linears)}: {pairs}"
            )
        if sorted(pairs) == sorted([(h, d), (k, h)]):
            raise Mistake(
                "the layer sizes are swapped: nn.Linear(in_features, out_features) takes the "
                "inputs first, so nn.Linear(d_in, hidden) and then nn.Linear(hidden, "
                "num_classes)"
            )
        if sorted(pairs) != sorted([(d, h), (h, k)]):
            raise Mistake(
                f"TwoLayerNet({d}, {h}, {k}) should map {d} inputs to {h} hidden units and "
                f"those to {k} logits, got layers (in, out) = {pairs}"
            )
        first = linears[pairs.index((d, h))]
        second = linears[pairs.index((h, k))]
        x = 3 * torch.randn(6, d, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            out = net(x)
            if not isinstance(out, torch.Tensor) or tuple(out.shape) != (6, k):
                shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out)
                raise Mistake(
                    f"forward should return the logits, a tensor of shape (N, K) = (6, {k}) "
                    f"for 6 inputs, got {shape}"
                )
            a = first(x)  # (N, H) before the activation
            right = second(torch.relu(a))

            def close(other) -> bool:
                return bool(torch.allclose(out, other, atol=1e-6))

            if close(right):
                return (
                    f"Linear({d}, {h}), ReLU, Linear({h}, {k}): logits of shape (6, {k}), "
                    "and all four weight tensors visible to model.parameters()."
                )
            if close(second(a)):
                raise Mistake(
                    "there is no activation between the layers; two linear layers in a row "
                    "are just one linear map. Apply torch.relu to the hidden layer"
                )
            if close(torch.softmax(right, dim=1)):
                raise Mistake(
                    "forward returns probabilities; return the logits. F.cross_entropy "
                    "applies the softmax itself (and more stably)"
                )
            if close(torch.relu(right)):
                raise Mistake(
                    "a ReLU on the output clips every negative logit to 0; the last layer "
                    "gives the logits as they are, with no activation"
                )
            if close(second(torch.sigmoid(a))) or close(second(torch.tanh(a))):
                raise Mistake(
                    "the hidden layer uses sigmoid or tanh; this network uses ReLU: torch.relu"
                )
        raise Mistake(
            "forward(x) should compute the second layer of the ReLU of the first layer of x, "
            "and it gave other numbers"
        )

    return run_check(
        "TwoLayerNet",
        attempt,
        start_hint=(
            "create the two nn.Linear layers in __init__ and chain them in forward, with the "
            "ReLU in between."
        ),
    )
