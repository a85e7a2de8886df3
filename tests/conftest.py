import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("GAN_LESSONS_QUICK", "1")


import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    """200 real digits of every class (6 steps per epoch at batch 32): enough to train a few steps."""
    from gan_lessons.data import MNISTDigits, load_mnist

    full = load_mnist(verbose=False)
    idx = torch.arange(0, 5000, 25)
    return MNISTDigits(full.images_uint8[idx], full.labels[idx], source="subset")
