"""The shipped LeNet that every metric reads images through: loading it (data/lenet_mnist.pt, checked
against its sha256), checking and converting the images it is given (`as_images`), its features
(`lenet_features`, the penultimate pre-activations) and its class posteriors (`class_probabilities`).
Introduced in 06_evaluating (the network itself, LeNet, in 02_core_concepts, where `baselines` trains it as
the discriminative baseline); the metrics built on it live in `metrics` and `conditional`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .layers import MaxPool2x2, check_images
from .shipped import (
    FEATURE_NET_FILE,
    FEATURE_NET_SHA256,
    SHIPPED,
    first_line,
    float32_weights,
    read_shipped_weights,
)

FEATURE_NET_FORMAT = "gan_lessons.feature_net/1"


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


# --------------------------------------------------------------------------------------------
# The feature network
# --------------------------------------------------------------------------------------------
def feature_net_path() -> Path:
    """Where the shipped feature network lives: data/lenet_mnist.pt. Introduced in 06_evaluating."""
    return SHIPPED[FEATURE_NET_FILE].path


_NET_CACHE: dict[str, LeNet] = {}


def load_feature_net(
    path: str | Path | None = None, expected_sha256: str | None = FEATURE_NET_SHA256
) -> LeNet:
    """The shipped LeNet feature network in eval mode, after checking its sha256. Introduced in 06_evaluating.

    `expected_sha256=None` skips the check (for a network you trained yourself).
    """
    path = Path(path) if path is not None else feature_net_path()
    fix = SHIPPED[FEATURE_NET_FILE].fix(path.name)
    state, digest = read_shipped_weights(path, "feature network", expected_sha256, fix)
    if digest in _NET_CACHE:
        return _NET_CACHE[digest]
    try:
        if not isinstance(state, dict) or state.get("format") != FEATURE_NET_FORMAT:
            raise ValueError(f"no '{FEATURE_NET_FORMAT}' marker")
        net = LeNet(feature_dim=int(state["feature_dim"]))
        net.load_state_dict(float32_weights(state["state_dict"]))
    except Exception as exc:
        raise ValueError(
            f"The feature network file {path} cannot be read ({first_line(exc)}). {fix}"
        ) from None
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    _NET_CACHE[digest] = net
    return net


# --------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------
def as_images(images, name: str = "images") -> torch.Tensor:
    """Check and convert images to a float tensor (N, 1, 28, 28) in [-1, 1]. Introduced in 06_evaluating.

    Accepts uint8 (N, 28, 28) or (N, 1, 28, 28) arrays/tensors, float (N, 1, 28, 28) in [-1, 1],
    or an MNISTDigits data set. Anything else raises a ValueError that says what to change.
    """
    if hasattr(images, "images_uint8") and hasattr(images, "tensors"):  # an MNISTDigits data set
        images = images.images_uint8
    if isinstance(images, np.ndarray):
        if images.dtype == object:
            raise ValueError(
                f"{name}: expected an array of numbers; got an object array (a list of arrays?). Stack them with np.stack."
            )
        images = torch.from_numpy(np.ascontiguousarray(images))
    if not isinstance(images, torch.Tensor):
        raise ValueError(
            f"{name}: expected a numpy array or torch tensor of images; got {type(images).__name__}. "
            "Convert a list of images with torch.stack(...) or np.stack(...)."
        )
    x = images.detach().cpu()
    shape = tuple(x.shape)
    if x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"{name}: expected uint8 (0..255) or float images in [-1, 1]; got dtype {x.dtype}.")
    if x.dtype != torch.uint8 and not x.is_floating_point():
        raise ValueError(
            f"{name}: integer images must be uint8 (0..255); got dtype {x.dtype}. If they hold pixel values "
            "0..255, convert with .astype(np.uint8) (NumPy) or .to(torch.uint8) (torch)."
        )
    if x.dtype == torch.uint8 and x.dim() == 3:
        x = x.unsqueeze(1)
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        expected = "uint8 (N, 28, 28) or float (N, 1, 28, 28)"
        hint = ""
        if len(shape) == 2 and shape == (28, 28):
            hint = " This is a single image: add the batch dimension with x[None] (and a channel dimension for floats)."
        elif len(shape) == 2 and shape[1] == 784:
            hint = " Reshape flat vectors with x.reshape(-1, 1, 28, 28)."
        elif len(shape) == 3 and shape[1:] == (28, 28):
            hint = " Float images need the channel dimension: x.unsqueeze(1)."
        elif len(shape) == 4 and shape[1] != 1 and shape[2:] == (28, 28):
            hint = f" MNIST is grayscale (1 channel); these have {shape[1]}."
        elif len(shape) == 4 and shape[3] == 1 and shape[1:3] == (28, 28):
            hint = " The channel is last (N, 28, 28, 1): use x.permute(0, 3, 1, 2)."
        elif len(shape) >= 3 and tuple(shape[-2:]) != (28, 28):
            hint = f" The digits must be 28x28; these are {shape[-2]}x{shape[-1]}."
        raise ValueError(f"{name}: expected images of shape {expected}; got {shape}.{hint}")
    if x.shape[0] == 0:
        raise ValueError(f"{name}: got 0 images; these metrics need at least a few.")
    if x.dtype == torch.uint8:
        return x.float().div_(127.5).sub_(1.0)
    x = x.float()
    if not torch.isfinite(x).all():
        raise ValueError(
            f"{name}: contains NaN or Inf values. Did training diverge? Check the losses before measuring."
        )
    lo, hi = x.min().item(), x.max().item()
    if lo < -1.001 or hi > 1.001:
        hint = " Did the generator's last layer lose its tanh?"
        if lo >= 0 and hi <= 255:
            hint = " They look like 0..255 pixel values: pass them as uint8, or scale with x / 127.5 - 1."
        raise ValueError(f"{name}: float images must lie in [-1, 1]; these span [{lo:.3g}, {hi:.3g}].{hint}")
    if lo >= 0 and x.shape[0] > 1:
        warnings.warn(
            f"{name}: every pixel is >= 0. The metrics expect [-1, 1] with a background of -1; "
            "images in [0, 1] should be rescaled with x * 2 - 1.",
            UserWarning,
            stacklevel=3,
        )
    return x.clamp_(-1.0, 1.0)


def penultimate(net: LeNet, x: torch.Tensor) -> torch.Tensor:
    """LeNet's penultimate layer *before* its ReLU, (N, feature_dim). Introduced in 06_evaluating.

    `net.features(x)` is this after the ReLU. The metrics use the pre-activations: no unit is stuck at 0
    (so the covariance has full rank), they are closer to Gaussian, and degraded images (such as noise)
    do not all collapse onto the all-zero corner where a few odd real digits also sit.
    """
    net.features(x[:1])  # the same input checks as LeNet itself
    return net.body[:-1](x)


@torch.no_grad()
def lenet_features(
    images, net: LeNet | None = None, batch_size: int = 100, name: str = "images"
) -> torch.Tensor:
    """The features all metrics use: LeNet's penultimate pre-activations, float64 (N, feature_dim). Introduced in 06_evaluating.

    Batches of 100 keep each layer's activations in the CPU's cache: 1,000 digits took 0.35 s in batches
    of 100 and 0.65 s in batches of 1,000 (one thread), with the same values."""
    x = as_images(images, name)
    net = net if net is not None else load_feature_net()
    net.eval()
    return torch.cat([penultimate(net, chunk) for chunk in x.split(batch_size)]).double()


@torch.no_grad()
def probabilities_from_features(features: torch.Tensor, net: LeNet) -> torch.Tensor:
    """p(y | x), float64 (N, 10), from `lenet_features`' output: LeNet's head after the ReLU the features
    stop before. Saves a second pass through the network when both are needed. Introduced in 06_evaluating."""
    return F.softmax(net.head(features.float().relu()).double(), dim=1)


def class_probabilities(images, net: LeNet | None = None, name: str = "fake") -> torch.Tensor:
    """The classifier's posterior p(y | x) for each image, float64 (N, 10). Introduced in 06_evaluating."""
    net = net if net is not None else load_feature_net()
    return probabilities_from_features(lenet_features(images, net, name=name), net)


__all__ = [
    "LeNet",
    "FEATURE_NET_FORMAT",
    "feature_net_path",
    "load_feature_net",
    "as_images",
    "penultimate",
    "lenet_features",
    "probabilities_from_features",
    "class_probabilities",
]
