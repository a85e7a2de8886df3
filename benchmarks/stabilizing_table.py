"""The 09_stabilizing table from the command line: every remedy trained for the same wall-clock budget
from the same seed, then FID (LeNet features), precision, recall, class coverage, wall time, memory and
the 2-D ring's coverage. Prints a Markdown table; never asserts on timings.

    python benchmarks/stabilizing_table.py                 # full mode: 30 s per remedy, 1,000 samples
    python benchmarks/stabilizing_table.py --seconds 1 --n-eval 300 --ring-steps 100   # a quick look
"""

from __future__ import annotations

import argparse
import time

import torch

from gan_lessons import compare_remedies, format_table, load_mnist


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0, help="training budget per remedy (default 30)")
    p.add_argument("--n-eval", type=int, default=1000, help="samples per evaluation (default 1000)")
    p.add_argument("--ring-steps", type=int, default=1000, help="2-D ring steps per remedy (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    t0 = time.perf_counter()
    rows = compare_remedies(
        load_mnist("train"),
        load_mnist("test"),
        seconds=args.seconds,
        seed=args.seed,
        n_eval=args.n_eval,
        ring_steps=args.ring_steps,
    )
    print(format_table(rows))
    print(f"\n{time.perf_counter() - t0:.0f} s in all, {torch.get_num_threads()} torch threads.")


if __name__ == "__main__":
    main()
