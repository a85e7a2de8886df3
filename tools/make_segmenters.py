"""Train chapter 11's shipped segmenters: data/segmenters_n64.pt (gan_lessons.load_segmenter).

    .venv/bin/python tools/make_segmenters.py            # train, report, write data/segmenters_n64.pt
    .venv/bin/python tools/make_segmenters.py --check    # train again and compare with the shipped file

Quick mode of chapter 11 cannot train the grid, so it measures these: the three U-Nets of the grid's cell
(64 labelled masks, seed 0): per-pixel, pix2pix and semi-supervised adversarial, each trained exactly as
benchmarks/segmentation_grid.py trains it (`fit_segmenter(SegmenterConfig(method, seed=0), train, 64)` on the
fixed-seed split `segmentation_splits(3000, 0)`), on one CPU thread. Only the U-Nets are kept, in float16.
The same torch version on the same kind of CPU gives the same bytes; the sha256 printed at the end is the one
`gan_lessons.shipped` records (SEGMENTERS_SHA256) and data/README.md records. Introduced in 11_gan_segmentation.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons.config import single_thread  # noqa: E402
from gan_lessons.pix2pix import (  # noqa: E402
    METHODS,
    SHIPPED_N,
    SegmenterConfig,
    fit_segmenter,
    load_segmenter,
    predict_masks,
    segmentation_splits,
)
from gan_lessons.segmentation import segmentation_report  # noqa: E402
from gan_lessons.shipped import SEGMENTERS_FILE, SEGMENTERS_SHA256, SHIPPED, finish_weights_file  # noqa: E402

SEED = 0
FORMAT = "gan_lessons.segmenters/1"


def build() -> tuple[bytes, dict, dict]:
    """Train the three U-Nets; return (file bytes, the float32 U-Nets, the splits)."""
    splits = segmentation_splits(3000, 0)
    nets = {}
    with single_thread():  # thread count can change float summation order; one thread is reproducible
        for method in METHODS:
            config = SegmenterConfig(method=method, seed=SEED)
            nets[method], _ = fit_segmenter(config, splits["train"], SHIPPED_N)
    state = {
        "format": FORMAT,
        "width": SegmenterConfig().width,
        "n_labelled": SHIPPED_N,
        "recipe": f"tools/make_segmenters.py: fit_segmenter(SegmenterConfig(method, seed={SEED}), "
        f"segmentation_splits(3000, 0)['train'], {SHIPPED_N}) on one CPU thread; U-Nets in float16",
    }
    for method, G in nets.items():
        state[method] = {
            k: v.detach().to(torch.float16).contiguous() if v.is_floating_point() else v.detach().clone()
            for k, v in G.state_dict().items()
        }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue(), nets, splits


def report(blob: bytes, nets: dict, splits: dict) -> None:
    """Each U-Net's test scores as shipped (float16 weights, read by the loader) and in float32."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / SEGMENTERS_FILE
        path.write_bytes(blob)
        loaded = {m: load_segmenter(m, path, expected_sha256=None) for m in METHODS}
    test = splits["test"]
    for method in METHODS:
        for name, G in (("float32", nets[method]), ("float16", loaded[method])):
            scores = segmentation_report(predict_masks(G, test.images), test.masks)
            print(f"  {method:8s} {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped file"
    )
    parser.add_argument("--out", type=Path, default=SHIPPED[SEGMENTERS_FILE].path, help="where to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    blob, nets, splits = build()
    digest = hashlib.sha256(blob).hexdigest()
    print(f"three U-Nets on {SHIPPED_N} labelled masks, seed {SEED}: {time.perf_counter() - start:.1f} s")
    report(blob, nets, splits)
    print(f"size {len(blob):,} bytes, sha256 {digest}")
    return finish_weights_file(
        blob, args.out, args.check, SEGMENTERS_SHA256, "SEGMENTERS_SHA256", "gan_lessons/shipped.py"
    )


if __name__ == "__main__":
    raise SystemExit(main())
