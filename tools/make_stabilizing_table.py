"""Build chapter 09's remedies table over three seeds: data/stabilizing_table.json (gan_lessons.load_stabilizing_table).

    .venv/bin/python tools/make_stabilizing_table.py                  # train every row for seeds 0, 1, 2; write the file
    .venv/bin/python tools/make_stabilizing_table.py --check          # rebuild and compare with the shipped file
    .venv/bin/python tools/make_stabilizing_table.py --check --seeds 0   # rebuild seed 0 only and compare its rows

Every remedy of `gan_lessons.REMEDIES` trains the course's small DCGAN (`remedies.BASE`) for the same number of
G steps (`G_STEPS`; a row with n_critic 5 takes five times as many D steps) from seeds 0, 1 and 2, on one CPU
thread, always on the shipped subset's 4,000 `split="train"` digits, and is measured on `N_EVAL` samples against
the 1,000 held-out `split="test"` digits (FID on LeNet features, precision, recall, classes covered), plus the
2-D ring's modes reached after `RING_STEPS` toy iterations. A step budget, not a wall-clock one, so the same torch
version on the same kind of CPU gives the same bytes. Wall time and memory depend on the machine: the tool prints
them and does not store them. Introduced in 09_stabilizing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from gan_lessons.data import load_mnist  # noqa: E402
from gan_lessons.remedies import (  # noqa: E402
    BASE,
    REMEDIES,
    STABILIZING_TABLE_FORMAT,
    compare_remedies,
    format_table,
    stabilizing_table_path,
)
from gan_lessons.shipped import finish_weights_file  # noqa: E402

SEEDS = (0, 1, 2)
G_STEPS = 80  # sized so that the 3-seed build finishes in about 15 minutes on a busy 2-core machine
N_EVAL = 500
RING_STEPS = 200
_MACHINE_ONLY = ("wall_s", "peak_mb")  # printed, not stored: they differ from machine to machine


def build(seeds) -> tuple[dict, dict]:
    """Train and measure every row for `seeds`; return (the file's content, {seed: rows with timings})."""
    data = load_mnist("train", source="subset", verbose=False)
    test = load_mnist("test", source="subset", verbose=False)
    by_seed = {}
    for seed in seeds:
        t0 = time.perf_counter()
        by_seed[seed] = compare_remedies(
            data, test, g_steps=G_STEPS, seed=seed, n_eval=N_EVAL, ring_steps=RING_STEPS
        )
        print(f"seed {seed} ({time.perf_counter() - t0:.0f} s)\n{format_table(by_seed[seed])}\n", flush=True)
    content = {
        "format": STABILIZING_TABLE_FORMAT,
        "recipe": {
            "tool": "tools/make_stabilizing_table.py",
            "g_steps": G_STEPS,
            "n_eval": N_EVAL,
            "ring_steps": RING_STEPS,
            "base": BASE,
            "trained_on": "data/mnist_5k.npz split='train' (4,000 digits); measured against split='test' (1,000)",
            "threads": 1,
            "torch": torch.__version__,
        },
        "remedies": REMEDIES,
        "rows": {
            str(seed): [{k: v for k, v in row.items() if k not in _MACHINE_ONLY} for row in rows]
            for seed, rows in by_seed.items()
        },
    }
    return content, by_seed


def encode(content: dict) -> bytes:
    return (json.dumps(content, indent=1, sort_keys=True) + "\n").encode()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="rebuild and compare with the shipped file")
    p.add_argument(
        "--seeds", type=int, nargs="+", default=list(SEEDS), help="with --check: rebuild only these"
    )
    args = p.parse_args()
    t0 = time.perf_counter()
    content, _ = build(args.seeds)
    path = stabilizing_table_path()
    if args.check and sorted(args.seeds) != list(SEEDS):  # compare the rebuilt seeds' rows only
        shipped = json.loads(path.read_text())
        # compared as JSON text: exact for floats (repr), and NaN (the ring's n/a) equals NaN there
        text = lambda obj: json.dumps(obj, sort_keys=True)  # noqa: E731
        same = all(text(shipped["rows"][str(s)]) == text(content["rows"][str(s)]) for s in args.seeds)
        same = (
            same
            and text(shipped["recipe"]) == text(content["recipe"])
            and text(shipped["remedies"]) == text(content["remedies"])
        )
        print("seeds", args.seeds, "identical to the shipped rows" if same else f"DIFFER from {path}")
        status = 0 if same else 1
    else:
        if not args.check and sorted(args.seeds) != list(SEEDS):
            p.error(f"writing the file needs every seed {list(SEEDS)}; use --check to rebuild a few")
        status = finish_weights_file(
            encode(content), path, args.check, "", "STABILIZING_TABLE_SHA256", "gan_lessons/shipped.py"
        )
    print(
        f"{time.perf_counter() - t0:.0f} s in all, {torch.get_num_threads()} torch threads outside the rows."
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
