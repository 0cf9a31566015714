"""Optimisers: NumPy steps equal torch.optim's; random search only ever keeps improvements."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.numpy_nn import optim as O
from course_lib.torch_nn import optim as TO

CASES = [
    ("GradientDescent", {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    ("SGD", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.5}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.5}),
    ("Momentum", {"lr": 0.02}, torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    ("Adam", {"lr": 0.01}, torch.optim.Adam, {"lr": 0.01}),
    (
        "Adam",
        {"lr": 0.003, "betas": (0.8, 0.99), "eps": 1e-6},
        torch.optim.Adam,
        {"lr": 0.003, "betas": (0.8, 0.99), "eps": 1e-6},
    ),
]


def _params_and_grads(seed, steps=6):
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    grads = [
        {k: rng.standard_normal(v.shape) * 10 ** rng.uniform(-3, 1) for k, v in params.items()}
        for _ in range(steps)
    ]
    return params, grads


@pytest.mark.parametrize("name,kw,torch_cls,torch_kw", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_numpy_steps_equal_torch_optim(name, kw, torch_cls, torch_kw, seed):
    params, grads = _params_and_grads(seed)
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    opt = getattr(O, name)(params, **kw)
    topt = torch_cls(list(tparams.values()), **torch_kw)
    for step, g in enumerate(grads, start=1):
        opt.step(g)
        for k, p in tparams.items():
            p.grad = torch.tensor(g[k])
        topt.step()
        for k in params:
            np.testing.assert_allclose(
                params[k],
                tparams[k].detach().numpy(),
                rtol=1e-12,
                atol=1e-14,
                err_msg=f"{name} step {step} param {k}",
            )
    assert any(not np.allclose(params[k], _params_and_grads(seed)[0][k]) for k in params)


@pytest.mark.parametrize("name,kw,torch_cls,torch_kw", CASES)
def test_torch_twin_takes_the_same_steps_from_a_grads_dict(name, kw, torch_cls, torch_kw):
    params, grads = _params_and_grads(3)
    tparams = {k: torch.tensor(v) for k, v in params.items()}
    opt = getattr(O, name)(params, **kw)
    topt = getattr(TO, name)(tparams, **kw)
    assert isinstance(topt, torch_cls)
    for g in grads:
        opt.step(g)
        topt.step({k: torch.tensor(v) for k, v in g.items()})
    for k in params:
        np.testing.assert_allclose(params[k], tparams[k].numpy(), rtol=1e-12, atol=1e-14)


def test_torch_twin_works_the_usual_way_with_model_parameters(device):
    model = torch.nn.Linear(3, 1, device=device)
    opt = TO.Adam(model.parameters(), lr=0.1)
    x = torch.randn(32, 3, device=device, generator=None)
    y = x @ torch.tensor([1.0, -2.0, 0.5], device=device)
    first = None
    for _ in range(100):
        opt.zero_grad()
        loss = ((model(x)[:, 0] - y) ** 2).mean()
        first = loss.item() if first is None else first
        loss.backward()
        opt.step()
    assert loss.item() < 0.01 * first


@pytest.mark.parametrize("half", ["numpy", "torch"])
def test_random_search_keeps_only_improvements(half):
    target = np.array([1.0, -2.0, 3.0])
    if half == "numpy":
        params = {"w": np.zeros(3)}
        loss_fn = lambda p: float(np.sum((p["w"] - target) ** 2))  # noqa: E731
        opt = O.RandomSearch(params, loss_fn, step_size=0.3, seed=1)
    else:
        params = {"w": torch.zeros(3, dtype=torch.float64)}
        tt = torch.tensor(target)
        loss_fn = lambda p: float(((p["w"] - tt) ** 2).sum())  # noqa: E731
        opt = TO.RandomSearch(params, loss_fn, step_size=0.3, seed=1)
    start = opt.best_loss
    history = [start]
    for _ in range(300):
        opt.step()
        history.append(opt.best_loss)
        assert loss_fn(params) == pytest.approx(opt.best_loss)  # rejected nudges are undone
    assert all(b <= a for a, b in zip(history, history[1:], strict=False))
    assert history[-1] < 0.05 * start
    assert 0 < opt.accepted < 300


def test_minibatches_cover_every_index_once():
    batches = list(O.minibatches(10, 4, rng=0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = list(O.minibatches(10, 4, rng=0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    tb = list(TO.minibatches(10, 4, rng=0))
    assert [len(b) for b in tb] == [4, 4, 2]
    assert sorted(torch.cat(tb).tolist()) == list(range(10))


def test_make_optimizer_builds_by_name():
    params = {"w": np.zeros(2)}
    assert isinstance(O.make_optimizer("adam", params, lr=0.1), O.Adam)
    assert isinstance(O.make_optimizer("Momentum", params, lr=0.1), O.Momentum)
    tparams = {"w": torch.zeros(2)}
    assert isinstance(TO.make_optimizer("sgd", tparams, lr=0.1, momentum=0.5), TO.SGD)
    with pytest.raises(ValueError, match="'lbfgs'"):
        O.make_optimizer("lbfgs", params, lr=0.1)
