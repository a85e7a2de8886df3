"""Chapter 11's grid: IoU, boundary F1 and stray blobs on the test split for every number of labelled masks N,
method (per-pixel, pix2pix, semi-supervised adversarial) and seed, plus both adversarial methods at N = 16 and
64 with the softness shortcut left in (D sees probabilities instead of binarised masks).
One CPU thread per process; results go to a JSON file that the chapter plots
(benchmarks/results/segmentation_grid.json). Never asserts on timings.

    python benchmarks/segmentation_grid.py                                  # the whole grid, one process
    python benchmarks/segmentation_grid.py --shard 0/2 --jsonl /tmp/g0.jsonl &   # or two processes ...
    python benchmarks/segmentation_grid.py --shard 1/2 --jsonl /tmp/g1.jsonl
    python benchmarks/segmentation_grid.py --merge /tmp/g0.jsonl /tmp/g1.jsonl --command "..."  # ... merged

`--merge` needs `--command`: the commands that made the merged rows, in words (a merge cannot know them).
Each row run by this version also records its own provenance: the commit and the command line ("made by").

The committed semi-supervised rows were rerun after the BatchNorm fix (G runs on the labelled and the
unlabelled batch separately), with --methods semi --no-shortcut, and merged with the other rows of
the first run (--merge OLD.jsonl NEW.jsonl ... --note ...); the JSON's "note" says which cells that covers.
The shortcut rows (D on probabilities) of both adversarial methods at N = 16 and of the semi-supervised recipe
at N = 64 were run after that fix (the pix2pix rows at N = 64 are the first run's: its step did not change), in
two processes, then merged with the other rows (OLD.jsonl: the committed rows, one per line):

    python benchmarks/segmentation_grid.py --only-shortcut --methods semi --n 16 64 --shard 0/2 --jsonl /tmp/s0.jsonl && python benchmarks/segmentation_grid.py --only-shortcut --methods pix2pix --n 16 --seeds 0 --jsonl /tmp/s0.jsonl &
    python benchmarks/segmentation_grid.py --only-shortcut --methods semi --n 16 64 --shard 1/2 --jsonl /tmp/s1.jsonl && python benchmarks/segmentation_grid.py --only-shortcut --methods pix2pix --n 16 --seeds 1 2 --jsonl /tmp/s1.jsonl
    python benchmarks/segmentation_grid.py --merge OLD.jsonl /tmp/s0.jsonl /tmp/s1.jsonl --note ...
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from gan_lessons.pix2pix import SegmenterConfig, fit_segmenter, predict_masks, segmentation_splits
from gan_lessons.segmentation import segmentation_report

OUT = Path(__file__).parent / "results" / "segmentation_grid.json"
N_LABELLED = (16, 64, 256, 1024)
SHORTCUT_N = (16, 64)  # where the soft-mask (shortcut) runs are added: few labels, where D matters most
N_IMAGES, DATA_SEED = 3000, 0


def cells(seeds: list[int]) -> list[dict]:
    """Every run of the grid, as the keyword arguments of one cell."""
    out = []
    for seed in seeds:
        for n in N_LABELLED:
            for method in ("pixel", "pix2pix", "semi"):
                out.append({"method": method, "n_labelled": n, "seed": seed, "hard": True})
            if n in SHORTCUT_N:
                for method in ("pix2pix", "semi"):
                    out.append({"method": method, "n_labelled": n, "seed": seed, "hard": False})
    return out


def _provenance() -> dict:
    """The commit (with "+dirty" for uncommitted changes) and the command line that made a row."""

    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], capture_output=True, text=True, cwd=Path(__file__).parent, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit + ("+dirty" if dirty else ""), "command": " ".join(["python", *sys.argv])}


def run_cell(cell: dict, splits: dict) -> dict:
    """Train one cell and measure it on the test split (and its IoU on val)."""
    config = SegmenterConfig(method=cell["method"], seed=cell["seed"], hard=cell["hard"])
    start = time.perf_counter()
    G, _ = fit_segmenter(config, splits["train"], cell["n_labelled"])
    seconds = time.perf_counter() - start
    test = segmentation_report(predict_masks(G, splits["test"].images), splits["test"].masks)
    val = segmentation_report(predict_masks(G, splits["val"].images), splits["val"].masks)
    return {
        **cell,
        **{k: round(v, 4) for k, v in test.items()},
        "val IoU": round(val["IoU"], 4),
        "seconds": round(seconds, 1),
        "made by": _provenance(),
    }


def merge(paths: list[str], command: str, note: str | None = None) -> None:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines() if line.strip()]
    key = lambda r: (r["method"], r["n_labelled"], r["seed"], r["hard"])  # noqa: E731
    rows = list({key(r): r for r in rows}.values())  # a cell run by two processes counts once
    rows.sort(key=lambda r: (r["n_labelled"], r["method"], not r["hard"], r["seed"]))
    result = {
        "command": command,
        **({"note": note} if note else {}),
        "config": {k: v for k, v in vars(SegmenterConfig()).items() if k not in ("method", "seed", "hard")},
        "data": {"n_images": N_IMAGES, "data_seed": DATA_SEED, "splits": "train 2400 / val 300 / test 300"},
        "machine": f"{platform.machine()}, torch {torch.__version__}, 1 thread per process",
        "rows": rows,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {OUT} ({len(rows)} runs)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--shard", default="0/1", help="i/k: run every k-th cell starting at i (default 0/1: all)")
    p.add_argument(
        "--jsonl", default="/tmp/segmentation_grid.jsonl", help="one line per finished run; reruns skip those"
    )
    p.add_argument(
        "--methods", nargs="+", default=["pixel", "pix2pix", "semi"], help="run only these methods"
    )
    p.add_argument(
        "--n", type=int, nargs="+", default=list(N_LABELLED), help="run only these N, in this order"
    )
    p.add_argument(
        "--note", help="with --merge: a note stored in the results (which cells were rerun, and why)"
    )
    shortcut = p.add_mutually_exclusive_group()
    shortcut.add_argument(
        "--no-shortcut", action="store_true", help="skip the runs with the softness shortcut"
    )
    shortcut.add_argument(
        "--only-shortcut",
        action="store_true",
        help="run only the runs with the softness shortcut (D sees probabilities)",
    )
    p.add_argument("--merge", nargs="+", help="merge these .jsonl files into the results JSON and stop")
    p.add_argument("--command", help="with --merge (required): the commands that made the merged rows")
    p.add_argument("--reverse", action="store_true", help="run the cells last first (a helper process)")
    args = p.parse_args()
    if args.merge:
        if not args.command:
            p.error("--merge needs --command: say which commands made the rows being merged")
        merge(args.merge, args.command, args.note)
        return
    torch.set_num_threads(1)
    i, k = (int(v) for v in args.shard.split("/"))
    todo = [c for c in cells(args.seeds) if c["method"] in args.methods and c["n_labelled"] in args.n]
    todo = [c for c in todo if (c["hard"] or not args.no_shortcut) and not (c["hard"] and args.only_shortcut)]
    todo = sorted(todo, key=lambda c: args.n.index(c["n_labelled"]))[i::k][:: -1 if args.reverse else 1]
    path = Path(args.jsonl)
    done = (
        {
            json.dumps({c: r[c] for c in ("method", "n_labelled", "seed", "hard")}, sort_keys=True)
            for r in (json.loads(x) for x in path.read_text().splitlines() if x.strip())
        }
        if path.exists()
        else set()
    )
    splits = segmentation_splits(N_IMAGES, DATA_SEED)
    for cell in todo:
        if json.dumps(cell, sort_keys=True) in done:
            continue
        row = run_cell(cell, splits)
        print(json.dumps(row), flush=True)
        with path.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
    whole = k == 1 and len(todo) == len(
        cells([0, 1, 2])
    )  # a filtered run would overwrite the grid with its part
    if whole:
        merge([str(path)], " ".join(["python"] + sys.argv))
    else:
        print(f"rows in {path}: merge them with --merge (with the other rows' files)")


if __name__ == "__main__":
    main()
