"""Time to 99% MNIST test accuracy: a classic PyTorch-examples loop vs the course's fast path.

Run from the repository root::

    python benchmarks/gpu_time_to_99.py              # GPU when there is one, else the CPU
    python benchmarks/gpu_time_to_99.py --seeds 5 --device cpu
    python benchmarks/gpu_time_to_99.py --quick      # baseline extrapolated (a lower bound)
    python benchmarks/gpu_time_to_99.py --smoke      # a few seconds; checks the script only

In one process, on one device, it runs

* the **baseline**: the network, optimiser and loop of the official PyTorch MNIST example
  (host-side ``DataLoader`` batches of 64 copied to the device one by one, Adadelta with
  lr 1.0 and a StepLR decay of 0.7 per epoch), epoch after epoch **until its test accuracy
  reaches 99%**, on every device. On a CPU that takes minutes; ``--quick`` instead trains
  ``--baseline-steps`` steps and extrapolates the time of ONE epoch from them, which is a
  lower bound (the example needs about two epochs); the output and the JSON say so.
* the **fast path**: :func:`course_lib.torch_nn.fast.train_once`, i.e. the course's own
  ``fit`` with :meth:`FastRecipe.for_device`, once per seed, after a warm-up that is timed and
  reported separately.

The baseline runs sit between the fast runs (fast, baseline, fast, ...), so a machine that
gets busier or quieter during the benchmark affects both sides alike. On a CPU both sides
use the thread count :func:`course_lib.threads.use_sensible_threads` picks (set
``COURSE_THREADS`` to fix it).

Training times exclude evaluation and the one-off data transfer. Evaluation is timed on its
own: a recipe may evaluate with test-time augmentation (the averaged predictions of a few
shifted copies of each test image), which costs evaluation time, never training time, and
the output says how many copies were used.

It prints one line per run, the medians, the warm-up, the ratio baseline / fast, the device's
name and the fraction of its peak arithmetic rate the fast path used, and finally one JSON
line with (at least) ``device``, ``median_train_s``, ``mean_test_acc``, ``seeds``,
``baseline_median_train_s``, ``baseline_extrapolated`` and ``ratio``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# OpenMP's waiting threads are left as a notebook's kernel leaves them (they spin a moment
# between operations, then sleep), so the figures are what a learner's `fit` gets. On a
# machine shared with other busy processes the spinning steals the cores the other thread
# needs: run with OMP_WAIT_POLICY=PASSIVE there for steadier (and slower) CPU figures. The
# policy in force is printed and stored in the JSON line.
import numpy as np

TARGET = 0.99
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the normalisation the PyTorch example uses


def examples_net():
    """The network of the official PyTorch MNIST example (about 1.2M parameters)."""
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = torch.relu(self.conv1(x))
            x = torch.relu(self.conv2(x))
            x = torch.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = torch.relu(self.fc1(x))
            x = self.dropout2(x)
            return torch.log_softmax(self.fc2(x), dim=1)

    return Net()


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _use_threads(device):
    """On a CPU, the thread count the course's ``fit`` would pick now (it is applied)."""
    if device.type != "cpu":
        return None
    from course_lib.threads import use_sensible_threads

    return use_sensible_threads()


def baseline_run(
    x_train,
    y_train,
    x_test,
    y_test,
    *,
    device,
    seed=0,
    max_epochs=14,
    max_steps=None,
    batch_size=64,
) -> dict:
    """Train the examples' net the examples' way until 99% test accuracy (or a step limit).

    Batches come from a host-side ``DataLoader`` and are copied to ``device`` one at a time,
    as in the example. With ``max_steps`` the run stops after that many steps and the time
    of one full epoch is extrapolated from the measured steps (``extrapolated: True``).
    Returns ``train_s``, ``test_acc`` (``None`` when stopped early), ``epochs``, ``steps``,
    ``extrapolated`` and ``threads`` (CPU threads of the last epoch; ``None`` on a GPU).
    """
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(seed)
    x = torch.from_numpy(np.asarray(x_train)).float().div(255).unsqueeze(1) - MNIST_MEAN
    x = x / MNIST_STD  # (N, 1, 28, 28) on the host, like torchvision's Normalize
    xt = torch.from_numpy(np.asarray(x_test)).float().div(255).unsqueeze(1) - MNIST_MEAN
    xt = xt / MNIST_STD
    yt = torch.from_numpy(np.asarray(y_test).astype(np.int64))
    data = TensorDataset(x, torch.from_numpy(np.asarray(y_train).astype(np.int64)))
    loader = DataLoader(
        data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    model = examples_net().to(device)
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
    train_s, steps, acc, epoch = 0.0, 0, None, 0
    while epoch < max_epochs:
        epoch += 1
        threads = _use_threads(device)
        model.train()
        _sync(device)
        t0 = time.perf_counter()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)  # one host-to-device copy per batch
            opt.zero_grad()
            loss = F.nll_loss(model(xb), yb)
            loss.backward()
            opt.step()
            steps += 1
            if max_steps is not None and steps >= max_steps:
                break
        _sync(device)
        train_s += time.perf_counter() - t0
        if max_steps is not None:
            per_step = train_s / steps
            return {
                "train_s": per_step * len(loader),
                "test_acc": None,
                "epochs": 1,
                "steps": steps,
                "extrapolated": True,
                "threads": threads,
            }
        sched.step()
        model.eval()
        with torch.no_grad():
            correct = sum(
                int((model(xt[i : i + 1000].to(device)).argmax(1).cpu() == yt[i : i + 1000]).sum())
                for i in range(0, len(yt), 1000)
            )
        acc = correct / len(yt)
        if acc >= TARGET:
            break
    return {
        "train_s": train_s,
        "test_acc": acc,
        "epochs": epoch,
        "steps": steps,
        "extrapolated": False,
        "threads": threads,
    }


