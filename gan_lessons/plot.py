"""Plots: image grids, loss curves, D-output curves, samples over training. Introduced in 05_dcgan_mnist."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid


def image_grid(images: torch.Tensor | np.ndarray, nrow: int = 8) -> np.ndarray:
    """A (H, W) array in [0, 1] tiling images given as (N, 1, 28, 28) or (N, 28, 28), float in [-1, 1] or uint8."""
    x = torch.as_tensor(np.asarray(images) if isinstance(images, np.ndarray) else images).detach().cpu()
    if x.dim() == 3:
        x = x.unsqueeze(1)
    if x.dim() != 4:
        raise ValueError(
            f"image_grid expects images of shape (N, 1, H, W) or (N, H, W); got {tuple(x.shape)}."
        )
    x = x.float() / 255.0 if x.dtype == torch.uint8 else (x.float() + 1) / 2
    grid = make_grid(x.clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    return grid[0].numpy()


def show_images(images, nrow: int = 8, title: str | None = None, ax=None):
    """Draw a grid of digits; returns the matplotlib Figure."""
    if ax is None:
        n = len(images)
        rows = int(np.ceil(n / nrow))
        _, ax = plt.subplots(figsize=(min(nrow, n) * 0.6 + 0.4, rows * 0.6 + 0.6))
    ax.imshow(image_grid(images, nrow), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax.figure


def _smooth(values, window: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_history(history: dict, smooth: int = 20):
    """Loss curves, mean D(x) and D(G(z)), and FID when the history has it, against the step; returns the Figure."""
    steps = np.asarray(history["step"])
    if len(steps) == 0:
        raise ValueError("The history is empty: train for at least one step before plotting it.")
    window = min(smooth, max(1, len(steps) // 5))
    x = steps[window - 1 :] if window > 1 else steps
    has_fid = bool(history.get("fid"))
    fig, axes = plt.subplots(1, 3 if has_fid else 2, figsize=(16 if has_fid else 11, 3.5))
    ax_loss, ax_d = axes[0], axes[1]
    ax_loss.plot(x, _smooth(history["d_loss"], window), label="D loss")
    ax_loss.plot(x, _smooth(history["g_loss"], window), label="G loss")
    ax_loss.axhline(2 * np.log(2), color="gray", ls=":", lw=1, label="D loss at D = 1/2 (2 log 2)")
    ax_loss.set(xlabel="step", ylabel="loss", title="Losses (moving average)")
    ax_loss.legend(fontsize=8)
    ax_d.plot(x, _smooth(history["d_real"], window), label="mean D(x), real")
    ax_d.plot(x, _smooth(history["d_fake"], window), label="mean D(G(z)), fake")
    ax_d.axhline(0.5, color="gray", ls=":", lw=1)
    ax_d.set(xlabel="step", ylabel="D output", ylim=(0, 1), title="What D says")
    ax_d.legend(fontsize=8)
    if has_fid:
        axes[2].plot(history["fid_steps"], history["fid"], "o-")
        axes[2].set(xlabel="step", ylabel="FID (LeNet features)", yscale="log", title="FID (lower is better)")
    fig.tight_layout()
    return fig


def show_sample_progress(history: dict, max_grids: int = 6, n: int = 16):
    """The fixed-noise samples at up to `max_grids` points of training, side by side; returns the Figure."""
    steps, samples = history["sample_steps"], history["samples"]
    if not samples:
        raise ValueError("No samples in the history yet: train first.")
    picks = np.unique(np.linspace(0, len(samples) - 1, min(max_grids, len(samples))).round().astype(int))
    fig, axes = plt.subplots(1, len(picks), figsize=(2.2 * len(picks), 2.5), squeeze=False)
    for ax, i in zip(axes[0], picks):
        show_images(samples[i][:n], nrow=int(np.sqrt(n)), title=f"step {steps[i]}", ax=ax)
    fig.tight_layout()
    return fig
