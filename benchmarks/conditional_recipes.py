"""The 10_conditional_gan table from the command line: each way of giving the conditional D the label, trained
from the same seed on the same batches, its conditioning accuracy (chapter 06's classifier) after given steps.
Prints a Markdown table; never asserts.

    python benchmarks/conditional_recipes.py        # as the chapter trains now: 8 epochs of the 4,000 training digits
    python benchmarks/conditional_recipes.py --split all --epochs 6 --at 200,400,468   # the table chapter 10 quotes
    python benchmarks/conditional_recipes.py --seeds 0,1,2
    python benchmarks/conditional_recipes.py --digits 1280 --epochs 1 --at 10,20 --n-eval 100   # a quick look

Chapter 10's table was measured on split "all" (all 5,000 subset digits, the 1,000 test digits included:
6 epochs = 468 steps of 64), before the chapter moved to the training split; `--split all --epochs 6
--at 200,400,468` reproduces it. `--digits N` trains on N digits of the split drawn at random (seed 0, as the
chapter's quick mode draws them): the subset is sorted by class, so its first N digits would be a few classes.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.data import TensorDataset

from gan_lessons import (
    TrainConfig,
    conditioning_accuracy,
    load_mnist,
    new_run,
    shuffled_indices,
    train_conditional,
)

VARIANTS = {  # name -> TrainConfig settings (on top of conditional=True and the seed)
    "one-hot planes (plain)": {},
    "one-hot planes + AC": dict(aux_weight=1.0),
    "AC only (Odena et al.)": dict(conditioning="none", aux_weight=1.0),
    "projection": dict(conditioning="projection"),
    "projection, lr 2e-4": dict(conditioning="projection", lr=2e-4),
    "projection + AC (the recipe)": dict(conditioning="projection", aux_weight=1.0),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--split",
        choices=("train", "all"),
        default="train",
        help="digits to train on (default train: the chapter's 4,000; all: the 5,000 of the chapter's table)",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=8,
        help="epochs per run (default 8: 496 steps of the 4,000 training digits)",
    )
    p.add_argument("--at", default="200,400,496", help="steps at which to measure (default 200,400,496)")
    p.add_argument("--seeds", default="0", help="comma-separated seeds (default 0)")
    p.add_argument("--n-eval", type=int, default=500, help="samples per measurement (default 500)")
    p.add_argument(
        "--digits",
        type=int,
        default=None,
        help="train on N digits of the split drawn at random (default: all)",
    )
    args = p.parse_args()
    torch.set_num_threads(1)  # as in the chapter
    data = load_mnist(args.split, verbose=False)
    if args.digits:  # at random: the subset is sorted by class, so the first N would be a few classes only
        pick = shuffled_indices(len(data))[: args.digits]
        data = TensorDataset(data.images[pick], data.labels[pick])
    at = [int(s) for s in args.at.split(",")]
    labels = torch.arange(args.n_eval) % 10
    z = torch.randn(args.n_eval, TrainConfig.latent_dim, generator=torch.Generator().manual_seed(2))
    print("| D sees the label as | seed | " + " | ".join(f"{s} steps" for s in at) + " | train s |")
    print("|---|---|" + "---|" * (len(at) + 1))
    for name, settings in VARIANTS.items():
        for seed in (int(s) for s in args.seeds.split(",")):
            run, scores = new_run(TrainConfig(conditional=True, seed=seed, **settings)), {}

            def measure(r, scores=scores):
                if r.step in at:
                    scores[r.step] = conditioning_accuracy(r.sample(z=z, labels=labels), labels).accuracy

            start = time.perf_counter()
            train_conditional(run, data, args.epochs, progress=False, on_step=measure)
            seconds = time.perf_counter() - start
            cells = " | ".join(f"{scores[s]:.1%}" if s in scores else "-" for s in at)
            print(f"| {name} | {seed} | {cells} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
