"""Does pairing real with fake logits (RpGAN) reach more of the 2-D ring's modes than the standard loss?

    python benchmarks/ring_pairing.py            # 5 seeds, 2 settings, 2 losses, 2,000 toy iterations (~4 min)
    python benchmarks/ring_pairing.py --write    # also write benchmarks/results/ring_pairing.json (09_stabilizing)

Chapter 04's toy GAN (`ToyGAN`, the same `update_D`/`update_G` as the images) on the 8-mode ring, one CPU
thread; the result is the share of modes reached (`ToyGAN.modes_reached`) after the iterations. Two
settings: the toy's defaults (Adam 1e-3, betas 0.5/0.999, width 64), and narrow networks (width 16 for G and D:
Sun, Fang & Schwing 2020 report RpGAN's advantage with narrow networks). Chapter 09 reads the JSON and
re-runs seed 0 of the default setting to check it. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons.remedies import PAIRING_SETTINGS, RING_PAIRING_RESULTS, pairing_modes_reached  # noqa: E402

LOSSES = ("nonsaturating", "rpgan")
RESULTS = RING_PAIRING_RESULTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    table: dict[str, dict[str, list[float]]] = {}
    for name, settings in PAIRING_SETTINGS.items():
        table[name] = {}
        for loss in LOSSES:
            start = time.perf_counter()
            table[name][loss] = [
                pairing_modes_reached(loss, s, args.steps, **settings) for s in range(args.seeds)
            ]
            shares = " ".join(f"{m:.3f}" for m in table[name][loss])
            print(
                f"{name:22s} {loss:14s} modes reached, seeds 0-{args.seeds - 1}: {shares}  ({time.perf_counter() - start:.0f} s)"
            )
    if args.write:
        record = {
            "command": "python benchmarks/ring_pairing.py --write",
            "steps": args.steps,
            "seeds": list(range(args.seeds)),
            "settings": PAIRING_SETTINGS,
            "torch": torch.__version__,
            "modes_reached": table,
        }
        RESULTS.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
