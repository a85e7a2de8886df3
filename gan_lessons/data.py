"""Offline-first MNIST: full torchvision MNIST when present, else the shipped 5,000-digit subset.

Introduced in 05_dcgan_mnist; every chapter that needs digits calls `load_mnist`.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from .config import DATA_DIR

SUBSET_FILE = "mnist_5k.npz"
SUBSET_SHA256 = "246e0c30eeea57c8d0037d3f38c8e00651ec204cc61b8022563e9aeeb9d756f4"
_FIX_SUBSET = (
    "Restore it with `git checkout -- data/{name}` (it ships with the course), "
    "or rebuild it with `python tools/make_mnist_subset.py`."
)
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


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_shipped_weights(path: Path, what: str, expected_sha256: str | None, fix: str) -> tuple[object, str]:
    """`torch.load(weights_only=True)` of a weights file shipped in data/, and its sha256, after checking that
    it exists and (unless `expected_sha256` is None) that its bytes are the shipped ones. Each failure is a
    one-line error naming the `what` file and `fix`. Used by the feature net (09) and the pretrained G (02)."""
    if not path.is_file():
        raise FileNotFoundError(f"The {what} file {path} is missing. {fix}")
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise ValueError(
            f"The {what} file {path} is corrupt or was changed: its sha256 is {digest[:12]}..., "
            f"expected {expected_sha256[:12]}... (see data/README.md). {fix}"
        )
    try:
        return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True), digest
    except Exception as exc:
        raise ValueError(f"The {what} file {path} cannot be read ({first_line(exc)}). {fix}") from None


def float32_weights(state_dict: dict) -> dict:
    """A shipped state dict (stored in float16 to halve the file) with its floating-point tensors in float32."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}


def first_line(exc: Exception) -> str:
    """The first line of an exception's message (at most 120 characters), or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def load_subset_arrays(path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read and verify the shipped subset: uint8 images (5000, 28, 28) and labels (5000,)."""
    path = Path(path) if path is not None else DATA_DIR / SUBSET_FILE
    fix = _FIX_SUBSET.format(name=path.name)
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


# ----------------------------------------------------------------------------------------------
# A synthetic segmentation set (11_gan_segmentation): MNIST digits on cluttered 64x64 backgrounds
# ----------------------------------------------------------------------------------------------
SEG_SIZE = 64
SEG_SPLITS = ("train", "val", "test")


class SegmentationSet(TensorDataset):
    """Items are (image in [-1, 1] of shape (1, 64, 64), mask in {0., 1.} of shape (1, 64, 64)).
    `labels` holds the digit's class, `alpha` its ink (0..1) before compositing. Introduced in 11_gan_segmentation."""

    def __init__(self, images: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, alpha: torch.Tensor):
        check_masks(masks, len(images), "masks")
        self.labels, self.alpha = labels, alpha
        super().__init__(images, masks)

    @property
    def images(self) -> torch.Tensor:
        return self.tensors[0]

    @property
    def masks(self) -> torch.Tensor:
        return self.tensors[1]

    def __repr__(self) -> str:
        return f"SegmentationSet({len(self)} images of 64x64, {self.masks.mean():.1%} digit pixels)"


def check_masks(masks, n: int | None = None, name: str = "masks") -> torch.Tensor:
    """Raise a ValueError unless `masks` is (N, 1, H, W) with values in {0, 1} (and N == n when given);
    returns it as a float tensor. Introduced in 11_gan_segmentation."""
    m = torch.as_tensor(masks)
    if m.dim() == 3:
        raise ValueError(
            f"{name} must have shape (N, 1, H, W); got {tuple(m.shape)}. Add the channel with .unsqueeze(1)."
        )
    if m.dim() != 4 or m.shape[1] != 1:
        raise ValueError(
            f"{name} must have shape (N, 1, H, W): one channel, 1 = digit, 0 = background; got {tuple(m.shape)}."
        )
    if n is not None and len(m) != n:
        raise ValueError(f"{n} images but {len(m)} {name}: give exactly one mask per image.")
    m = m.float()
    if not ((m == 0) | (m == 1)).all():
        bad = m[(m != 0) & (m != 1)][0].item()
        raise ValueError(
            f"{name} must hold only 0 and 1; found {bad:g}. Threshold probabilities first, e.g. (p > 0.5).float()."
        )
    return m


def _place(
    glyphs: torch.Tensor, scale: np.ndarray, top: np.ndarray, left: np.ndarray, size: int
) -> torch.Tensor:
    # Glyphs (N, 1, 28, 28) in 0..1, each scaled to s x s and placed with its corner at (top, left) on size x size,
    # in one batched bilinear resampling (affine_grid + grid_sample).
    a = torch.from_numpy(size / scale).float()[:, None, None]
    centre = torch.arange(size).float().add(0.5).mul(2 / size).sub(1)  # output pixel centres in [-1, 1]
    gx = a * (
        centre[None, None, :] - torch.from_numpy((left + scale / 2) / size * 2 - 1).float()[:, None, None]
    )
    gy = a * (
        centre[None, :, None] - torch.from_numpy((top + scale / 2) / size * 2 - 1).float()[:, None, None]
    )
    grid = torch.stack(torch.broadcast_tensors(gx, gy), dim=-1)  # (N, size, size, 2): (x, y) to read from
    return torch.nn.functional.grid_sample(
        glyphs, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )


