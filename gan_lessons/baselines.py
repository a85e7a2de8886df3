"""The two non-adversarial baselines of 02_core_concepts, trained on the engine's plain `fit`: the LeNet
digit classifier (discriminative: p(y | x)) and the autoencoder (generative in name only: it reconstructs,
and its latent space is not a distribution to sample from). LeNet's network itself lives in `feature_net`,
since the shipped one is also the evaluator's feature network (06_evaluating)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from .engine import fit
from .layers import check_images

__all__ = [
    "train_classifier",
    "predict",
    "accuracy",
    "AutoEncoder",
    "train_autoencoder",
]


# ----------------------------------------------------------------------------------------------
# The classifier
# ----------------------------------------------------------------------------------------------
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


# ----------------------------------------------------------------------------------------------
# The autoencoder
# ----------------------------------------------------------------------------------------------
class AutoEncoder(nn.Module):
    """images (N, 1, 28, 28) -> codes (N, latent_dim) -> reconstructions (N, 1, 28, 28) in [-1, 1]."""

    def __init__(self, latent_dim: int = 16, width: int = 32):
        super().__init__()
        if not isinstance(latent_dim, int) or latent_dim <= 0 or not isinstance(width, int) or width <= 0:
            raise ValueError(
                f"latent_dim and width must be positive integers; got {latent_dim!r}, {width!r}."
            )
        self.latent_dim = latent_dim
        w = width
        self.encoder = nn.Sequential(
            nn.Conv2d(1, w, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),  # (N, w, 14, 14)
            nn.Conv2d(w, 2 * w, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),  # (N, 2w, 7, 7)
            nn.Flatten(),
            nn.Linear(2 * w * 7 * 7, latent_dim),  # (N, latent_dim)
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 2 * w * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (2 * w, 7, 7)),  # (N, 2w, 7, 7)
            nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1),
            nn.ReLU(),  # (N, w, 14, 14)
            nn.ConvTranspose2d(w, 1, 4, stride=2, padding=1),
            nn.Tanh(),  # (N, 1, 28, 28)
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes (N, latent_dim) of images (N, 1, 28, 28)."""
        check_images(x, "AutoEncoder")
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) from codes (N, latent_dim)."""
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.latent_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"decode expects codes of shape (N, {self.latent_dim}); got {got}.")
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def _reconstruction_loss(model: AutoEncoder, x: torch.Tensor, _y) -> torch.Tensor:
    """The mean squared error between digits x and their reconstructions: one batch's loss for `fit`."""
    return F.mse_loss(model(x), x)


def train_autoencoder(
    model: AutoEncoder,
    data: Dataset,
    num_epochs: int = 5,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Minimise the mean squared reconstruction error with Adam; returns the loss of every step."""
    return fit(
        model, data, _reconstruction_loss, num_epochs, batch_size, lr, seed, progress, desc="autoencoder"
    )
