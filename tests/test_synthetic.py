"""The toy data sets: contracts (shapes, dtypes, seeding), the stated generative stories,
and clear errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.data import synthetic
from course_lib.data.synthetic import (
    TARGET_DOMAIN,
    TRIP_FEATURE_NAMES,
    TRIP_TRUE_BIAS,
    TRIP_TRUE_WEIGHTS,
    make_1d_regression,
    make_circles,
    make_moons,
    make_spirals,
    make_trip_customers,
    make_xor,
    target_function,
    trip_probability,
)

CLASSIFIERS = [make_trip_customers, make_xor, make_moons, make_circles, make_spirals]
WITH_NOISE = [make_xor, make_moons, make_circles, make_spirals, make_1d_regression]


@pytest.mark.parametrize("make", CLASSIFIERS)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_classification_contract(make, n):
    X, y = make(n=n, seed=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    assert set(np.unique(y)) <= {0, 1}


@pytest.mark.parametrize("make", CLASSIFIERS + [make_1d_regression])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=5)
    X2, y2 = make(seed=5)
    X3, _ = make(seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", [make_xor, make_moons, make_circles, make_spirals])
def test_classes_are_balanced(make):
    _, y = make(n=201, seed=0)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1


# --- trip customers ---------------------------------------------------------------------


def test_trip_features_are_readable_counts_and_days():
    X, y = make_trip_customers(n=5000, seed=1)
    searches, days = X[:, 0], X[:, 1]
    assert TRIP_FEATURE_NAMES == ("flight searches in the last week", "days since last holiday")
    assert synthetic.FEATURE_NAMES == TRIP_FEATURE_NAMES
    assert np.all(searches == np.round(searches)) and searches.min() >= 0
    assert 3 < searches.mean() < 7 and searches.max() < 40
    assert np.all(days == np.round(days)) and days.min() >= 0 and days.max() <= 365
    assert 0.3 < y.mean() < 0.7  # both answers are common


def test_trip_labels_follow_the_stated_logistic_model():
    X, y = make_trip_customers(n=20000, seed=0)
    p = trip_probability(X)
    assert abs(y.mean() - p.mean()) < 0.015
    # Within bands of the true probability, the share of trips matches the band.
    for lo, hi in [(0.0, 0.2), (0.4, 0.6), (0.8, 1.0)]:
        band = (p >= lo) & (p < hi)
        assert band.sum() > 500
        assert abs(y[band].mean() - p[band].mean()) < 0.03
    # Fitting a logistic regression (Newton's method) recovers the true weights.
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.zeros(3)
    for _ in range(30):
        q = 1 / (1 + np.exp(-A @ theta))
        hessian = A.T @ (A * (q * (1 - q))[:, None])
        theta += np.linalg.solve(hessian, A.T @ (y - q))
    np.testing.assert_allclose(theta[:2], TRIP_TRUE_WEIGHTS, rtol=0.1)
    np.testing.assert_allclose(theta[2], TRIP_TRUE_BIAS, rtol=0.1)


def test_trip_probability_boundary_is_the_stated_line():
    # On 0.6 * searches + 0.012 * days = 5 the probability is exactly one half.
    days = np.array([0.0, 100.0, 365.0])
    searches = (5 - 0.012 * days) / 0.6
    np.testing.assert_allclose(trip_probability(np.column_stack([searches, days])), 0.5)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        trip_probability(np.zeros((3, 3)))


# --- shapes -----------------------------------------------------------------------------


def test_xor_labels_are_the_xor_of_the_corners():
    X, y = make_xor(n=400, noise=0.05, seed=0)
    bits = np.round(X).astype(int)
    np.testing.assert_array_equal(y, bits[:, 0] ^ bits[:, 1])
    # No single straight line through the square separates XOR: the class means coincide.
    np.testing.assert_allclose(X[y == 0].mean(0), X[y == 1].mean(0), atol=0.05)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(n=300, noise=0.0, seed=0)
    upper = X[y == 0]
    lower = X[y == 1] - np.array([1.0, 0.5])
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0


def test_circles_without_noise_have_the_two_radii():
    X, y = make_circles(n=300, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_spirals_with_several_classes():
    X, y = make_spirals(n=300, noise=0.0, n_classes=3, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0
    # Each arm is a spiral: the angle grows with the radius (turns=1: one full turn).
    for k in range(3):
        arm_r = r[y == k]
        expected = 2 * np.pi * (arm_r + k / 3)
        angle = np.arctan2(X[y == k, 1], X[y == k, 0])
        np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)


def test_noise_moves_points_by_about_its_size():
    X0, _ = make_circles(n=2000, noise=0.0, seed=4)
    X1, _ = make_circles(n=2000, noise=0.2, seed=4)
    r0, r1 = np.hypot(*X0.T), np.hypot(*X1.T)
    assert 0.1 < np.std(r1 - r0) < 0.3


# --- universality target ----------------------------------------------------------------


def test_target_function_is_wiggly_smooth_and_bounded():
    x = np.linspace(*TARGET_DOMAIN, 2001)
    f = target_function(x)
    assert f.shape == x.shape and f.dtype == np.float64
    assert np.abs(f).max() < 1.0 and f.max() - f.min() > 1.0
    slope_sign = np.sign(np.diff(f))
    turning_points = np.count_nonzero(slope_sign[1:] != slope_sign[:-1])
    assert turning_points >= 3  # wiggly: not a simple bump
    assert np.abs(np.diff(f, 2)).max() < 1e-4  # smooth: tiny second differences at step 1e-3
    assert target_function(0.5) == pytest.approx(float(target_function(np.array([0.5]))[0]))
    assert target_function(np.zeros((2, 3))).shape == (2, 3)


def test_1d_regression_samples_the_target():
    x, y = make_1d_regression(n=50, noise=0.0, seed=2)
    assert x.shape == (50, 1) and y.shape == (50,)
    assert x.dtype == np.float64 and y.dtype == np.float64
    assert np.all(np.diff(x[:, 0]) >= 0)  # sorted for line plots
    assert TARGET_DOMAIN[0] <= x.min() and x.max() <= TARGET_DOMAIN[1]
    np.testing.assert_allclose(y, target_function(x[:, 0]))
    _, noisy = make_1d_regression(n=5000, noise=0.1, seed=2)
    x_n, _ = make_1d_regression(n=5000, noise=0.1, seed=2)
    assert 0.09 < np.std(noisy - target_function(x_n[:, 0])) < 0.11


# --- bad arguments ------------------------------------------------------------------------


@pytest.mark.parametrize("make", CLASSIFIERS + [make_1d_regression])
@pytest.mark.parametrize(
    "n, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_n(make, n, error):
    with pytest.raises(error, match="n must be a positive integer"):
        make(n=n)


@pytest.mark.parametrize("make", CLASSIFIERS + [make_1d_regression])
def test_bad_seed(make):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        make(seed=-1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        make(seed=None)


@pytest.mark.parametrize("make", WITH_NOISE)
@pytest.mark.parametrize(
    "noise, error", [(-0.1, ValueError), (float("nan"), ValueError), ("0.1", TypeError)]
)
def test_bad_noise(make, noise, error):
    with pytest.raises(error, match="noise must be a .*number >= 0"):
        make(noise=noise)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="factor must be a number strictly between 0 and 1"):
        make_circles(factor=1.5)
    with pytest.raises(ValueError, match="n_classes must be at least 2"):
        make_spirals(n_classes=1)
    with pytest.raises(ValueError, match="turns must be a positive number"):
        make_spirals(turns=0)
    with pytest.raises(TypeError, match="x must be a number"):
        target_function("0.5")
    with pytest.raises(ValueError, match="finite"):
        target_function(np.array([0.0, np.nan]))
