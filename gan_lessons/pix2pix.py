"""pix2pix for segmentation (Isola et al. 2017), in one file: the task's data set (MNIST digits pasted on
cluttered 64x64 backgrounds, with exact masks), the U-Net segmenter, the PatchGAN discriminator on
(image, mask) pairs, pix2pix's G step, and the trainer that runs it, or the per-pixel baseline, on the
engine's loop. The mask metrics live in `gan_lessons.segmentation`. Introduced in 11_gan_segmentation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

from .data import load_subset_arrays
from .engine import Loop, Position, epoch_loader, optimizer_step, report_stop, update_D
from .losses import LossFamily, get_loss
from .segmentation import check_masks
from .validate import check_seed, is_finite_number, non_negative_int, positive_int

# ----------------------------------------------------------------------------------------------
# The data: MNIST digits on cluttered 64x64 backgrounds, and their exact masks
# ----------------------------------------------------------------------------------------------
SEG_SIZE = 64


SEG_SPLITS = ("train", "val", "test")


class SegmentationSet(TensorDataset):
    """Items are (image in [-1, 1] of shape (1, 64, 64), mask in {0., 1.} of shape (1, 64, 64)).
    `labels` holds the digit's class, `alpha` its ink (0..1) before compositing. Introduced in 11_gan_segmentation."""

    def __init__(self, images: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, alpha: torch.Tensor):
        check_masks(masks, len(images), "masks")
        self.labels, self.alpha = labels, alpha
        super().__init__(images, masks)

    @property
    def images(self) -> torch.Tensor:
        return self.tensors[0]

    @property
    def masks(self) -> torch.Tensor:
        return self.tensors[1]

    def __repr__(self) -> str:
        return f"SegmentationSet({len(self)} images of 64x64, {self.masks.mean():.1%} digit pixels)"


def _place(
    glyphs: torch.Tensor, scale: np.ndarray, top: np.ndarray, left: np.ndarray, size: int
) -> torch.Tensor:
    # Glyphs (N, 1, 28, 28) in 0..1, each scaled to s x s and placed with its corner at (top, left) on size x size,
    # in one batched bilinear resampling (affine_grid + grid_sample).
    a = torch.from_numpy(size / scale).float()[:, None, None]
    centre = torch.arange(size).float().add(0.5).mul(2 / size).sub(1)  # output pixel centres in [-1, 1]
    gx = a * (
        centre[None, None, :] - torch.from_numpy((left + scale / 2) / size * 2 - 1).float()[:, None, None]
    )
    gy = a * (
        centre[None, :, None] - torch.from_numpy((top + scale / 2) / size * 2 - 1).float()[:, None, None]
    )
    grid = torch.stack(torch.broadcast_tensors(gx, gy), dim=-1)  # (N, size, size, 2): (x, y) to read from
    return torch.nn.functional.grid_sample(
        glyphs, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )


