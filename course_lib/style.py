"""One look for every figure in the course: a colour-blind-safe palette and readable defaults.

The palette is Okabe and Ito's (2008), designed to stay distinguishable for the common forms
of colour blindness. Sequential images use ``viridis``/``cividis`` and signed quantities use
the diverging ``PuOr`` map; all of these are colour-blind safe.

Used by every notebook (``apply_style()`` in the first cell) and by the explorers.
"""

from __future__ import annotations

from cycler import cycler

#: Okabe-Ito colours by name, in the order the course uses them.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: The default line/marker cycle: the Okabe-Ito colours minus yellow (too pale on white).
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")]

#: Two classes of a binary problem: class 0 and class 1.
CLASS_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"])

#: Colour maps: images and intensities, probabilities, signed values (weights, kernels).
CMAP_SEQUENTIAL = "viridis"
CMAP_PROBABILITY = "cividis"
CMAP_DIVERGING = "PuOr"
CMAP_GRAY = "gray_r"


def apply_style() -> None:
    """Set matplotlib defaults for the course: palette, sizes, grid and colour maps.

    Introduced in ``00_welcome``; every notebook calls it once at the top.
    """
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "image.cmap": CMAP_SEQUENTIAL,
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.frameon": False,
        }
    )
