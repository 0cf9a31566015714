"""How fast can it go? The course's training loop with every speed-up switched on.

The course's record: train a CNN to >= 99.0% MNIST test accuracy as fast as possible. Nothing
here is a second training loop: a :class:`FastRecipe` is a set of arguments for
:func:`course_lib.torch_nn.train.fit`, and :func:`train_once` calls ``fit`` with them. The
tricks, from the one that matters most to the ones that polish (each explained in
``10_how_fast_can_it_go``):

1. **Keep the data on the device.** ``fit`` moves the 60 000 images to the GPU once and
   slices batches there, so no step waits for a host-to-device copy.
2. **Larger batches with a one-cycle schedule.** A GPU is only busy when a step has enough
   work; 512 images per step instead of 64 means 8x fewer steps. The learning rate warms up
   and then anneals, which keeps large steps stable so one or two epochs suffice.
3. **Batch normalisation** after each convolution lets the network take those large steps.
4. **channels-last** memory layout, the one tensor cores' convolution kernels read fastest.
5. **bf16 autocast**: products in bfloat16 run several times faster on tensor cores.
6. **torch.compile** fuses the many small element-wise operations into a few kernels
   (``"reduce-overhead"`` would also replay the forward pass as a CUDA graph).
7. **Fused optimisers** update every parameter in one kernel launch.

On a CPU tricks 5-7 do not help (or are unavailable), so :meth:`FastRecipe.for_device` turns
them off there. The CPU record relies on 1-4 and a *small* network, because a CPU step's time
goes mostly into memory traffic, not arithmetic. Profiled on 2 shared cores (one thread,
batches of 128, ``ConvNet(8, 16, 128)``): batch norm, ReLU and max-pooling of conv1's
``(B, 8, 24, 24)`` maps, forward and backward, took about 45% of a step, the two
convolutions' backward passes 20%, their forward passes 11%, Adam under 10%. So the number of
first-layer maps (``f1``) matters more than any other width, and channels-last storage (the
layout oneDNN's CPU convolutions use internally, so no reordering at every call) saved about
a quarter of the step time. Test-time augmentation (:func:`evaluate_shifted`, the averaged
predictions of shifted copies) is available as ``FastRecipe(test_shifts=1)``; it costs
evaluation time, never training time.

Shape letters: N examples, B batch size, K classes.
The network is the ``ConvNet`` the learner builds in ``08_convolutional_networks``.
Introduced in ``10_how_fast_can_it_go``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from course_lib.torch_nn.train import History, _resolve_device, evaluate, fit

__all__ = [
    "FastRecipe",
    "RunResult",
    "evaluate_shifted",
    "fast_cnn",
    "peak_flops",
    "train_once",
    "training_flops",
    "warm_up",
]


#: Recipe fields that build the network, pick the data or evaluate, rather than go to ``fit``.
_NOT_FIT = ("channels", "hidden", "kernel_size", "pad", "train_images", "test_shifts")


@dataclass(frozen=True)
class FastRecipe:
    """The arguments of one fast training run (everything :func:`fit` needs but the data)."""

    channels: tuple[int, int] = (16, 48)  # filters of the two conv blocks
    hidden: int = 256  # units of the hidden fully connected layer
    kernel_size: int = 5  # side of every convolution kernel (ConvNet's kernel_size)
    pad: int = 0  # zero padding of every convolution (ConvNet's pad)
    train_images: int | None = None  # train on a seeded random subset of this size (None: all)
    test_shifts: int = 0  # > 0: test-time augmentation with copies shifted by this many pixels
    epochs: int = 1  # passes over the 60 000 training images
    batch_size: int = 128  # images per optimisation step
    lr: float = 1e-2  # peak learning rate of the one-cycle schedule (Adam)
    optimizer: str = "adam"  # any name train.OPTIMIZERS knows
    schedule: str | None = "onecycle"  # warm up, then anneal
    drop_last: bool = False  # equal-sized batches (needed for compiled code / CUDA graphs)
    channels_last: bool = False  # (N, H, W, C) memory layout (tensor cores; oneDNN on a CPU)
    autocast: str | None = None  # "bf16": mixed precision (CUDA)
    compile: bool | str = False  # torch.compile the model (True or a mode name)
    fused: bool = False  # fused optimiser kernel (CUDA)

    @classmethod
    def for_device(cls, device) -> FastRecipe:
        """The recipe the course uses on this kind of device.

        CUDA: wider net, batches of 512 for 2 epochs, channels-last, bf16, compiled, fused
        Adam. CPU (and Apple MPS): ``ConvNet(8, 16, 256)`` (5 x 5 kernels), one epoch in
        batches of 128, Adam with a one-cycle peak of 0.02, channels-last, plain float32, and
        a test accuracy that averages the predictions of five copies of each test image (as
        it is, and moved one pixel up, down, left and right; evaluation time, not training
        time). The other GPU tricks are off because a CPU gains nothing from them.

        Measured on 2 busy cores, seeds 0-4 (a run is reproducible for a given thread count;
        one and two threads give slightly different weights): with two threads the test
        accuracy was 99.03-99.19%, mean 99.09% (without the shifted copies 98.91-99.08%,
        mean 99.00%); with one thread 98.95-99.10%, mean 99.02%. One thread used 9-12 s of
        CPU time per run, where the former ``ConvNet(16, 48, 256)`` recipe used 31-34 s.
        Time a run with ``benchmarks/gpu_time_to_99.py``.
        """
        device = _resolve_device(device)
        if device.type == "cuda":
            return cls(
                channels=(32, 64),
                hidden=256,
                epochs=2,
                batch_size=512,
                lr=1.5e-2,
                drop_last=True,
                channels_last=True,
                autocast="bf16",
                compile=True,
                fused=True,
            )
        return cls(
            channels=(8, 16),
            hidden=256,
            epochs=1,
            batch_size=128,
            lr=2e-2,
            channels_last=True,
            test_shifts=1,
        )

    def fit_kwargs(self) -> dict:
        """The keyword arguments this recipe passes to :func:`fit`."""
        out = asdict(self)
        for name in _NOT_FIT:
            del out[name]
        return out


def fast_cnn(recipe: FastRecipe | None = None, *, seed: int = 0):
    """The record network: the :class:`~course_lib.torch_nn.cnn.ConvNet` of ``08``.

    ``x (N, 1, 28, 28) -> conv 5x5 (F1) -> BN -> ReLU -> max-pool 2 -> (N, F1, 12, 12)``
    ``-> conv 5x5 (F2) -> BN -> ReLU -> max-pool 2 -> (N, F2, 4, 4) -> flatten``
    ``-> linear (hidden) -> ReLU -> linear -> (N, 10) logits``, with F1, F2 =
    ``recipe.channels`` and ``recipe.hidden`` units. ``seed`` fixes the initial weights.
    """
    import torch

    from course_lib.torch_nn.cnn import ConvNet

    recipe = FastRecipe() if recipe is None else recipe
    f1, f2 = recipe.channels
    torch.manual_seed(seed)
    return ConvNet(f1, f2, recipe.hidden, recipe.kernel_size, recipe.pad)


@dataclass(frozen=True)
class RunResult:
    """One timed training run."""

    seed: int  # seed of the weights and the batch order
    train_s: float  # training time (validation and data transfer excluded)
    test_acc: float  # accuracy on the 10 000 test images
    history: History  # everything fit recorded
    eval_s: float = 0.0  # time of the test evaluation (with its shifted copies, if any)


def _images(x):
    """(N, 28, 28) -> (N, 1, 28, 28): convolutions want a channel axis."""
    x = np.asarray(x) if not hasattr(x, "dim") else x
    return x[:, None] if x.ndim == 3 else x


def train_once(
    x_train,
    y_train,
    x_test,
    y_test,
    *,
    recipe=None,
    device=None,
    seed=0,
    progress=False,
    callback=None,
) -> RunResult:
    """Build :func:`fast_cnn`, train it with ``recipe`` through :func:`fit`, test it.

    ``x_train`` ``(N, 28, 28)`` uint8 images, ``y_train`` ``(N,)``; the same for the test
    set. ``recipe=None`` uses :meth:`FastRecipe.for_device`. With ``recipe.train_images``
    the run trains on that many images drawn at random (by ``seed``) from the training set,
    a fraction of an epoch. Returns a :class:`RunResult` whose ``train_s`` is the time of
    the training epochs only (the one-off copy of the data to the device and the test
    evaluation are not counted); ``eval_s`` is the time of the test evaluation, with the
    shifted copies of :func:`evaluate_shifted` when ``recipe.test_shifts`` asks for them.
    """
    device = _resolve_device(device)
    recipe = FastRecipe.for_device(device) if recipe is None else recipe
    x_train, y_train = _subset(x_train, y_train, recipe.train_images, seed)
    model = fast_cnn(recipe, seed=seed)
    history = fit(
        model,
        _images(x_train),
        y_train,
        device=device,
        seed=seed,
        progress=progress,
        callback=callback,
        **recipe.fit_kwargs(),
    )
    started = time.perf_counter()
    if recipe.test_shifts:
        acc = evaluate_shifted(model, x_test, y_test, shift=recipe.test_shifts, device=device)
    else:
        acc = evaluate(model, _images(x_test), y_test, device=device)["accuracy"]
    eval_s = time.perf_counter() - started
    return RunResult(
        seed=seed, train_s=history.train_seconds, test_acc=acc, history=history, eval_s=eval_s
    )


def _subset(x, y, n: int | None, seed: int):
    """``n`` examples drawn without replacement (seeded), or all of them when ``n`` is None."""
    if n is None:
        return x, y
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"recipe.train_images must be None or an int >= 1, got {n!r}")
    if n >= len(y):
        return x, y
    idx = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    return x[idx], y[idx]


def _shift(x, dy: int, dx: int):
    """Images ``(N, C, H, W)`` moved ``dy`` pixels down and ``dx`` right; the gap is zeros."""
    import torch.nn.functional as F

    s = max(abs(dy), abs(dx))
    h, w = x.shape[-2:]
    padded = F.pad(x, (s, s, s, s))
    return padded[..., s - dy : s - dy + h, s - dx : s - dx + w]


def evaluate_shifted(model, x, y, *, shift: int = 1, device=None, batch_size: int = 2000):
    """Test accuracy with test-time augmentation: the mean prediction of five copies.

    Each image ``x`` ``(N, 28, 28)`` (or ``(N, 1, 28, 28)``; uint8 pixels or floats in
    [0, 1]) is classified as it is and moved ``shift`` pixels up, down, left and right (the
    uncovered border is black); the five softmax outputs are averaged, and the class with
    the largest mean is the prediction. A digit written a little off-centre then still
    meets a copy the network recognises. It costs five forward passes per test image, which
    is evaluation time, not training time. Returns the accuracy as a float.
    """
    import torch

    from course_lib.torch_nn.train import as_device_tensors

    if isinstance(shift, bool) or not isinstance(shift, int) or not 1 <= shift <= 4:
        raise ValueError(f"shift must be an int from 1 to 4 pixels, got {shift!r}")
    device = next(model.parameters()).device if device is None else _resolve_device(device)
    model.to(device)
    xt, yt = as_device_tensors(_images(x), y, device=device)
    offsets = [(0, 0), (shift, 0), (-shift, 0), (0, shift), (0, -shift)]
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, xt.shape[0], batch_size):
            xb = xt[start : start + batch_size]
            probs = sum(torch.softmax(model(_shift(xb, dy, dx)).float(), dim=1)
                        for dy, dx in offsets)  # fmt: skip
            correct += int((probs.argmax(dim=1) == yt[start : start + batch_size]).sum())
    return correct / xt.shape[0]


def warm_up(x_train, y_train, *, recipe=None, device=None, n: int = 4096) -> float:
    """Pay the one-off costs before timing; return the seconds they took.

    The first steps on a device are slow for reasons that have nothing to do with training:
    CUDA context creation, cuDNN choosing its convolution algorithms, ``torch.compile``
    generating kernels. This runs one short epoch of the recipe on ``n`` images with a
    throw-away model so those costs are measured here, separately, and not hidden.
    """
    from dataclasses import replace

    device = _resolve_device(device)
    recipe = FastRecipe.for_device(device) if recipe is None else recipe
    n = min(n, len(y_train))
    started = time.perf_counter()
    fit(
        fast_cnn(recipe, seed=12345),
        _images(x_train[:n]),
        y_train[:n],
        device=device,
        progress=False,
        **replace(recipe, epochs=1).fit_kwargs(),
    )
    return time.perf_counter() - started


def training_flops(recipe: FastRecipe, n_train: int = 60000) -> float:
    """Floating-point operations of a whole training run (forward + backward), counted.

    PyTorch's ``FlopCounterMode`` counts one training step of :func:`fast_cnn` on a batch of
    ``recipe.batch_size`` images; the total scales that to ``epochs * n_train`` images.
    (Only matrix products and convolutions are counted: they are nearly all the work.)
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    model = fast_cnn(recipe)
    x = torch.zeros(recipe.batch_size, 1, 28, 28)
    y = torch.zeros(recipe.batch_size, dtype=torch.int64)
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    per_image = counter.get_total_flops() / recipe.batch_size
    return per_image * n_train * recipe.epochs


#: Dense peak arithmetic rates (FLOP/s) from NVIDIA's data sheets: (bf16, tf32/fp32).
_PEAKS = {
    "H200": (989e12, 67e12),
    "H100 SXM": (989e12, 67e12),
    "H100 80GB HBM3": (989e12, 67e12),  # the SXM board's name in torch.cuda
    "H100 PCIe": (756e12, 51e12),
    "H100 NVL": (835e12, 60e12),
    "A100": (312e12, 19.5e12),
}


def peak_flops(device_name: str, bf16: bool) -> float | None:
    """The data-sheet peak FLOP/s of a known GPU (``None`` when the name is not known).

    ``bf16=True`` gives the dense bfloat16 tensor-core rate, otherwise the float32 rate.
    """
    for key, (p_bf16, p_fp32) in _PEAKS.items():
        if key.lower() in device_name.lower():
            return p_bf16 if bf16 else p_fp32
    return None
