"""The welcome notebook's widget check: a sine wave whose frequency a slider changes.

If moving the slider redraws the wave, the widget frontend works and every explorer in the
course will too. Introduced in ``00_welcome``.
"""

from __future__ import annotations

import numpy as np

from course_lib.style import OKABE_ITO
from course_lib.widgets.base import Explorer, slider


class WaveExplorer(Explorer):
    """A sine wave :math:`y = \\sin(2 \\pi f t)` over one second; the slider sets ``f``.

    Controls: ``frequency`` in hertz (cycles per second), 0.5 to 5.
    Introduced in ``00_welcome``.
    """

    title = "Widget check: move the slider and the wave should change"
    figsize = (5.0, 2.6)
    #: Samples of the time axis: enough for a smooth curve at the highest frequency.
    n_samples = 400

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [{"frequency": 0.5}, {"frequency": 2.0}, {"frequency": 3.5}, {"frequency": 5.0}]

    def __init__(self, frequency: float = 1.0):
        controls = {
            "frequency": slider("frequency (Hz)", frequency, 0.5, 5.0, 0.5, readout_format=".1f")
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> WaveExplorer:
        """The explorer as the welcome notebook shows it (1 Hz; nothing random)."""
        return cls(frequency=1.0)

    def setup(self) -> None:
        self.t = np.linspace(0.0, 1.0, self.n_samples)  # (T,) seconds
        ax = self.fig.add_subplot()
        (self.line,) = ax.plot(self.t, np.zeros_like(self.t), color=OKABE_ITO["blue"], lw=2)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-1.15, 1.15)
        ax.set_xlabel("time t (seconds)")
        ax.set_ylabel("sin(2π f t)")
        self.ax = ax
        # Only the wave and the title change: redraw them over a cached picture of the axes.
        self.dynamic_artists = [self.line, ax.title]

    def draw(self, values: dict) -> str:
        f = float(values["frequency"])
        self.line.set_ydata(np.sin(2.0 * np.pi * f * self.t))
        self.ax.set_title(f"A sine wave at {f:.1f} Hz")
        cycles = "cycle" if f == 1.0 else "cycles"
        return f"Frequency {f:.1f} Hz: the wave completes {f:g} {cycles} in one second."
