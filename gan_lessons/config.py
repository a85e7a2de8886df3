"""Settings shared by every chapter: quick mode, device choice, seeding, CPU threads. Introduced in 00_index."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


#: Quick mode shrinks every run (CI, smoke tests). On with GAN_LESSONS_QUICK=1, or when CI is set.
QUICK: bool = _env_flag("GAN_LESSONS_QUICK") or _env_flag("CI")

#: Root of the repository and its shipped data folder (override with GAN_LESSONS_DATA).
REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GAN_LESSONS_DATA", REPO_ROOT / "data"))


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch so that the same seed gives the same samples on CPU."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def get_device(name: str | torch.device | None = None) -> torch.device:
    """Return a torch device: 'auto' (or None) picks cuda when available, else cpu."""
    if isinstance(name, torch.device):
        name = str(name)
    if name is None or name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(name, str):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda'; got {name!r}.")
    kind = name.split(":")[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise ValueError(f"Unknown device {name!r}: expected 'auto', 'cpu', 'cuda' or 'cuda:N'.")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"Unknown device {name!r}: expected 'auto', 'cpu', 'cuda' or 'cuda:N'.") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"Device {name!r} was asked for, but this machine has no CUDA GPU. Use 'cpu' or 'auto'."
        )
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"Device {name!r} was asked for, but MPS is not available here. Use 'cpu' or 'auto'."
        )
    return device


@contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block, and restore the thread count after it (also
    after an exception). For tiny networks, such as the toy GAN's MLPs and the live widgets: on a
    busy 2-core machine, torch's thread pool made a toy step 10-20x slower than one thread (measured)."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)
