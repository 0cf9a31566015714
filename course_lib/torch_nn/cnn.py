"""The convolutional networks of notebook 08, in PyTorch.

* :class:`ConvNet`: the network the learner writes in ``08`` (the reference its check
  compares with, and what :func:`course_lib.torch_nn.fast.fast_cnn` builds);
* :class:`CNN`: a configurable CNN with a NumPy twin.

:class:`CNN` has the same layers and names as the NumPy :class:`course_lib.numpy_nn.cnn.CNN`::

    x (N, C, S, S)
      -> conv1 (k x k, pad k//2) [-> bn1] -> ReLU -> maxpool 2x2   (N, F1, S/2, S/2)
      -> conv2 (k x k, pad k//2) [-> bn2] -> ReLU -> maxpool 2x2   (N, F2, S/4, S/4)
      -> flatten -> fc1 -> ReLU -> fc2 (fc1 alone when hidden=None)  (N, K) logits

``batch_norm=True`` adds batch normalisation after each convolution: faster, steadier
training, but no NumPy twin. Measured on 2 busy CPU cores (one thread, batch 128, Adam,
``course_lib.torch_nn.train.fit``), the default 32/64 filters and 128 hidden units reach:

* ``CNN(batch_norm=True)``, ``schedule="onecycle"``, ``lr=3e-3``: MNIST 99.16% after 2
  epochs, Fashion-MNIST 92.1% after 3 (about 1-2 minutes per epoch);
* ``CNN()``, constant ``lr=1e-3``: MNIST 98.2% after 2 epochs, Fashion-MNIST 89.6% after 3.

:meth:`CNN.numpy_params` and :meth:`CNN.load_numpy_params` convert weights to and from the
NumPy layout (``"conv1.w"``, ``"fc1.w"`` with shape ``(D, M)``, ...), so the NumPy forward
pass can run on trained weights and give the same logits.

Introduced in ``08_convolutional_networks``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.numpy_nn.cnn import CNN as NumpyCNN
from course_lib.numpy_nn.cnn import CNNConfig
from course_lib.torch_nn._checks import (
    as_finite_array,
    check_bool,
    check_finite,
    check_matches_weights,
)
from course_lib.torch_nn.mlp import MAX_PARAMETERS

__all__ = ["CNN", "ConvNet"]


class ConvNet(nn.Module):
    """Two conv blocks and a classifier for 28 x 28 grey images.

    ``x (N, 1, 28, 28)`` float pixels in [0, 1] ``-> (N, 10)`` logits. With the defaults
    (5 x 5 kernels, no padding; about 220k parameters)::

        conv1 5x5 (f1) -> bn1 -> ReLU -> pool 2x2    (N, f1, 24, 24) -> (N, f1, 12, 12)
        conv2 5x5 (f2) -> bn2 -> ReLU -> pool 2x2    (N, f2, 8, 8)   -> (N, f2, 4, 4)
        flatten                                      (N, 16 f2)
        fc1 -> ReLU -> fc2                           (N, hidden) -> (N, 10)

    In general each block turns a side ``S`` into ``(S + 2 pad - kernel_size + 1) // 2``, and
    ``fc1`` reads ``f2 * S2 * S2`` numbers, ``S2`` being the side after block 2. Without
    padding the maps shrink (the border of an MNIST digit is empty anyway, and smaller maps
    mean less arithmetic); ``kernel_size=3, pad=1`` keeps every map the size of its input
    until the pooling, for images whose borders matter. Batch normalisation after each
    convolution makes a large learning rate safe. The layers are created in the order above,
    so ``torch.manual_seed(s)`` followed by ``ConvNet(...)`` always gives the same weights.

    ``forward`` refuses what is not a float tensor of shape ``(N, 1, 28, 28)``, and images
    holding NaN or an infinity; :func:`course_lib.torch_nn.train.fit` checks its whole data set
    once and switches the per-call NaN/inf check off while it trains (``check_inputs``).

    Introduced in ``08_convolutional_networks``.
    """

    #: Refuse NaN/inf in ``forward``'s input; ``fit`` turns it off while it trains.
    check_inputs: bool = True

    def __init__(
        self,
        f1: int = 16,
        f2: int = 48,
        hidden: int = 256,
        kernel_size: int = 5,
        pad: int = 0,
    ):
        super().__init__()
        for name, value, low in (
            ("f1", f1, 1),
            ("f2", f2, 1),
            ("hidden", hidden, 1),
            ("kernel_size", kernel_size, 1),
            ("pad", pad, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
        side = 28
        for _ in range(2):
            side = (side + 2 * pad - kernel_size + 1) // 2  # a convolution, then a 2x2 pool
        if side < 1:
            raise ValueError(
                f"kernel_size={kernel_size} with pad={pad} shrinks a 28 x 28 image to nothing "
                "after two blocks; use a smaller kernel or more padding"
            )
        self.conv1 = nn.Conv2d(1, f1, kernel_size, padding=pad)  # (N, f1, S1, S1)
        self.bn1 = nn.BatchNorm2d(f1)
        self.conv2 = nn.Conv2d(f1, f2, kernel_size, padding=pad)  # (N, f2, S2, S2)
        self.bn2 = nn.BatchNorm2d(f2)
        self.pool = nn.MaxPool2d(2)  # halves height and width
        self.fc1 = nn.Linear(f2 * side * side, hidden)  # (N, hidden)
        self.fc2 = nn.Linear(hidden, 10)  # (N, 10)

    def forward(self, x):
        """Logits ``(N, 10)`` for float images ``(N, 1, 28, 28)``."""
        self._check_images(x)
        h = self.pool(torch.relu(self.bn1(self.conv1(x))))  # (N, f1, 12, 12) by default
        h = self.pool(torch.relu(self.bn2(self.conv2(h))))  # (N, f2, 4, 4) by default
        h = h.flatten(1)  # (N, f2 * S2 * S2)
        h = torch.relu(self.fc1(h))  # (N, hidden)
        return self.fc2(h)  # (N, 10)

    def _check_images(self, x) -> None:
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor of images, got {type(x).__name__}; use "
                "torch.as_tensor(x, dtype=torch.float32) / 255 for uint8 pixels"
            )
        if not x.is_floating_point():
            raise TypeError(
                f"x must hold floating-point pixels, got dtype {x.dtype}; "
                "use x.float() / 255 for uint8 images"
            )
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
            raise ValueError(
                f"x must have shape (N, 1, 28, 28), got {tuple(x.shape)}; add the channel "
                "axis with x[:, None] for images of shape (N, 28, 28)"
            )
        check_matches_weights(x, self.conv1.weight)
        if self.check_inputs:
            check_finite(x, "x")


class CNN(nn.Module):
    """Conv-ReLU-pool blocks, then one or two fully connected layers.

    Args:
        channels: filters of each conv block, e.g. ``(32, 64)``.
        kernel_size: kernel side for every block, or one per block (padding ``k // 2``).
        hidden: units of the hidden fully connected layer, or ``None`` for none.
        num_classes: K outputs. in_channels: C of the images. image_size: S (S x S images).
        batch_norm: add ``nn.BatchNorm2d`` after every convolution.

    ``forward(x)`` takes ``(N, C, S, S)`` (or ``(N, S, S)`` when C is 1) float images and
    returns logits ``(N, K)``. It refuses images holding NaN or an infinity (one
    ``torch.isfinite`` check per call); :func:`course_lib.torch_nn.train.fit` checks its whole
    data set once and switches that check off while it trains (``check_inputs = False``).

    Introduced in ``08_convolutional_networks``.
    """

    #: Refuse NaN/inf in ``forward``'s input; ``fit`` turns it off while it trains.
    check_inputs: bool = True

    def __init__(
        self,
        channels=(32, 64),
        kernel_size=3,
        hidden=128,
        num_classes=10,
        in_channels=1,
        image_size=28,
        *,
        batch_norm: bool = False,
    ):
        super().__init__()
        self.config = CNNConfig.build(
            channels, kernel_size, hidden, num_classes, in_channels, image_size
        )
        self.batch_norm = check_bool(batch_norm, "batch_norm")
        count = sum(int(np.prod(shape)) for shape in self.config.param_shapes().values())
        if count > MAX_PARAMETERS:
            raise ValueError(
                f"this CNN would need {count:,} weights, more than {MAX_PARAMETERS:,}; the "
                "course's networks have at most a few million: use fewer channels or hidden units"
            )
        c_in = self.config.in_channels
        for i, (f, k) in enumerate(
            zip(self.config.channels, self.config.kernel_sizes, strict=True), 1
        ):
            self.add_module(f"conv{i}", nn.Conv2d(c_in, f, k, padding=k // 2))
            if batch_norm:
                self.add_module(f"bn{i}", nn.BatchNorm2d(f))
            c_in = f
        self.pool = nn.MaxPool2d(2, 2)
        d, k_out = self.config.flat_features, self.config.num_classes
        if self.config.hidden is not None:
            self.fc1 = nn.Linear(d, self.config.hidden)
            self.fc2 = nn.Linear(self.config.hidden, k_out)
        else:
            self.fc1 = nn.Linear(d, k_out)

    @classmethod
    def from_numpy(cls, numpy_cnn: NumpyCNN) -> CNN:
        """A PyTorch CNN with the architecture and weights of a NumPy :class:`NumpyCNN`."""
        if not isinstance(numpy_cnn, NumpyCNN):
            raise TypeError(
                f"numpy_cnn must be a course_lib.numpy_nn.cnn.CNN, got {type(numpy_cnn).__name__}"
            )
        c = numpy_cnn.config
        model = cls(c.channels, c.kernel_sizes, c.hidden, c.num_classes, c.in_channels,
                    c.image_size)  # fmt: skip
        return model.load_numpy_params(numpy_cnn.params)

    @property
    def n_conv(self) -> int:
        return len(self.config.channels)

    def _images(self, x):
        c = self.config
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor of images, got {type(x).__name__}; use "
                "torch.as_tensor(x, dtype=torch.float32) (divide uint8 pixels by 255)"
            )
        if not x.is_floating_point():
            raise TypeError(
                f"x must hold floating-point pixels, got dtype {x.dtype}; "
                "use x.float() / 255 for uint8 images"
            )
        if x.dim() == 3 and c.in_channels == 1:
            x = x.unsqueeze(1)  # (N, S, S) -> (N, 1, S, S)
        if x.dim() != 4 or tuple(x.shape[1:]) != (c.in_channels, c.image_size, c.image_size):
            raise ValueError(
                f"x must have shape (N, {c.in_channels}, {c.image_size}, {c.image_size})"
                f"{' or (N, S, S)' if c.in_channels == 1 else ''}, got {tuple(x.shape)}"
            )
        check_matches_weights(x, self.conv1.weight)
        if self.check_inputs:
            check_finite(x, "x")
        return x

    def _block(self, i: int, x):
        """conv -> (batch norm) -> ReLU for block ``i`` (1-based); pooling is separate."""
        h = getattr(self, f"conv{i}")(x)
        if self.batch_norm:
            h = getattr(self, f"bn{i}")(h)
        return torch.relu(h)

    def forward(self, x):
        """Logits ``(N, K)`` for float images ``(N, C, S, S)``."""
        h = self._images(x)
        for i in range(1, self.n_conv + 1):
            h = self.pool(self._block(i, h))  # (N, F_i, S_i, S_i)
        h = h.flatten(1)  # (N, D), the same order as NumPy's reshape
        if self.config.hidden is not None:
            return self.fc2(torch.relu(self.fc1(h)))
        return self.fc1(h)

    @torch.no_grad()
    def feature_maps(self, x, layer: int = 1) -> np.ndarray:
        """What block ``layer`` detects: its activations after ReLU, before pooling.

        ``x``: images ``(N, C, S, S)`` or ``(N, S, S)`` as a NumPy array or tensor (``uint8``
        pixels are divided by 255). Returns a NumPy array ``(N, F_layer, S_l, S_l)`` for
        plotting. The model is evaluated in eval mode and left in the mode it was in.
        """
        if isinstance(layer, bool) or not isinstance(layer, int) or not (1 <= layer <= self.n_conv):
            raise ValueError(f"layer must be an int from 1 to {self.n_conv}, got {layer!r}")
        param = next(self.parameters())
        if not isinstance(x, torch.Tensor):
            arr = np.asarray(x)
            if arr.dtype.kind not in "iuf" or arr.dtype == bool:
                raise TypeError(f"x must hold numbers, got dtype {arr.dtype}")
            x = torch.as_tensor(arr)
        if x.is_complex() or x.dtype == torch.bool:
            raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
        if x.dtype == torch.uint8:
            x = x.float() / 255
        x = self._images(x.to(device=param.device, dtype=param.dtype))
        was_training = self.training
        self.eval()
        try:
            h = x
            for i in range(1, layer + 1):
                h = self._block(i, h)
                if i < layer:
                    h = self.pool(h)
        finally:
            self.train(was_training)
        return h.cpu().numpy()

    # ---------------------------------------------------------------- NumPy layout
    def _check_numpy_twin(self) -> None:
        if self.batch_norm:
            raise ValueError(
                "this CNN uses batch_norm=True, which the NumPy CNN does not have; "
                "build it with batch_norm=False to exchange weights with NumPy"
            )

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The weights as a NumPy params dict: ``"conv1.w"`` ``(F, C, k, k)``, ``"conv1.b"``,
        ..., ``"fc1.w"`` ``(D, M)`` (``nn.Linear`` stores ``(M, D)``, so it is transposed)."""
        self._check_numpy_twin()
        out = {}
        for name in self.config.param_shapes():
            layer, arg = name.split(".")
            module = getattr(self, layer)
            t = module.weight if arg == "w" else module.bias
            t = t.detach().cpu()
            if layer.startswith("fc") and arg == "w":
                t = t.T
            out[name] = t.numpy().copy()
        return out

    def load_numpy_params(self, params: dict) -> CNN:
        """Copy weights from a NumPy params dict (the layout of :meth:`numpy_params`).

        Every name must be present with the right shape; the model keeps its dtype and
        device. Returns the model, so ``CNN(...).load_numpy_params(p)`` works.
        """
        self._check_numpy_twin()
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of name -> array, got {type(params).__name__}")
        expected = self.config.param_shapes()
        missing = [k for k in expected if k not in params]
        extra = [k for k in params if k not in expected]
        if missing or extra:
            raise ValueError(
                f"params must have exactly the names {list(expected)}; missing {missing}, "
                f"unexpected {extra}. Is the NumPy CNN built with the same channels/hidden?"
            )
        with torch.no_grad():
            for name, shape in expected.items():
                arr = as_finite_array(params[name], f"params[{name!r}]")
                if arr.shape != shape:
                    raise ValueError(f"params[{name!r}] must have shape {shape}, got {arr.shape}")
                layer, arg = name.split(".")
                module = getattr(self, layer)
                target = module.weight if arg == "w" else module.bias
                value = torch.as_tensor(arr)
                if layer.startswith("fc") and arg == "w":
                    value = value.T
                target.copy_(value.to(device=target.device, dtype=target.dtype))
                check_finite(target, f"params[{name!r}]", f"it is too large for {target.dtype}")
        return self

    def as_numpy_cnn(self, dtype=np.float32) -> NumpyCNN:
        """A NumPy :class:`NumpyCNN` with this architecture and these weights."""
        c = self.config
        twin = NumpyCNN(c.channels, c.kernel_sizes, c.hidden, c.num_classes, c.in_channels,
                        c.image_size, dtype=dtype)  # fmt: skip
        for name, value in self.numpy_params().items():
            twin.params[name][...] = value
        return twin
