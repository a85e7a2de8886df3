"""The 09_stabilizing table from the command line: every remedy trained for the same wall-clock budget
from the same seed, then FID (LeNet features), precision, recall, class coverage, wall time, memory and
the 2-D ring's coverage. Prints a Markdown table; never asserts on timings.

    python benchmarks/stabilizing_table.py                 # full mode: 30 s per remedy, 1,000 samples
    python benchmarks/stabilizing_table.py --seconds 1 --n-eval 300 --ring-steps 100   # a quick look
    python benchmarks/stabilizing_table.py --seeds 0 1 2 --json runs/table.json      # over seeds: mean, min, max
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from gan_lessons import compare_remedies, format_table, load_mnist


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0, help="training budget per remedy (default 30)")
    p.add_argument("--n-eval", type=int, default=1000, help="samples per evaluation (default 1000)")
    p.add_argument("--ring-steps", type=int, default=1000, help="2-D ring steps per remedy (default 1000)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one table per seed, then a summary")
    p.add_argument("--json", default=None, help="also write every row of every seed to this JSON file")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    data, test = load_mnist("train"), load_mnist("test")
    by_seed = {}
    for seed in args.seeds:
        rows = compare_remedies(
            data, test, seconds=args.seconds, seed=seed, n_eval=args.n_eval, ring_steps=args.ring_steps
        )
        by_seed[seed] = rows
        print(f"seed {seed}\n{format_table(rows)}\n", flush=True)
    if len(args.seeds) > 1:
        print(
            "| remedy | G steps (mean) | FID mean | FID min-max | recall mean | classes min-max | ring mean |"
        )
        print("|---|---|---|---|---|---|---|")
        for i, first in enumerate(by_seed[args.seeds[0]]):
            col = {
                k: np.array([by_seed[s][i][k] for s in args.seeds], dtype=float)
                for k in first
                if k != "remedy"
            }
            print(
                f"| {first['remedy']} | {col['g_steps'].mean():.0f} | {col['fid'].mean():.1f} | "
                f"{col['fid'].min():.1f}-{col['fid'].max():.1f} | {col['recall'].mean():.2f} | "
                f"{col['classes'].min():.0f}-{col['classes'].max():.0f} | {col['ring'].mean():.2f} |"
            )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({str(s): rows for s, rows in by_seed.items()}, f, indent=1)
    print(f"\n{time.perf_counter() - t0:.0f} s in all, {torch.get_num_threads()} torch threads.")


if __name__ == "__main__":
    main()
