"""The kernel explorer: pick or edit a 3x3 kernel and watch the feature map of an image change.

A convolution slides a small grid of weights (the *kernel*) over an image; at every position it
multiplies the kernel with the 3x3 patch underneath and adds the nine products. The result,
one number per position, is the *feature map*: large where the patch looks like the kernel.

The explorer shows three panels side by side (the image, the kernel with its nine weights
written in, and the feature map) and offers

* ``preset``: a drop-down of classic kernels (identity, edge detectors, blurs, sharpen, ...);
  choosing one moves the nine sliders to its weights;
* ``w00`` ... ``w22``: one slider per weight (row, column), to edit the kernel by hand; the
  preset then reads "custom" unless the weights still match a preset;
* ``image``: which picture to convolve (a handwritten digit or a garment).

The feature map is computed with :func:`course_lib.numpy_nn.conv.conv2d_forward` (stride 1,
no padding, so a 28x28 image gives a 26x26 map), exactly the function the notebook builds.
Introduced in ``07_convolutions``.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from course_lib.style import CMAP_DIVERGING, CMAP_GRAY
from course_lib.widgets.base import Explorer, dropdown, slider

__all__ = [
    "CUSTOM",
    "KERNEL_PRESETS",
    "KernelExplorer",
    "WEIGHT_NAMES",
    "apply_kernel",
    "plot_convolution_step",
]

#: Control names of the nine weights: ``w{row}{column}``.
WEIGHT_NAMES = tuple(f"w{r}{c}" for r in range(3) for c in range(3))

#: The drop-down entry shown when the weights match no preset.
CUSTOM = "custom"

#: Classic 3x3 kernels, by the name the drop-down shows. The course's convolution is a
#: cross-correlation (the kernel is not flipped), so "vertical edges" is positive where the
#: image gets brighter from left to right and "horizontal edges" where it gets brighter
#: from top to bottom.
KERNEL_PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "vertical edges (Sobel)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "horizontal edges (Sobel)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "outline (Laplacian)": np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=float),
    "blur (box)": np.full((3, 3), 1.0 / 9.0),
    "blur (Gaussian)": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16.0,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}

#: Range and step of the weight sliders (every preset fits inside).
WEIGHT_MIN, WEIGHT_MAX, WEIGHT_STEP = -5.0, 5.0, 0.1


def apply_kernel(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve one grey-scale image with one kernel (stride 1, no padding, no bias).

    ``image``: ``(H, W)``; ``kernel``: ``(HH, WW)``; returns the feature map
    ``(H - HH + 1, W - WW + 1)``. A thin wrapper around
    :func:`course_lib.numpy_nn.conv.conv2d_forward` with ``N = C = F = 1``.
    Introduced in ``07_convolutions``.
    """
    from course_lib.numpy_nn.conv import conv2d_forward

    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must have shape (H, W), got {image.shape}; pass one image")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (HH, WW), got {kernel.shape}")
    out, _ = conv2d_forward(image[None, None], kernel[None, None], np.zeros(1))
    return out[0, 0]  # (H', W')


def _matching_preset(kernel: np.ndarray) -> str:
    for name, preset in KERNEL_PRESETS.items():
        if np.allclose(kernel, preset, atol=1e-9):
            return name
    return CUSTOM


