"""Offline-first MNIST: full torchvision MNIST when present, else the shipped 5,000-digit subset.

Introduced in 05_dcgan_mnist; every chapter that needs digits calls `load_mnist`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from .config import DATA_DIR
from .shipped import SHIPPED, SUBSET_FILE, SUBSET_SHA256, sha256_of

SPLITS = ("all", "train", "test")


class MNISTDigits(TensorDataset):
    """MNIST digits in memory: items are (image in [-1, 1] of shape (1, 28, 28), label)."""

    def __init__(self, images_uint8: torch.Tensor, labels: torch.Tensor, source: str):
        self.images_uint8 = images_uint8
        self.labels = labels.long()
        self.source = source
        images = images_uint8.float().div_(127.5).sub_(1.0).unsqueeze(1)
        super().__init__(images, self.labels)

    @property
    def images(self) -> torch.Tensor:
        """All images as one float tensor (N, 1, 28, 28) in [-1, 1]."""
        return self.tensors[0]

    def __repr__(self) -> str:
        return f"MNISTDigits({len(self)} digits, source={self.source!r})"


def load_subset_arrays(path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read and verify the shipped subset: uint8 images (5000, 28, 28) and labels (5000,)."""
    path = Path(path) if path is not None else DATA_DIR / SUBSET_FILE
    fix = SHIPPED[SUBSET_FILE].fix(path.name)
    if not path.is_file():
        raise FileNotFoundError(f"The MNIST subset file {path} is missing. {fix}")
    actual = sha256_of(path)
    if actual != SUBSET_SHA256:
        raise ValueError(
            f"The MNIST subset file {path} is corrupt or truncated: its sha256 is {actual[:12]}..., "
            f"expected {SUBSET_SHA256[:12]}... (see data/README.md). {fix}"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"The MNIST subset file {path} cannot be read ({exc}). {fix}") from None
    if images.shape != (5000, 28, 28) or images.dtype != np.uint8 or labels.shape != (5000,):
        raise ValueError(f"The MNIST subset file {path} has unexpected contents {images.shape}. {fix}")
    return images, labels


def _split_subset(images: np.ndarray, labels: np.ndarray, split: str) -> tuple[np.ndarray, np.ndarray]:
    # The subset is sorted by class; every 5th digit is held out, so both splits are balanced.
    if split == "all":
        return images, labels
    held_out = np.arange(len(labels)) % 5 == 4
    keep = held_out if split == "test" else ~held_out
    return images[keep], labels[keep]


def _torchvision_mnist(root: Path, split: str, download: bool):
    from torchvision.datasets import MNIST

    return MNIST(root=str(root), train=(split != "test"), download=download)


def full_mnist_present(root: Path | None = None) -> bool:
    """True when torchvision's MNIST files are already in `root` (default data/)."""
    raw = Path(root or DATA_DIR) / "MNIST" / "raw"
    return (raw / "train-images-idx3-ubyte").exists() or (raw / "train-images-idx3-ubyte.gz").exists()


def load_mnist(
    split: str = "all",
    source: str = "auto",
    download: bool = False,
    root: str | Path | None = None,
    verbose: bool = True,
) -> MNISTDigits:
    """Real MNIST digits scaled to [-1, 1], without needing the internet.

    split:  "all" (for GANs: the full training set, or all 5,000 subset digits),
            "train" or "test" (for classifiers: 60,000/10,000, or 4,000/1,000 for the subset).
    source: "auto" (full MNIST if in data/MNIST, or downloaded when download=True; else the subset),
            "full" or "subset" to insist on one.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r}.")
    if source not in ("auto", "full", "subset"):
        raise ValueError(f"source must be 'auto', 'full' or 'subset'; got {source!r}.")
    root = Path(root) if root is not None else DATA_DIR
    dataset = None
    reason = ""
    if source in ("auto", "full") and (full_mnist_present(root) or download):
        try:
            tv = _torchvision_mnist(root, split, download)
            dataset = MNISTDigits(tv.data, tv.targets, source="full")
        except Exception as exc:  # offline, or damaged files: fall back (or fail when full was insisted on)
            if source == "full":
                raise ValueError(
                    f"Full MNIST could not be loaded from {root / 'MNIST'} ({exc}). "
                    "Delete that folder and retry with download=True, or use source='subset'."
                ) from None
            reason = f"full MNIST unavailable ({type(exc).__name__})"
    elif source == "full":
        raise ValueError(
            f"Full MNIST is not in {root / 'MNIST'}. Call load_mnist(source='full', download=True) "
            "once with internet access, or use source='subset'."
        )
    else:
        reason = "full MNIST not found in data/MNIST"
    if dataset is None:
        images, labels = _split_subset(*load_subset_arrays(root / SUBSET_FILE), split)
        dataset = MNISTDigits(
            torch.from_numpy(images.copy()), torch.from_numpy(labels.copy()), source="subset"
        )
    if verbose:
        if dataset.source == "full":
            print(
                f"MNIST: full torchvision MNIST from {root / 'MNIST'}, split={split!r}, {len(dataset):,} digits."
            )
        else:
            print(
                f"MNIST: shipped real subset {SUBSET_FILE}, split={split!r}, {len(dataset):,} digits ({reason})."
            )
    return dataset


def shuffled_indices(n: int, seed: int = 0) -> torch.Tensor:
    """A fixed random order of range(n): the same seed gives the same order on every machine. The shipped
    splits are sorted by class, so `data.images[shuffled_indices(len(data))[:k]]` gives k digits of every
    class where `data.images[:k]` would give zeros first. Introduced in 01_background."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float images -> uint8 in [0, 255] (same shape), the inverse of the loader's scaling."""
    return images.detach().float().cpu().add(1).mul(127.5).round().clamp(0, 255).to(torch.uint8)


__all__ = [
    "MNISTDigits",
    "load_mnist",
    "shuffled_indices",
    "to_uint8",
]
