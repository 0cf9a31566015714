"""The flattening experiment: the shuffle is exact and reversible, an FFN cannot tell it from
the original (proved on the weights), and with real training the FFN keeps its accuracy while
the CNN loses its edge, for several seeds (``slow``)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.permutation import (
    PermutationResult,
    PermutationSetup,
    inverse_permutation,
    make_permutation,
    permute_first_layer,
    permute_pixels,
    plot_permutation_results,
    rearrange_first_layer_,
)


def test_permutation_is_seeded_and_complete():
    p = make_permutation(784, seed=3)
    assert np.array_equal(p, make_permutation(784, seed=3))
    assert not np.array_equal(p, make_permutation(784, seed=4))
    assert np.array_equal(np.sort(p), np.arange(784))


@pytest.mark.parametrize("shape", [(5, 784), (5, 28, 28), (5, 3, 28, 28)])
def test_permute_pixels_moves_pixels_and_can_be_undone(shape):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=shape, dtype=np.uint8)
    p = make_permutation(784, seed=1)
    y = permute_pixels(x, p)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert not np.array_equal(y, x)
    # Every image keeps exactly its own pixel values (a histogram is permutation-invariant).
    for a, b in zip(x.reshape(5, -1, 784), y.reshape(5, -1, 784), strict=True):
        assert np.array_equal(np.sort(a, axis=-1), np.sort(b, axis=-1))
    # Position j of the shuffled image holds the pixel from position p[j].
    assert y.reshape(5, -1, 784)[2, 0, 10] == x.reshape(5, -1, 784)[2, 0, p[10]]
    assert np.array_equal(permute_pixels(y, inverse_permutation(p)), x)


def test_the_same_shuffle_for_every_image():
    x = np.tile(np.arange(784, dtype=np.float32), (4, 1))  # four identical images
    y = permute_pixels(x, make_permutation(784, seed=2))
    assert all(np.array_equal(y[0], y[i]) for i in range(4))


def test_permuted_first_layer_sees_shuffled_inputs_as_the_originals():
    rng = np.random.default_rng(0)
    x = rng.random((8, 784))
    w1 = rng.standard_normal((784, 16))
    p = make_permutation(784, seed=5)
    np.testing.assert_allclose(permute_pixels(x, p) @ permute_first_layer(w1, p), x @ w1)


def test_trained_torch_mlp_with_permuted_rows_predicts_identically():
    torch = pytest.importorskip("torch")
    from course_lib.torch_nn.mlp import MLP

    rng = np.random.default_rng(1)
    x = rng.random((64, 784)).astype(np.float32)
    model = MLP([784, 32, 10], seed=0)
    params = model.numpy_params()
    p = make_permutation(784, seed=0)
    params["W1"] = permute_first_layer(params["W1"], p)
    twin = MLP([784, 32, 10], seed=1)
    twin.load_numpy_params(params)
    with torch.no_grad():
        a = model(torch.from_numpy(x))
        b = twin(torch.from_numpy(permute_pixels(x, p)))
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-5)
    assert np.array_equal(b.argmax(1).numpy(), a.argmax(1).numpy())


def test_rearranged_first_layer_gives_the_same_outputs_on_shuffled_inputs():
    torch = pytest.importorskip("torch")
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))
    x = torch.rand(32, 784, dtype=torch.float32)
    with torch.no_grad():
        before = model(x)
    p = make_permutation(784, seed=7)
    assert rearrange_first_layer_(model, p) is model
    with torch.no_grad():
        after = model(torch.from_numpy(permute_pixels(x.numpy(), p)))
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="no nn.Linear"):
        rearrange_first_layer_(nn.Sequential(nn.ReLU()), p)
    with pytest.raises(ValueError, match="exactly once"):
        rearrange_first_layer_(nn.Linear(10, 2), p)


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (np.arange(783), ValueError, "exactly once"),
        (np.r_[0, np.arange(783)], ValueError, "repeats or gaps"),
        (np.arange(784.0), TypeError, "integer positions"),
        (np.arange(784).reshape(28, 28), TypeError, "1-D"),
    ],
)
def test_bad_permutations_are_explained(bad, error, match):
    with pytest.raises(error, match=match):
        permute_pixels(np.zeros((2, 28, 28)), bad)


def test_bad_images_are_explained():
    p = make_permutation(784)
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        permute_pixels(np.zeros(784), p)
    with pytest.raises(TypeError, match="numbers"):
        permute_pixels(np.array([["a"] * 784]), p)
    with pytest.raises(ValueError, match=r"\(D, H\)"):
        permute_first_layer(np.zeros(784), p)


def test_result_reports_and_plots_the_gaps():
    import matplotlib

    matplotlib.use("Agg")
    r = PermutationResult(0.95, 0.949, 0.98, 0.93, n_train=10, n_test=10, epochs=1)
    assert r.ffn_change_points == pytest.approx(-0.1)
    assert r.cnn_drop_points == pytest.approx(5.0)
    assert r.cnn_edge_points == pytest.approx(3.0)
    assert "-0.10 points" in r.summary() and "5.00 points" in r.summary()
    assert "Controls" not in r.summary()  # no control runs, no control sentence
    with_controls = PermutationResult(
        0.95, 0.95, 0.98, 0.93, 10, 10, 1, ffn_permuted_fresh=0.953, ffn_other_seed=0.948
    )
    assert with_controls.ffn_fresh_change_points == pytest.approx(0.3)
    assert with_controls.ffn_seed_change_points == pytest.approx(-0.2)
    assert "+0.30 points" in with_controls.summary() and "-0.20 points" in with_controls.summary()
    assert "other start" in with_controls.table()
    fig = plot_permutation_results(r)
    assert fig.axes[0].get_ylabel() == "test accuracy (%, from 85)"  # the zoom is stated
    assert len(fig.axes[0].patches) == 4


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ffn_is_blind_to_the_shuffle_and_the_cnn_is_not(seed, monkeypatch):
    """The notebook's claim with other seeds (subset, shuffle, weights and batch order)."""
    from data_support import require_real_data

    from course_lib.data import load_mnist
    from course_lib.data.download import ENV_DATA

    monkeypatch.setenv(ENV_DATA, str(require_real_data()))
    x_train, y_train, x_test, y_test = load_mnist(progress=False)
    setup = PermutationSetup()
    r = setup.run(x_train, y_train, x_test, y_test, seed=seed, progress=False)
    assert abs(r.ffn_change_points) <= setup.ffn_tolerance_points, r.summary()
    assert r.cnn_drop_points >= setup.min_cnn_drop_points, r.summary()
    assert r.cnn_edge_points > 0, r.summary()
    assert r.cnn_permuted < r.ffn_permuted, r.summary()
    # Controls: from a start that was not rearranged, or from another seed, the FFN moves
    # only by ordinary seed noise, far less than the CNN's drop.
    assert abs(r.ffn_fresh_change_points) <= setup.control_tolerance_points, r.summary()
    assert abs(r.ffn_seed_change_points) <= setup.control_tolerance_points, r.summary()
    assert r.cnn_drop_points > 3 * abs(r.ffn_fresh_change_points), r.summary()
