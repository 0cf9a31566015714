"""The prediction path of the drawing pad: probabilities and feature maps of one digit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.data.preprocess import EXAMPLE_STROKES, mnist_preprocess
from course_lib.handwriting import first_layer_maps, probabilities, read_digit
from course_lib.torch_nn import CNN, MLP, fast


@pytest.fixture(scope="module")
def nets():
    return MLP([784, 32, 10], seed=0), fast.fast_cnn(fast.FastRecipe(channels=(4, 8), hidden=16))


def test_read_digit_gives_two_distributions_and_the_first_maps(nets):
    ffn, cnn = nets
    image = mnist_preprocess(EXAMPLE_STROKES["7"]).image
    reading = read_digit(image, ffn, cnn)
    for p in (reading.ffn, reading.cnn):
        assert p.shape == (10,) and np.isclose(p.sum(), 1.0) and (p >= 0).all()
    assert reading.maps.shape == (4, 24, 24) and (reading.maps >= 0).all()  # after ReLU
    assert reading.ffn_digit == int(reading.ffn.argmax())
    assert ffn.training and cnn.training, "the networks are left in the mode they were in"


def test_probabilities_match_the_networks_own_softmax(nets):
    ffn, cnn = nets
    image = np.random.default_rng(0).random((28, 28))
    x = torch.as_tensor(image, dtype=torch.float32)
    ffn.eval()
    cnn.eval()
    with torch.no_grad():
        want_ffn = torch.softmax(ffn(x.reshape(1, 784)), 1)[0].numpy()
        want_cnn = torch.softmax(cnn(x.reshape(1, 1, 28, 28)), 1)[0].numpy()
    np.testing.assert_allclose(probabilities(ffn, image, flatten=True), want_ffn, rtol=1e-5)
    np.testing.assert_allclose(probabilities(cnn, image, flatten=False), want_cnn, rtol=1e-5)
    uint8 = (image * 255).astype(np.uint8)
    assert probabilities(ffn, uint8, flatten=True).shape == (10,)


def test_one_thread_is_used_during_a_reading_and_restored(nets):
    ffn, _ = nets
    before = torch.get_num_threads()
    seen = []
    handle = ffn.register_forward_hook(lambda *a: seen.append(torch.get_num_threads()))
    try:
        probabilities(ffn, np.zeros((28, 28)), flatten=True)
    finally:
        handle.remove()
    assert seen == [1] and torch.get_num_threads() == before


def test_the_course_cnn_class_works_too():
    cnn = CNN(channels=(3, 4), hidden=8)
    maps = first_layer_maps(cnn, np.zeros((28, 28)))
    assert maps.shape == (3, 28, 28)


def test_bad_images_and_models_are_refused(nets):
    ffn, cnn = nets
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        read_digit(np.zeros((20, 20)), ffn, cnn)
    with pytest.raises(TypeError, match="grey levels"):
        read_digit(np.zeros((28, 28), dtype=bool), ffn, cnn)
    with pytest.raises(TypeError, match="cnn"):
        first_layer_maps(ffn, np.zeros((28, 28)))
