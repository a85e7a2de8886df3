"""DCGAN generator and discriminator for 1x28x28 digits. Introduced in 05_dcgan_mnist."""

from __future__ import annotations

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)


def check_images(x: torch.Tensor, who: str = "Discriminator") -> None:
    """Raise a ValueError unless x is a float batch of shape (N, 1, 28, 28)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{who} expects a torch.Tensor of images; got {type(x).__name__}.")
    if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
        hint = ""
        if x.dim() == 4 and x.shape[1] != 1:
            hint = f" MNIST is grayscale: did a layer output {x.shape[1]} channels instead of 1?"
        elif x.dim() == 4 and tuple(x.shape[2:]) != IMAGE_SHAPE[1:]:
            hint = " MNIST digits are 28x28: 64x64 is the size of the original DCGAN's images."
        elif x.dim() == 3:
            hint = " Add the channel dimension with x.unsqueeze(1)."
        elif x.dim() == 2 and x.shape[1] == 784:
            hint = " Reshape flat vectors with x.view(-1, 1, 28, 28)."
        raise ValueError(f"{who} expects images of shape (N, 1, 28, 28); got {tuple(x.shape)}.{hint}")
    if not x.is_floating_point():
        raise ValueError(
            f"{who} expects float images in [-1, 1]; got dtype {x.dtype}. Use x.float() / 127.5 - 1."
        )


def _check_size(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return value


class Generator(nn.Module):
    """z of shape (N, latent_dim) -> images (N, 1, 28, 28) in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 64, width: int = 64):
        super().__init__()
        self.latent_dim = _check_size("latent_dim", latent_dim)
        w = _check_size("width", width)
        self.net = nn.Sequential(
            # (N, latent_dim, 1, 1)
            nn.ConvTranspose2d(latent_dim, 2 * w, kernel_size=7, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(inplace=True),
            # (N, 2w, 7, 7)
            nn.ConvTranspose2d(2 * w, w, kernel_size=4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(inplace=True),
            # (N, w, 14, 14)
            nn.ConvTranspose2d(w, 1, kernel_size=4, stride=2, padding=1),
            nn.Tanh(),
            # (N, 1, 28, 28)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if (
            not isinstance(z, torch.Tensor)
            or z.dim() not in (2, 4)
            or z.shape[1] != self.latent_dim
            or (z.dim() == 4 and tuple(z.shape[2:]) != (1, 1))
        ):
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"Generator expects latent vectors of shape (N, {self.latent_dim}); got {got}. "
                f"Draw them with torch.randn(N, {self.latent_dim})."
            )
        return self.net(z.reshape(z.shape[0], self.latent_dim, 1, 1))


class Discriminator(nn.Module):
    """images (N, 1, 28, 28) -> logits (N,); D(x) = sigmoid(logit) is the probability 'real'."""

    def __init__(self, width: int = 64):
        super().__init__()
        w = _check_size("width", width)
        self.net = nn.Sequential(
            # (N, 1, 28, 28)
            nn.Conv2d(1, w, kernel_size=4, stride=2, padding=1),
            nn.LeakyReLU(0.2, inplace=True),
            # (N, w, 14, 14)
            nn.Conv2d(w, 2 * w, kernel_size=4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, inplace=True),
            # (N, 2w, 7, 7)
            nn.Conv2d(2 * w, 1, kernel_size=7, stride=1, padding=0),
            # (N, 1, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "Discriminator")
        return self.net(x).flatten()


def init_dcgan_weights(module: nn.Module) -> None:
    """DCGAN initialisation (Radford et al. 2016): conv weights N(0, 0.02), BatchNorm N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


@torch.no_grad()
def trace_shapes(
    layers: nn.Sequential, x: torch.Tensor, show: bool = True
) -> tuple[torch.Tensor, list[tuple[int, ...]]]:
    """Run `x` through `layers` one at a time, printing each layer's output shape; returns the output
    and the list of shapes. Introduced in 02_core_concepts, used again in 05_dcgan_mnist."""
    shapes = []
    for i, layer in enumerate(layers):
        x = layer(x)
        shapes.append(tuple(x.shape))
        if show:
            print(f"{i}: {layer.__class__.__name__:16s} -> {shapes[-1]}")
    return x, shapes


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
