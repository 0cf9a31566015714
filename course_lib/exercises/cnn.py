"""Exercises of ``08_convolutional_networks``: a CNN's layers, the CNN itself, its training loop.

* :func:`conv2d_param_count`: the number of trainable numbers in a 2-D convolution layer,
  ``F * C * HH * WW`` weights plus ``F`` biases;
* :func:`conv_block_output_shape`: the shape ``(F, H', W')`` of one image after a block
  "convolution (kernel k, padding p, stride 1) -> ReLU -> max-pool (size q)";
* :func:`check_conv_net`: the learner's ``ConvNet`` (an ``nn.Module``) against the reference
  :class:`course_lib.torch_nn.cnn.ConvNet`: layers, parameter counts, shapes and logits;
* :func:`train_one_epoch`: one pass over the data in shuffled mini-batches with the five
  moves of a PyTorch step (forward, loss, zero_grad, backward, step).

The checks compare with PyTorch itself (a real ``nn.Conv2d``, ``nn.MaxPool2d``, the
reference module, ``F.cross_entropy``) and name the usual slips: a forgotten bias, a kernel
counted once instead of HH x WW, pooling forgotten, a wrong flatten size, a missing ReLU,
gradients never cleared, the last batch dropped, labels not shuffled with their images, ...
Introduced in ``08_convolutional_networks``.
"""

from __future__ import annotations

import numbers

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = [
    "check_conv2d_param_count",
    "check_conv_block_output_shape",
    "check_conv_net",
    "check_train_one_epoch",
    "conv2d_param_count",
    "conv_block_output_shape",
    "train_one_epoch",
]


def conv2d_param_count(in_channels: int, out_channels: int, kernel_size: int) -> int:
    """Reference answer: parameters of ``nn.Conv2d(in_channels, out_channels, kernel_size)``.

    Each of the F = ``out_channels`` filters has one weight per input channel and kernel
    position (C x HH x WW with HH = WW = ``kernel_size``) and one bias:
    ``F * C * HH * WW + F``. The image size does not appear: the same filter slides
    everywhere (weight sharing). Introduced in ``08_convolutional_networks``.
    """
    return out_channels * in_channels * kernel_size * kernel_size + out_channels


def conv_block_output_shape(
    in_shape: tuple[int, int, int], filters: int, kernel_size: int, pad: int, pool: int = 2
) -> tuple[int, int, int]:
    """Reference answer: ``(F, H', W')`` after conv (stride 1) -> ReLU -> max-pool.

    ``in_shape`` is ``(C, H, W)``. The convolution gives ``F = filters`` maps of size
    ``H + 2 pad - kernel_size + 1``; ReLU keeps the shape; max-pooling with window and
    stride ``pool`` divides each side by ``pool``, rounding down.
    Introduced in ``08_convolutional_networks``.
    """
    _, h, w = in_shape
    h_conv = h + 2 * pad - kernel_size + 1
    w_conv = w + 2 * pad - kernel_size + 1
    return (filters, h_conv // pool, w_conv // pool)


def train_one_epoch(model, x, y, optimizer, batch_size: int = 64) -> list[float]:
    """Reference answer: one pass over ``(x, y)`` in shuffled mini-batches; the loss of each step.

    ``model`` maps a batch ``(B, ...)`` to logits ``(B, K)``; ``x`` ``(N, ...)`` float tensor
    and ``y`` ``(N,)`` int64 labels on the model's device; ``optimizer`` was built on
    ``model.parameters()``. Every epoch draws a new order, so the batches differ from epoch
    to epoch; each step is forward, loss, zero_grad, backward, step. Returns ``N / B``
    (rounded up) floats. Introduced in ``08_convolutional_networks``.
    """
    import torch
    import torch.nn.functional as F

    model.train()
    losses = []
    order = torch.randperm(len(x), device=x.device)  # a new shuffle every epoch
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]  # (B,) which examples
        logits = model(x[idx])  # (B, K)
        loss = F.cross_entropy(logits, y[idx])  # mean over the batch
        optimizer.zero_grad()  # PyTorch adds gradients up: clear the last batch's
        loss.backward()  # d loss / d every weight, into .grad
        optimizer.step()  # every weight moves a little downhill
        losses.append(loss.item())
    return losses


