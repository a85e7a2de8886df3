"""Build the playground's shipped snapshots: data/toy_ring_before_collapse.pt and data/toy_spiral_mid.pt.

    .venv/bin/python tools/make_playground_snapshots.py            # train, report, write both files
    .venv/bin/python tools/make_playground_snapshots.py --check    # train again and compare with the shipped files

Chapter 04's playground can start from an interesting state instead of from scratch (GAN Lab's
snapshots). Each snapshot is a `ToyGAN.save()` file: both networks, both optimisers, the data, the step
counters, the histories and the noise generator, so training from it goes on exactly as the original run
did (a test in tests/test_toy2d.py checks that for any snapshot). Reproducible like the other tools: fixed
seeds, one CPU thread; the same torch version on the same kind of CPU gives the same bytes, and the sha256
printed at the end is the one gan_lessons/shipped.py and data/README.md record. Introduced in
04_toy_gan_playground.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons.config import single_thread  # noqa: E402
from gan_lessons.shipped import (  # noqa: E402
    DATA_DIR,
    TOY_RING_SNAPSHOT_FILE,
    TOY_RING_SNAPSHOT_SHA256,
    TOY_SPIRAL_SNAPSHOT_FILE,
    TOY_SPIRAL_SNAPSHOT_SHA256,
    finish_weights_file,
)
from gan_lessons.toy2d import SHIPPED_SNAPSHOT_RECIPES, ToyGAN  # noqa: E402


def build(name: str) -> tuple[bytes, ToyGAN]:
    """Train the snapshot's run from scratch and return (file bytes, the ToyGAN at the snapshot)."""
    recipe = SHIPPED_SNAPSHOT_RECIPES[name]
    with single_thread():
        gan = ToyGAN(**recipe["settings"])
        gan.step(recipe["iterations"])
        gan.set(**recipe.get("then", {}))
        gan.record_divergences()
    with tempfile.TemporaryDirectory() as tmp:
        blob = gan.save(Path(tmp) / "snap.pt").read_bytes()
    return blob, gan


def report(name: str, gan: ToyGAN) -> None:
    """What the snapshot shows, and what happens over the next iterations (the reason to ship it)."""
    k = len(gan.data.modes)
    kl, js = gan.divergences()
    print(
        f"{name}: iteration {gan.iteration}, modes reached {round(gan.modes_reached() * k)}/{k}, KL {kl:.2f}, JS {js:.2f}"
    )
    probe = ToyGAN.load(_roundtrip(gan))
    row = []
    for _ in range(6):
        probe.step(25)
        share = probe.nearest_mode_shares().max()
        row.append(f"{probe.iteration}: {round(probe.modes_reached() * k)}/{k} ({share:.0%} on one mode)")
    print(f"  now {gan.nearest_mode_shares().max():.0%} of the samples nearest one mode; next iterations:")
    print("  " + ", ".join(row))


def _roundtrip(gan: ToyGAN) -> Path:
    folder = Path(tempfile.mkdtemp())
    return gan.save(folder / "probe.pt")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped files"
    )
    args = parser.parse_args(argv)
    status = 0
    for name, sha, constant in (
        (TOY_RING_SNAPSHOT_FILE, TOY_RING_SNAPSHOT_SHA256, "TOY_RING_SNAPSHOT_SHA256"),
        (TOY_SPIRAL_SNAPSHOT_FILE, TOY_SPIRAL_SNAPSHOT_SHA256, "TOY_SPIRAL_SNAPSHOT_SHA256"),
    ):
        blob, gan = build(name)
        report(name, gan)
        print(f"  size {len(blob):,} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")
        status |= finish_weights_file(
            blob, DATA_DIR / name, args.check, sha, constant, "gan_lessons/shipped.py"
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
