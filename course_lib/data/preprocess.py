"""From pen strokes to an MNIST-style digit: the preprocessing that made MNIST, step by step.

MNIST's digits were not photographed at 28 x 28. LeCun, Cortes and Burges took NIST's
black-and-white scans and

1. **cropped** each digit to the box around its ink;
2. **scaled** it to fit a 20 x 20 box, keeping its aspect ratio (a "1" stays thin);
3. got **grey levels** from the anti-aliasing of that scaling: a pixel that the pen half
   covers is half grey;
4. **centred** it in a 28 x 28 image by its *centre of mass* (the ink-weighted mean pixel
   position), not by its box.

A drawing pad gives strokes: lists of ``(x, y)`` points in canvas pixels (``x`` to the right,
``y`` down, ``0 .. canvas_px``). :func:`mnist_preprocess` sends them through the same four
steps and keeps every intermediate picture in a :class:`DigitSteps`, so a notebook can show
what the network will see. The rasteriser (:func:`rasterise`) draws with a round, thick pen at
``SUPERSAMPLE`` times the resolution and averages blocks of pixels, which is the
anti-aliasing of step 3.

Image coordinates: pixel ``(row, col)`` covers ``col <= x < col + 1``, ``row <= y < row + 1``,
so the centre of mass of a single lit pixel is ``(row, col)`` itself. MNIST's digits have
their centre of mass at ``(14, 14)`` on average (:data:`MNIST_CENTRE`).

Introduced in ``09_your_own_handwriting``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BOX",
    "CANVAS_PX",
    "CANVAS_PEN_PX",
    "EXAMPLE_STROKES",
    "GRID",
    "MNIST_CENTRE",
    "PEN_WIDTH",
    "SUPERSAMPLE",
    "DigitSteps",
    "canvas_image",
    "centre_by_mass",
    "centre_of_mass",
    "check_strokes",
    "ink_box",
    "mnist_preprocess",
    "plot_steps",
    "rasterise",
    "shift_image",
]

GRID = 28  # side of an MNIST image, in pixels
BOX = 20  # MNIST's digits were scaled to fit a BOX x BOX square
CANVAS_PX = 280  # side of the drawing pad in screen pixels: 28 cells of 10 pixels
CANVAS_PEN_PX = 20.0  # width of the pen on the pad, in pad pixels (2 cells)
PEN_WIDTH = 2.4  # width of the pen in MNIST pixels once the digit fills its 20 x 20 box
SUPERSAMPLE = 8  # draw at 8x resolution, then average 8 x 8 blocks: anti-aliased grey levels
MNIST_CENTRE = (14.0, 14.0)  # (row, col): where MNIST's digits have their centre of mass


# --------------------------------------------------------------------------- strokes


def check_strokes(strokes) -> list[np.ndarray]:
    """Validate strokes and return them as a list of float arrays ``(P, 2)`` of ``(x, y)``.

    ``strokes``: a list of strokes, each a list of ``(x, y)`` points (a stroke of one point
    is a dot). An empty list is an empty canvas. Raises ``TypeError``/``ValueError`` naming
    what is wrong.
    """
    if isinstance(strokes, (str, bytes, np.ndarray)) or not isinstance(strokes, Sequence):
        raise TypeError(
            "strokes must be a list of strokes, each a list of (x, y) points, e.g. "
            f"[[(10, 20), (12, 40)]]; got {type(strokes).__name__}"
        )
    out = []
    for i, stroke in enumerate(strokes):
        if np.asarray(stroke).dtype == bool:
            raise TypeError(f"stroke {i} must hold (x, y) numbers, got True/False values")
        try:
            arr = np.asarray(stroke, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"stroke {i} must be a list of (x, y) number pairs; could not read it ({error})"
            ) from None
        if arr.size == 0:
            continue  # a stroke without points draws nothing
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"stroke {i} must be a list of (x, y) points, shape (P, 2); got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"stroke {i} has a point that is not a finite number: {arr.tolist()}")
        out.append(arr)
    return out


def ink_box(strokes) -> tuple[float, float, float, float] | None:
    """The box around the strokes' points: ``(x0, y0, x1, y1)``, or None for no strokes.

    Step 1 of the preprocessing (the pen's width is added when the box is scaled).
    Introduced in ``09_your_own_handwriting``.
    """
    strokes = check_strokes(strokes)
    if not strokes:
        return None
    points = np.concatenate(strokes)  # (P, 2)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


# ------------------------------------------------------------------------ rasteriser


def _check_positive(value, name: str) -> float:
    # "not 0 < value < inf" also refuses NaN, whose comparisons are all False.
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < np.inf:
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return float(value)


def _check_whole(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _check_pair(value, name: str, what: str) -> tuple[float, float]:
    """Two finite numbers, e.g. an ``(x, y)`` offset or a ``(row, col)`` target."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if (
        arr is None
        or isinstance(value, (str, bytes))
        or arr.shape != (2,)
        or not np.all(np.isfinite(arr))
    ):
        raise ValueError(f"{name} must be two finite numbers {what}, got {value!r}")
    return float(arr[0]), float(arr[1])