def _torch_param_count(c: int, f: int, k: int) -> int:
    from torch import nn

    return sum(p.numel() for p in nn.Conv2d(c, f, k).parameters())


def _torch_block_shape(in_shape, f: int, k: int, pad: int, pool: int) -> tuple[int, ...]:
    import torch
    from torch import nn

    block = nn.Sequential(nn.Conv2d(in_shape[0], f, k, padding=pad), nn.ReLU(), nn.MaxPool2d(pool))
    with torch.no_grad():
        return tuple(block(torch.zeros(1, *in_shape)).shape[1:])


def _as_int(value, what: str) -> int:
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Mistake(f"{what} must be a whole number, got {type(value).__name__}")
    if not float(value).is_integer():
        raise Mistake(f"{what} must be a whole number, got {value}; use // for division")
    return int(value)


# ------------------------------------------------------------------- conv2d_param_count

#: (in_channels, out_channels, kernel_size): chosen so that every slip gives another number
_COUNT_CASES = [(1, 32, 3), (32, 64, 3), (3, 16, 5), (16, 8, 1)]

_COUNT_SLIPS = {
    "no_bias": (
        lambda c, f, k: f * c * k * k,
        "the biases are missing: every filter also has one bias, so add out_channels",
    ),
    "no_in_channels": (
        lambda c, f, k: f * k * k + f,
        "each filter looks at ALL input channels, so it has in_channels x k x k weights; "
        "multiply by in_channels",
    ),
    "kernel_once": (
        lambda c, f, k: f * c * k + f,
        "a k x k kernel has k * k positions (9 for a 3x3 kernel), not k: square kernel_size",
    ),
    "bias_per_weight": (
        lambda c, f, k: 2 * f * c * k * k,
        "there is one bias per filter (out_channels of them), not one per weight",
    ),
    "bias_per_input": (
        lambda c, f, k: f * c * k * k + c,
        "the biases belong to the output maps: there are out_channels of them, not in_channels",
    ),
}


