"""Checks of notebook 08's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises import cnn
from course_lib.exercises.cnn import (
    check_conv2d_param_count,
    check_conv_block_output_shape,
    conv2d_param_count,
    conv_block_output_shape,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _stub(*args):
    raise NotImplementedError("hint")


def test_reference_answers_are_correct():
    assert check_conv2d_param_count(conv2d_param_count).status == "correct"
    assert check_conv_block_output_shape(conv_block_output_shape).status == "correct"


def test_reference_answers_match_the_course_cnn():
    from course_lib.torch_nn.cnn import CNN

    model = CNN(channels=(32, 64), kernel_size=3, hidden=128)
    assert sum(p.numel() for p in model.conv2.parameters()) == conv2d_param_count(32, 64, 3)
    shape = conv_block_output_shape((1, 28, 28), 32, 3, 1)
    shape = conv_block_output_shape(shape, 64, 3, 1)
    assert shape[0] * shape[1] * shape[2] == model.fc1.in_features  # 64 * 7 * 7


def test_other_correct_forms_pass():
    as_list = lambda s, f, k, p, q=2: list(conv_block_output_shape(s, f, k, p, q))  # noqa: E731
    assert check_conv_block_output_shape(as_list).status == "correct"
    as_numpy = lambda c, f, k: np.int64(f * (c * k * k + 1))  # noqa: E731
    assert check_conv2d_param_count(as_numpy).status == "correct"


def test_stubs_are_not_implemented():
    fb = check_conv2d_param_count(_stub)
    assert fb.status == "not_implemented" and "out_channels filters" in fb.message
    fb = check_conv_block_output_shape(_stub)
    assert fb.status == "not_implemented" and "// pool" in fb.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c, f, k: f * c * k * k, "biases are missing"),
        (lambda c, f, k: f * k * k + f, "multiply by in_channels"),
        (lambda c, f, k: f * c * k + f, "square kernel_size"),
        (lambda c, f, k: 2 * f * c * k * k, "one bias per filter"),
        (lambda c, f, k: f * c * k * k + c, "not in_channels"),
        (lambda c, f, k: f * c * k * k + f + 1, "should be"),  # no known slip: the case
        (lambda c, f, k: (f * c * k * k + f) / 3, "whole number"),
        (lambda c, f, k: "many", "whole number"),
    ],
)
def test_param_count_slips_get_their_hint(wrong, hint):
    fb = check_conv2d_param_count(wrong)
    assert fb.status == "wrong"
    assert hint in fb.message


def _block(slip):
    return lambda s, f, k, p, q=2: cnn._shape_slips(s, f, k, p, q)[slip]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_block("no_pool"), "pooling is missing"),
        (_block("kept_in_channels"), "one map per FILTER"),
        (_block("no_plus_one"), "one too small"),
        (_block("pad_once"), "both sides"),
        (_block("pool_before_conv_only"), "convolution's effect"),
        (_block("swapped_hw"), "swapped"),
        (lambda s, f, k, p, q=2: (f, 1, 1), "should be"),
        (lambda s, f, k, p, q=2: (f, 7), "tuple (F, H', W')"),
        (lambda s, f, k, p, q=2: (f, (s[1] + 2 * p - k + 1) / q, 1), "whole number"),
    ],
)
def test_block_shape_slips_get_their_hint(wrong, hint):
    fb = check_conv_block_output_shape(wrong)
    assert fb.status == "wrong"
    assert hint in fb.message


def test_every_slip_differs_from_the_answer_and_from_the_others():
    counts = {
        name: tuple(f(*case) for case in cnn._COUNT_CASES)
        for name, (f, _) in cnn._COUNT_SLIPS.items()
    }
    right = tuple(conv2d_param_count(*case) for case in cnn._COUNT_CASES)
    assert right not in counts.values() and len(set(counts.values())) == len(counts)
    shapes = {
        slip: tuple(cnn._shape_slips(*case)[slip] for case in cnn._SHAPE_CASES)
        for slip in cnn._SHAPE_HINTS
    }
    right = tuple(conv_block_output_shape(*case) for case in cnn._SHAPE_CASES)
    assert right not in shapes.values() and len(set(shapes.values())) == len(shapes)


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="biases"):
        check_conv2d_param_count(lambda c, f, k: f * c * k * k)


# ------------------------------------------------------------------------------ ConvNet

torch = pytest.importorskip("torch")
F = torch.nn.functional
nn = torch.nn

from course_lib.exercises.cnn import check_conv_net, check_train_one_epoch  # noqa: E402
from course_lib.exercises.cnn import train_one_epoch as reference_train_one_epoch  # noqa: E402
from course_lib.torch_nn.cnn import ConvNet as Reference  # noqa: E402


def _net(init=None, forward=None):
    """The reference ConvNet with its __init__ patched afterwards and/or another forward."""

    def __init__(self, f1=16, f2=48, hidden=256, kernel_size=5, pad=0):
        Reference.__init__(self, f1, f2, hidden, kernel_size, pad)
        if init is not None:
            init(self, f1, f2, hidden, kernel_size, pad)

    attrs = {"__init__": __init__}
    if forward is not None:
        attrs["forward"] = forward
    return type("ConvNet", (Reference,), attrs)


def _forward(*, pool1=True, pool2=True, flatten=lambda h: h.flatten(1)):
    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        h = self.pool(h) if pool1 else h
        h = torch.relu(self.bn2(self.conv2(h)))
        h = self.pool(h) if pool2 else h
        return self.fc2(torch.relu(self.fc1(flatten(h))))

    return forward


def _pad_once(k, p):
    """The side after two blocks when the padding is added on one side only."""
    return ((28 + p - k + 1) // 2 + p - k + 1) // 2


def _forward_variant(**kwargs):
    return lambda self, x: cnn._variant_logits(self, x, **kwargs)


def _set(**layers):
    def init(self, *sizes):
        for name, make in layers.items():
            setattr(self, name, make(*sizes))

    return init


def test_reference_conv_net_passes_and_the_stub_is_not_implemented():
    fb = check_conv_net(Reference)
    assert fb.status == "correct" and "219,226 parameters" in fb.message

    class Stub(nn.Module):
        def __init__(self, f1=16, f2=48, hidden=256, kernel_size=5, pad=0):
            super().__init__()
            raise NotImplementedError("replace this line with your answer.")

    fb = check_conv_net(Stub)
    assert fb.status == "not_implemented" and "Follow one image's side" in fb.message


def test_other_correct_conv_nets_pass():
    def relu_after_pool(self, x):  # ReLU and max-pooling commute
        h = torch.relu(self.pool(self.bn1(self.conv1(x))))
        h = F.relu(self.pool(self.bn2(self.conv2(h))))
        return self.fc2(nn.functional.relu(self.fc1(h.reshape(len(h), -1))))

    assert check_conv_net(_net(forward=relu_after_pool)).status == "correct"
    assert check_conv_net(_net(init=_set(flatten=lambda *a: nn.Flatten()))).status == "correct"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (
            _net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Conv2d(1, f2, k, padding=p))),
            "wrong in_channels",
        ),
        (
            _net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Conv2d(16, f2, k, padding=p))),
            "a number written in",
        ),
        (
            _net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Conv2d(f1, 48, k, padding=p))),
            "out_channels should",
        ),
        (
            _net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Conv2d(f1, f2, 5, padding=p))),
            "same kernel_size",
        ),
        (
            _net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Conv2d(f1, f2, k))),
            "same padding as conv1",
        ),
        (
            _net(init=_set(fc1=lambda f1, f2, h, k, p: nn.Linear(f2 * 7 * 7, h))),
            "flatten size wrong",
        ),
        (_net(init=_set(fc1=lambda f1, f2, h, k, p: nn.Linear(768, h))), "768 is right only"),
        (_net(init=_set(fc1=lambda f1, f2, h, k, p: nn.Linear(f2 * 16, h))), "4 x 4 holds only"),
        (
            _net(init=_set(fc1=lambda f1, f2, h, k, p: nn.Linear(f2 * _pad_once(k, p) ** 2, h))),
            "flatten size wrong",
        ),
        (_net(init=_set(fc1=lambda f1, f2, h, k, p: nn.Linear(f2 * 16, 256))), "out_features"),
        (_net(init=_set(conv2=lambda f1, f2, h, k, p: nn.Linear(f1, f2))), "must be an nn.Conv2d"),
        (_net(forward=_forward(pool1=False)), "pooling missing after block 1"),
        (_net(forward=_forward(pool2=False)), "pooling missing after block 2"),
        (_net(forward=_forward(flatten=lambda h: h)), "flatten before Linear"),
        (_net(forward=_forward(flatten=lambda h: h.flatten())), "whole batch was flattened"),
        (_net(forward=_forward_variant(relu=(False, True, True))), "block 1 has no ReLU"),
        (_net(forward=_forward_variant(relu=(True, False, True))), "block 2 has no ReLU"),
        (_net(forward=_forward_variant(relu=(True, True, False))), "between fc1 and fc2"),
        (_net(forward=_forward_variant(relu=(False, False, False))), "no ReLU anywhere"),
        (_net(forward=_forward_variant(bn=(False, True))), "bn1 is created but never used"),
        (_net(forward=_forward_variant(bn=(True, False))), "bn2 is created but never used"),
        (_net(forward=_forward_variant(bn_after_relu=True)), "before the ReLU"),
        (_net(forward=_forward_variant(softmax=True)), "probabilities"),
        (_net(forward=lambda self, x: -Reference.forward(self, x)), "differ by up to"),
        (_net(forward=lambda self, x: Reference.forward(self, x)[:, :5]), "shape (N, 10)"),
        (_net(init=_set(extra=lambda *a: nn.Linear(2, 2))), "parameters, the reference"),
    ],
)
def test_conv_net_slips_get_their_hint(wrong, hint):
    fb = check_conv_net(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_conv_net_missing_layer_or_not_a_module():
    class Renamed(nn.Module):
        def __init__(self, f1=16, f2=48, hidden=256, kernel_size=5, pad=0):
            super().__init__()
            ref = Reference(f1, f2, hidden, kernel_size, pad)
            for name, layer in ref.named_children():
                setattr(self, "conv_2" if name == "conv2" else name, layer)

    fb = check_conv_net(Renamed)
    assert fb.status == "wrong" and "no layer self.conv2" in fb.message

    class NotAModule:
        def __init__(self, f1=16, f2=48, hidden=256, kernel_size=5, pad=0):
            pass

    fb = check_conv_net(NotAModule)
    assert fb.status == "wrong" and "not a torch.nn.Module" in fb.message


def test_every_conv_net_slip_differs_from_the_reference():
    torch.manual_seed(0)
    ref = Reference(6, 20, 32, 3, 1).double().train()
    x = torch.rand(4, 1, 28, 28, dtype=torch.float64)
    with torch.no_grad():
        right = ref(x)
        outs = [cnn._variant_logits(ref, x, **v) for v, _ in cnn._NET_SLIPS.values()]
    for i, out in enumerate(outs):
        assert not torch.allclose(out, right)
        assert all(not torch.allclose(out, other) for other in outs[i + 1 :])


# ------------------------------------------------------------------------ train_one_epoch


def _loop(
    *,
    shuffle="randperm",
    stop=lambda n, b: n,
    zero="before_backward",
    backward=True,
    step=True,
    reduction="mean",
    softmax=False,
    labels="idx",
    item=True,
    no_grad=False,
):
    """A training loop with one deliberate slip (the defaults give a correct loop)."""

    def train(model, x, y, optimizer, batch_size=64):
        model.train()
        losses = []
        if shuffle == "randperm":
            order = torch.randperm(len(x))
        elif shuffle == "reseed":
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
        elif shuffle == "numpy":
            order = torch.as_tensor(np.random.default_rng().permutation(len(x)))
        elif shuffle == "replace":
            order = torch.randint(0, len(x), (len(x),))
        else:
            order = torch.arange(len(x))
        if zero == "once":
            optimizer.zero_grad()
        for start in range(0, stop(len(x), batch_size), batch_size):
            idx = order[start : start + batch_size]
            if no_grad:
                with torch.no_grad():
                    logits = model(x[idx])
            else:
                logits = model(x[idx])
            if softmax:
                logits = torch.softmax(logits, dim=1)
            yb = y[idx] if labels == "idx" else y[start : start + len(idx)]
            loss = F.cross_entropy(logits, yb, reduction=reduction)
            if zero == "before_backward":
                optimizer.zero_grad()
            if zero == "model":
                model.zero_grad()
            if zero == "before_step_wrong" and step:
                optimizer.zero_grad()
                optimizer.step()
            if backward and not no_grad:
                loss.backward()
            if zero == "after_backward":
                optimizer.zero_grad()
            if step and zero != "before_step_wrong":
                optimizer.step()
            if zero == "at_end":
                optimizer.zero_grad()
            losses.append(loss.item() if item else loss)
        return losses

    return train


def test_reference_loop_passes_and_the_stub_is_not_implemented():
    fb = check_train_one_epoch(reference_train_one_epoch)
    assert fb.status == "correct" and "one float loss per step" in fb.message
    fb = check_train_one_epoch(_stub)
    assert fb.status == "not_implemented" and "Shuffle the example numbers" in fb.message


@pytest.mark.parametrize(
    "loop",
    [_loop(), _loop(zero="at_end"), _loop(zero="model"), _loop(shuffle="numpy")],
    ids=["plain", "zero_grad_last", "model_zero_grad", "numpy_permutation"],
)
def test_other_correct_loops_pass(loop):
    assert check_train_one_epoch(loop).status == "correct"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_loop(zero="never"), "never cleared"),
        (_loop(zero="once"), "only once, outside the loop"),
        (_loop(zero="after_backward"), "already erased"),
        (_loop(zero="before_step_wrong"), "comes before loss.backward()"),
        (_loop(backward=False), "loss.backward() is never called"),
        (_loop(step=False), "optimizer.step() is never called"),
        (_loop(stop=lambda n, b: n - n % b), "the last, smaller batch"),
        (_loop(shuffle="none"), "the data's own order"),
        (_loop(shuffle="reseed"), "the same order"),
        (_loop(shuffle="replace"), "used twice"),
        (_loop(labels="positional"), "labels do not belong to their images"),
        (_loop(reduction="sum"), "summed over the batch"),
        (_loop(softmax=True), "softmax applied before"),
        (_loop(item=False), "loss.item()"),
        (_loop(no_grad=True), "torch.no_grad()"),
        (
            lambda model, x, y, opt, batch_size=64: _loop()(model, x, y, opt, batch_size)[-1],
            "one loss per",
        ),
        (lambda model, x, y, opt, batch_size=64: [], "never called"),
        (
            lambda model, x, y, opt, batch_size=64: _loop()(model, x, y, opt, 2 * batch_size),
            "a batch held 8",
        ),
    ],
)
def test_loop_slips_get_their_hint(wrong, hint):
    fb = check_train_one_epoch(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message
