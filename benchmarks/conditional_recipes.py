"""The 10_conditional_gan table from the command line: each way of giving the conditional D the label, trained
from the same seed on the same batches, its conditioning accuracy (chapter 06's classifier) after given steps and,
at the last step, the intra-class diversity of its samples: recall per class (Kynkaenniemi et al. 2019, LeNet
features) against the held-out test digits of that class, and the same recall on 50 *obeyed* samples of each
class (samples the classifier reads as the digit asked for), which compares diversity without obedience.
Prints a Markdown table; never asserts.

    python benchmarks/conditional_recipes.py --seeds 0,1,2 --json benchmarks/results/conditional_recipes.json
        # the table chapter 10 quotes: 8 epochs (496 steps) of the 4,000 training digits, 3 seeds
    python benchmarks/conditional_recipes.py --digits 1280 --epochs 1 --at 10,20 --n-eval 100   # a quick look
    python benchmarks/conditional_recipes.py --summary benchmarks/results/conditional_recipes_*.json
        # the 3-seed table (ranges over seeds) from the committed rows, as chapter 10 quotes it

`--digits N` trains on N digits of the split drawn at random (seed 0, as the chapter's quick mode draws them):
the subset is sorted by class, so its first N digits would be a few classes. `--variants a,b` runs only those
rows (by their key). Recall per class is measured against the 1,000 held-out digits of `split="test"` (about 100
per class), never seen in training; "real" rows give the same measure for real training digits (50 per class).
The obeyed-sample recall draws 1,000 more samples (z from seed 3, 100 per class) and keeps the first 50 of each
class that the classifier reads as asked (`obedient_samples`); it is left out (null) for a run with fewer than 50
such samples in some class. Data: always the shipped subset (`source="subset"`), as chapter 10 trains.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from gan_lessons import (
    PLAIN_RECIPE,
    TrainConfig,
    conditioning_accuracy,
    load_feature_net,
    load_mnist,
    new_run,
    obedient_samples,
    recall_per_class,
    shuffled_indices,
    train_conditional,
)

VARIANTS = {  # key -> (row name, TrainConfig settings on top of conditional=True and the seed)
    "plain": ("one-hot planes (plain)", {}),
    "plain_lr": ("one-hot planes, lr 2e-4", dict(lr=2e-4)),
    "concat_ac": ("one-hot planes + AC", dict(aux_weight=1.0)),
    "ac": ("AC only (Odena et al.)", dict(conditioning="none", aux_weight=1.0)),
    "pooled": ("projection, pooled (Miyato & Koyama)", dict(conditioning="projection_pooled")),
    "pooled_ac": ("projection, pooled + AC", dict(conditioning="projection_pooled", aux_weight=1.0)),
    "linear": ("class-linear last layer", dict(conditioning="projection")),
    "recipe": ("class-linear last layer + AC (the recipe)", dict(conditioning="projection", aux_weight=1.0)),
}
OBEYED_PER_CLASS = 50  # obeyed samples per class for the recall without obedience
N_OBEYED_POOL = 1000  # drawn to find them: 100 per class


def obeyed_recall(images, labels, test, net) -> list[float] | None:
    """Recall per class on the first OBEYED_PER_CLASS samples of each class read as their label (None: too few)."""
    try:
        x, y = obedient_samples(images, labels, OBEYED_PER_CLASS, net)
    except ValueError:
        return None
    return recall_per_class(x, y, test, net=net)[1].tolist()


def _span(values) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return f"{lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}-{hi:.2f}"


def _pct_span(values) -> str:
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return f"{lo:.0%}" if f"{lo:.0%}" == f"{hi:.0%}" else f"{lo:.0%}-{hi:.0%}"


def summary(paths: list[str]) -> None:
    """Print the table over seeds (the range of each measure) from the rows of the JSON files; a (variant, seed)
    measured in several files is read from the last one given."""
    latest: dict[tuple, dict] = {}
    for path in paths:
        for r in json.loads(Path(path).read_text())["rows"]:
            latest[(r["variant"], r.get("seed"))] = r
    rows = list(latest.values())
    print(
        "| D sees the label as | seeds | 200 steps | 400 steps | 496 steps | worst digit | recall per class, mean "
        "(worst digit) | precision per class, mean | recall per class of 50 obeyed samples, mean (worst) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for key, (name, _) in VARIANTS.items():
        mine = sorted((r for r in rows if r.get("variant") == key), key=lambda r: r["seed"])
        if not mine:
            continue
        seeds = sorted({r["seed"] for r in mine})
        at = [
            _pct_span([r["accuracy_at"][s] for r in mine if s in r["accuracy_at"]])
            for s in ("200", "400", "496")
        ]
        worst = _pct_span([min(r["per_class_accuracy"]) for r in mine])
        recall = f"{_span([np.mean(r['recall_per_class']) for r in mine])} ({_span([min(r['recall_per_class']) for r in mine])})"
        precision = _span([np.mean(r["precision_per_class"]) for r in mine])
        obeyed = [r.get("recall_obeyed_per_class") for r in mine]
        obeyed_cell = (
            f"{_span([np.mean(o) for o in obeyed if o])} ({_span([min(o) for o in obeyed if o])})"
            + (f", {sum(1 for o in obeyed if o)} seeds" if any(o is None for o in obeyed) else "")
            if any(obeyed)
            else "-"
        )
        print(
            f"| {name} | {', '.join(map(str, seeds))} | {' | '.join(at)} | {worst} | {recall} | {precision} | "
            f"{obeyed_cell} |"
        )
    for r in reversed(rows):
        if r.get("variant") == "real":
            obeyed = r.get("recall_obeyed_per_class")
            print(
                f"| real training digits | | | | | | {np.mean(r['recall_per_class']):.2f} "
                f"({min(r['recall_per_class']):.2f}) | | "
                + (f"{np.mean(obeyed):.2f} ({min(obeyed):.2f}) |" if obeyed else "- |")
            )
            break


def save(path: str, rows: list[dict]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    meta = {"command": "python benchmarks/conditional_recipes.py " + " ".join(sys.argv[1:])}
    Path(path).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


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
        "--variants", default=",".join(VARIANTS), help="comma-separated keys of VARIANTS (default all)"
    )
    p.add_argument("--json", default=None, help="also write every row to this JSON file")
    p.add_argument(
        "--summary",
        nargs="+",
        default=None,
        metavar="JSON",
        help="print the table over seeds from these --json files instead of training",
    )
    p.add_argument(
        "--digits",
        type=int,
        default=None,
        help="train on N digits of the split drawn at random (default: all)",
    )
    args = p.parse_args()
    if args.summary:
        summary(args.summary)
        return
    torch.set_num_threads(1)  # as in the chapter
    data = load_mnist(args.split, source="subset", verbose=False)
    test = load_mnist("test", source="subset", verbose=False)
    net = load_feature_net()
    if args.digits:  # at random: the subset is sorted by class, so the first N would be a few classes only
        pick = shuffled_indices(len(data))[: args.digits]
        data = TensorDataset(data.images[pick], data.labels[pick])
    at = [int(s) for s in args.at.split(",")]
    labels = torch.arange(args.n_eval) % 10
    z = torch.randn(args.n_eval, TrainConfig.latent_dim, generator=torch.Generator().manual_seed(2))
    rows = []
    head = " | ".join(f"{s} steps" for s in at)
    print(f"| D sees the label as | seed | {head} | worst digit | recall per class (min-mean) | train s |")
    print("|---|---|" + "---|" * (len(at) + 3))
    real = load_mnist("train", source="subset", verbose=False)
    pick = torch.cat([torch.nonzero(real.labels == d).flatten()[: args.n_eval // 10] for d in range(10)])
    _, real_recall = recall_per_class(real.images[pick], real.labels[pick], test, net=net)
    pool = torch.cat([torch.nonzero(real.labels == d).flatten()[: N_OBEYED_POOL // 10] for d in range(10)])
    real_obeyed = obeyed_recall(real.images[pool], real.labels[pool], test, net)
    pool_labels = torch.arange(N_OBEYED_POOL) % 10
    pool_z = torch.randn(N_OBEYED_POOL, TrainConfig.latent_dim, generator=torch.Generator().manual_seed(3))
    print(
        f"| real training digits | - | {' | '.join('-' for _ in at)} | - | "
        f"{np.nanmin(real_recall):.2f}-{np.nanmean(real_recall):.2f} | - |",
        flush=True,
    )
    rows.append(
        {"variant": "real", "recall_per_class": real_recall.tolist(), "recall_obeyed_per_class": real_obeyed}
    )
    for key in args.variants.split(","):
        name, settings = VARIANTS[key]
        for seed in (int(s) for s in args.seeds.split(",")):
            run, scores = new_run(TrainConfig(conditional=True, seed=seed, **PLAIN_RECIPE, **settings)), {}

            def measure(r, scores=scores):
                if r.step in at:
                    scores[r.step] = conditioning_accuracy(r.sample(z=z, labels=labels), labels, net).accuracy

            start = time.perf_counter()
            train_conditional(run, data, args.epochs, progress=False, on_step=measure)
            seconds = time.perf_counter() - start
            fake = run.sample(z=z, labels=labels)
            report = conditioning_accuracy(fake, labels, net)
            precision, recall = recall_per_class(fake, labels, test, net=net)
            obeyed = obeyed_recall(run.sample(z=pool_z, labels=pool_labels), pool_labels, test, net)
            cells = " | ".join(f"{scores[s]:.1%}" if s in scores else "-" for s in at)
            print(
                f"| {name} | {seed} | {cells} | {np.nanmin(report.per_class):.0%} | "
                f"{np.nanmin(recall):.2f}-{np.nanmean(recall):.2f} | {seconds:.0f} |",
                flush=True,
            )
            rows.append(
                {
                    "variant": key,
                    "name": name,
                    "seed": seed,
                    "steps": run.step,
                    "accuracy_at": {str(k): v for k, v in scores.items()},
                    "accuracy": report.accuracy,
                    "per_class_accuracy": report.per_class.tolist(),
                    "precision_per_class": precision.tolist(),
                    "recall_per_class": recall.tolist(),
                    "recall_obeyed_per_class": obeyed,
                    "train_s": seconds,
                }
            )
            if args.json:  # after every row, so that a stopped run keeps what it measured
                save(args.json, rows)


if __name__ == "__main__":
    main()
