"""Adversarial segmentation in one file: the task's data set (a whole MNIST digit among pieces of other
digits drawn with the same ink, 32x32, with exact masks), the U-Net segmenter, the PatchGAN discriminator on
(image, mask) pairs, pix2pix's G step (Isola et al. 2017), the semi-supervised adversarial step (after Hung et
al. 2018), and the trainer that runs them, or the per-pixel baseline, on the engine's loop.
The mask metrics live in `gan_lessons.segmentation`. Introduced in 11_gan_segmentation."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

from .config import REPO_ROOT, set_seed
from .data import load_subset_arrays
from .engine import Loop, Position, epoch_loader, optimizer_step, report_stop
from .losses import LossFamily, get_loss
from .segmentation import check_masks
from .shipped import SEGMENTERS_FILE, SHIPPED, float32_weights, read_shipped_weights
from .validate import check_seed, is_finite_number, non_negative_int, positive_int

# ----------------------------------------------------------------------------------------------
# The data: a whole MNIST digit among pieces of other digits drawn with the same ink, and its exact mask
# ----------------------------------------------------------------------------------------------
SEG_SIZE = 32
SEG_SPLITS = ("train", "val", "test")
INK = (0.7, 1.0)  # every stroke, the target's and the clutter's, is drawn with ink uniform in this range


class SegmentationSet(TensorDataset):
    """Items are (image in [-1, 1] of shape (1, 32, 32), mask in {0., 1.} of shape (1, 32, 32)).
    `labels` holds the target digit's class, `alpha` its coverage (0..1) before compositing. Introduced in 11_gan_segmentation."""

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

    def subset(self, index) -> SegmentationSet:
        """The images, masks, labels and coverage at `index` (a slice or index tensor), as a new set."""
        return SegmentationSet(self.images[index], self.masks[index], self.labels[index], self.alpha[index])

    def __repr__(self) -> str:
        side = self.images.shape[-1]
        return f"SegmentationSet({len(self)} images of {side}x{side}, {self.masks.mean():.1%} target pixels)"


def _place(
    glyphs: torch.Tensor, scale: np.ndarray, top: np.ndarray, left: np.ndarray, size: int
) -> torch.Tensor:
    # Glyphs (N, 1, 28, 28) in 0..1, each scaled to s x s and placed with its corner at (top, left) on size x size,
    # in one batched bilinear resampling (affine_grid + grid_sample); parts outside the canvas are cut off.
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


