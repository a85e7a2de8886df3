"""Cost of one training step of several TrainConfig recipes, measured interleaved in one process.

    python benchmarks/step_cost.py                     # the plain recipe against RpGAN + R1 + R2, every step and lazy
    python benchmarks/step_cost.py --rounds 8 --seconds 4 --threads 1

On a loaded machine absolute times mean little, but the recipes take turns (a few seconds each, several
rounds), so the load hits them alike and the ratios hold. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import torch

RECIPES = {  # written out in full: TrainConfig's defaults moved from the first to the last (issue 24)
    "plain (non-saturating, beta1 0.5; the default before issue 24)": dict(
        loss="nonsaturating", beta1=0.5, r1=0.0, r2=0.0, reg_every=1
    ),
    "rpgan + R1 + R2 (gamma 1), beta1 0": dict(loss="rpgan", r1=1.0, r2=1.0, beta1=0.0, reg_every=1),
    "the same, lazy (reg_every 4; today's default)": dict(
        loss="rpgan", r1=1.0, r2=1.0, beta1=0.0, reg_every=4
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0, help="training seconds per recipe per round")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from gan_lessons import TrainConfig, load_mnist, new_run, train

    data = load_mnist("train", source="subset", verbose=False)
    runs = {name: new_run(TrainConfig(seed=0, device="cpu", **kw)) for name, kw in RECIPES.items()}
    spent = dict.fromkeys(RECIPES, 0.0)
    steps = dict.fromkeys(RECIPES, 0)
    for _ in range(args.rounds):
        for name, run in runs.items():
            first, start = run.step, time.perf_counter()
            train(run, data, 10**9, max_seconds=args.seconds, progress=False)
            spent[name] += time.perf_counter() - start
            steps[name] += run.step - first
    plain = next(iter(RECIPES))  # the plain recipe: the ratios are against it
    base = spent[plain] / steps[plain]
    print(f"{args.threads} thread(s), {args.rounds} rounds of {args.seconds:g} s per recipe")
    for name in RECIPES:
        per_step = spent[name] / steps[name]
        print(f"{name:66s} {1000 * per_step:7.1f} ms/step   x{per_step / base:.2f}")


if __name__ == "__main__":
    main()