def _format_kernel(kernel: np.ndarray) -> str:
    rows = ("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in kernel)
    return "[" + ", ".join(rows) + "]"


class KernelExplorer(Explorer):
    """Pick or edit a 3x3 kernel and see the feature map of a digit or a garment update.

    ``images`` maps a name (shown in the drop-down) to a grey-scale image ``(H, W)``:
    ``uint8`` pixels are scaled to ``[0, 1]``, floats are used as they are. ``preset`` is the
    starting kernel (a key of :data:`KERNEL_PRESETS`), ``image`` the starting picture (default:
    the first). Controls: ``preset``, ``image`` and ``w00`` ... ``w22`` (row, column).
    Introduced in ``07_convolutions``.
    """

    title = "Kernel explorer: choose a kernel, or move its nine weights, and watch the feature map"
    figsize = (8.4, 2.8)

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [
        {"preset": "horizontal edges (Sobel)"},
        {"preset": "blur (box)"},
        {"w11": 2.0},
        {"preset": "sharpen"},
        {"image": "garment (an ankle boot)"},
        {"preset": "outline (Laplacian)"},
        {"preset": "vertical edges (Sobel)"},
    ]

    def __init__(
        self,
        images: Mapping[str, np.ndarray],
        *,
        preset: str = "vertical edges (Sobel)",
        image: str | None = None,
    ):
        if not isinstance(images, Mapping) or not images:
            raise TypeError(
                f"images must be a non-empty dict name -> (H, W) image, got {type(images).__name__}"
            )
        self.images = {str(k): self._as_image(k, v) for k, v in images.items()}
        shapes = {img.shape for img in self.images.values()}
        if len(shapes) > 1:
            raise ValueError(
                f"all images must have the same shape (H, W), got {sorted(shapes)}; "
                "crop or resize them first"
            )
        if preset not in KERNEL_PRESETS:
            raise ValueError(f"preset must be one of {list(KERNEL_PRESETS)}, got {preset!r}")
        image = next(iter(self.images)) if image is None else image
        if image not in self.images:
            raise ValueError(f"image must be one of {list(self.images)}, got {image!r}")
        kernel = KERNEL_PRESETS[preset]
        controls: dict[str, widgets.ValueWidget] = {
            "preset": dropdown("kernel", [*KERNEL_PRESETS, CUSTOM], preset),
            "image": dropdown("image", list(self.images), image),
        }
        for name in WEIGHT_NAMES:
            r, c = int(name[1]), int(name[2])
            s = slider(
                f"row {r}, col {c}",
                float(kernel[r, c]),
                WEIGHT_MIN,
                WEIGHT_MAX,
                WEIGHT_STEP,
                readout_format=".2f",
            )
            controls[name] = s
        super().__init__(controls)
        for name in WEIGHT_NAMES:
            # In the 3 x 3 grid the position says which weight a slider is (its label stays
            # for screen readers) and the kernel in the figure shows its value, so the whole
            # cell is track: long enough to drag at 200% zoom.
            control = self.controls[name]
            control.readout = False
            control.style.description_width = "0px"
            control.layout.width = "100%"
            control.layout.max_width = "none"
            control.layout.min_width = "0"

    @staticmethod
    def _as_image(name, image) -> np.ndarray:
        arr = np.asarray(image)
        if arr.dtype == bool or arr.dtype.kind not in "iuf":
            raise TypeError(f"image {name!r} must hold numbers, got dtype {arr.dtype}")
        if arr.ndim != 2 or min(arr.shape) < 3:
            raise ValueError(
                f"image {name!r} must have shape (H, W) with H, W >= 3, got {arr.shape}; "
                "pass one grey-scale image such as x_train[0]"
            )
        if arr.dtype == np.uint8:
            return arr.astype(float) / 255.0
        return arr.astype(float)

    @classmethod
    def example(cls) -> KernelExplorer:
        """The explorer as ``07_convolutions`` shows it: a test-set 7 and an ankle boot."""
        from course_lib.data import load_fashion_mnist, load_mnist

        digits = load_mnist(progress=False)
        clothes = load_fashion_mnist(progress=False)
        images = {
            "digit (a 7)": digits[2][0],  # the first test image of MNIST is a 7
            "garment (an ankle boot)": clothes[2][0],  # Fashion-MNIST's first is a boot
        }
        return cls(images, preset="vertical edges (Sobel)")

    # --- the controls -------------------------------------------------------------------
    def _on_preset(self, change) -> None:
        """Move the nine sliders to the chosen preset (one redraw, done by the base class)."""
        name = change["new"]
        if name == CUSTOM:
            return
        was = self._holding
        self._holding = True  # the nine slider moves must not redraw nine times
        try:
            for wname, value in zip(WEIGHT_NAMES, KERNEL_PRESETS[name].ravel(), strict=True):
                self.controls[wname].value = float(value)
        finally:
            self._holding = was

    @property
    def kernel(self) -> np.ndarray:
        """The current kernel ``(3, 3)`` read from the sliders."""
        return np.array([self.controls[n].value for n in WEIGHT_NAMES], dtype=float).reshape(3, 3)

    @property
    def widget(self) -> widgets.Widget:
        """Title, the two drop-downs, the nine sliders as a 3x3 grid, figure and readout."""
        if self._widget is None:
            heading = widgets.HTML(f"<b>{self.title}</b>")
            menus = widgets.VBox([self.controls["preset"], self.controls["image"]])
            # Row and column headings around the nine sliders; the grid shrinks with the
            # page (a 1024-pixel window, 200% zoom) instead of hiding a column.
            cells: list[widgets.Widget] = [widgets.HTML("")]
            cells += [widgets.HTML(f"<b>column {c}</b>") for c in range(3)]
            for r in range(3):
                cells.append(widgets.HTML(f"<b>row {r}</b>"))
                cells += [self.controls[f"w{r}{c}"] for c in range(3)]
            grid = widgets.GridBox(
                cells,
                layout=widgets.Layout(
                    grid_template_columns="max-content repeat(3, minmax(0, 1fr))",
                    width="100%",
                    max_width="760px",
                ),
            )
            grid.add_class("course-kernel-grid")
            box = widgets.VBox([heading, menus, grid, self.image, self.readout])
            box.add_class("course-explorer")
            self._widget = box
        return self._widget

    # --- the figure ---------------------------------------------------------------------
    def setup(self) -> None:
        # Registered before the base class's observers, so the sliders move first and the
        # base class then redraws once.
        self.controls["preset"].observe(self._on_preset, names="value")
        first = next(iter(self.images.values()))
        ax_img, ax_k, ax_map = self.fig.subplots(1, 3, width_ratios=[1, 0.8, 1])
        self.image_artist = ax_img.imshow(
            first, cmap=CMAP_GRAY, vmin=0.0, vmax=1.0, interpolation="nearest"
        )
        ax_img.set_xlabel("column (pixel)")
        ax_img.set_ylabel("row (pixel)")
        self.kernel_artist = ax_k.imshow(
            np.zeros((3, 3)), cmap=CMAP_DIVERGING, vmin=-1.0, vmax=1.0, interpolation="nearest"
        )
        self.kernel_text = [
            [ax_k.text(c, r, "", ha="center", va="center", fontsize=9) for c in range(3)]
            for r in range(3)
        ]
        ax_k.set_xticks(range(3))
        ax_k.set_yticks(range(3))
        ax_k.set_xlabel("kernel column")
        ax_k.set_ylabel("kernel row")
        fmap = apply_kernel(first, np.zeros((3, 3)))
        # The map is shown divided by its largest |value|, so the colour bar stays fixed
        # (-1 .. 1) and only the changing artists are redrawn; the title gives the scale.
        self.map_artist = ax_map.imshow(
            fmap, cmap=CMAP_DIVERGING, vmin=-1.0, vmax=1.0, interpolation="nearest"
        )
        bar = self.fig.colorbar(self.map_artist, ax=ax_map, shrink=0.85, ticks=[-1, 0, 1])
        bar.set_label("response / largest |response|", fontsize=8)
        ax_map.set_xlabel("column (position)")
        ax_map.set_ylabel("row (position)")
        for ax in (ax_img, ax_k, ax_map):
            ax.grid(False)
            ax.set_title(" ", fontsize=9)
        # Redrawn on every update over a cached picture of the axes (see Explorer).
        self.dynamic_artists = [
            self.image_artist,
            self.kernel_artist,
            *(t for row in self.kernel_text for t in row),
            self.map_artist,
            ax_img.title,
            ax_k.title,
            ax_map.title,
        ]
        self.ax_img, self.ax_kernel, self.ax_map = ax_img, ax_k, ax_map
        self.feature_map = fmap

    def draw(self, values: dict) -> str:
        kernel = self.kernel
        matched = _matching_preset(kernel)
        if values["preset"] != matched:
            # The weights were edited by hand: say so in the drop-down without redrawing.
            was = self._holding
            self._holding = True
            try:
                self.controls["preset"].value = matched
            finally:
                self._holding = was
        name = values["image"]
        img = self.images[name]
        fmap = apply_kernel(img, kernel)  # (H - 2, W - 2)
        self.feature_map = fmap

        self.image_artist.set_data(img)
        self.ax_img.set_title(f"image: {name}", fontsize=9)

        k_lim = max(float(np.abs(kernel).max()), 1e-6)
        self.kernel_artist.set_data(kernel)
        self.kernel_artist.set_clim(-k_lim, k_lim)
        for r in range(3):
            for c in range(3):
                v = kernel[r, c]
                t = self.kernel_text[r][c]
                t.set_text(f"{v:.2f}")
                t.set_color("white" if abs(v) > 0.6 * k_lim else "black")
        self.ax_kernel.set_title(f"kernel: {matched}", fontsize=9)

        m_lim = max(float(np.abs(fmap).max()), 1e-6)
        self.map_artist.set_data(fmap / m_lim)
        self.ax_map.set_title(f"feature map, max |value| {m_lim:.2f}", fontsize=9)

        r, c = np.unravel_index(int(np.argmax(fmap)), fmap.shape)
        return (
            f"Kernel {_format_kernel(kernel)} ({matched}) on the {name}: the "
            f"{img.shape[0]}x{img.shape[1]} image gives a {fmap.shape[0]}x{fmap.shape[1]} "
            f"feature map from {fmap.min():.2f} to {fmap.max():.2f}, strongest at row {r}, "
            f"column {c}."
        )


def plot_convolution_step(image, kernel, row: int, col: int):
    """One step of a convolution, drawn with every number: input, kernel and feature map.

    ``image``: a small ``(H, W)`` array (up to about 10x10, so the numbers stay readable);
    ``kernel``: ``(HH, WW)``; ``(row, col)``: the output position to explain. The patch of the
    input under the kernel and the output it produces are outlined, and the title writes out
    the sum. Returns the matplotlib Figure (drawn with pyplot).
    Introduced in ``07_convolutions``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from course_lib.style import OKABE_ITO

    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    fmap = apply_kernel(image, kernel)  # (H - HH + 1, W - WW + 1)
    hh, ww = kernel.shape
    if not (0 <= row < fmap.shape[0] and 0 <= col < fmap.shape[1]):
        raise ValueError(
            f"(row, col) must index the {fmap.shape[0]}x{fmap.shape[1]} feature map, "
            f"got ({row}, {col})"
        )
    patch = image[row : row + hh, col : col + ww]
    value = fmap[row, col]

    fig, axes = plt.subplots(
        1, 3, figsize=(10.0, 3.8), width_ratios=[image.shape[1], kernel.shape[1] + 1, fmap.shape[1]]
    )
    panels = (
        (axes[0], image, CMAP_GRAY, (0.0, max(1.0, float(np.abs(image).max()))), "input image"),
        (axes[1], kernel, CMAP_DIVERGING, None, "kernel"),
        (axes[2], fmap, CMAP_DIVERGING, None, "feature map"),
    )
    for ax, arr, cmap, lim, name in panels:
        if lim is None:
            m = max(float(np.abs(arr).max()), 1e-9)
            lim = (-m, m)
        ax.imshow(arr, cmap=cmap, vmin=lim[0], vmax=lim[1], interpolation="nearest")
        mid = (lim[0] + lim[1]) / 2
        span = lim[1] - lim[0]
        for (i, j), v in np.ndenumerate(arr):
            dark = abs(v - mid) > 0.3 * span if cmap == CMAP_DIVERGING else v > mid
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")  # fmt: skip
        ax.set_xticks(range(arr.shape[1]))
        ax.set_yticks(range(arr.shape[0]))
        ax.tick_params(labelsize=7)
        ax.grid(False)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_title(f"{name} {arr.shape[0]}x{arr.shape[1]}")
    edge = OKABE_ITO["vermillion"]
    axes[0].add_patch(
        Rectangle((col - 0.5, row - 0.5), ww, hh, fill=False, edgecolor=edge, linewidth=3)
    )
    axes[2].add_patch(
        Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=edge, linewidth=3)
    )
    terms = " + ".join(
        f"{p:g}×{k:g}" if k >= 0 else f"{p:g}×({k:g})"
        for p, k in zip(patch.ravel(), kernel.ravel(), strict=True)
    )
    fig.suptitle(
        f"feature map[{row}, {col}] = sum of patch × kernel = {terms} = {value:g}", fontsize=9
    )
    fig.tight_layout()
    return fig