def _interleave(seeds: int, baseline_seeds: int) -> list[tuple[str, int]]:
    """The order of the runs: baseline runs spread evenly between the fast runs."""
    order = []
    for k in range(baseline_seeds):
        before = int((k + 0.5) * seeds / baseline_seeds + 0.5)  # fast runs before baseline k
        order += [("fast", s) for s in range(sum(kind == "fast" for kind, _ in order), before)]
        order.append(("baseline", k))
    done = sum(kind == "fast" for kind, _ in order)
    return order + [("fast", s) for s in range(done, seeds)]


def run(
    data,
    *,
    device=None,
    seeds=5,
    baseline_seeds=None,
    baseline_steps=None,
    recipe=None,
    smoke=False,
    warmup_images=4096,
    out=print,
) -> dict:
    """The whole benchmark on ``data = (x_train, y_train, x_test, y_test)``; returns the summary.

    ``baseline_seeds``: baseline runs (default: as many as ``seeds`` on a GPU, 1 on a CPU,
    where one run takes minutes). ``baseline_steps``: ``None`` (default) trains each baseline
    run until it reaches 99% test accuracy; a number stops it after that many steps and
    extrapolates one epoch from them (a lower bound, flagged in the output and the JSON).
    ``recipe``: the fast path's :class:`FastRecipe` (default :meth:`FastRecipe.for_device`).
    ``smoke=True`` only labels the output as a smoke run whose numbers mean nothing.
    ``warmup_images``: images of the untimed warm-up epoch.
    """
    import torch

    from course_lib.device import describe_device, pick_device
    from course_lib.torch_nn.fast import FastRecipe, peak_flops, train_once, training_flops, warm_up

    device = pick_device() if device is None else torch.device(device)
    on_gpu = device.type == "cuda"
    if baseline_seeds is None:
        baseline_seeds = seeds if on_gpu else 1
    extrapolated = baseline_steps is not None
    x_train, y_train, x_test, y_test = data
    recipe = FastRecipe.for_device(device) if recipe is None else recipe
    name = describe_device(device)
    policy = os.environ.get("OMP_WAIT_POLICY")
    if smoke:
        out(
            "SMOKE RUN: a tiny data set and network check that the script works; "
            "its times and accuracies mean nothing"
        )
    policy = policy or "unset (OpenMP's default, as in a notebook's kernel)"
    out(f"device: {name}; torch {torch.__version__}; OMP_WAIT_POLICY={policy}")
    out(f"fast recipe: {recipe}")
    if extrapolated:
        out(
            f"QUICK MODE: the baseline is extrapolated from {baseline_steps} steps to one "
            "epoch; its time is a LOWER BOUND (it needs about two epochs to reach 99%)"
        )
    else:
        out("baseline: trained until it reaches 99% test accuracy (minutes on a CPU)")

    warm_s = warm_up(x_train, y_train, recipe=recipe, device=device, n=warmup_images)
    out(f"warm-up (one-off: context, kernel selection, compilation): {warm_s:.2f} s")

    runs, base = [], []
    for kind, seed in _interleave(seeds, baseline_seeds):
        if kind == "fast":
            r = train_once(
                x_train, y_train, x_test, y_test, recipe=recipe, device=device, seed=seed
            )
            runs.append(r)
            out(
                f"fast     seed {seed}: {r.train_s:8.3f} s training; test accuracy "
                f"{r.test_acc:.2%} (evaluation {r.eval_s:.2f} s, {r.history.device})"
            )
            continue
        b = baseline_run(
            x_train, y_train, x_test, y_test, device=device, seed=seed, max_steps=baseline_steps
        )
        base.append(b)
        acc = "not measured" if b["test_acc"] is None else f"{b['test_acc']:.2%}"
        what = (
            f"one epoch EXTRAPOLATED from {b['steps']} steps, a lower bound"
            if b["extrapolated"]
            else f"{b['epochs']} epochs to reach {TARGET:.0%}"
            if b["test_acc"] >= TARGET
            else f"stopped after {b['epochs']} epochs WITHOUT reaching {TARGET:.0%}"
        )
        out(f"baseline seed {seed}: {b['train_s']:8.3f} s  ({what}); test accuracy {acc}")
    times = [r.train_s for r in runs]
    accs = [r.test_acc for r in runs]
    eval_times = [r.eval_s for r in runs]
    median_s = statistics.median(times)
    mean_acc = float(np.mean(accs))
    base_median = statistics.median(b["train_s"] for b in base)
    copies = 1 + 4 * (recipe.test_shifts > 0)

    flops = training_flops(recipe, n_train=recipe.train_images or len(y_train))
    achieved = flops / median_s
    peak = peak_flops(name, bf16=recipe.autocast == "bf16") if on_gpu else None
    out(
        f"fast path: median {median_s:.3f} s training, mean accuracy {mean_acc:.2%} over "
        f"{seeds} seeds (min {min(accs):.2%}); {achieved / 1e9:.1f} GFLOP/s achieved"
    )
    out(
        f"fast path evaluation (not in the training time): median "
        f"{statistics.median(eval_times):.3f} s for {len(y_test)} test images x {copies} "
        f"{'copy' if copies == 1 else 'shifted copies (test-time augmentation)'}"
    )
    out(f"warm-up (one-off, not in the training time): {warm_s:.2f} s")
    if peak:
        out(
            f"fraction of the GPU's data-sheet peak ({peak / 1e12:.0f} TFLOP/s): "
            f"{achieved / peak:.2%}"
        )
    ratio = base_median / median_s
    bound = ">= " if extrapolated else ""
    how = "extrapolated, a lower bound" if extrapolated else "measured until 99%"
    out(f"baseline median {base_median:.3f} s ({how}); ratio baseline / fast = {bound}{ratio:.1f}x")
    summary = {
        "device": name,
        "smoke": smoke,
        "median_train_s": round(median_s, 4),
        "mean_test_acc": round(mean_acc, 5),
        "seeds": seeds,
        "train_s": [round(t, 4) for t in times],
        "test_acc": accs,
        "all_seeds_reach_99": all(a >= TARGET for a in accs),
        "eval_s": [round(t, 4) for t in eval_times],
        "test_copies": copies,
        "threads": [r.history.device for r in runs],
        "warmup_s": round(warm_s, 3),
        "baseline_median_train_s": round(base_median, 4),
        "baseline_seeds": baseline_seeds,
        "baseline_extrapolated": extrapolated,
        "baseline_extrapolated_from_steps": baseline_steps,
        "baseline_train_s": [round(b["train_s"], 4) for b in base],
        "baseline_epochs": [b["epochs"] for b in base],
        "baseline_test_acc": [b["test_acc"] for b in base],
        "baseline_note": (
            "QUICK MODE: one epoch of the examples' loop, extrapolated from the measured "
            "steps (the example needs about two epochs to reach 99%, so this is a lower bound "
            "and so is the ratio)"
            if extrapolated
            else "the examples' loop trained until 99% test accuracy (time of its epochs, "
            "evaluation excluded)"
        ),
        "ratio": round(ratio, 2),
        "ratio_is_lower_bound": extrapolated,
        "train_flops": flops,
        "achieved_flops_per_s": achieved,
        "peak_flops_per_s": peak,
        "fraction_of_peak": None if not peak else achieved / peak,
        "recipe": {k: v for k, v in vars(recipe).items()},
        "training_examples": int(len(y_train)),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
    }
    return summary