def check_conv2d_param_count(conv2d_param_count) -> Feedback:
    """Check a learner's ``conv2d_param_count(in_channels, out_channels, kernel_size)``.

    The expected counts come from real ``torch.nn.Conv2d`` layers; a wrong answer that
    matches a known slip gets that slip's hint.
    """

    def attempt() -> str:
        answers = [
            _as_int(conv2d_param_count(*case), f"conv2d_param_count{case}") for case in _COUNT_CASES
        ]
        expected = [_torch_param_count(*case) for case in _COUNT_CASES]
        if answers == expected:
            return (
                "your counts match PyTorch's nn.Conv2d for 1 to 32 input channels and kernels "
                "of 1, 3 and 5; e.g. Conv2d(32, 64, 3) has "
                f"{expected[1]:,} parameters whatever the image size."
            )
        for formula, hint in _COUNT_SLIPS.values():
            if answers == [formula(*case) for case in _COUNT_CASES]:
                raise Mistake(hint)
        for case, got, want in zip(_COUNT_CASES, answers, expected, strict=True):
            if got != want:
                raise Mistake(
                    f"conv2d_param_count{case} should be {want:,}, got {got:,}; count the "
                    "weights of one filter (in_channels x k x k), times the filters, plus one "
                    "bias per filter"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    return run_check(
        "conv2d_param_count",
        attempt,
        start_hint=(
            "One filter has in_channels * kernel_size * kernel_size weights and one bias; "
            "there are out_channels filters."
        ),
    )


# --------------------------------------------------------------- conv_block_output_shape

#: (in_shape, filters, kernel_size, pad, pool): each catches a different slip
_SHAPE_CASES = [
    ((1, 28, 28), 32, 3, 1, 2),  # the course's CNN, first block: (32, 14, 14)
    ((32, 14, 14), 64, 3, 1, 2),  # second block: (64, 7, 7)
    ((1, 28, 28), 16, 5, 0, 2),  # the fast net: (16, 12, 12)
    ((3, 9, 13), 8, 3, 0, 3),  # non-square, odd sizes: (8, 2, 3)
]


def _shape_slips(in_shape, f, k, pad, pool) -> dict[str, tuple]:
    c, h, w = in_shape
    hc, wc = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    return {
        "no_pool": (f, hc, wc),
        "kept_in_channels": (c, hc // pool, wc // pool),
        "no_plus_one": (f, (hc - 1) // pool, (wc - 1) // pool),
        "pad_once": (f, (h + pad - k + 1) // pool, (w + pad - k + 1) // pool),
        "pool_before_conv_only": (f, h // pool, w // pool),
        "swapped_hw": (f, wc // pool, hc // pool),
    }


_SHAPE_HINTS = {
    "no_pool": "the pooling is missing: a max-pool of size q divides height and width by q",
    "kept_in_channels": (
        "after the convolution there is one map per FILTER: the first number is filters, "
        "not the input channels"
    ),
    "no_plus_one": (
        "the convolution output is one too small: it is H + 2 pad - k + 1 (a k-wide kernel "
        "on a k-wide input fits exactly once)"
    ),
    "pad_once": "padding is added on both sides: use H + 2 * pad - k + 1",
    "pool_before_conv_only": (
        "the convolution's effect on the size is missing: first H + 2 pad - k + 1, "
        "then the pooling divides by q"
    ),
    "swapped_hw": "height and width are swapped: return (F, H', W') in that order",
}


def check_conv_block_output_shape(conv_block_output_shape) -> Feedback:
    """Check a learner's ``conv_block_output_shape(in_shape, filters, kernel_size, pad, pool)``.

    The expected shapes come from running a real PyTorch block on a zero image.
    """

    def attempt() -> str:
        answers = []
        for case in _SHAPE_CASES:
            out = conv_block_output_shape(*case)
            if not isinstance(out, (tuple, list)) or len(out) != 3:
                raise Mistake(f"return a tuple (F, H', W') of three whole numbers, got {out!r}")
            answers.append(tuple(_as_int(v, "each size") for v in out))
        expected = [_torch_block_shape(*case) for case in _SHAPE_CASES]
        if answers == expected:
            return (
                "shapes match PyTorch's Conv2d -> ReLU -> MaxPool2d, with and without padding, "
                "for square and non-square images."
            )
        for slip, hint in _SHAPE_HINTS.items():
            if answers == [_shape_slips(*case)[slip] for case in _SHAPE_CASES]:
                raise Mistake(hint)
        for case, got, want in zip(_SHAPE_CASES, answers, expected, strict=True):
            if got != want:
                raise Mistake(
                    f"conv_block_output_shape{case} should be {want}, got {got}; the "
                    "convolution gives H + 2 pad - k + 1, then the pooling divides by q (//)"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    return run_check(
        "conv_block_output_shape",
        attempt,
        start_hint=(
            "Channels become filters; each side becomes (side + 2 * pad - kernel_size + 1) // pool."
        ),
    )


# ------------------------------------------------------------------------------ ConvNet

#: ConvNet(f1, f2, hidden, kernel_size, pad): the notebook's MNIST network and a smaller,
#: padded one, so sizes written as numbers instead of from the arguments show up
_NET_CONFIGS = [(16, 48, 256, 5, 0), (6, 20, 32, 3, 1)]
_NET_LAYERS = ("conv1", "bn1", "conv2", "bn2", "pool", "fc1", "fc2")


def _sides(kernel_size: int, pad: int) -> tuple[int, int, int, int]:
    """Side of a 28 x 28 image after conv1, pool, conv2, pool."""
    c1 = 28 + 2 * pad - kernel_size + 1
    c2 = c1 // 2 + 2 * pad - kernel_size + 1
    return c1, c1 // 2, c2, c2 // 2


def _describe(config) -> str:
    f1, f2, hidden, k, pad = config
    return f"ConvNet(f1={f1}, f2={f2}, hidden={hidden}, kernel_size={k}, pad={pad})"


def _check_net_layers(model, config) -> None:
    """The layers ``__init__`` must create, with the sizes that fit together."""
    from torch import nn

    f1, f2, hidden, k, pad = config
    if not isinstance(model, nn.Module):
        raise Mistake(
            f"ConvNet(...) built a {type(model).__name__}, not a torch.nn.Module: start the "
            "class with `class ConvNet(nn.Module):` and call super().__init__() first"
        )
    for name in _NET_LAYERS:
        if not isinstance(getattr(model, name, None), nn.Module):
            raise Mistake(
                f"ConvNet has no layer self.{name}: create it in __init__ under exactly this "
                f"name (the rest of the notebook reads model.{name})"
            )
    conv2, fc1 = model.conv2, model.fc1
    if not isinstance(conv2, nn.Conv2d):
        raise Mistake(f"self.conv2 must be an nn.Conv2d, got {type(conv2).__name__}")
    if not isinstance(fc1, nn.Linear):
        raise Mistake(f"self.fc1 must be an nn.Linear, got {type(fc1).__name__}")
    sizes = _describe(config)
    if conv2.in_channels != f1:
        fixed = " (a number written in, not the argument f1?)" if conv2.in_channels == 16 else ""
        grey = " (1 is conv1's: the grey image has one channel)" if conv2.in_channels == 1 else ""
        raise Mistake(
            f"wrong in_channels: conv2 reads the f1 feature maps that block 1 makes, so in "
            f"{sizes} its in_channels must be {f1}, not {conv2.in_channels}{fixed}{grey}"
        )
    if conv2.out_channels != f2:
        raise Mistake(
            f"conv2 must make f2 feature maps: in {sizes} out_channels should be {f2}, "
            f"not {conv2.out_channels}"
        )
    if tuple(conv2.kernel_size) != (k, k) or tuple(conv2.stride) != (1, 1):
        raise Mistake(
            f"conv2 uses the same kernel_size as conv1 and stride 1: in {sizes} it should be "
            f"kernel_size={k}, got kernel_size={tuple(conv2.kernel_size)}, "
            f"stride={tuple(conv2.stride)}"
        )
    if conv2.padding != (pad, pad):
        raise Mistake(
            f"conv2 needs the same padding as conv1 (padding=pad): in {sizes} it has "
            f"padding={conv2.padding}"
        )
    if fc1.out_features != hidden:
        raise Mistake(
            f"fc1 must have hidden outputs: in {sizes} out_features should be {hidden}, "
            f"not {fc1.out_features}"
        )
    c1, s1, c2, s2 = _sides(k, pad)
    want = f2 * s2 * s2
    if fc1.in_features != want:
        got = fc1.in_features
        if got == 768:
            why = (
                "768 is right only for the notebook's MNIST network: compute it from f2, "
                "kernel_size and pad"
            )
        elif got == f2 * 16:
            why = (
                "4 x 4 holds only for 5 x 5 kernels without padding: compute the side from "
                "kernel_size and pad"
            )
        elif got % f2 == 0:
            why = f"that is f2 x {got // f2}, but each map that reaches fc1 has {s2 * s2} numbers"
        else:
            why = "count the numbers in block 2's output for one image"
        raise Mistake(
            f"flatten size wrong: in {sizes} fc1.in_features is {got} but should be "
            f"f2 x {s2} x {s2} = {want} (side 28 -> conv -> {c1} -> pool -> {s1} -> conv -> "
            f"{c2} -> pool -> {s2}); {why}"
        )


def _variant_logits(net, x, *, relu=(True, True, True), bn=(True, True), softmax=False,
                    bn_after_relu=False):  # fmt: skip
    """The reference forward pass with one piece changed, to recognise a slip by its output."""
    import torch

    h = x
    for i, (conv, norm) in enumerate(((net.conv1, net.bn1), (net.conv2, net.bn2))):
        h = conv(h)
        if bn[i] and not bn_after_relu:
            h = norm(h)
        if relu[i]:
            h = torch.relu(h)
        if bn[i] and bn_after_relu:
            h = norm(h)
        h = net.pool(h)
    h = net.fc1(h.flatten(1))
    if relu[2]:
        h = torch.relu(h)
    out = net.fc2(h)
    return torch.softmax(out, dim=1) if softmax else out


_NET_SLIPS = {
    "no_relu_block1": (
        {"relu": (False, True, True)},
        "an activation is missing: block 1 has no ReLU (conv1 -> bn1 -> ReLU -> pool)",
    ),
    "no_relu_block2": (
        {"relu": (True, False, True)},
        "an activation is missing: block 2 has no ReLU (conv2 -> bn2 -> ReLU -> pool)",
    ),
    "no_relu_hidden": (
        {"relu": (True, True, False)},
        "an activation is missing: there is no ReLU between fc1 and fc2, so the two Linear "
        "layers collapse into one linear map",
    ),
    "no_relu": (
        {"relu": (False, False, False)},
        "there is no ReLU anywhere: without activations the whole network is one linear map "
        "(plus pooling); add torch.relu after each batch norm and after fc1",
    ),
    "no_bn1": (
        {"bn": (False, True)},
        "self.bn1 is created but never used: apply it to conv1's output, before the ReLU",
    ),
    "no_bn2": (
        {"bn": (True, False)},
        "self.bn2 is created but never used: apply it to conv2's output, before the ReLU",
    ),
    "bn_after_relu": (
        {"bn_after_relu": True},
        "batch norm comes straight after its convolution, before the ReLU: "
        "conv -> batch norm -> ReLU -> pool",
    ),
    "softmax": (
        {"softmax": True},
        "forward returns probabilities: return the raw scores (logits) of fc2; "
        "F.cross_entropy applies the softmax itself",
    ),
}


def _forward_shapes(model, x):
    """Run ``model(x)``; return (output or None, error or None, input shapes of some layers)."""
    seen: dict[str, tuple[int, ...]] = {}

    def recorder(name):
        def hook(_module, inputs) -> None:  # returns None: the input goes on unchanged
            seen.setdefault(name, tuple(inputs[0].shape))

        return hook

    hooks = [
        getattr(model, name).register_forward_pre_hook(recorder(name)) for name in ("conv2", "fc1")
    ]
    try:
        return model(x), None, seen
    except Exception as error:  # diagnosed from the shapes seen so far
        return None, error, seen
    finally:
        for hook in hooks:
            hook.remove()


def _diagnose_shapes(seen: dict, n: int, config) -> None:
    f1, f2, _, k, pad = config
    c1, s1, c2, s2 = _sides(k, pad)
    conv2_in, fc1_in = seen.get("conv2"), seen.get("fc1")
    if conv2_in is not None and tuple(conv2_in[2:]) == (c1, c1):
        raise Mistake(
            f"pooling missing after block 1: conv2 received maps of shape {conv2_in}, still "
            f"{c1} x {c1}; max-pool block 1's output so conv2 sees ({n}, {f1}, {s1}, {s1})"
        )
    if fc1_in is None:
        return
    if len(fc1_in) == 4:
        raise Mistake(
            f"flatten before Linear: fc1 received a 4-D batch of shape {fc1_in}; an "
            f"nn.Linear wants (N, features), so flatten each image's maps first: "
            f"({n}, {f2 * s2 * s2})"
        )
    if len(fc1_in) == 1:
        raise Mistake(
            f"fc1 received one long vector of shape {fc1_in}: the whole batch was flattened "
            "together. Keep the batch axis: h.flatten(1), or h.reshape(len(h), -1)"
        )
    if len(fc1_in) == 2 and fc1_in[1] == f2 * c2 * c2:
        raise Mistake(
            f"pooling missing after block 2: fc1 received {fc1_in[1]} = f2 x {c2} x {c2} "
            f"numbers per image; max-pool block 2's output to {s2} x {s2} before flattening"
        )


def check_conv_net(ConvNet) -> Feedback:  # noqa: N803 - the learner's class
    """Check a learner's ``ConvNet(f1, f2, hidden, kernel_size, pad)`` against the reference.

    For two networks (the notebook's, and a smaller one with 3 x 3 kernels and padding 1):
    the layers ``__init__`` creates (names, channels, kernel, padding, the flatten size), the
    parameter count, and, with the reference's weights copied in, the shapes inside
    ``forward`` and the logits of a batch of 4 random images. A difference that a known slip
    explains gets that slip's hint.
    """

    def attempt() -> str:
        import torch

        from course_lib.torch_nn.cnn import ConvNet as Reference

        counts = []
        for config in _NET_CONFIGS:
            f1, f2, hidden, k, pad = config
            model = ConvNet(f1=f1, f2=f2, hidden=hidden, kernel_size=k, pad=pad)
            _check_net_layers(model, config)
            torch.manual_seed(0)
            ref = Reference(f1, f2, hidden, k, pad).double()
            n_ref = sum(p.numel() for p in ref.parameters())
            n_model = sum(p.numel() for p in model.parameters())
            if n_model != n_ref:
                raise Mistake(
                    f"{_describe(config)} has {n_model:,} parameters, the reference "
                    f"{n_ref:,}: keep to the layers conv1, bn1, conv2, bn2, pool, fc1, fc2"
                )
            model = model.double()
            model.load_state_dict(ref.state_dict())
            x = torch.rand(
                4, 1, 28, 28, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
            )
            model.train()
            ref.train()
            out, error, seen = _forward_shapes(model, x)
            _diagnose_shapes(seen, len(x), config)
            if error is not None:
                raise error
            if not isinstance(out, torch.Tensor) or tuple(out.shape) != (4, 10):
                shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
                raise Mistake(
                    f"forward must return logits of shape (N, 10); for 4 images it returned {shape}"
                )
            with torch.no_grad():
                want = ref(x)
                if torch.allclose(out, want, rtol=1e-7, atol=1e-9):
                    counts.append(n_model)
                    continue
                for variant, hint in _NET_SLIPS.values():
                    if torch.allclose(
                        out, _variant_logits(ref, x, **variant), rtol=1e-7, atol=1e-9
                    ):
                        raise Mistake(hint)
                gap = float((out - want).abs().max())
            raise Mistake(
                f"with the reference's weights your logits differ by up to {gap:.2g}: each "
                "block is conv -> batch norm -> ReLU -> pool, then flatten -> fc1 -> ReLU -> fc2"
            )
        return (
            f"same layers as the reference and the same {counts[0]:,} parameters (and "
            f"{counts[1]:,} for {_describe(_NET_CONFIGS[1])}); a batch (4, 1, 28, 28) goes "
            "through (4, f1, 12, 12) and (4, f2, 4, 4) to logits (4, 10), equal to the "
            "reference's with the same weights, and the padded network works too."
        )

    return run_check(
        "ConvNet",
        attempt,
        start_hint=(
            "conv2 reads what block 1 produced; fc1 reads block 2's maps, flattened. Follow "
            "one image's side through both blocks, as in exercise 2."
        ),
    )


# ------------------------------------------------------------------------ train_one_epoch


class _Recorder:
    """A tiny model and optimiser that write down what a training loop does with them."""

    def __init__(self, n: int, features: int = 3, classes: int = 3, seed: int = 0):
        import torch
        from torch import nn

        self.events: list[str] = []
        self.batches: list[list[int]] = []  # example numbers of every forward call
        self.logits: list = []  # detached logits of every forward call
        self.no_grad_forward = False
        gen = torch.Generator().manual_seed(seed)
        noise = torch.rand(n, features - 1, generator=gen)
        # column 0 is the example's number, so the model knows which examples it was given
        self.x = torch.cat([torch.arange(n, dtype=torch.float32)[:, None], noise], dim=1)
        self.y = torch.arange(n) % classes
        recorder = self

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(features, classes)

            def forward(self, xb):
                out = self.linear(xb / n)
                recorder.events.append("forward")
                recorder.batches.append(xb[:, 0].round().long().tolist())
                recorder.logits.append(out.detach().clone())
                if out.requires_grad:
                    out.register_hook(lambda grad: recorder.events.append("backward"))
                else:
                    recorder.no_grad_forward = True
                return out

            def zero_grad(self, set_to_none: bool = True):
                recorder.events.append("zero_grad")
                super().zero_grad(set_to_none)

        class Optimizer(torch.optim.SGD):
            def zero_grad(self, set_to_none: bool = True):
                recorder.events.append("zero_grad")
                super().zero_grad(set_to_none)

            def step(self, closure=None):
                recorder.events.append("step")
                return super().step(closure)

        torch.manual_seed(seed)
        self.model = Model()
        self.optimizer = Optimizer(self.model.parameters(), lr=0.1)


def _check_step_order(events: list[str]) -> None:
    """zero_grad, backward and step in an order that uses each batch's own gradient."""
    if "step" not in events:
        raise Mistake(
            "optimizer.step() is never called, so the weights never change: call it after "
            "loss.backward() in every step"
        )
    if "backward" not in events:
        raise Mistake(
            "loss.backward() is never called, so no gradient reaches the weights and step() "
            "has nothing to use: call it after computing the loss"
        )
    if "zero_grad" not in events:
        raise Mistake(
            "the gradients are never cleared: PyTorch ADDS each backward() into .grad, so "
            "every step would use the sum of all previous batches' gradients. Call "
            "optimizer.zero_grad() in every step, before loss.backward()"
        )
    last = None  # the latest of zero_grad / backward / step
    for position, event in enumerate(events):
        if event == "forward":
            continue
        if event == "step" and last != "backward":
            if last == "zero_grad" and "backward" in events[:position]:
                raise Mistake(
                    "optimizer.zero_grad() runs between loss.backward() and optimizer.step(), "
                    "so step() finds the gradients already erased: clear them before backward()"
                )
            raise Mistake(
                "optimizer.step() comes before loss.backward(): it moves the weights with an "
                "old (or no) gradient. The order is loss, zero_grad, backward, step"
            )
        if event == "backward" and last == "step":
            raise Mistake(
                "optimizer.zero_grad() runs only once, outside the loop: each backward() then "
                "adds to the previous batches' gradients. Clear them in every step"
            )
        if event == "backward" and last == "backward":
            raise Mistake("loss.backward() runs twice for one batch: once per step is enough")
        last = event


def check_train_one_epoch(train_one_epoch) -> Feedback:
    """Check a learner's ``train_one_epoch(model, x, y, optimizer, batch_size)``.

    Two epochs on 10 recorded examples with batches of 4: every example exactly once per
    epoch, in a new random order each epoch, batches of at most 4 (the last one smaller);
    per batch one forward, a cleared gradient, one backward and one step, in that order;
    and the returned list holds each batch's mean cross-entropy as a float.
    """

    def attempt() -> str:
        import torch
        import torch.nn.functional as F

        n, batch_size = 10, 4
        rec = _Recorder(n)
        torch.manual_seed(0)
        orders = []
        for _ in range(2):
            first_batch = len(rec.batches)
            losses = train_one_epoch(rec.model, rec.x, rec.y, rec.optimizer, batch_size)
            batches = rec.batches[first_batch:]
            if not batches:
                raise Mistake("the model was never called: run model(x[idx]) on each batch")
            if rec.no_grad_forward:
                raise Mistake(
                    "the forward pass ran under torch.no_grad(), so there is nothing to "
                    "backpropagate: training needs the graph"
                )
            _check_coverage(batches, n, batch_size)
            orders.append([i for b in batches for i in b])
            _check_losses(losses, batches, rec, F)
        _check_step_order(rec.events)
        if orders[0] == list(range(n)):
            raise Mistake(
                "the batches come in the data's own order (0, 1, 2, ...): shuffle with a new "
                "torch.randperm(len(x)) at the start of every epoch"
            )
        if orders[0] == orders[1]:
            raise Mistake(
                "both epochs used the same order: draw a new permutation every epoch (do not "
                "reset the seed inside the function)"
            )
        return (
            "every example once per epoch, in a new order each epoch, batches of 4, 4 and 2; "
            "each step clears the gradients, backpropagates the batch's mean cross-entropy "
            "and steps, and you return one float loss per step."
        )

    return run_check(
        "train_one_epoch",
        attempt,
        start_hint=(
            "Shuffle the example numbers once, then walk through them batch_size at a time; "
            "each step is the four moves of notebook 05's PyTorch loop, plus clearing .grad."
        ),
    )


def _check_coverage(batches: list[list[int]], n: int, batch_size: int) -> None:
    sizes = [len(b) for b in batches]
    if max(sizes) > batch_size:
        raise Mistake(
            f"a batch held {max(sizes)} examples but batch_size is {batch_size}: slice "
            f"the shuffled order batch_size at a time"
        )
    seen = [i for b in batches for i in b]
    if sorted(seen) == list(range(n)):
        return
    if len(set(seen)) == len(seen):
        missing = n - len(seen)
        raise Mistake(
            f"your loop saw {len(seen)} of the {n} examples: the last, smaller batch of "
            f"{missing} is missing. range(0, len(x), batch_size) also visits the remainder"
        )
    raise Mistake(
        "some examples were used twice in one epoch and others not at all: take every batch "
        "as a slice of ONE permutation of 0..N-1 (sampling with replacement repeats examples)"
    )


def _check_losses(losses, batches, rec, F) -> None:  # noqa: N803 - torch.nn.functional
    import torch

    if not isinstance(losses, (list, tuple)) or len(losses) != len(batches):
        got = len(losses) if isinstance(losses, (list, tuple)) else type(losses).__name__
        raise Mistake(
            f"return a list with one loss per step: {len(batches)} batches ran, got {got}"
        )
    if any(isinstance(v, torch.Tensor) and v.requires_grad for v in losses):
        raise Mistake(
            "the list holds loss tensors that still carry their computation graph: append "
            "loss.item(), a plain float, so each step's graph can be freed"
        )
    got = torch.tensor([float(v) for v in losses], dtype=torch.float64)
    logits = rec.logits[-len(batches) :]
    offsets = [sum(len(b) for b in batches[:i]) for i in range(len(batches))]

    def per_batch(fn):
        values = [float(fn(z, b, o)) for z, b, o in zip(logits, batches, offsets, strict=True)]
        return torch.tensor(values, dtype=torch.float64)

    def close(expected) -> bool:
        return bool(torch.allclose(got, expected, rtol=1e-4, atol=1e-6))

    if close(per_batch(lambda z, b, o: F.cross_entropy(z, rec.y[b]))):
        return
    if close(per_batch(lambda z, b, o: F.cross_entropy(z, rec.y[o : o + len(b)]))):
        raise Mistake(
            "the labels do not belong to their images: x was shuffled but y was taken in its "
            "original order. Index both with the same idx: x[idx] and y[idx]"
        )
    if close(per_batch(lambda z, b, o: F.cross_entropy(z, rec.y[b], reduction="sum"))):
        raise Mistake(
            "the loss is summed over the batch: use the mean (F.cross_entropy's default), so "
            "the step size does not grow with the batch size"
        )
    if close(per_batch(lambda z, b, o: F.cross_entropy(torch.softmax(z, 1), rec.y[b]))):
        raise Mistake(
            "softmax applied before F.cross_entropy: it takes the raw logits and applies "
            "the softmax itself"
        )
    raise Mistake(
        "the returned losses are not each batch's cross-entropy: use "
        "F.cross_entropy(model(x[idx]), y[idx]) and append loss.item()"
    )