def _random_placement(
    n: int, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = rng.integers(28, 45, size=n).astype(np.float64)  # 28..44 pixels
    top = np.floor(rng.random(n) * (size - scale + 1))
    left = np.floor(rng.random(n) * (size - scale + 1))
    return scale, top, left


def _strokes(n: int, size: int, rng: np.random.Generator, k: int = 5) -> torch.Tensor:
    # Up to k straight 1-pixel strokes per image (about 60% drawn), brightness 0.3-0.6: (n, 1, size, size).
    # Rasterised by scattering 2 * size points along each segment (much faster than a distance field).
    ends = torch.from_numpy(rng.uniform(0, size - 1, size=(n, k, 4))).float()
    bright = torch.from_numpy(rng.uniform(0.3, 0.6, size=(n, k)) * (rng.random((n, k)) < 0.6)).float()
    t = torch.linspace(0, 1, 2 * size)
    xs = (ends[..., 0, None] + t * (ends[..., 2, None] - ends[..., 0, None])).round().long()
    ys = (ends[..., 1, None] + t * (ends[..., 3, None] - ends[..., 1, None])).round().long()
    flat = (torch.arange(n)[:, None, None] * size * size + ys * size + xs).reshape(-1)
    values = bright[..., None].expand(-1, -1, 2 * size).reshape(-1)
    out = torch.zeros(n * size * size).scatter_reduce_(0, flat, values, reduce="amax")
    return out.view(n, 1, size, size)


def make_segmentation_set(
    n: int = 2000, seed: int = 0, clutter: bool = True, size: int = SEG_SIZE
) -> SegmentationSet:
    """`n` deterministic images of size x size: one MNIST digit (scaled to 28-44 px, at a random place, ink
    0.7-1.0) over a cluttered background (noise, strokes, fragments of other digits, all dimmer), and its exact
    pixel mask: 1 where the pasted digit's ink (alpha) is > 0.5. The same (n, seed) gives the same set; digits
    come from the shipped 5,000-digit subset (offline). Introduced in 11_gan_segmentation."""
    positive_int("n (the number of images)", n)
    check_seed(seed)
    if not isinstance(size, int) or size < 48:
        raise ValueError(
            f"size must be an integer of at least 48 pixels, to hold a scaled digit; got {size!r}."
        )
    digits, labels = load_subset_arrays()
    glyphs = torch.from_numpy(digits).float().div_(255.0)[:, None]
    rng = np.random.default_rng(seed)
    which = rng.integers(len(digits), size=n)
    placement = _random_placement(n, size, rng)
    ink = torch.from_numpy(rng.uniform(0.7, 1.0, size=n)).float()[:, None, None, None]
    # Clutter parameters are drawn even when clutter=False, so the digits and masks do not depend on it.
    noise_level = torch.from_numpy(rng.uniform(0.0, 0.15, size=(n, 1, 1, 1))).float()
    noise_seed = int(rng.integers(2**31))
    frag_which = rng.integers(len(digits), size=(2, n))
    frag_quarter = rng.integers(0, 4, size=(2, n))  # which quarter of the other digit
    quarters = torch.zeros(4, 1, 28, 28)
    for q in range(4):
        quarters[q, 0, (q // 2) * 14 : (q // 2) * 14 + 14, (q % 2) * 14 : (q % 2) * 14 + 14] = 1
    frag_on = rng.random((2, n)) < np.array([[1.0], [0.5]])
    frag_bright = rng.uniform(0.35, 0.6, size=(2, n))
    frag_place = [_random_placement(n, size, rng) for _ in range(2)]
    stroke_rng = np.random.default_rng(rng.integers(2**31))
    images, alphas = [], []
    chunk = 1000
    noise_gen = torch.Generator().manual_seed(noise_seed)
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        alpha = _place(glyphs[which[sl]], *(p[sl] for p in placement), size)
        bg = torch.zeros_like(alpha)
        if clutter:
            bg = noise_level[sl] * torch.rand(alpha.shape, generator=noise_gen)
            bg = torch.maximum(bg, _strokes(len(alpha), size, stroke_rng))
            for j in range(2):
                frag = glyphs[frag_which[j, sl]] * quarters[frag_quarter[j, sl]]
                weight = torch.from_numpy(frag_bright[j, sl] * frag_on[j, sl]).float()[:, None, None, None]
                bg = torch.maximum(bg, weight * _place(frag, *(p[sl] for p in frag_place[j]), size))
        images.append(alpha * ink[sl] + (1 - alpha) * bg)
        alphas.append(alpha)
    alpha = torch.cat(alphas)
    x = torch.cat(images).mul_(2).sub_(1)
    masks = (alpha > 0.5).float()
    return SegmentationSet(x, masks, torch.from_numpy(labels[which].astype(np.int64)), alpha)


def segmentation_splits(
    n: int = 2000, seed: int = 0, fractions=(0.8, 0.1, 0.1), clutter: bool = True
) -> dict:
    """A fixed-seed train/val/test split of `make_segmentation_set(n, seed)`: {"train": ..., "val": ..., "test": ...}.
    Introduced in 11_gan_segmentation."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(
            f"fractions must be three positive shares summing to 1, such as (0.8, 0.1, 0.1); got {fractions!r}."
        )
    full = make_segmentation_set(n, seed, clutter)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_train, n_val = int(round(fractions[0] * n)), int(round(fractions[1] * n))
    if min(n_train, n_val, n - n_train - n_val) <= 0:
        raise ValueError(f"n={n} is too small to give every split at least one image; use n >= 30.")
    cuts = {
        "train": order[:n_train],
        "val": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    return {
        k: SegmentationSet(full.images[i], full.masks[i], full.labels[i], full.alpha[i])
        for k, i in cuts.items()
    }


# ----------------------------------------------------------------------------------------------
# The networks: a U-Net segmenter, and a PatchGAN discriminator on (image, mask) pairs
# ----------------------------------------------------------------------------------------------
def _check_pair_input(x: torch.Tensor, channels: int, who: str) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[1] != channels:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{who} expects a batch of shape (N, {channels}, H, W); got {got}.")
    if x.shape[-1] % 8 or x.shape[-2] % 8:
        raise ValueError(f"{who} needs H and W divisible by 8 (three halvings); got {tuple(x.shape[-2:])}.")


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """images (N, in_channels, H, W) -> mask logits (N, out_channels, H, W) (Ronneberger et al. 2015):
    three 2x downsamplings, and skip connections that hand each upsampling stage the encoder's
    features of the same size. The segmenter of 11_gan_segmentation, and pix2pix's generator there."""

    def __init__(self, in_channels: int = 1, out_channels: int = 1, width: int = 16):
        super().__init__()
        w = positive_int("width", width)
        self.in_channels = positive_int("in_channels", in_channels)
        self.enc1 = _conv_block(in_channels, w)  # (N, w, H, W)
        self.enc2 = _conv_block(w, 2 * w)  # (N, 2w, H/2, W/2)
        self.enc3 = _conv_block(2 * w, 4 * w)  # (N, 4w, H/4, W/4)
        self.bottom = _conv_block(4 * w, 8 * w)  # (N, 8w, H/8, W/8)
        self.up3 = nn.ConvTranspose2d(8 * w, 4 * w, 2, stride=2)  # (N, 4w, H/4, W/4)
        self.dec3 = _conv_block(8 * w, 4 * w)  # after concatenating the skip
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)  # (N, 2w, H/2, W/2)
        self.dec2 = _conv_block(4 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)  # (N, w, H, W)
        self.dec1 = _conv_block(2 * w, w)
        self.head = nn.Conv2d(w, out_channels, 1)  # (N, out_channels, H, W): logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_pair_input(x, self.in_channels, "UNet")
        e1 = self.enc1(x)
        e2 = self.enc2(nn.functional.max_pool2d(e1, 2))
        e3 = self.enc3(nn.functional.max_pool2d(e2, 2))
        b = self.bottom(nn.functional.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class PatchDiscriminator(nn.Module):
    """(image, mask) pairs stacked as channels (N, in_channels, H, W) -> a map of logits (N, 1, H/4 - 2, W/4 - 2),
    one per overlapping patch (Isola et al. 2017's PatchGAN, with n_layers=2: each logit sees a 34x34 patch of the 64x64 pair).
    Introduced in 11_gan_segmentation."""

    def __init__(self, in_channels: int = 2, width: int = 32, n_layers: int = 2):
        super().__init__()
        w = positive_int("width", width)
        self.in_channels = positive_int("in_channels", in_channels)
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, w, 4, stride=2, padding=1),  # (N, w, H/2, W/2)
            nn.LeakyReLU(0.2, inplace=True),
        ]
        c = w
        for _ in range(1, positive_int("n_layers", n_layers)):
            layers += [
                nn.Conv2d(c, 2 * c, 4, stride=2, padding=1, bias=False),  # halves H and W
                nn.BatchNorm2d(2 * c),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            c *= 2
        layers += [
            nn.Conv2d(c, 2 * c, 4, stride=1, padding=1, bias=False),  # (N, 2c, h - 1, w - 1)
            nn.BatchNorm2d(2 * c),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * c, 1, 4, stride=1, padding=1),  # (N, 1, h - 2, w - 2): one logit per patch
        ]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_pair_input(x, self.in_channels, "PatchDiscriminator")
        return self.net(x)


# ----------------------------------------------------------------------------------------------
# Training: the per-pixel loss, pix2pix's G step, and the trainer of both
# ----------------------------------------------------------------------------------------------
def pixel_loss(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """The per-pixel loss of both segmenters: binary cross-entropy of the mask logits. Introduced in 11_gan_segmentation."""
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, masks)


def update_G_paired(
    D_pair: Callable[[torch.Tensor], torch.Tensor],
    opt_g: torch.optim.Optimizer,
    logits: torch.Tensor,
    masks: torch.Tensor,
    loss: LossFamily | str,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """pix2pix's G step (Isola et al. 2017): the loss family's G loss on D(image, G's mask) plus lam x the per-pixel
    loss, in one backward pass; returns (adversarial, per-pixel) losses, detached. Introduced in 11_gan_segmentation."""
    adv = get_loss(loss).g_loss(D_pair(torch.sigmoid(logits)))
    pix = pixel_loss(logits, masks)
    optimizer_step(opt_g, adv + lam * pix, "generator")
    return adv.detach(), pix.detach()


def train_segmenter(
    G: nn.Module,
    data: Dataset,
    num_steps: int,
    *,
    D: nn.Module | None = None,
    lam: float = 10.0,
    loss: str = "nonsaturating",
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Train the segmenter G (image -> mask logits) for `num_steps` steps on (image, mask) pairs, on the
    engine's loop (Ctrl-C stops it after the current step, keeping G and D).

    D=None: the per-pixel baseline (BCE only). With a PatchGAN D on (image, mask) pairs: pix2pix, each step
    `update_D` on (image, true mask) vs (image, G's mask probabilities), then `update_G_paired`
    (adversarial + lam x BCE). Both see the same batches in the same order for the same seed and the
    same number of steps. Returns a history dict of per-step losses. Introduced in 11_gan_segmentation."""
    non_negative_int("num_steps", num_steps)
    if not isinstance(lam, (int, float)) or not math.isfinite(lam) or lam < 0:
        raise ValueError(f"lam (the weight of the per-pixel loss) must be a number >= 0; got {lam!r}.")
    positive_int("batch_size", batch_size)
    if not is_finite_number(lr) or lr <= 0:
        raise ValueError(f"lr (learning rate) must be a number > 0, such as 2e-4; got {lr!r}.")
    if len(data) < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the data set ({len(data)} pairs).")
    family = get_loss(loss)
    if family.clip:
        raise ValueError(
            f"loss={loss!r} clips D's weights, which this trainer's (image, mask) critic does not do: use "
            "'nonsaturating' (pix2pix's), 'least_squares' or 'hinge'."
        )
    betas = (0.5, 0.999)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas) if D is not None else None
    history: dict = {"pixel": [], "adv": [], "d_loss": []}

    def per_pixel_step(batch) -> dict:
        x, m = batch
        pix = pixel_loss(G(x), m)
        optimizer_step(opt_g, pix, "segmenter")
        return {"pixel": pix.item()}

    def pix2pix_step(batch) -> dict:
        x, m = batch
        logits = G(x)

        def D_pair(mask):  # D judges the (image, mask) pair, as in pix2pix
            return D(torch.cat([x, mask], 1))

        loss_d, _, _ = update_D(D_pair, opt_d, m, torch.sigmoid(logits), family)
        adv, pix = update_G_paired(D_pair, opt_g, logits, m, family, lam)
        return {"pixel": pix.item(), "adv": adv.item(), "d_loss": loss_d.item()}

    G.train()
    if D is not None:
        D.train()
    loop = Loop(
        Position(),
        lambda epoch: epoch_loader(data, batch_size, seed, epoch),
        len(data) // batch_size,
        history,
        max_steps=num_steps,
        progress=progress,
        desc="pix2pix" if D is not None else "per-pixel",
    )
    stop_reason = loop.run(per_pixel_step if D is None else pix2pix_step)
    kept = "G and D keep their weights, and the history its rows."
    report_stop(
        loop.state,
        stop_reason,
        "a new call (it starts again from step 0, from the weights G has)",
        None,
        kept=kept,
    )
    G.eval()
    return history


@torch.no_grad()
def predict_masks(
    G: nn.Module, images: torch.Tensor, threshold: float = 0.5, batch_size: int = 256
) -> torch.Tensor:
    """Binary masks (N, 1, H, W) of 0./1.: sigmoid(G(images)) > threshold, in eval mode. Introduced in 11_gan_segmentation."""
    was_training = G.training
    G.eval()
    try:
        return torch.cat([(torch.sigmoid(G(c)) > threshold).float() for c in images.split(batch_size)])
    finally:
        G.train(was_training)


__all__ = [
    "SegmentationSet",
    "make_segmentation_set",
    "segmentation_splits",
    "UNet",
    "PatchDiscriminator",
    "pixel_loss",
    "update_G_paired",
    "train_segmenter",
    "predict_masks",
]
