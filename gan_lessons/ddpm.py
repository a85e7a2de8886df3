"""A small denoising diffusion model (DDPM) for 1x28x28 digits, to compare with a GAN's one-step sampling.
Introduced in 12_future_and_faq.

The model learns to predict the noise added to a digit at a random step t of a fixed schedule
(Ho, Jain and Abbeel, 2020). Sampling starts from pure noise and removes it step by step, so one image
costs as many network calls as there are sampling steps, where a GAN's generator needs one.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from .engine import fit
from .layers import check_images
from .validate import positive_int


class NoiseSchedule:
    """The linear beta schedule of DDPM: betas, alphas and their running products over `steps` steps."""

    def __init__(self, steps: int = 200, beta_start: float = 1e-4, beta_end: float = 0.02):
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2, such as 200; got {steps!r}.")
        if not 0 < beta_start < beta_end < 1:
            raise ValueError(
                f"need 0 < beta_start < beta_end < 1 (the noise added per step); got {beta_start!r}, {beta_end!r}."
            )
        self.steps = steps
        # the paper's 1e-4..0.02 is for T = 1000 steps; rescale so that fewer steps reach the same end noise
        scale = 1000 / steps
        self.betas = torch.linspace(beta_start * scale, min(beta_end * scale, 0.999), steps)
        self.alphas = 1 - self.betas
        self.alpha_bars = torch.cumprod(self.alphas, 0)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise: a digit after t steps of noising, in one go."""
        abar = self.alpha_bars.to(x0.device)[t].view(-1, 1, 1, 1)
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def _time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of the step t (N,) -> (N, dim), as in transformers' position encodings."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=1)


class _Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, t_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.norm1, self.norm2 = nn.GroupNorm(8, c_out), nn.GroupNorm(8, c_out)
        self.t_proj = nn.Linear(t_dim, c_out)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        h = F.silu(self.norm1(self.conv1(x)))
        h = h + self.t_proj(t_emb)[:, :, None, None]  # the step, as a per-channel shift
        h = F.silu(self.norm2(self.conv2(h)))
        return h + self.skip(x)


class Denoiser(nn.Module):
    """A small U-Net: noisy digits (N, 1, 28, 28) and steps t (N,) -> the predicted noise (N, 1, 28, 28).

    It works at 14x14 and 7x7 (a stride-2 convolution in, a transposed one out) to stay cheap on a CPU.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        if not isinstance(width, int) or width <= 0 or width % 8:
            raise ValueError(
                f"width must be a positive multiple of 8 (GroupNorm uses 8 groups); got {width!r}."
            )
        w, t_dim = width, 4 * width
        self.t_dim = t_dim
        self.t_mlp = nn.Sequential(nn.Linear(t_dim, t_dim), nn.SiLU(), nn.Linear(t_dim, t_dim))
        self.inp = nn.Conv2d(1, w, 4, stride=2, padding=1)  # (N, w, 14, 14)
        self.down = _Block(w, w, t_dim)  # (N, w, 14, 14)
        self.mid = _Block(w, 2 * w, t_dim)  # (N, 2w, 7, 7) after pooling
        self.up = _Block(3 * w, w, t_dim)  # (N, w, 14, 14): upsampled mid + the skip from `down`
        self.out = nn.ConvTranspose2d(w + 1, 1, 4, stride=2, padding=1)  # (N, 1, 28, 28)
        self.skip_in = nn.Conv2d(1, 1, 2, stride=2)  # the noisy input at 14x14, next to the last features

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        check_images(x, "Denoiser")
        t_emb = self.t_mlp(_time_embedding(t, self.t_dim))
        h = self.down(self.inp(x), t_emb)  # 14
        m = self.mid(F.avg_pool2d(h, 2), t_emb)  # 7
        u = self.up(torch.cat([F.interpolate(m, scale_factor=2), h], 1), t_emb)  # 14
        return self.out(torch.cat([u, self.skip_in(x)], 1))  # 28


def train_denoiser(
    model: Denoiser,
    data: Dataset,
    schedule: NoiseSchedule,
    num_epochs: int = 10,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Teach `model` to predict the noise in x_t for random t (the DDPM loss); returns every step's loss."""
    gen = torch.Generator().manual_seed(seed)

    def loss(m: Denoiser, x0: torch.Tensor, _y) -> torch.Tensor:
        t = torch.randint(0, schedule.steps, (len(x0),), generator=gen).to(x0.device)
        noise = torch.randn(x0.shape, generator=gen).to(x0.device)
        return F.mse_loss(m(schedule.add_noise(x0, t, noise), t), noise)

    return fit(model, data, loss, num_epochs, batch_size, lr, seed, progress, desc="denoiser")


@torch.no_grad()
def diffusion_sample(
    model: Denoiser, schedule: NoiseSchedule, n: int, steps: int | None = None, seed: int = 0
) -> torch.Tensor:
    """n digits in [-1, 1] from pure noise, in `steps` network calls (default: every step of the schedule).

    With all steps this is DDPM's ancestral sampler; with fewer, the deterministic DDIM sampler
    (Song, Meng and Ermon, 2021) on evenly spaced steps, the usual way to trade quality for speed.
    """
    T = schedule.steps
    steps = T if steps is None else steps
    if not isinstance(steps, int) or not 1 <= steps <= T:
        raise ValueError(f"steps must be an integer between 1 and the schedule's {T}; got {steps!r}.")
    positive_int("n (how many images)", n)
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    abar = schedule.alpha_bars
    x = torch.randn((n, 1, 28, 28), generator=gen).to(device)
    try:
        if steps == T:  # ancestral DDPM
            for t in reversed(range(T)):
                eps = model(x, torch.full((n,), t, device=device))
                beta, alpha = schedule.betas[t], schedule.alphas[t]
                mean = (x - beta / (1 - abar[t]).sqrt() * eps) / alpha.sqrt()
                if t > 0:
                    var = beta * (1 - abar[t - 1]) / (1 - abar[t])
                    mean = mean + var.sqrt() * torch.randn(x.shape, generator=gen).to(device)
                x = mean
        else:  # DDIM, eta = 0
            ts = torch.linspace(T - 1, 0, steps).round().long().tolist()
            for i, t in enumerate(ts):
                eps = model(x, torch.full((n,), t, device=device))
                x0 = ((x - (1 - abar[t]).sqrt() * eps) / abar[t].sqrt()).clamp(-1, 1)
                a_next = abar[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
                x = a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps
    finally:
        model.train(was_training)
    return x.clamp(-1, 1).cpu()


__all__ = [
    "NoiseSchedule",
    "Denoiser",
    "train_denoiser",
    "diffusion_sample",
]