def _random_placement(
    n: int, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = rng.integers(28, 45, size=n).astype(np.float64)  # 28..44 pixels
    top = np.floor(rng.random(n) * (size - scale + 1))
    left = np.floor(rng.random(n) * (size - scale + 1))
    return scale, top, left


def _strokes(n: int, size: int, rng: np.random.Generator, k: int = 5) -> torch.Tensor:
    # Up to k straight 1-pixel strokes per image (about 60% drawn), brightness 0.3-0.6: (n, 1, size, size).
    # Rasterised by scattering 2 * size points along each segment (much faster than a distance field).
    ends = torch.from_numpy(rng.uniform(0, size - 1, size=(n, k, 4))).float()
    bright = torch.from_numpy(rng.uniform(0.3, 0.6, size=(n, k)) * (rng.random((n, k)) < 0.6)).float()
    t = torch.linspace(0, 1, 2 * size)
    xs = (ends[..., 0, None] + t * (ends[..., 2, None] - ends[..., 0, None])).round().long()
    ys = (ends[..., 1, None] + t * (ends[..., 3, None] - ends[..., 1, None])).round().long()
    flat = (torch.arange(n)[:, None, None] * size * size + ys * size + xs).reshape(-1)
    values = bright[..., None].expand(-1, -1, 2 * size).reshape(-1)
    out = torch.zeros(n * size * size).scatter_reduce_(0, flat, values, reduce="amax")
    return out.view(n, 1, size, size)


def make_segmentation_set(
    n: int = 2000, seed: int = 0, clutter: bool = True, size: int = SEG_SIZE
) -> SegmentationSet:
    """`n` deterministic images of size x size: one MNIST digit (scaled to 28-44 px, at a random place, ink
    0.7-1.0) over a cluttered background (noise, strokes, fragments of other digits, all dimmer), and its exact
    pixel mask: 1 where the pasted digit's ink (alpha) is > 0.5. The same (n, seed) gives the same set; digits
    come from the shipped 5,000-digit subset (offline). Introduced in 11_gan_segmentation."""
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ValueError(f"n (the number of images) must be a positive integer; got {n!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    if not isinstance(size, int) or size < 48:
        raise ValueError(
            f"size must be an integer of at least 48 pixels, to hold a scaled digit; got {size!r}."
        )
    digits, labels = load_subset_arrays()
    glyphs = torch.from_numpy(digits).float().div_(255.0)[:, None]
    rng = np.random.default_rng(seed)
    which = rng.integers(len(digits), size=n)
    placement = _random_placement(n, size, rng)
    ink = torch.from_numpy(rng.uniform(0.7, 1.0, size=n)).float()[:, None, None, None]
    # Clutter parameters are drawn even when clutter=False, so the digits and masks do not depend on it.
    noise_level = torch.from_numpy(rng.uniform(0.0, 0.15, size=(n, 1, 1, 1))).float()
    noise_seed = int(rng.integers(2**31))
    frag_which = rng.integers(len(digits), size=(2, n))
    frag_quarter = rng.integers(0, 4, size=(2, n))  # which quarter of the other digit
    quarters = torch.zeros(4, 1, 28, 28)
    for q in range(4):
        quarters[q, 0, (q // 2) * 14 : (q // 2) * 14 + 14, (q % 2) * 14 : (q % 2) * 14 + 14] = 1
    frag_on = rng.random((2, n)) < np.array([[1.0], [0.5]])
    frag_bright = rng.uniform(0.35, 0.6, size=(2, n))
    frag_place = [_random_placement(n, size, rng) for _ in range(2)]
    stroke_rng = np.random.default_rng(rng.integers(2**31))
    images, alphas = [], []
    chunk = 1000
    noise_gen = torch.Generator().manual_seed(noise_seed)
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        alpha = _place(glyphs[which[sl]], *(p[sl] for p in placement), size)
        bg = torch.zeros_like(alpha)
        if clutter:
            bg = noise_level[sl] * torch.rand(alpha.shape, generator=noise_gen)
            bg = torch.maximum(bg, _strokes(len(alpha), size, stroke_rng))
            for j in range(2):
                frag = glyphs[frag_which[j, sl]] * quarters[frag_quarter[j, sl]]
                weight = torch.from_numpy(frag_bright[j, sl] * frag_on[j, sl]).float()[:, None, None, None]
                bg = torch.maximum(bg, weight * _place(frag, *(p[sl] for p in frag_place[j]), size))
        images.append(alpha * ink[sl] + (1 - alpha) * bg)
        alphas.append(alpha)
    alpha = torch.cat(alphas)
    x = torch.cat(images).mul_(2).sub_(1)
    masks = (alpha > 0.5).float()
    return SegmentationSet(x, masks, torch.from_numpy(labels[which].astype(np.int64)), alpha)


def segmentation_splits(
    n: int = 2000, seed: int = 0, fractions=(0.8, 0.1, 0.1), clutter: bool = True
) -> dict:
    """A fixed-seed train/val/test split of `make_segmentation_set(n, seed)`: {"train": ..., "val": ..., "test": ...}.
    Introduced in 11_gan_segmentation."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(
            f"fractions must be three positive shares summing to 1, such as (0.8, 0.1, 0.1); got {fractions!r}."
        )
    full = make_segmentation_set(n, seed, clutter)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_train, n_val = int(round(fractions[0] * n)), int(round(fractions[1] * n))
    if min(n_train, n_val, n - n_train - n_val) <= 0:
        raise ValueError(f"n={n} is too small to give every split at least one image; use n >= 30.")
    cuts = {
        "train": order[:n_train],
        "val": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    return {
        k: SegmentationSet(full.images[i], full.masks[i], full.labels[i], full.alpha[i])
        for k, i in cuts.items()
    }