def _windows() -> torch.Tensor:
    # The pieces clutter is cut from: the 4 halves and the 4 quarters of a 28x28 digit, as 0/1 windows (8, 1, 28, 28).
    w = torch.zeros(8, 1, 28, 28)
    w[0, 0, :14], w[1, 0, 14:], w[2, 0, :, :14], w[3, 0, :, 14:] = 1, 1, 1, 1
    for q in range(4):
        w[4 + q, 0, (q // 2) * 14 : (q // 2) * 14 + 14, (q % 2) * 14 : (q % 2) * 14 + 14] = 1
    return w


def make_segmentation_set(n: int = 3000, seed: int = 0, clutter: bool = True) -> SegmentationSet:
    """`n` deterministic 32x32 images, each holding one whole MNIST digit (the target: scaled to 20-28 px, at a
    random place) among three or four pieces of other digits (halves and quarters, scaled to 14-20 px, placed
    anywhere, up to a quarter off the edge), every piece drawn with ink uniform in 0.7-1.0 exactly like the
    target, over faint noise. Brightness cannot tell target from clutter: only shape and context can. The
    mask is 1 where the target's coverage is > 0.5. The same (n, seed) gives the same set; the digits come
    from the shipped 5,000-digit subset (offline). Introduced in 11_gan_segmentation."""
    positive_int("n (the number of images)", n)
    check_seed(seed)
    size = SEG_SIZE
    digits, labels = load_subset_arrays()
    glyphs = torch.from_numpy(digits).float().div_(255.0)[:, None]
    rng = np.random.default_rng(seed)
    which = rng.integers(len(digits), size=n)
    scale = rng.integers(20, 29, size=n).astype(np.float64)
    top, left = (np.floor(rng.random(n) * (size - scale + 1)) for _ in range(2))
    ink = torch.from_numpy(rng.uniform(*INK, size=n)).float()[:, None, None, None]
    # Clutter is drawn even when clutter=False, so the targets and masks do not depend on it.
    k = 4
    piece_which = rng.integers(len(digits), size=(k, n))
    piece_window = rng.integers(0, 8, size=(k, n))
    piece_on = rng.random((k, n)) < np.array([[1.0], [1.0], [1.0], [0.5]])
    piece_ink = rng.uniform(*INK, size=(k, n))
    piece_scale = rng.integers(14, 21, size=(k, n)).astype(np.float64)
    piece_top, piece_left = (
        rng.random((k, n)) * (size - piece_scale / 2) - piece_scale / 4 for _ in range(2)
    )
    noise_level = torch.from_numpy(rng.uniform(0.0, 0.1, size=(n, 1, 1, 1))).float()
    noise = torch.rand(n, 1, size, size, generator=torch.Generator().manual_seed(int(rng.integers(2**31))))
    windows = _windows()
    alpha = _place(glyphs[which], scale, top, left, size)
    image = alpha * ink
    if clutter:
        image = torch.maximum(image, noise_level * noise)
        for j in range(k):
            piece = glyphs[piece_which[j]] * windows[piece_window[j]]
            weight = torch.from_numpy(piece_ink[j] * piece_on[j]).float()[:, None, None, None]
            image = torch.maximum(
                image, weight * _place(piece, piece_scale[j], piece_top[j], piece_left[j], size)
            )
    masks = (alpha > 0.5).float()
    return SegmentationSet(
        image.mul_(2).sub_(1), masks, torch.from_numpy(labels[which].astype(np.int64)), alpha
    )


def segmentation_splits(
    n: int = 3000, seed: int = 0, fractions=(0.8, 0.1, 0.1), clutter: bool = True
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
    return {k: full.subset(i) for k, i in cuts.items()}


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
    one per overlapping patch (Isola et al. 2017's PatchGAN; with n_layers=2 each logit sees a 34x34 patch, so on
    chapter 11's 32x32 images every logit sees the whole image: in practice a global D). Introduced in
    11_gan_segmentation."""

    def __init__(self, in_channels: int = 2, width: int = 32, n_layers: int = 2, norm: bool = True):
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
                nn.Conv2d(c, 2 * c, 4, stride=2, padding=1, bias=not norm),  # halves H and W
                nn.BatchNorm2d(2 * c) if norm else nn.Identity(),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            c *= 2
        layers += [
            nn.Conv2d(c, 2 * c, 4, stride=1, padding=1, bias=not norm),  # (N, 2c, h - 1, w - 1)
            nn.BatchNorm2d(2 * c) if norm else nn.Identity(),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * c, 1, 4, stride=1, padding=1),  # (N, 1, h - 2, w - 2): one logit per patch
        ]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_pair_input(x, self.in_channels, "PatchDiscriminator")
        return self.net(x)


# ----------------------------------------------------------------------------------------------
# Training: the per-pixel loss, pix2pix's step, the semi-supervised adversarial step, and their trainer
# ----------------------------------------------------------------------------------------------
METHODS = ("pixel", "pix2pix", "semi")
PIX2PIX_LAMBDA = 100.0  # Isola et al. 2017 weight the L1 term by 100 (their section 4); here it weights BCE
SEMI_ADV_WEIGHT = 0.01  # Hung et al. 2018's lambda_adv on labelled images (their section 4.2)


def pixel_loss(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """The per-pixel loss of every segmenter here: binary cross-entropy of the mask logits. Introduced in 11_gan_segmentation."""
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, masks)


def mask_for_D(logits: torch.Tensor, hard: bool = True) -> torch.Tensor:
    """What D sees of G's mask. hard=True: the binarised mask (sigmoid > 0.5, exactly 0 or 1 like a real mask) in
    the forward pass, with the sigmoid's gradient in the backward pass (straight-through), so D cannot tell real
    from fake by softness. hard=False: the sigmoid probabilities, the shortcut. Introduced in 11_gan_segmentation."""
    p = torch.sigmoid(logits)
    if not hard:
        return p
    return p + ((p > 0.5).float() - p).detach()


@contextmanager
def frozen(D: nn.Module):
    """Hold D fixed: inside the block its parameters ask for no gradient, so G's step leaves D's .grad empty.
    Introduced in 11_gan_segmentation."""
    was = [p.requires_grad for p in D.parameters()]
    D.requires_grad_(False)
    try:
        yield D
    finally:
        for p, w in zip(D.parameters(), was):
            p.requires_grad_(w)


def update_G_paired(
    D_pair: Callable[[torch.Tensor], torch.Tensor],
    opt_g: torch.optim.Optimizer,
    logits: torch.Tensor,
    masks: torch.Tensor,
    loss: LossFamily | str,
    lam: float,
    hard: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """pix2pix's G step (Isola et al. 2017): the loss family's G loss on D(image, G's mask) plus lam x the per-pixel
    loss, in one backward pass; returns (adversarial, per-pixel) losses, detached. Introduced in 11_gan_segmentation."""
    family = get_loss(loss)
    if family.paired:
        raise ValueError(
            f"pix2pix's G step takes an unpaired loss family; {family.name!r} also needs D's verdict on real "
            "masks. Use 'nonsaturating' (pix2pix's), 'least_squares' or 'hinge'."
        )
    adv = family.g_loss(D_pair(mask_for_D(logits, hard)))
    pix = pixel_loss(logits, masks)
    optimizer_step(opt_g, adv + lam * pix, "generator")
    return adv.detach(), pix.detach()


def semi_g_loss(
    G: nn.Module,
    D: nn.Module,
    x_lab: torch.Tensor,
    m_lab: torch.Tensor,
    x_unl: torch.Tensor,
    adv_weight: float = SEMI_ADV_WEIGHT,
    hard: bool = True,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The segmenter's loss in the semi-supervised adversarial recipe (after Hung et al. 2018): the per-pixel loss
    on the labelled batch only, plus adv_weight x the non-saturating loss of D's verdicts on G's masks of the
    labelled *and* the unlabelled images (target 1: G wants its masks called real). Returns (total, per-pixel,
    adversarial). D is not frozen here; `semi_g_step` freezes it. Introduced in 11_gan_segmentation."""
    # Two forward passes, as Hung et al.'s code runs them: one train-mode BatchNorm pass over both batches would
    # couple them through the batch statistics, and the unlabelled half (no per-pixel loss) drifts to all-target.
    logits = torch.cat([G(x_lab), G(x_unl)])
    pix = pixel_loss(logits[: len(x_lab)], m_lab)
    verdict = D(mask_for_D(logits, hard))
    adv = torch.nn.functional.binary_cross_entropy_with_logits(verdict, torch.ones_like(verdict))
    return pix + adv_weight * adv, pix, adv


def semi_g_step(
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    x_lab: torch.Tensor,
    m_lab: torch.Tensor,
    x_unl: torch.Tensor,
    adv_weight: float = SEMI_ADV_WEIGHT,
    hard: bool = True,
) -> torch.Tensor:
    """One segmenter step of the semi-supervised recipe with D held fixed (`frozen`): `semi_g_loss`, backward,
    opt_g.step(); returns the loss, detached. Introduced in 11_gan_segmentation."""
    with frozen(D):
        total, _, _ = semi_g_loss(G, D, x_lab, m_lab, x_unl, adv_weight, hard)
        optimizer_step(opt_g, total, "segmenter")
    return total.detach()


@dataclass
class SegmenterConfig:
    """One training run of chapter 11's grid. method: "pixel" (BCE only), "pix2pix" (a PatchGAN D on (image,
    mask) pairs, labelled images only, G loss = adversarial + lam x BCE) or "semi" (a D on masks alone, G loss =
    BCE on the labelled + adv_weight x adversarial on labelled and unlabelled). hard: D sees binarised masks
    (False: probabilities, the softness shortcut). Adam(lr, betas) for both players, D's loss halved (pix2pix's
    section 3.3). Introduced in 11_gan_segmentation."""

    method: str = "pixel"
    num_steps: int = 300
    batch_size: int = 16
    lr: float = 1e-3
    betas: tuple = (0.5, 0.999)
    lam: float = PIX2PIX_LAMBDA
    adv_weight: float = SEMI_ADV_WEIGHT
    hard: bool = True
    width: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; got {self.method!r}.")
        non_negative_int("num_steps", self.num_steps)
        positive_int("batch_size", self.batch_size)
        check_seed(self.seed)
        if not is_finite_number(self.lr) or self.lr <= 0:
            raise ValueError(f"lr (learning rate) must be a number > 0, such as 2e-4; got {self.lr!r}.")
        for name in ("lam", "adv_weight"):
            v = getattr(self, name)
            if not is_finite_number(v) or v < 0:
                raise ValueError(f"{name} must be a number >= 0; got {v!r}.")


def new_segmenter(config: SegmenterConfig) -> tuple[nn.Module, nn.Module | None]:
    """The U-Net and (for an adversarial method) its D, initialised from config.seed: every method starts from the
    same U-Net weights. pix2pix's D judges (image, mask) pairs with BatchNorm; the semi-supervised D judges masks
    alone, without normalisation (Hung et al.'s D has none). Introduced in 11_gan_segmentation."""
    set_seed(config.seed)
    G = UNet(width=config.width)
    if config.method == "pixel":
        return G, None
    set_seed(config.seed + 1)
    if config.method == "pix2pix":
        return G, PatchDiscriminator(in_channels=2, width=8)
    return G, PatchDiscriminator(in_channels=1, width=8, norm=False)


def train_segmenter(
    G: nn.Module,
    labelled: Dataset,
    config: SegmenterConfig,
    *,
    D: nn.Module | None = None,
    unlabelled: torch.Tensor | None = None,
    progress: bool = True,
) -> dict:
    """Train the segmenter G (image -> mask logits) by config.method for config.num_steps steps on the engine's
    loop (Ctrl-C stops it after the current step, keeping G and D). Every method sees the same labelled batches
    in the same order for the same seed; "semi" also draws a batch of `unlabelled` images per step. Returns a
    history dict of per-step losses. Introduced in 11_gan_segmentation."""
    if config.method != "pixel" and D is None:
        raise ValueError(
            f"method={config.method!r} needs its discriminator D: build both with new_segmenter(config)."
        )
    if config.method == "semi" and (unlabelled is None or len(unlabelled) == 0):
        raise ValueError("method='semi' needs unlabelled images (a tensor (M, 1, H, W)); got none.")
    batch = min(config.batch_size, len(labelled))
    family = get_loss("nonsaturating")
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas) if D is not None else None
    draw = torch.Generator().manual_seed(config.seed + 7)
    history: dict = {"pixel": [], "adv": [], "d_loss": []}
    hard = config.hard

    def per_pixel_step(b) -> dict:
        x, m = b
        pix = pixel_loss(G(x), m)
        optimizer_step(opt_g, pix, "segmenter")
        return {"pixel": pix.item()}

    def pix2pix_step(b) -> dict:
        x, m = b
        logits = G(x)

        def D_pair(mask):  # D judges the (image, mask) pair, as in pix2pix; its loss is halved (section 3.3)
            return D(torch.cat([x, mask], 1))

        loss_d = _halved_d_step(D_pair, opt_d, m, mask_for_D(logits, hard).detach(), family)
        adv, pix = update_G_paired(D_pair, opt_g, logits, m, family, config.lam, hard)
        return {"pixel": pix.item(), "adv": adv.item(), "d_loss": loss_d}

    def semi_step(b) -> dict:
        x, m = b
        x_unl = unlabelled[torch.randint(len(unlabelled), (batch,), generator=draw)]
        with torch.no_grad():
            fake = mask_for_D(torch.cat([G(x), G(x_unl)]), hard)  # separate passes, as in semi_g_loss
        loss_d = _halved_d_step(D, opt_d, m, fake, family)
        total = semi_g_step(G, D, opt_g, x, m, x_unl, config.adv_weight, hard)
        return {"pixel": float(total), "adv": float("nan"), "d_loss": loss_d}

    step = {"pixel": per_pixel_step, "pix2pix": pix2pix_step, "semi": semi_step}[config.method]
    G.train()
    if D is not None:
        D.train()
    loop = Loop(
        Position(),
        lambda epoch: epoch_loader(labelled, batch, config.seed, epoch),
        len(labelled) // batch,
        history,
        max_steps=config.num_steps,
        progress=progress,
        desc=config.method,
    )
    stop_reason = loop.run(step)
    report_stop(
        loop.state,
        stop_reason,
        "a new call (it starts again from step 0, from the weights G has)",
        None,
        kept="G and D keep their weights, and the history its rows.",
    )
    G.eval()
    return history


def _halved_d_step(D, opt_d, real: torch.Tensor, fake: torch.Tensor, family: LossFamily) -> float:
    # D's step with its loss divided by 2, as pix2pix does to slow D relative to G (Isola et al. 2017, section 3.3).
    loss_d = 0.5 * family.d_loss(D(real), D(fake.detach()))
    optimizer_step(opt_d, loss_d, "discriminator")
    return loss_d.item()


def fit_segmenter(
    config: SegmenterConfig, train: SegmentationSet, n_labelled: int, progress: bool = False
) -> tuple[nn.Module, dict]:
    """Chapter 11's grid cell: a fresh U-Net (and D) from config.seed, trained by config.method on the first
    `n_labelled` images of `train` with their masks, the rest of `train` serving as unlabelled images (only
    "semi" reads them). Returns (G in eval mode, history). Introduced in 11_gan_segmentation."""
    positive_int("n_labelled", n_labelled)
    if n_labelled >= len(train):
        raise ValueError(
            f"n_labelled={n_labelled} leaves no unlabelled images in a train split of {len(train)}."
        )
    G, D = new_segmenter(config)
    history = train_segmenter(
        G,
        train.subset(slice(0, n_labelled)),
        config,
        D=D,
        unlabelled=train.images[n_labelled:],
        progress=progress,
    )
    return G, history


SHIPPED_N = 64  # the number of labelled masks the shipped segmenters were trained on


def load_segmenter(method: str = "pixel", path=None, expected_sha256: str | None = "shipped") -> nn.Module:
    """The shipped U-Net that `method` trained on the first 64 labelled images of the chapter's train split (seed 0,
    the grid's settings), in eval mode; data/segmenters_n64.pt is sha256-checked and read with weights_only=True.
    Rebuilt by tools/make_segmenters.py (which passes `path` and expected_sha256=None to read a fresh build).
    Introduced in 11_gan_segmentation."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    entry = SHIPPED[SEGMENTERS_FILE]
    where = entry.path if path is None else Path(path)
    sha = entry.sha256 if expected_sha256 == "shipped" else expected_sha256
    blob, _ = read_shipped_weights(where, entry.what, sha, entry.fix(where.name))
    if not isinstance(blob, dict) or blob.get("format") != "gan_lessons.segmenters/1" or method not in blob:
        raise ValueError(f"The {entry.what} file {where} has unexpected contents. {entry.fix(where.name)}")
    G = UNet(width=int(blob["width"]))
    G.load_state_dict(float32_weights(blob[method]))
    return G.eval()


GRID_RESULTS = REPO_ROOT / "benchmarks" / "results" / "segmentation_grid.json"


def load_grid(path=None) -> list[dict]:
    """The committed rows of benchmarks/segmentation_grid.py (one per method, N labelled, seed and hard/soft D
    input: test IoU, boundary F1, stray blobs, val IoU, seconds). Introduced in 11_gan_segmentation."""
    where = GRID_RESULTS if path is None else Path(path)
    if not where.is_file():
        raise FileNotFoundError(
            f"{where} is missing: restore it with `git checkout -- benchmarks/results/{where.name}` or rerun "
            "benchmarks/segmentation_grid.py (its docstring gives the command)."
        )
    rows = json.loads(where.read_text())["rows"]
    if not rows or not {"method", "n_labelled", "seed", "hard", "IoU"} <= set(rows[0]):
        raise ValueError(f"{where} holds no grid rows; rerun benchmarks/segmentation_grid.py.")
    return rows


def grid_cell(rows: list[dict], method: str, n_labelled: int, hard: bool = True, metric: str = "IoU") -> dict:
    """{seed: metric} of one cell of the grid. Introduced in 11_gan_segmentation."""
    out = {
        r["seed"]: r[metric]
        for r in rows
        if r["method"] == method and r["n_labelled"] == n_labelled and r["hard"] == hard
    }
    if not out:
        raise ValueError(f"The grid has no runs of method={method!r}, n_labelled={n_labelled}, hard={hard}.")
    return out


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
    "SEG_SIZE",
    "SegmentationSet",
    "make_segmentation_set",
    "segmentation_splits",
    "UNet",
    "PatchDiscriminator",
    "METHODS",
    "PIX2PIX_LAMBDA",
    "SEMI_ADV_WEIGHT",
    "pixel_loss",
    "mask_for_D",
    "frozen",
    "update_G_paired",
    "semi_g_loss",
    "semi_g_step",
    "SegmenterConfig",
    "new_segmenter",
    "train_segmenter",
    "fit_segmenter",
    "SHIPPED_N",
    "load_segmenter",
    "GRID_RESULTS",
    "load_grid",
    "grid_cell",
    "predict_masks",
]
