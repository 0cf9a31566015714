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

On a CPU tricks 4-7 do not help (or are unavailable), so :meth:`FastRecipe.for_device` turns
them off there; the CPU record relies on 1-3 and a small network.

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
    "fast_cnn",
    "peak_flops",
    "train_once",
    "training_flops",
    "warm_up",
]


@dataclass(frozen=True)
class FastRecipe:
    """The arguments of one fast training run (everything :func:`fit` needs but the data)."""

    channels: tuple[int, int] = (16, 48)  # filters of the two conv blocks
    hidden: int = 256  # units of the hidden fully connected layer
    epochs: int = 1  # passes over the 60 000 training images
    batch_size: int = 128  # images per optimisation step
    lr: float = 1e-2  # peak learning rate of the one-cycle schedule (Adam)
    optimizer: str = "adam"  # any name train.OPTIMIZERS knows
    schedule: str | None = "onecycle"  # warm up, then anneal
    drop_last: bool = False  # equal-sized batches (needed for compiled code / CUDA graphs)
    channels_last: bool = False  # (N, H, W, C) memory layout for tensor-core convolutions
    autocast: str | None = None  # "bf16": mixed precision (CUDA)
    compile: bool | str = False  # torch.compile the model (True or a mode name)
    fused: bool = False  # fused optimiser kernel (CUDA)

    @classmethod
    def for_device(cls, device) -> FastRecipe:
        """The recipe the course uses on this kind of device.

        CUDA: wider net, batches of 512 for 2 epochs, channels-last, bf16, compiled, fused
        Adam. CPU (and Apple MPS): a small net, batches of 128, one epoch, plain float32: the
        GPU-only tricks are switched off because a CPU gains nothing from them.
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
        return cls()

    def fit_kwargs(self) -> dict:
        """The keyword arguments this recipe passes to :func:`fit`."""
        out = asdict(self)
        del out["channels"], out["hidden"]
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
    return ConvNet(f1, f2, recipe.hidden)


@dataclass(frozen=True)
class RunResult:
    """One timed training run."""

    seed: int  # seed of the weights and the batch order
    train_s: float  # training time (validation and data transfer excluded)
    test_acc: float  # accuracy on the 10 000 test images
    history: History  # everything fit recorded


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
    set. ``recipe=None`` uses :meth:`FastRecipe.for_device`. Returns a :class:`RunResult`
    whose ``train_s`` is the time of the training epochs only (the one-off copy of the data
    to the device and the test evaluation are not counted).
    """
    device = _resolve_device(device)
    recipe = FastRecipe.for_device(device) if recipe is None else recipe
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
    acc = evaluate(model, _images(x_test), y_test, device=device)["accuracy"]
    return RunResult(seed=seed, train_s=history.train_seconds, test_acc=acc, history=history)


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
