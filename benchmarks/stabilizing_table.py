"""The 09_stabilizing table from the command line: every remedy trained for the same number of G steps from
the same seed on one CPU thread, then FID (LeNet features), precision, recall, class coverage, wall time, memory
and the 2-D ring's coverage. Prints a Markdown table; never asserts on timings. The table the course ships
(data/stabilizing_table.json) is built by tools/make_stabilizing_table.py with the same function.

    python benchmarks/stabilizing_table.py                  # 80 G steps per remedy, 500 samples (the shipped recipe)
    python benchmarks/stabilizing_table.py --g-steps 5 --n-eval 300 --ring-steps 50   # a quick look
    python benchmarks/stabilizing_table.py --g-steps 1000 --seeds 0 1 2 --json runs/table.json   # longer, over seeds
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from gan_lessons import compare_remedies, format_seed_summary, format_table, load_mnist


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--g-steps", type=int, default=80, help="G steps per remedy (default 80)")
    p.add_argument("--n-eval", type=int, default=500, help="samples per evaluation (default 500)")
    p.add_argument("--ring-steps", type=int, default=200, help="2-D ring steps per remedy (default 200)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="one table per seed, then a summary")
    p.add_argument("--json", default=None, help="also write every row of every seed to this JSON file")
    args = p.parse_args()
    t0 = time.perf_counter()
    data = load_mnist("train", source="subset", verbose=False)
    test = load_mnist("test", source="subset", verbose=False)
    by_seed = {}
    for seed in args.seeds:
        rows = compare_remedies(
            data, test, g_steps=args.g_steps, seed=seed, n_eval=args.n_eval, ring_steps=args.ring_steps
        )
        by_seed[str(seed)] = rows
        print(f"seed {seed}\n{format_table(rows)}\n", flush=True)
    if len(args.seeds) > 1:
        print(format_seed_summary({"rows": by_seed}))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(by_seed, f, indent=1)
    print(f"\n{time.perf_counter() - t0:.0f} s in all; each row on one torch thread ({torch.__version__}).")


if __name__ == "__main__":
    main()