def rasterise(
    strokes,
    size: int,
    *,
    scale: float = 1.0,
    offset: tuple[float, float] = (0.0, 0.0),
    pen_width: float = PEN_WIDTH,
    supersample: int = SUPERSAMPLE,
) -> np.ndarray:
    """Draw strokes with a round pen into a ``(size, size)`` grey image in ``[0, 1]``.

    A point ``(x, y)`` lands at image position ``((x - offset[0]) * scale, (y - offset[1]) *
    scale)`` in pixels; ``pen_width`` is in image pixels. The strokes are drawn in black and
    white at ``supersample`` times the resolution (so a 28 x 28 image is drawn at 224 x 224)
    and every ``supersample x supersample`` block is averaged: a pixel the pen half covers
    becomes 0.5. ``supersample=1`` gives a black-and-white image without grey levels.
    Introduced in ``09_your_own_handwriting``.
    """
    from PIL import Image, ImageDraw

    strokes = check_strokes(strokes)
    _check_size(size)
    ss = _check_whole(supersample, "supersample")
    scale = _check_positive(scale, "scale")
    pen_width = _check_positive(pen_width, "pen_width")
    hi = int(size) * ss
    canvas = Image.new("L", (hi, hi), 0)
    draw = ImageDraw.Draw(canvas)
    radius = pen_width * ss / 2
    width = max(1, round(pen_width * ss))
    origin = np.asarray(_check_pair(offset, "offset", "(x, y) in the strokes' pixels"))
    for stroke in strokes:
        pts = (stroke - origin) * scale * ss  # (P, 2) in high-resolution pixels
        if len(pts) > 1:
            draw.line([tuple(p) for p in pts], fill=255, width=width)
        for x, y in pts:  # round caps and joints
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    hires = np.asarray(canvas, dtype=np.float64) / 255.0  # (size*ss, size*ss), 0 or 1
    return hires.reshape(size, ss, size, ss).mean(axis=(1, 3))  # (size, size)


def canvas_image(
    strokes,
    *,
    canvas_px: float = CANVAS_PX,
    size: int = GRID,
    pen_px: float = CANVAS_PEN_PX,
) -> np.ndarray:
    """The drawing pad as it looks, shrunk to ``(size, size)`` pixels with no preprocessing.

    What a network would get if we fed it the pad directly: the digit wherever and however
    large it was drawn. Introduced in ``09_your_own_handwriting``.
    """
    canvas_px = _check_positive(canvas_px, "canvas_px")
    _check_size(size)
    scale = size / canvas_px
    return rasterise(
        strokes, size, scale=scale, pen_width=_check_positive(pen_px, "pen_px") * scale
    )


def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size must be a positive whole number of pixels, got {size!r}")
    return int(size)


# ---------------------------------------------------------------------- centring


