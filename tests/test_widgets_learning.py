"""The landscape explorer of 03_learning: each slider moves the paths the way it should."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_lib.widgets.learning import LandscapeExplorer


@pytest.fixture
def explorer():
    return LandscapeExplorer.example()


def line_xy(line) -> np.ndarray:
    xs, ys = line.get_data()
    return np.column_stack([np.asarray(xs, float), np.asarray(ys, float)])


def first_step_length(explorer, name="gradient descent") -> float:
    path = line_xy(explorer.paths[name])
    return float(np.linalg.norm(path[1] - path[0]))


def test_example_builds_with_controls_readout_and_picture(explorer):
    assert set(explorer.controls) == {"learning_rate", "batch_size", "steps"}
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    for move in LandscapeExplorer.example_moves:
        assert set(move) <= set(explorer.controls)
    for name in ("random search", "gradient descent", "SGD"):
        assert name in explorer.readout_text


def test_larger_learning_rate_travels_further(explorer):
    explorer.set(learning_rate=0.1)
    short = first_step_length(explorer)
    png_before = bytes(explorer.image.value)
    explorer.set(learning_rate=1.0)
    long = first_step_length(explorer)
    # The first step is lr times the same gradient: ten times the rate, ten times the step.
    assert long == pytest.approx(10 * short, rel=1e-6)
    assert "Learning rate 1," in explorer.readout_text
    assert bytes(explorer.image.value) != png_before


def test_more_steps_draw_more_points_and_lower_the_loss(explorer):
    explorer.set(learning_rate=0.3, steps=10)
    points_few = len(line_xy(explorer.paths["gradient descent"]))
    loss_few = explorer.trajectories["gradient descent"].final_loss
    explorer.set(steps=60)
    curve = line_xy(explorer.curves["gradient descent"])
    assert points_few == 11 and len(curve) == 61
    assert curve[-1, 1] < loss_few
    assert "60 steps" in explorer.readout_text
    assert f"{curve[-1, 1]:.3f}" in explorer.readout_text


def test_full_batch_sgd_is_gradient_descent(explorer):
    n = explorer.x.shape[0]
    explorer.set(batch_size=n, learning_rate=0.5, steps=15)
    assert np.allclose(line_xy(explorer.paths["SGD"]), line_xy(explorer.paths["gradient descent"]))
    explorer.set(batch_size=4)
    assert not np.allclose(
        line_xy(explorer.paths["SGD"]), line_xy(explorer.paths["gradient descent"])
    )
    assert "batch size 4" in explorer.readout_text


def test_random_search_ignores_the_learning_rate_and_never_goes_up(explorer):
    explorer.set(learning_rate=0.05)
    before = line_xy(explorer.paths["random search"])
    explorer.set(learning_rate=5.0)
    after = line_xy(explorer.paths["random search"])
    assert np.array_equal(before, after)
    losses = line_xy(explorer.curves["random search"])[:, 1]
    assert np.all(np.diff(losses) <= 0)


def test_too_large_learning_rate_is_detected_and_explained_without_warnings(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or NaN warnings allowed
        explorer.set(learning_rate=30.0)
        assert "went UP" in explorer.readout_text
        gd = explorer.trajectories["gradient descent"]
        assert gd.unstable and gd.rises > 5
        explorer.set(learning_rate=100.0)
    assert "DIVERGED" in explorer.readout_text and "far too large" in explorer.readout_text
    gd = explorer.trajectories["gradient descent"]
    assert gd.diverged and gd.final_loss > 2 * gd.losses[0]
    assert np.all(np.isfinite(line_xy(explorer.paths["gradient descent"])))


def test_a_good_learning_rate_is_not_flagged(explorer):
    explorer.set(learning_rate=1.0, steps=40)
    assert "too large" not in explorer.readout_text
    gd = explorer.trajectories["gradient descent"]
    assert gd.final_loss == pytest.approx(explorer.min_loss, abs=0.01)


def test_fast_redraw_shows_the_same_picture_as_a_full_render(explorer):
    import io

    from PIL import Image

    for move in explorer.example_moves:
        explorer.set(**move)
    fast = np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGB"), dtype=float)
    for artist in explorer.dynamic_artists:
        artist.set_animated(False)
    explorer.fig.canvas.draw()
    full = np.asarray(explorer.fig.canvas.buffer_rgba())[..., :3].astype(float)
    assert fast.shape == full.shape
    assert np.mean(np.abs(fast - full)) < 0.5


def test_every_example_move_changes_the_picture(explorer):
    for move in explorer.example_moves:
        before = bytes(explorer.image.value)
        explorer.set(**move)
        assert bytes(explorer.image.value) != before, move


def test_the_explorer_runs_the_loops_it_is_given():
    from course_lib.exercises import learning as reference

    calls = []

    def my_gradient_descent(x, y, w, b, lr, steps):
        calls.append(("gradient descent", lr, steps))
        return reference.gradient_descent(x, y, w, b, lr=lr, steps=steps)

    def my_sgd(x, y, w, b, lr, epochs, batch_size, seed=0):
        calls.append(("SGD", epochs, batch_size))
        return reference.sgd(x, y, w, b, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)

    def standing_still(x, y, w, b, step_size, steps, seed=0):
        return np.array([w] * (steps + 1))

    explorer = LandscapeExplorer.example(
        gradient_descent=my_gradient_descent, sgd=my_sgd, random_search=standing_still
    )
    calls.clear()
    explorer.set(learning_rate=0.5, batch_size=50, steps=10)
    # 200 customers in batches of 50: 4 steps per epoch, so 3 epochs cover 10 steps.
    assert calls == [("gradient descent", 0.5, 10), ("SGD", 3, 50)]
    assert len(line_xy(explorer.paths["SGD"])) == 11  # only the first 10 steps are drawn
    assert np.allclose(line_xy(explorer.paths["random search"]), LandscapeExplorer.start)


def test_a_loop_that_returns_no_path_is_named():
    def final_weights_only(x, y, w, b, lr, steps):
        return w

    with pytest.raises(ValueError, match=r"path .* \(steps \+ 1, 2\)"):
        LandscapeExplorer.example(gradient_descent=final_weights_only)


def test_loops_must_be_functions_and_names_must_be_known():
    with pytest.raises(TypeError, match="sgd must be a function"):
        LandscapeExplorer.example(sgd="my loop")
    with pytest.raises(TypeError, match="gradient_descent=, sgd= and random_search="):
        LandscapeExplorer.example(train=lambda *a: None)