#: ``--smoke``: how much real data, which network and how many baseline steps.
SMOKE = {"train": 1024, "test": 256, "warmup": 256, "baseline_steps": 3}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best)")
    parser.add_argument("--seeds", type=int, default=5, help="fast-path runs (default 5)")
    parser.add_argument("--baseline-seeds", type=int, default=None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="do not train the baseline to 99%%: extrapolate one epoch from a few steps "
        "(a lower bound, flagged as such)",
    )
    parser.add_argument(
        "--baseline-steps",
        type=int,
        default=60,
        help="with --quick: the baseline steps to extrapolate from (default 60)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds on a sliver of MNIST with a tiny network: checks that the script "
        "runs; its numbers mean nothing",
    )
    args = parser.parse_args(argv)

    from course_lib.data import load_mnist

    data = load_mnist(progress=False)
    recipe = None
    seeds, baseline_steps = args.seeds, (args.baseline_steps if args.quick else None)
    if args.smoke:
        from course_lib.torch_nn.fast import FastRecipe

        n, m = SMOKE["train"], SMOKE["test"]
        data = (data[0][:n], data[1][:n], data[2][:m], data[3][:m])
        recipe = FastRecipe(channels=(4, 8), hidden=16, batch_size=256)
        seeds, baseline_steps = min(seeds, 2), SMOKE["baseline_steps"]
    summary = run(
        data,
        device="cpu" if args.smoke else args.device,
        seeds=seeds,
        baseline_seeds=args.baseline_seeds,
        baseline_steps=baseline_steps,
        recipe=recipe,
        smoke=args.smoke,
        warmup_images=SMOKE["warmup"] if args.smoke else 4096,
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