def _check_image(img, name: str = "img") -> np.ndarray:
    if isinstance(img, (str, bytes)) or img is None:
        raise TypeError(f"{name} must be a grey image (an array (H, W)), got {type(img).__name__}")
    arr = np.asarray(img)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (grey levels), got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be one grey image of shape (H, W), got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name} holds NaN or infinity (first at (row, col) {where}); a grey image holds "
            "finite amounts of ink"
        )
    if arr.size and arr.min() < 0:
        # Negative "ink" would pull the centre of mass away from the digit.
        raise ValueError(
            f"{name} has negative values (smallest {arr.min():.3g}); the centre of mass needs "
            "ink >= 0: pass grey levels (0 paper, 1 ink), not a normalised image"
        )
    return arr


def centre_of_mass(img) -> tuple[float, float] | None:
    """The ink-weighted mean position ``(row, col)`` of a grey image ``(H, W)``.

    ``row = sum(img[r, c] * r) / sum(img)`` and the same for ``col``; None when the image has
    no ink (its sum is 0), since an empty image has no centre.
    Introduced in ``09_your_own_handwriting``.
    """
    img = _check_image(img)
    total = img.sum()
    if total <= 0:
        return None
    rows = np.arange(img.shape[0])
    cols = np.arange(img.shape[1])
    return float(img.sum(axis=1) @ rows / total), float(img.sum(axis=0) @ cols / total)


