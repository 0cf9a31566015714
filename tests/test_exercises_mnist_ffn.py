"""Checks of notebook 06's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.exercises.mnist_ffn import (
    TwoLayerNet,
    accuracy_from_logits,
    check_accuracy_from_logits,
    check_flatten_images,
    check_train_numpy,
    check_train_torch,
    check_two_layer_net,
    flatten_images,
    train_numpy,
    train_torch,
)
from course_lib.numpy_nn.losses import softmax_cross_entropy
from course_lib.numpy_nn.optim import SGD


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_reference_answers_are_correct():
    assert check_flatten_images(flatten_images).status == "correct"
    assert check_accuracy_from_logits(accuracy_from_logits).status == "correct"


def test_reference_answers_on_real_shapes():
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    images[2, 1, 0] = 7
    flat = flatten_images(images)
    assert flat.shape == (5, 784)
    assert flat[2, 28] == 7  # row 1, column 0 of image 2 sits at position 1 * 28 + 0
    logits = np.eye(10)[[3, 1, 4, 1, 5]]
    assert accuracy_from_logits(logits, np.array([3, 1, 4, 1, 9])) == pytest.approx(0.8)


def _stub(*args, **kwargs):
    raise NotImplementedError("hint")


def test_stubs_are_not_implemented():
    fb = check_flatten_images(_stub)
    assert fb.status == "not_implemented"
    assert "first axis" in fb.message
    assert "reshape(len(images), -1)" not in fb.message, "the first nudge must not be the answer"
    fb = check_accuracy_from_logits(_stub)
    assert fb.status == "not_implemented"
    assert "largest logit" in fb.message
    assert "argmax(axis=1)" not in fb.message, "the first nudge must not be the answer"


def _changes_input(x):
    x[0] = 0
    return x.reshape(len(x), -1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: x.reshape(len(x), -1).tolist(), "NumPy array"),
        (_changes_input, "input images were changed"),
        (lambda x: x.ravel(), "one long vector"),
        (lambda x: x.reshape(len(x), -1).T, "transposed"),
        (lambda x: x.copy(), "still have shape"),
        (lambda x: x.reshape(-1, 2), "expected shape (N, H * W)"),
        (lambda x: x.reshape(len(x), -1) / 255, "pixel values changed"),
        (lambda x: x.transpose(0, 2, 1).reshape(len(x), -1), "another order"),
        (lambda x: x.reshape(len(x), -1, order="F"), "another order"),
        (lambda x: x.flaten(), "AttributeError"),
    ],
)
def test_each_flatten_slip_gets_its_hint(wrong, hint):
    fb = check_flatten_images(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z, y: z.argmax(axis=1) == y, "one number"),
        (lambda z, y: "67%", "number between 0 and 1"),
        (lambda z, y: int(np.sum(z.argmax(axis=1) == y)), "divide by the number of images"),
        (lambda z, y: 100 * np.mean(z.argmax(axis=1) == y), "percentage"),
        (lambda z, y: np.mean(z.argmax(axis=1) != y), "error rate"),
        (lambda z, y: np.mean(z.argmin(axis=1) == y), "LARGEST"),
        (lambda z, y: np.mean(z.argmax(axis=0) == y), "axis=1"),
        (lambda z, y: np.mean(z.argmax(axis=1)[:-1] == y[:-1]), "expected 0.667"),
    ],
)
def test_each_accuracy_slip_gets_its_hint(wrong, hint):
    fb = check_accuracy_from_logits(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_axis_zero_on_a_square_batch_is_caught():
    # When N == K the wrong axis does not crash; the check still names it.
    def wrong(z, y):
        if z.shape[0] == z.shape[1]:
            return float(np.mean(z.argmax(axis=0) == y))
        return float(np.mean(z.argmax(axis=1) == y))

    fb = check_accuracy_from_logits(wrong)
    assert fb.status == "wrong"
    assert "axis=1" in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="one long vector"):
        check_flatten_images(lambda x: x.ravel())


# ------------------------------------------------------------------ the training loops
# Each wrong loop below is the reference loop with one slip, as a learner would write it.


def _numpy_loop(
    *,
    shuffle="each_epoch",
    batch="slice",
    stop=None,
    labels="idx",
    sign=-1.0,
    accumulate=False,
    in_place=True,
    report="weighted",
    reset=True,
    transform=None,
    backward=True,
):
    """A NumPy training loop with the chosen slips switched on."""

    def loop(model, x, y, *, epochs, batch_size, lr, seed=0):
        rng = np.random.default_rng(seed)
        epoch_losses = []
        n = len(x)
        fixed = rng.permutation(n)
        total, total_grads = 0.0, None
        for _ in range(epochs):
            if shuffle == "each_epoch":
                order = rng.permutation(n)
            elif shuffle == "once":
                order = fixed
            elif shuffle == "with_replacement":
                order = rng.choice(n, n)
            else:
                order = np.arange(n)
            if reset:
                total = 0.0
            batch_losses = []
            end = n if stop is None else stop(n, batch_size)
            for start in range(0, end, batch_size):
                idx = order[:batch_size] if batch == "first" else order[start : start + batch_size]
                xb = x[idx] if transform is None else transform(x[idx])
                yb = y[idx] if labels == "idx" else y[start : start + batch_size]
                logits, cache = model.forward(xb)
                loss, dlogits = softmax_cross_entropy(logits, yb)
                batch_losses.append(loss)
                total += loss * len(idx)
                if not backward:
                    continue
                grads = model.backward(dlogits, cache)
                if accumulate:
                    if total_grads is None:
                        total_grads = {k: g.copy() for k, g in grads.items()}
                    else:
                        for k, g in grads.items():
                            total_grads[k] += g
                    grads = total_grads
                for name, grad in grads.items():
                    if in_place:
                        model.params[name] += sign * lr * grad
                    else:
                        w = model.params[name]
                        w = w + sign * lr * grad  # noqa: F841 - the slip under test
            if report == "weighted":
                epoch_losses.append(total / n)
            elif report == "sum":
                epoch_losses.append(sum(batch_losses))
            elif report == "last":
                epoch_losses.append(batch_losses[-1])
            elif report == "per_batch":
                epoch_losses.extend(batch_losses)
            elif report == "none":
                return None
        return epoch_losses

    return loop


def test_loop_references_pass():
    assert check_train_numpy(train_numpy).status == "correct"
    assert check_train_torch(train_torch).status == "correct"
    assert check_two_layer_net(TwoLayerNet).status == "correct"
    assert check_train_numpy(_numpy_loop()).status == "correct"


def test_loop_stubs_are_not_implemented():
    for check in (check_train_numpy, check_train_torch, check_two_layer_net):
        fb = check(_stub)
        assert fb.status == "not_implemented", fb


def test_a_loop_averaging_the_batch_losses_without_weights_passes():
    def loop(model, x, y, *, epochs, batch_size, lr, seed=0):
        rng = np.random.default_rng(seed)
        epoch_losses = []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            losses = []
            for start in range(0, len(x), batch_size):
                idx = order[start : start + batch_size]
                loss, grads = model.loss_and_grads(x[idx], y[idx])
                SGD(model.params, lr=lr).step(grads)
                losses.append(loss)
            epoch_losses.append(np.mean(losses))
        return epoch_losses

    assert check_train_numpy(loop).status == "correct"


@pytest.mark.parametrize(
    "slips, hint",
    [
        ({"shuffle": "never"}, "never shuffled"),
        ({"shuffle": "once"}, "shuffle ran once"),
        ({"shuffle": "with_replacement"}, "with replacement"),
        ({"batch": "first"}, "same batch was trained on twice"),
        ({"stop": lambda n, b: n - b + 1}, "last, smaller batch"),
        ({"stop": lambda n, b: (n // b) * b}, "last, smaller batch"),
        ({"stop": lambda n, b: n - 2 * b}, "should train on 30 examples"),
        ({"labels": "stored_order"}, "labels do not belong"),
        ({"sign": +1.0}, "uphill"),
        ({"accumulate": True}, "sum of this batch's gradient and all earlier"),
        ({"in_place": False}, "weights never changed"),
        ({"backward": False}, "backward pass never ran"),
        ({"transform": lambda xb: xb / 2}, "not rows of x"),
        ({"report": "sum"}, "a total, not an average"),
        ({"report": "last"}, "last batch's loss"),
        ({"reset": False}, "not reset between epochs"),
        ({"report": "per_batch"}, "one per batch?"),
        ({"report": "none"}, "returned None"),
    ],
)
def test_each_numpy_loop_slip_gets_its_hint(slips, hint):
    fb = check_train_numpy(_numpy_loop(**slips))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_a_loss_measured_after_training_is_named():
    def loop(model, x, y, *, epochs, batch_size, lr, seed=0):
        losses = train_numpy(model, x, y, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
        return [loss + 0.1 for loss in losses]

    fb = check_train_numpy(loop)
    assert fb.status == "wrong" and "expected each epoch's mean batch loss" in fb.message


def _torch_loop(
    *,
    zero_grad="before",
    backward=True,
    shuffle="each_epoch",
    batch="slice",
    stop=None,
    labels="idx",
    softmax=False,
    item=True,
    report="weighted",
    reset=True,
):
    """A PyTorch training loop with the chosen slips switched on."""

    def loop(model, x, y, *, epochs, batch_size, lr, seed=0):
        generator = torch.Generator().manual_seed(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        epoch_losses = []
        n = len(x)
        fixed = torch.randperm(n, generator=generator)
        total = 0.0
        for _ in range(epochs):
            if shuffle == "each_epoch":
                order = torch.randperm(n, generator=generator)
            elif shuffle == "once":
                order = fixed
            else:
                order = torch.arange(n)
            if reset:
                total = 0.0
            batch_losses = []
            end = n if stop is None else stop(n, batch_size)
            for start in range(0, end, batch_size):
                idx = order[:batch_size] if batch == "first" else order[start : start + batch_size]
                yb = y[idx] if labels == "idx" else y[start : start + batch_size]
                logits = model(x[idx])
                if softmax:
                    logits = torch.softmax(logits, dim=1)
                loss = torch.nn.functional.cross_entropy(logits, yb)
                if zero_grad == "before":
                    optimizer.zero_grad()
                if backward:
                    loss.backward()
                if zero_grad == "between":
                    optimizer.zero_grad()
                optimizer.step()
                batch_losses.append(loss.item())
                total += (loss.item() if item else loss) * len(idx)
            if report == "weighted":
                epoch_losses.append(total / n)
            elif report == "sum":
                epoch_losses.append(sum(batch_losses))
            elif report == "last":
                epoch_losses.append(batch_losses[-1])
        return epoch_losses

    return loop


def test_the_torch_reference_loop_shape_passes():
    assert check_train_torch(_torch_loop()).status == "correct"


@pytest.mark.parametrize(
    "slips, hint",
    [
        ({"zero_grad": "never"}, "optimizer.zero_grad() is missing"),
        ({"zero_grad": "between"}, "weights never changed"),
        ({"backward": False}, "no gradient reached the network"),
        ({"shuffle": "never"}, "never shuffled"),
        ({"shuffle": "once"}, "shuffle ran once"),
        ({"batch": "first"}, "same batch was trained on twice"),
        ({"stop": lambda n, b: n - b + 1}, "last, smaller batch"),
        ({"labels": "stored_order"}, "labels do not belong"),
        ({"softmax": True}, "given probabilities"),
        ({"item": False}, "loss.item()"),
        ({"report": "sum"}, "a total, not an average"),
        ({"report": "last"}, "last batch's loss"),
        ({"reset": False}, "not reset between epochs"),
    ],
)
def test_each_torch_loop_slip_gets_its_hint(slips, hint):
    fb = check_train_torch(_torch_loop(**slips))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_an_uphill_torch_loop_is_named():
    def loop(model, x, y, *, epochs, batch_size, lr, seed=0):
        generator = torch.Generator().manual_seed(seed)
        epoch_losses = []
        for _ in range(epochs):
            order = torch.randperm(len(x), generator=generator)
            total = 0.0
            for start in range(0, len(x), batch_size):
                idx = order[start : start + batch_size]
                loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p += lr * p.grad  # the slip: uphill
                total += loss.item() * len(idx)
            epoch_losses.append(total / len(x))
        return epoch_losses

    fb = check_train_torch(loop)
    assert fb.status == "wrong" and "uphill" in fb.message


def test_the_checks_leave_torch_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_two_layer_net(TwoLayerNet)
    check_train_torch(train_torch)
    assert torch.equal(torch.rand(3), expected)


# --------------------------------------------------------------------- TwoLayerNet


def _net(*, init="ok", forward="ok"):
    """A TwoLayerNet class with one slip in __init__ or in forward."""
    from torch import nn

    class Net(nn.Module):
        def __init__(self, d_in, hidden, num_classes):
            if init != "no_super":
                super().__init__()
            if init == "list":
                self.layers = [nn.Linear(d_in, hidden), nn.Linear(hidden, num_classes)]
                return
            if init == "swapped":
                self.layer1 = nn.Linear(hidden, d_in)
                self.layer2 = nn.Linear(num_classes, hidden)
                return
            if init == "one_layer":
                self.layer1 = nn.Linear(d_in, num_classes)
                return
            if init == "wrong_sizes":
                self.layer1 = nn.Linear(d_in, hidden + 1)
                self.layer2 = nn.Linear(hidden + 1, num_classes)
                return
            if init == "output_first":
                self.layer2 = nn.Linear(hidden, num_classes)
            self.layer1 = nn.Linear(d_in, hidden)
            self.layer2 = nn.Linear(hidden, num_classes)

        def forward(self, x):
            a = self.layer1(x)
            if forward == "no_relu":
                return self.layer2(a)
            if forward == "sigmoid":
                return self.layer2(torch.sigmoid(a))
            if forward == "softmax":
                return torch.softmax(self.layer2(torch.relu(a)), dim=1)
            if forward == "relu_out":
                return torch.relu(self.layer2(torch.relu(a)))
            if forward == "hidden":
                return torch.relu(a)
            if forward == "numpy":
                return self.layer2(torch.relu(a)).detach().numpy()
            if forward == "plus_one":
                return self.layer2(torch.relu(a)) + 1
            return self.layer2(torch.relu(a))

    return Net


def test_a_module_with_layers_defined_in_another_order_passes():
    assert check_two_layer_net(_net(init="output_first")).status == "correct"


@pytest.mark.parametrize(
    "slips, hint",
    [
        ({"init": "no_super"}, "super().__init__()"),
        ({"init": "list"}, "no layers"),
        ({"init": "one_layer"}, "expected two nn.Linear layers"),
        ({"init": "swapped"}, "swapped"),
        ({"init": "wrong_sizes"}, "should map 5 inputs to 4 hidden units"),
        ({"forward": "no_relu"}, "no activation between the layers"),
        ({"forward": "sigmoid"}, "sigmoid or tanh"),
        ({"forward": "softmax"}, "returns probabilities"),
        ({"forward": "relu_out"}, "ReLU on the output"),
        ({"forward": "hidden"}, "shape (N, K) = (6, 3)"),
        ({"forward": "numpy"}, "a tensor of shape"),
        ({"forward": "plus_one"}, "other numbers"),
    ],
)
def test_each_module_slip_gets_its_hint(slips, hint):
    fb = check_two_layer_net(_net(**slips))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message
