"""Reading one drawn digit with two trained networks: the prediction path of the drawing pad.

:func:`read_digit` takes one preprocessed ``(28, 28)`` image (grey levels in ``[0, 1]``, as
:func:`course_lib.data.preprocess.mnist_preprocess` makes them) and returns a
:class:`Reading`: the ten class probabilities of a feed-forward network (which gets the image
flattened to 784 numbers), those of a CNN (which gets it as a ``(1, 1, 28, 28)`` picture), and
the CNN's first-layer feature maps. Both networks run in evaluation mode without gradients,
on whatever device their weights are on.

Introduced in ``09_your_own_handwriting``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

__all__ = ["Reading", "first_layer_maps", "probabilities", "read_digit"]


@dataclass(frozen=True)
class Reading:
    """What the two networks make of one digit."""

    ffn: np.ndarray  # (10,) probabilities from the feed-forward network
    cnn: np.ndarray  # (10,) probabilities from the CNN
    maps: np.ndarray  # (F, H', W') the CNN's first-layer feature maps (after ReLU)

    @property
    def ffn_digit(self) -> int:
        return int(self.ffn.argmax())

    @property
    def cnn_digit(self) -> int:
        return int(self.cnn.argmax())


def _check_digit(image) -> np.ndarray:
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(
            f"image must be a (28, 28) array of grey levels, got {type(image).__name__}"
        )
    arr = np.asarray(image)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"image must hold grey levels (numbers), got dtype {arr.dtype}")
    if arr.shape != (28, 28):
        raise ValueError(
            f"image must be one (28, 28) digit, got shape {arr.shape}; preprocess the strokes "
            "with mnist_preprocess(strokes).image"
        )
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if arr.dtype.kind in "iu":
        # 0..255 or 0..1? An int16 or int64 image could be either: say which to use.
        raise TypeError(
            f"image has dtype {arr.dtype}; give uint8 pixels 0..255 (image.astype(np.uint8)) "
            "or float grey levels in [0, 1] (image / 255)"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("image holds NaN or infinity; a grey image holds levels in [0, 1]")
    low, high = float(arr.min()), float(arr.max())
    if low < -1e-6 or high > 1 + 1e-6:
        # The networks were trained on [0, 1]; a 0..255 float image would be misread.
        raise ValueError(
            f"image grey levels must lie in [0, 1], got {low:.3g} .. {high:.3g}; divide "
            "0..255 pixels by 255 (or pass them as uint8)"
        )
    return arr.astype(np.float32)


def _check_net(model, name: str) -> None:
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{name} must be a trained torch.nn.Module, got {type(model).__name__}")


@contextmanager
def _one_thread():
    """Run PyTorch on one CPU thread for the duration (then restore the setting).

    One 28 x 28 image is far too little work to share between threads: on a busy machine
    the threads wait for each other, and a forward pass that takes 5 ms on one thread can
    take a hundred times longer on two.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _device_of(model):
    import torch

    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def probabilities(model, image, *, flatten: bool) -> np.ndarray:
    """The ten class probabilities ``(10,)`` of ``model`` for one ``(28, 28)`` image.

    ``flatten=True`` feeds the image as ``(1, 784)`` (a feed-forward network), otherwise as
    ``(1, 1, 28, 28)`` (a CNN). ``uint8`` pixels are divided by 255.
    Introduced in ``09_your_own_handwriting``.
    """
    import torch

    _check_net(model, "model")
    if not isinstance(flatten, bool):  # "no" would be truthy
        raise TypeError(
            f"flatten must be True (a feed-forward net) or False (a CNN), got {flatten!r}"
        )
    x = torch.as_tensor(_check_digit(image), device=_device_of(model))
    x = x.reshape(1, 784) if flatten else x.reshape(1, 1, 28, 28)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), _one_thread():
            try:
                scores = model(x)
            except RuntimeError as error:  # a shape mismatch inside the network
                shape = "(1, 784)" if flatten else "(1, 1, 28, 28)"
                raise ValueError(
                    f"model cannot read the image as {shape} (flatten={flatten}): "
                    f"{str(error).splitlines()[0]}. A feed-forward net takes flatten=True, "
                    "a CNN flatten=False; were the two networks swapped?"
                ) from None
            if scores.shape != (1, 10):
                raise ValueError(
                    f"model must give 10 class scores per image, gave shape {tuple(scores.shape)}"
                )
            return torch.softmax(scores.float(), dim=1)[0].cpu().numpy()
    finally:
        model.train(was_training)


def first_layer_maps(cnn, image) -> np.ndarray:
    """The CNN's first block (convolution, batch norm if any, ReLU) on one image: ``(F, H', W')``.

    Works for :class:`course_lib.torch_nn.cnn.CNN` (its ``feature_maps``), for 08's
    :class:`course_lib.torch_nn.cnn.ConvNet` (which :func:`course_lib.torch_nn.fast.fast_cnn`
    builds: conv1, bn1, ReLU) and for an ``nn.Sequential`` (its layers up to the first ReLU).
    Introduced in ``09_your_own_handwriting``.
    """
    import torch

    img = _check_digit(image)
    _check_net(cnn, "cnn")
    if hasattr(cnn, "feature_maps"):
        with _one_thread():
            return cnn.feature_maps(img[None, None], layer=1)[0]
    if hasattr(cnn, "conv1") and hasattr(cnn, "bn1"):  # 08's ConvNet (fast_cnn builds one)
        first_block = torch.nn.Sequential(cnn.conv1, cnn.bn1, torch.nn.ReLU())
        return first_layer_maps(first_block, img)
    if not isinstance(cnn, torch.nn.Sequential):
        raise TypeError(
            "cnn must be a course_lib CNN, 08's ConvNet or an nn.Sequential that starts with a "
            f"convolution, got {type(cnn).__name__}"
        )
    upto = next((i for i, m in enumerate(cnn) if isinstance(m, torch.nn.ReLU)), None)
    if upto is None:
        raise ValueError("cnn has no ReLU layer, so it has no first block to show")
    x = torch.as_tensor(img, device=_device_of(cnn)).reshape(1, 1, 28, 28)
    was_training = cnn.training
    cnn.eval()
    try:
        with torch.no_grad(), _one_thread():
            return cnn[: upto + 1](x)[0].float().cpu().numpy()
    finally:
        cnn.train(was_training)


def read_digit(image, ffn, cnn) -> Reading:
    """Both networks' probabilities and the CNN's first-layer maps for one ``(28, 28)`` image.

    ``ffn`` takes flattened ``(N, 784)`` images, ``cnn`` takes ``(N, 1, 28, 28)``.
    Introduced in ``09_your_own_handwriting``.
    """
    _check_net(ffn, "ffn")
    _check_net(cnn, "cnn")
    return Reading(
        ffn=probabilities(ffn, image, flatten=True),
        cnn=probabilities(cnn, image, flatten=False),
        maps=first_layer_maps(cnn, image),
    )