def shift_image(img, dy: int, dx: int) -> np.ndarray:
    """Move the image ``dy`` pixels down and ``dx`` pixels right (negative: up, left).

    ``img``: ``(..., H, W)``, one image or a batch (every image moves the same way). Pixels
    pushed past an edge are dropped and the uncovered side is filled with zeros: nothing
    wraps around to the other side, unlike ``np.roll``. Returns a new array.
    Introduced in ``09_your_own_handwriting``.
    """
    arr = np.asarray(img)
    for value, name in ((dy, "dy"), (dx, "dx")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a whole number of pixels, got {value!r}")
    if arr.ndim < 2:
        raise ValueError(f"img must have shape (..., H, W), got shape {arr.shape}")
    h, w = arr.shape[-2:]
    out = np.zeros_like(arr)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = arr[
        ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def centre_by_mass(img, target: tuple[float, float] = MNIST_CENTRE) -> np.ndarray:
    """Move a grey image so that its centre of mass lands on ``target`` (row, col).

    ``img``: ``(H, W)``; returns a new ``(H, W)`` float image. The shift is rounded to whole
    pixels (so the centre lands within half a pixel of the target), ink pushed past an edge
    is dropped rather than wrapped around, and an image without ink comes back unchanged
    (all zeros). Step 4 of the preprocessing; the reference for the exercise of
    ``09_your_own_handwriting``.
    """
    img = _check_image(img)
    target = _check_pair(target, "target", "(row, col)")
    com = centre_of_mass(img)
    if com is None:
        return img.copy()  # an empty canvas has no centre: nothing to move
    dy = int(np.round(target[0] - com[0]))
    dx = int(np.round(target[1] - com[1]))
    return shift_image(img, dy, dx)


# ------------------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class DigitSteps:
    """Every picture of the preprocessing of one drawing, in order.

    All images are float arrays in ``[0, 1]`` (0 is paper, 1 is ink).
    """

    strokes: tuple  # the strokes as given, each a (P, 2) array of (x, y) canvas pixels
    canvas_px: float  # side of the drawing pad in pixels
    raw: np.ndarray  # (28, 28): the pad shrunk as it is, no preprocessing
    box: tuple[float, float, float, float] | None  # step 1: (x0, y0, x1, y1) around the ink
    scaled: np.ndarray  # step 2: (20 * supersample,) * 2, black and white, in the 20 x 20 box
    boxed: np.ndarray  # step 3: (20, 20) grey levels
    placed: np.ndarray  # (28, 28): the 20 x 20 box pasted in the middle, before centring
    image: np.ndarray  # step 4: (28, 28) centred by mass: what the networks see

    @property
    def empty(self) -> bool:
        """True when nothing was drawn."""
        return self.box is None

    @property
    def centre(self) -> tuple[float, float] | None:
        """Centre of mass ``(row, col)`` of the final image (None when empty)."""
        return centre_of_mass(self.image)


def mnist_preprocess(
    strokes,
    *,
    canvas_px: float = CANVAS_PX,
    pen_width: float = PEN_WIDTH,
    centre: Callable[[np.ndarray], np.ndarray] = centre_by_mass,
    supersample: int = SUPERSAMPLE,
) -> DigitSteps:
    """Strokes from the drawing pad -> an MNIST-style 28 x 28 digit, keeping every step.

    1. crop: the box around the strokes' points (:func:`ink_box`);
    2. scale: one factor for x and y (the aspect ratio is kept) so that the longer side,
       with the pen's width, fills ``BOX`` = 20 pixels, the shorter side centred in the box;
    3. grey levels: the strokes are drawn at that scale with a round pen ``pen_width`` MNIST
       pixels wide, anti-aliased by :func:`rasterise`;
    4. centre: the 20 x 20 box goes into a 28 x 28 image, which ``centre`` (by default
       :func:`centre_by_mass`) moves so that its centre of mass sits at ``(14, 14)``.

    The pen width is fixed in MNIST pixels, so a digit drawn small is not drawn with a
    fatter pen than one drawn large. ``strokes=[]`` (an empty pad) gives empty images and
    ``DigitSteps.empty`` True: no error.
    Introduced in ``09_your_own_handwriting``.
    """
    strokes = check_strokes(strokes)
    canvas_px = _check_positive(canvas_px, "canvas_px")
    pen_width = _check_positive(pen_width, "pen_width")
    supersample = _check_whole(supersample, "supersample")
    if not callable(centre):
        raise TypeError(f"centre must be a function img -> img, got {type(centre).__name__}")
    raw = canvas_image(strokes, canvas_px=canvas_px)
    box = ink_box(strokes)
    hi = BOX * supersample
    if box is None:
        zeros = np.zeros((GRID, GRID))
        return DigitSteps(
            (), canvas_px, raw, None, np.zeros((hi, hi)), np.zeros((BOX, BOX)), zeros, zeros
        )
    x0, y0, x1, y1 = box
    longest = max(x1 - x0, y1 - y0)
    inner = BOX - pen_width  # the pen's half width sticks out on each side
    scale = inner / longest if longest > 0 else 1.0  # a single dot keeps its size
    # Offsets that put the middle of the ink box at the middle of the 20 x 20 box.
    offset = ((x0 + x1) / 2 - BOX / 2 / scale, (y0 + y1) / 2 - BOX / 2 / scale)
    # Step 2 drawn in black and white at the high resolution, as NIST's scans were ...
    scaled = rasterise(
        strokes,
        hi,
        scale=scale * supersample,
        offset=offset,
        pen_width=pen_width * supersample,
        supersample=1,
    )  # (20 * supersample, 20 * supersample)
    # ... and step 3: the same drawing averaged down to 20 x 20, which makes the grey levels.
    boxed = rasterise(
        strokes, BOX, scale=scale, offset=offset, pen_width=pen_width, supersample=supersample
    )  # (20, 20)
    placed = np.zeros((GRID, GRID))
    start = (GRID - BOX) // 2
    placed[start : start + BOX, start : start + BOX] = boxed
    moved = centre(placed.copy())
    try:
        image = np.asarray(moved, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"centre must return a ({GRID}, {GRID}) image of numbers, got {type(moved).__name__}"
        ) from None
    if image.shape != (GRID, GRID):
        raise ValueError(
            f"centre must return a ({GRID}, {GRID}) image, got shape {image.shape}; "
            "it should move the digit, not resize it"
        )
    if not np.all(np.isfinite(image)):
        raise ValueError(
            "centre returned an image holding NaN or infinity: a centre of mass computed as "
            "0 / 0, or a division by the total ink when there is none? It should only move "
            "the pixels"
        )
    return DigitSteps(tuple(strokes), canvas_px, raw, box, scaled, boxed, placed, image)


# ------------------------------------------------------------------- example strokes


def _arc(cx, cy, rx, ry, start_deg, end_deg, n=24):
    t = np.radians(np.linspace(start_deg, end_deg, n))
    return [(round(cx + rx * np.cos(a), 1), round(cy + ry * np.sin(a), 1)) for a in t]


#: Three digits drawn on a 280 x 280 pad, as point lists, for running the pipeline without
#: a mouse (tests, and notebooks executed headless). Not centred and not 20 pixels tall: the
#: preprocessing has work to do.
EXAMPLE_STROKES: dict[str, list[list[tuple[float, float]]]] = {
    # a slanted "1" with a small flag at the top, drawn in the left half of the pad
    "1": [
        [(96.0, 70.0), (112.0, 52.0), (118.0, 46.0)],
        [(118.0, 46.0), (114.0, 100.0), (110.0, 160.0), (106.0, 215.0)],
    ],
    # an oval "0", drawn counter-clockwise from the top, slightly open at the end
    "0": [_arc(150.0, 140.0, 52.0, 80.0, -90.0, 258.0, n=36)],
    # a "7": a top bar, then a long diagonal down to the left, drawn small and high
    "7": [
        [(120.0, 40.0), (150.0, 39.0), (180.0, 40.0), (200.0, 42.0)],
        [(200.0, 42.0), (185.0, 80.0), (170.0, 120.0), (158.0, 160.0)],
    ],
}


# ------------------------------------------------------------------------------ figure


def plot_steps(steps: DigitSteps, *, title: str = "From pen strokes to an MNIST digit"):
    """Draw the preprocessing of one drawing as a row of five pictures; returns the figure.

    The pad shrunk as it is, then steps 1-4 of :func:`mnist_preprocess` (crop, scale, grey
    levels, centre by mass, with the centre of mass marked and (14, 14) crossed).
    Introduced in ``09_your_own_handwriting``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from course_lib.style import CMAP_GRAY, OKABE_ITO, apply_style

    if not isinstance(steps, DigitSteps):
        raise TypeError(
            "steps must be the DigitSteps that mnist_preprocess returns, got "
            f"{type(steps).__name__}"
        )
    apply_style()
    fig, axes = plt.subplots(1, 5, figsize=(10.0, 2.6), layout="constrained")
    hi = 70
    pictures = [
        (steps.raw, "your drawing,\nshrunk to 28 × 28"),
        (canvas_image(steps.strokes, canvas_px=steps.canvas_px, size=hi), "1. crop to\nthe ink"),
        (steps.scaled, "2. scale into\na 20 × 20 box"),
        (steps.boxed, "3. grey levels\n(20 × 20)"),
        (steps.image, "4. centre by mass\n(28 × 28)"),
    ]
    for ax, (img, label) in zip(axes, pictures, strict=True):
        ax.imshow(img, cmap=CMAP_GRAY, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(f"{img.shape[1]} pixels")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color("#999999")
    if steps.box is not None:
        x0, y0, x1, y1 = steps.box
        k = hi / steps.canvas_px
        m = CANVAS_PEN_PX / 2  # the box around the points, widened by the pen's half width
        axes[1].add_patch(
            Rectangle(
                ((x0 - m) * k - 0.5, (y0 - m) * k - 0.5),
                (x1 - x0 + 2 * m) * k,
                (y1 - y0 + 2 * m) * k,
                fill=False,
                lw=1.5,
                ec=OKABE_ITO["vermillion"],
            )
        )
    axes[4].axhline(MNIST_CENTRE[0], color=OKABE_ITO["sky"], lw=0.8)
    axes[4].axvline(MNIST_CENTRE[1], color=OKABE_ITO["sky"], lw=0.8)
    if steps.centre is not None:
        r, c = steps.centre
        axes[4].plot([c], [r], "o", ms=6, mfc="none", mec=OKABE_ITO["vermillion"], mew=1.5)
    fig.suptitle(title)
    return fig
