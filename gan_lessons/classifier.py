"""A small LeNet-style digit classifier: the discriminative baseline of 02_core_concepts and the
feature network of the evaluator (09_evaluating)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from .models import MaxPool2x2, check_images
from .train import fit


class LeNet(nn.Module):
    """images (N, 1, 28, 28) in [-1, 1] -> class logits (N, 10); `features` gives the penultimate layer."""

    def __init__(self, feature_dim: int = 128):
        super().__init__()
        self.feature_dim = feature_dim
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2),
            nn.ReLU(),
            MaxPool2x2(),  # (N, 32, 14, 14)
            nn.Conv2d(32, 64, 5, padding=2),
            nn.ReLU(),
            MaxPool2x2(),  # (N, 64, 7, 7)
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, feature_dim),
            nn.ReLU(),  # (N, feature_dim)
        )
        self.head = nn.Linear(feature_dim, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer activations (N, feature_dim)."""
        check_images(x, "LeNet")
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _classification_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The cross-entropy of `model`'s logits on digits x against their labels y: one batch's loss for `fit`."""
    return F.cross_entropy(model(x), y)


def train_classifier(
    model: nn.Module,
    data: Dataset,
    num_epochs: int = 3,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Train with Adam and cross-entropy; returns the loss of every step."""
    return fit(
        model, data, _classification_loss, num_epochs, batch_size, lr, seed, progress, desc="classifier"
    )


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 100) -> torch.Tensor:
    """Predicted class of each image (N,), in eval mode."""
    model.eval()
    return torch.cat([model(chunk).argmax(1) for chunk in images.split(batch_size)])


def accuracy(model: nn.Module, data) -> float:
    """Share of correctly classified digits in an MNISTDigits-like dataset (images, labels)."""
    images, labels = data.tensors
    return (predict(model, images) == labels).float().mean().item()
