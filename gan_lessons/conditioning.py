"""Does a conditional generator draw the digit it was asked for? Conditioning accuracy (the shipped
classifier's reading of each sample against its label) and FID per class. Introduced in
10_conditional_gan; built on `metrics` (the same LeNet, the same FID).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from .classifier import LeNet
from .feature_net import NUM_CLASSES, as_images, class_probabilities, load_feature_net
from .metrics import SmallSampleWarning, fid

__all__ = ["ConditioningReport", "conditioning_accuracy", "fid_per_class"]


@dataclass
class ConditioningReport:
    """How often the classifier reads each generated digit as the label it was generated for. Introduced in 10_conditional_gan."""

    accuracy: float  # over all samples
    per_class: np.ndarray  # (10,): accuracy among the samples asked to be digit d
    counts: np.ndarray  # (10,): samples asked for per digit
    confusion: np.ndarray  # (10, 10): row = label asked for, column = digit the classifier sees

    @property
    def worst_class(self) -> int:
        return int(np.argmin(self.per_class))

    def __str__(self) -> str:
        per = " ".join(f"{d}:{a:.0%}" for d, a in enumerate(self.per_class))
        return f"conditioning accuracy {self.accuracy:.1%} (chance 10%)  [{per}]"


def conditioning_accuracy(fake, labels, net: LeNet | None = None) -> ConditioningReport:
    """Share of generated digits that the shipped classifier reads as their label, overall and per class.
    Introduced in 10_conditional_gan."""
    x = as_images(fake, "fake")
    y = torch.as_tensor(labels).long().reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} images but {len(y)} labels: give the label each image was generated for.")
    if ((y < 0) | (y >= NUM_CLASSES)).any():
        raise ValueError(
            f"labels must be digits 0..{NUM_CLASSES - 1}; got {int(y[(y < 0) | (y >= NUM_CLASSES)][0])}."
        )
    pred = class_probabilities(x, net).argmax(1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    np.add.at(confusion, (y.numpy(), pred.numpy()), 1)
    counts = confusion.sum(1)
    per_class = np.divide(np.diag(confusion), counts, out=np.full(NUM_CLASSES, np.nan), where=counts > 0)
    return ConditioningReport(float((pred == y).float().mean()), per_class, counts, confusion)


def fid_per_class(fake, fake_labels, real, net: LeNet | None = None) -> np.ndarray:
    """FID (LeNet features) of each digit's samples against the real digits of that class, (10,) (nan for a
    class with fewer than 2 samples on either side). Each class has only the real digits of that class in
    `real`: about a tenth of the set passed (about 100 for the subset's 1,000 test digits, which chapter 10
    passes), so these FIDs are biased upwards (see 09_evaluating): compare them with each other and with
    real-vs-real at the same size, not with whole-set FIDs. Introduced in 10_conditional_gan."""
    net = net if net is not None else load_feature_net()
    x_fake = as_images(fake, "fake")
    y_fake = torch.as_tensor(fake_labels).long().reshape(-1)
    if len(y_fake) != len(x_fake):
        raise ValueError(
            f"{len(x_fake)} images but {len(y_fake)} labels: give one label per generated image."
        )
    if not hasattr(real, "labels"):
        raise ValueError(
            "real must be a labelled data set such as load_mnist(), so each class can be compared."
        )
    x_real, y_real = as_images(real, "real"), torch.as_tensor(real.labels).long()
    out = np.full(NUM_CLASSES, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        for d in range(NUM_CLASSES):
            f, r = x_fake[y_fake == d], x_real[y_real == d]
            if len(f) >= 2 and len(r) >= 2:
                out[d] = fid(r, f, net)
    return out
