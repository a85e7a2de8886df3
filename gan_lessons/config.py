"""Settings shared by every chapter: quick mode, device choice, seeding, CPU threads, and `setup_chapter`, which
does a chapter's seed, device, threads and status line in one call. Introduced in 00_index."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .validate import check_seed


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


#: Quick mode shrinks every run (CI, smoke tests). On with GAN_LESSONS_QUICK=1, or when CI is set.
QUICK: bool = _env_flag("GAN_LESSONS_QUICK") or _env_flag("CI")

#: Root of the repository and its shipped data folder (override with GAN_LESSONS_DATA).
REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GAN_LESSONS_DATA", REPO_ROOT / "data"))


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch so that the same seed gives the same samples on CPU."""
    check_seed(seed)
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


@dataclass
class Chapter:
    """What `setup_chapter` set up: the chapter's name, seed, device and CPU threads (None: torch's default)."""

    name: str
    seed: int
    device: torch.device
    threads: int | None

    def status(self) -> str:
        """The one status line every chapter prints."""
        mode = "quick mode (GAN_LESSONS_QUICK=1: small runs)" if QUICK else "full mode"
        threads = self.threads if self.threads is not None else torch.get_num_threads()
        return f"{self.name} · seed {self.seed} · device {self.device} · {mode} · {threads} CPU thread(s)"


def _run_cells_with_threads(threads: int | None) -> bool:
    """Make this notebook's cells run on `threads` torch threads: set before each cell, and the kernel's own
    count restored after it (the calling cell included); None removes the hooks. A second call replaces the
    first's hooks, keeping the kernel's count from before the first. Returns False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "events"):
        return False
    hooks = getattr(shell, "_gan_lessons_thread_hooks", None)
    if hooks is not None:  # a rerun of a setup cell: drop the old hooks, go back to the kernel's own count
        for event, callback in hooks["callbacks"]:
            shell.events.unregister(event, callback)
        base = hooks["base"]
        del shell._gan_lessons_thread_hooks
    else:
        base = torch.get_num_threads()
    if threads is None:
        torch.set_num_threads(base)
        return True

    def before(*_args) -> None:
        torch.set_num_threads(threads)

    def after(*_args) -> None:
        torch.set_num_threads(base)

    shell.events.register("pre_run_cell", before)
    shell.events.register("post_run_cell", after)
    shell._gan_lessons_thread_hooks = {
        "base": base,
        "callbacks": [("pre_run_cell", before), ("post_run_cell", after)],
    }
    return True


def setup_chapter(
    name: str, seed: int = 0, device: str | torch.device | None = "auto", threads: int | None = None
) -> Chapter:
    """A chapter's setup in one call: seed Python, NumPy and torch; pick the device; print one status line.
    Introduced in 00_index; every chapter's setup cell calls it.

    `threads` (for chapters of tiny networks, where torch's thread pool only adds overhead on a busy CPU):
    the chapter's cells run on that many torch threads. In a notebook the count is set before each cell
    and the previous count restored after it, so the process keeps its own setting between cells; outside
    IPython (a script) it is set for the rest of the process.
    """
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
        raise ValueError(f"threads must be None or an integer >= 1; got {threads!r}.")
    chapter = Chapter(name, seed, get_device(device), threads)
    _run_cells_with_threads(threads)
    if threads is not None:
        torch.set_num_threads(threads)
    set_seed(seed)
    print(chapter.status())
    return chapter


#: The course's plain recipe, the default before issue 24 made R3GAN's loss the default (TrainConfig): DCGAN's
#: non-saturating loss with Adam's beta1 = 0.5 and no penalties. Every remedy of 09_stabilizing is "one remedy
#: added to the plain recipe", 05's inline loop writes it out, and conditional runs (10) use it.
PLAIN_RECIPE = dict(loss="nonsaturating", beta1=0.5, r1=0.0, r2=0.0, reg_every=1)

__all__ = [
    "PLAIN_RECIPE",
    "QUICK",
    "DATA_DIR",
    "set_seed",
    "get_device",
    "single_thread",
    "Chapter",
    "setup_chapter",
]
