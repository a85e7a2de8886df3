"""The chapters that evaluate a model, run as if full MNIST were present.

With full MNIST in data/MNIST the test split has 10,000 digits instead of the subset's 1,000, and the
train split 60,000 instead of 4,000. A chapter that hard-codes the subset's sizes (chapter 06 once
assumed 1,000 test images) passes on the subset and fails on full MNIST. This test builds a small
torchvision-format MNIST folder in a tmp dir from the shipped subset (the test split grows to 10,000
digits, each subset test digit shifted by up to a pixel, so no two are identical; the train split to
8,000), points GAN_LESSONS_DATA at it, and runs the chapters top to bottom in quick mode.
"""

import os
import shutil
import struct
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from gan_lessons.data import SUBSET_FILE, _split_subset, load_subset_arrays
from gan_lessons.shipped import SHIPPED

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

pytestmark = pytest.mark.slow  # every test reruns chapters 05 and 06 or builds the MNIST folder

SHIFTS = [(0, 0), (0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1), (0, 2)]


def _write_idx(raw: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    with open(raw / f"{prefix}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 2051, len(images), 28, 28) + images.astype(np.uint8).tobytes())
    with open(raw / f"{prefix}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 2049, len(labels)) + labels.astype(np.uint8).tobytes())


def _shifted(images: np.ndarray, labels: np.ndarray, copies: int) -> tuple[np.ndarray, np.ndarray]:
    out = [np.roll(images, shift, axis=(1, 2)) for shift in SHIFTS[:copies]]
    return np.concatenate(out), np.tile(labels, copies)


def make_full_mnist_folder(root: Path) -> Path:
    """A data folder with the shipped files and a torchvision-format MNIST/ built from the subset."""
    data = ROOT / "data"
    root.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:  # every file the course ships (the generator, the feature net, the subset, ...)
        shutil.copy(data / name, root / name)
    images, labels = load_subset_arrays(data / SUBSET_FILE)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _write_idx(raw, "train", *_shifted(*_split_subset(images, labels, "train"), copies=2))
    _write_idx(raw, "t10k", *_shifted(*_split_subset(images, labels, "test"), copies=10))
    return root


@pytest.fixture(scope="module")
def full_data(tmp_path_factory):
    return make_full_mnist_folder(tmp_path_factory.mktemp("full_mnist") / "data")


def test_the_folder_reads_as_full_mnist(full_data):
    from gan_lessons import load_mnist

    test = load_mnist("test", root=full_data, verbose=False)
    train = load_mnist("train", root=full_data, verbose=False)
    assert test.source == "full" and len(test) == 10_000 and len(train) == 8_000
    assert len(np.unique(test.images_uint8.reshape(len(test), -1).numpy(), axis=0)) == 10_000


@pytest.mark.parametrize("chapter", [chapters.chapter(s).stem for s in ("dcgan_mnist", "evaluating")])
def test_chapter_runs_with_full_mnist_present(chapter, full_data, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_DATA", str(full_data))
    monkeypatch.setenv("GAN_LESSONS_QUICK", "1")
    nb = nbformat.read(chapters.chapter(chapter).ipynb, as_version=4)
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "MNIST: full torchvision MNIST" in text, "the chapter did not load the full-MNIST folder"
    assert os.environ.get("GAN_LESSONS_DATA") == str(full_data)
