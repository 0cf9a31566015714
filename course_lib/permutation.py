"""The flattening experiment: shuffle every image's pixels the same way, then train again.

Pick one random permutation of the 784 pixel positions and apply it to *every* image, in
training and in testing alike. Nothing is lost: each image still has the same pixel values,
only at other positions, and the permutation can be undone. But the picture is destroyed for
a human eye, and neighbouring pixels are no longer neighbours.

* A feed-forward net (FFN) flattens the image into a vector and multiplies it by ``W1`` of
  shape ``(D, H)``. Permuting the inputs only permutes which row of ``W1`` each pixel meets:
  ``permute_pixels(x, p) @ W1[p] == x @ W1``. An FFN trained on shuffled images can therefore
  learn exactly what it learns on the originals, and its accuracy stays the same.
* A convolutional net (CNN) looks at 3x3 neighbourhoods. After the shuffle a neighbourhood
  holds nine unrelated pixels, so the kernels have nothing local left to find, and its
  accuracy drops.

:func:`run_permutation_experiment` trains both models on both versions of the data (same
seed, same batches; the shuffled FFN starts from the same random weights seen through the
shuffle), plus two control runs that show how much an FFN's accuracy moves with its starting
weights anyway, and returns a :class:`PermutationResult`; :func:`plot_permutation_results`
draws the four main accuracies. Introduced in ``07_convolutions``.

Shape letters: N images, H x W pixels (``P = H * W`` positions), D input features, K classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib.validate import (
    as_array,
    as_labels,
    check_callable,
    check_flag,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
    check_seed,
)

__all__ = [
    "CONTROL_RUNS",
    "RUNS",
    "PermutationResult",
    "PermutationSetup",
    "inverse_permutation",
    "make_permutation",
    "permute_first_layer",
    "permute_pixels",
    "plot_permutation_results",
    "rearrange_first_layer_",
    "run_permutation_experiment",
]


def make_permutation(num_pixels: int = 784, seed: int = 0) -> np.ndarray:
    """One fixed random order of the pixel positions: ``(P,)`` ints, a shuffle of ``0..P-1``.

    The same ``seed`` always gives the same permutation. Introduced in ``07_convolutions``.
    """
    num_pixels = check_positive_int(num_pixels, "num_pixels")
    if num_pixels > 100_000_000:
        raise ValueError(
            f"num_pixels must be the pixels of an image, at most 10^8, got {num_pixels}"
        )
    seed = check_nonnegative_int(seed, "seed")
    return np.random.default_rng(seed).permutation(num_pixels)


def _check_permutation(permutation, num_pixels: int) -> np.ndarray:
    perm = as_array(permutation, "permutation")
    if perm.dtype.kind not in "iu" or perm.ndim != 1:
        raise TypeError(
            f"permutation must be a 1-D array of integer positions (P,), got dtype {perm.dtype} "
            f"and shape {perm.shape}; make one with make_permutation(num_pixels)"
        )
    if perm.shape[0] != num_pixels or not np.array_equal(np.sort(perm), np.arange(num_pixels)):
        raise ValueError(
            f"permutation must contain each of 0..{num_pixels - 1} exactly once "
            f"(one entry per pixel), got {perm.shape[0]} entries"
            + ("" if perm.shape[0] != num_pixels else " with repeats or gaps")
            + f"; use make_permutation({num_pixels})"
        )
    return perm


def inverse_permutation(permutation) -> np.ndarray:
    """The permutation that undoes ``permutation``: ``(P,)``.

    ``permute_pixels(permute_pixels(x, p), inverse_permutation(p))`` gives back ``x``.
    Introduced in ``07_convolutions``.
    """
    perm = as_array(permutation, "permutation")
    perm = _check_permutation(perm, perm.shape[0] if perm.ndim == 1 else -1)
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.shape[0])
    return inverse


def permute_pixels(images, permutation) -> np.ndarray:
    """Move every image's pixels to new positions: pixel ``permutation[j]`` goes to ``j``.

    ``images``: ``(N, H, W)``, ``(N, C, H, W)`` (each channel shuffled the same way) or
    already flattened ``(N, D)``; ``permutation``: ``(P,)`` with ``P = H * W`` (or ``D``).
    Returns an array of the same shape and dtype. The same permutation is applied to every
    image, so the shuffle is a fixed re-wiring of the input, not noise.
    Introduced in ``07_convolutions``.
    """
    x = as_array(images, "images")
    if x.dtype == bool or x.dtype.kind not in "iuf":
        raise TypeError(f"images must hold numbers, got dtype {x.dtype}")
    if x.ndim == 2:
        flat = x  # (N, D)
    elif x.ndim == 3:
        flat = x.reshape(x.shape[0], -1)  # (N, H*W)
    elif x.ndim == 4:
        flat = x.reshape(x.shape[0], x.shape[1], -1)  # (N, C, H*W)
    else:
        raise ValueError(
            f"images must have shape (N, D), (N, H, W) or (N, C, H, W), got {x.shape}; "
            "for a single image use image[None]"
        )
    perm = _check_permutation(permutation, flat.shape[-1])
    return flat[..., perm].reshape(x.shape)


def permute_first_layer(w1, permutation) -> np.ndarray:
    """The first-layer weights that make a network see shuffled inputs as the originals.

    ``w1``: ``(D, H)`` (the course's layout: input features along the rows);
    ``permutation``: ``(D,)``. Returns ``w1[permutation]``, for which
    ``permute_pixels(x, permutation) @ w1[permutation] == x @ w1`` (each shuffled pixel meets
    the row of weights its original position had). Introduced in ``07_convolutions``.
    """
    w = as_array(w1, "w1")
    if w.dtype == bool or w.dtype.kind not in "iuf":
        raise TypeError(f"w1 must hold numbers (the weights), got dtype {w.dtype}")
    if w.ndim != 2:
        raise ValueError(f"w1 must have shape (D, H), got {w.shape}")
    perm = _check_permutation(permutation, w.shape[0])
    return w[perm]


@dataclass(frozen=True)
class PermutationResult:
    """Test accuracies (fractions in ``[0, 1]``) of the runs of the experiment.

    The four main runs: FFN and CNN, each on original and on shuffled images. The shuffled
    FFN starts from the original FFN's random weights with the rows of ``W1`` rearranged by
    the shuffle (the same random start, seen through the shuffle). Two control runs measure
    how much an FFN's accuracy moves anyway: the shuffled FFN from the *un*-rearranged
    weights (``ffn_permuted_fresh``), and the original FFN from another seed
    (``ffn_other_seed``); ``None`` when they were not run.
    """

    ffn_original: float  # feed-forward net, original images
    ffn_permuted: float  # feed-forward net, shuffled images, the same start rearranged
    cnn_original: float  # convolutional net, original images
    cnn_permuted: float  # convolutional net, shuffled images, the same start
    n_train: int  # training images used
    n_test: int  # test images used
    epochs: int  # epochs of every run
    ffn_permuted_fresh: float | None = None  # FFN, shuffled images, weights not rearranged
    ffn_other_seed: float | None = None  # FFN, original images, another seed
    seconds: dict = field(default_factory=dict, compare=False)  # run name -> training seconds
    models: dict = field(default_factory=dict, compare=False, repr=False)  # run name -> model
    histories: dict = field(default_factory=dict, compare=False, repr=False)  # name -> History

    @property
    def ffn_change_points(self) -> float:
        """FFN accuracy on shuffled minus on original images, in percentage points."""
        return 100.0 * (self.ffn_permuted - self.ffn_original)

    @property
    def ffn_fresh_change_points(self) -> float | None:
        """The same for the shuffled FFN started from weights that were not rearranged."""
        if self.ffn_permuted_fresh is None:
            return None
        return 100.0 * (self.ffn_permuted_fresh - self.ffn_original)

    @property
    def ffn_seed_change_points(self) -> float | None:
        """How far another seed alone moves the FFN on the original images (the noise)."""
        if self.ffn_other_seed is None:
            return None
        return 100.0 * (self.ffn_other_seed - self.ffn_original)

    @property
    def cnn_drop_points(self) -> float:
        """How many percentage points the CNN loses when the pixels are shuffled."""
        return 100.0 * (self.cnn_original - self.cnn_permuted)

    @property
    def cnn_edge_points(self) -> float:
        """CNN minus FFN accuracy on the original images, in percentage points."""
        return 100.0 * (self.cnn_original - self.ffn_original)

    def table(self) -> str:
        """The accuracies as a small text table."""
        rows = [
            f"{'model':<30}{'original':>10}{'shuffled':>10}",
            f"{'feed-forward (FFN)':<30}{self.ffn_original:>10.2%}{self.ffn_permuted:>10.2%}",
            f"{'convolutional (CNN)':<30}{self.cnn_original:>10.2%}{self.cnn_permuted:>10.2%}",
        ]
        if self.ffn_other_seed is not None and self.ffn_permuted_fresh is not None:
            rows.append(
                f"{'FFN, other start (controls)':<30}{self.ffn_other_seed:>10.2%}"
                f"{self.ffn_permuted_fresh:>10.2%}"
            )
        return "\n".join(rows)

    def summary(self) -> str:
        """Sentences stating what the numbers show."""
        text = (
            f"Shuffling the pixels changed the FFN's test accuracy by "
            f"{self.ffn_change_points:+.2f} points ({self.ffn_original:.2%} -> "
            f"{self.ffn_permuted:.2%}) but cost the CNN {self.cnn_drop_points:.2f} points "
            f"({self.cnn_original:.2%} -> {self.cnn_permuted:.2%}); on the original images "
            f"the CNN was {self.cnn_edge_points:.2f} points ahead of the FFN."
        )
        if self.ffn_fresh_change_points is not None and self.ffn_seed_change_points is not None:
            text += (
                f" Controls: an FFN on shuffled images from weights that were not rearranged "
                f"lands {self.ffn_fresh_change_points:+.2f} points from the original FFN, and "
                f"another seed alone moves it {self.ffn_seed_change_points:+.2f} points."
            )
        return text


#: Names of the four main runs and of the two control runs (see run_permutation_experiment).
RUNS = ("ffn_original", "ffn_permuted", "cnn_original", "cnn_permuted")
CONTROL_RUNS = ("ffn_permuted_fresh", "ffn_other_seed")


def rearrange_first_layer_(model, permutation):
    """Rearrange, in place, the first ``nn.Linear`` of ``model`` for shuffled inputs.

    PyTorch stores the weight as ``(M, D)`` (the transpose of the course's ``W1 (D, M)``),
    so rows of ``W1`` are columns here: ``weight[:, j] <- weight[:, permutation[j]]``. A model
    that computed ``f(x)`` before computes ``f(x)`` on ``permute_pixels(x, permutation)``
    after. Returns ``model``. Introduced in ``07_convolutions``.
    """
    import torch
    from torch import nn

    first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
    if first is None:
        raise ValueError("model has no nn.Linear layer whose inputs could be rearranged")
    perm = _check_permutation(permutation, first.in_features)
    with torch.no_grad():
        first.weight.copy_(first.weight[:, torch.as_tensor(perm)])
    return model


def run_permutation_experiment(
    x_train,
    y_train,
    x_test,
    y_test,
    *,
    permutation,
    make_ffn: Callable,
    make_cnn: Callable,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int = 0,
    controls: bool = True,
    device=None,
    progress: bool = True,
    callback_factory: Callable | None = None,
) -> PermutationResult:
    """Train an FFN and a CNN on original and on shuffled images; return the test accuracies.

    ``x_train`` ``(N, H, W)`` and ``x_test`` ``(M, H, W)`` images (``uint8`` or floats),
    ``y_train`` ``(N,)``, ``y_test`` ``(M,)`` labels; ``permutation`` ``(H * W,)`` from
    :func:`make_permutation`. ``make_ffn(seed)`` returns a fresh ``torch.nn.Module`` taking
    flattened images ``(B, H * W)``; ``make_cnn(seed)`` one taking ``(B, 1, H, W)``. Every
    factory call happens right after ``torch.manual_seed(seed)``, and
    :func:`course_lib.torch_nn.train.fit` uses the same ``seed``, so within each pair the
    starting weights and the batches are the same and only the pixel positions differ:

    * the CNN on shuffled images starts from exactly the CNN's starting weights;
    * the FFN on shuffled images starts from the FFN's starting weights with its first layer
      rearranged by the shuffle (:func:`rearrange_first_layer_`), which is the same random
      start seen through the shuffle (a random matrix with its rows reordered is just as
      random). A CNN has no such rearrangement, and that is the point of the experiment.

    ``controls=True`` adds two FFN runs that measure the ordinary spread of results: shuffled
    images from the weights *not* rearranged (``"ffn_permuted_fresh"``), and original images
    from seed ``seed + 1`` (``"ffn_other_seed"``).

    ``callback_factory(run_name)`` may return a ``fit`` callback per run (for example a
    ``LiveLossPlot``); run names are ``"ffn_original"``, ``"ffn_permuted"``,
    ``"cnn_original"``, ``"cnn_permuted"`` and the control names above.
    Introduced in ``07_convolutions``.
    """
    import torch

    from course_lib.torch_nn.train import evaluate, fit

    x_train = as_array(x_train, "x_train")
    x_test = as_array(x_test, "x_test")
    for name, x in (("x_train", x_train), ("x_test", x_test)):
        if x.ndim != 3:
            raise ValueError(
                f"{name} must hold grey-scale images (N, H, W), got shape {x.shape}; "
                "for (N, 1, H, W) images pass x[:, 0]"
            )
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"training and test images must have the same size, got {x_train.shape[1:]} "
            f"and {x_test.shape[1:]}"
        )
    for name, x in (("x_train", x_train), ("x_test", x_test)):
        if x.dtype == bool or x.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold pixel values (numbers), got dtype {x.dtype}")
    n, h, w = x_train.shape
    as_labels(y_train, "y_train", n)
    as_labels(y_test, "y_test", x_test.shape[0])
    perm = _check_permutation(permutation, h * w)
    epochs = check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive_float(lr, "lr")
    seed = check_nonnegative_int(seed, "seed")
    controls = check_flag(controls, "controls")
    progress = check_flag(progress, "progress")
    check_callable(make_ffn, "make_ffn", "a function seed -> a fresh FFN")
    check_callable(make_cnn, "make_cnn", "a function seed -> a fresh CNN")
    if callback_factory is not None:
        check_callable(callback_factory, "callback_factory", "a function run name -> callback")
    data = {
        "original": (x_train, x_test),
        "permuted": (permute_pixels(x_train, perm), permute_pixels(x_test, perm)),
    }
    # run name -> (model kind, data version, seed of the starting weights, rearrange them?)
    plan = {
        "ffn_original": ("ffn", "original", seed, False),
        "ffn_permuted": ("ffn", "permuted", seed, True),
        "cnn_original": ("cnn", "original", seed, False),
        "cnn_permuted": ("cnn", "permuted", seed, False),
    }
    if controls:
        plan["ffn_permuted_fresh"] = ("ffn", "permuted", seed, False)
        plan["ffn_other_seed"] = ("ffn", "original", seed + 1, False)
    accuracies, seconds, models, histories = {}, {}, {}, {}
    for run, (kind, version, init_seed, rearrange) in plan.items():
        tr, te = data[version]
        if kind == "ffn":
            tr, te = tr.reshape(len(tr), -1), te.reshape(len(te), -1)  # (N, H*W)
        else:
            tr, te = tr[:, None], te[:, None]  # (N, 1, H, W)
        torch.manual_seed(init_seed)
        model = (make_ffn if kind == "ffn" else make_cnn)(init_seed)
        if rearrange:
            rearrange_first_layer_(model, perm)
        callback = callback_factory(run) if callback_factory is not None else None
        history = fit(
            model,
            tr,
            y_train,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            device=device,
            seed=init_seed,
            progress=progress,
            callback=callback,
        )
        accuracies[run] = evaluate(model, te, y_test)["accuracy"]
        seconds[run] = history.train_seconds
        models[run] = model
        histories[run] = history
    return PermutationResult(
        **accuracies,
        n_train=n,
        n_test=len(x_test),
        epochs=epochs,
        seconds=seconds,
        models=models,
        histories=histories,
    )


@dataclass(frozen=True)
class PermutationSetup:
    """The experiment as ``07_convolutions`` runs it: data, models, training and the claim.

    The notebook and the test that repeats it with other seeds both use this one description,
    so the claim checked in the test is the claim shown in the notebook.
    """

    n_train: int = 10_000  # training images: a random subset of MNIST's 60,000 (for speed)
    epochs: int = 3  # passes over those images, for every one of the four runs
    batch_size: int = 64  # images per optimisation step
    lr: float = 2e-3  # Adam's learning rate
    ffn_hidden: int = 128  # hidden units of the FFN: 784 -> ffn_hidden -> 10
    cnn_channels: tuple[int, ...] = (8, 16)  # filters of the CNN's two conv-ReLU-pool blocks
    ffn_tolerance_points: float = 0.5  # the claim: the FFN moves by at most this much ...
    min_cnn_drop_points: float = 1.0  # ... while the CNN loses at least this much
    control_tolerance_points: float = 1.0  # an FFN from another start stays this close

    def make_ffn(self, seed: int = 0):
        """A fresh FFN ``784 -> ffn_hidden -> 10`` (ReLU), weights drawn from ``seed``."""
        from course_lib.torch_nn.mlp import MLP

        return MLP([784, self.ffn_hidden, 10], seed=seed)

    def make_cnn(self, seed: int = 0):
        """A fresh small CNN: two conv(3x3)-ReLU-pool blocks, then one linear layer.

        Its weights come from PyTorch's generator: call ``torch.manual_seed(seed)`` first
        (:func:`run_permutation_experiment` does), which is what ``seed`` stands for here.
        """
        from course_lib.torch_nn.cnn import CNN

        return CNN(channels=self.cnn_channels, hidden=None)

    def subset(self, n_available: int, seed: int = 0) -> np.ndarray:
        """Indices ``(n_train,)`` of the training images used, drawn without repeats."""
        n_available = check_positive_int(n_available, "n_available")
        seed = check_seed(seed)
        if self.n_train > n_available:
            raise ValueError(f"n_train={self.n_train} but only {n_available} images are given")
        return np.random.default_rng(seed).choice(n_available, self.n_train, replace=False)

    def run(
        self,
        x_train,
        y_train,
        x_test,
        y_test,
        *,
        seed: int = 0,
        controls: bool = True,
        device=None,
        progress: bool = True,
        callback_factory: Callable | None = None,
    ) -> PermutationResult:
        """Run the whole experiment: subset, shuffle, trainings, test accuracies.

        ``x_train`` ``(N, 28, 28)`` etc. as from :func:`course_lib.data.load_mnist`. One
        ``seed`` fixes the subset, the shuffle, the starting weights and the batch order.
        """
        x_train = as_array(x_train, "x_train")
        if x_train.ndim != 3:
            raise ValueError(
                f"x_train must hold grey-scale images (N, H, W), got shape {x_train.shape}"
            )
        as_labels(y_train, "y_train", len(x_train))
        idx = self.subset(len(x_train), seed)
        return run_permutation_experiment(
            x_train[idx],
            np.asarray(y_train)[idx],
            x_test,
            y_test,
            permutation=make_permutation(x_train.shape[1] * x_train.shape[2], seed),
            make_ffn=self.make_ffn,
            make_cnn=self.make_cnn,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            seed=seed,
            controls=controls,
            device=device,
            progress=progress,
            callback_factory=callback_factory,
        )


def plot_permutation_results(result: PermutationResult):
    """Grouped bars: test accuracy of the FFN and the CNN on original and shuffled images.

    Returns the matplotlib Figure (drawn with pyplot, so a notebook shows it once).
    Introduced in ``07_convolutions``.
    """
    import matplotlib.pyplot as plt

    from course_lib.style import OKABE_ITO

    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    models = ["feed-forward net (FFN)", "convolutional net (CNN)"]
    original = [result.ffn_original, result.cnn_original]
    permuted = [result.ffn_permuted, result.cnn_permuted]
    xs = np.arange(2)
    width = 0.36
    for offset, values, label, color, hatch in (
        (-width / 2, original, "original images", OKABE_ITO["blue"], None),
        (width / 2, permuted, "shuffled pixels", OKABE_ITO["orange"], "//"),
    ):
        bars = ax.bar(xs + offset, [100 * v for v in values], width, label=label, color=color)
        for bar, v in zip(bars, values, strict=True):
            bar.set_hatch(hatch)
            ax.annotate(
                f"{v:.1%}",
                (bar.get_x() + bar.get_width() / 2, 100 * v),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
    low = 100 * min(original + permuted)
    bottom = max(0.0, np.floor(low / 5) * 5 - 5)  # zoom in on the differences, and say so
    ax.set_ylim(bottom, 100)
    ax.set_xticks(xs, models)
    ax.set_ylabel("test accuracy (%)" if bottom == 0 else f"test accuracy (%, from {bottom:.0f})")
    ax.set_xlabel("model")
    ax.set_title(
        f"Shuffling pixels: FFN {result.ffn_change_points:+.2f} points, "
        f"CNN {-result.cnn_drop_points:+.2f} points"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    fig.tight_layout()
    return fig
