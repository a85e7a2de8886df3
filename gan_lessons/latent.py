"""The latent space as a tool: truncation, vector arithmetic, class swap at fixed z, and inversion (finding the
z that reproduces a real digit, by optimisation or by an encoder). Introduced in 05_dcgan_mnist.

Every function takes a generator G (a module mapping z of shape (N, G.latent_dim) to images (N, 1, 28, 28)
in [-1, 1]) and measures with the course's metrics; none trains G. The encoder of `train_encoder` learns from
G's own samples only (fresh z each step, no data set), so nothing here iterates over data.

    G = load_pretrained_generator()
    z = truncate(torch.randn(1000, 64), psi=0.7)       # fidelity up, diversity down
    d = attribute_direction(G, ink)                     # "more ink" in latent space
    result = invert(G, digits, steps=200)               # the z that G maps closest to each digit
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .config import single_thread
from .feature_net import LeNet, as_images, lenet_features, load_feature_net, probabilities_from_features
from .metrics import precision_recall_from_features
from .validate import check_seed, is_finite_number, positive_int


def _check_G(G) -> int:
    latent_dim = getattr(G, "latent_dim", None)
    if not isinstance(G, nn.Module) or not isinstance(latent_dim, int):
        raise ValueError(
            f"Expected a generator (an nn.Module with a .latent_dim, such as load_pretrained_generator()); "
            f"got {type(G).__name__}."
        )
    return latent_dim


def _check_z(z, latent_dim: int, what: str = "z") -> torch.Tensor:
    if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != latent_dim:
        got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"{what} must be latent vectors of shape (N, {latent_dim}); got {got}.")
    return z


def _noise(n: int, latent_dim: int, seed: int) -> torch.Tensor:
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(check_seed(seed)))


# ----------------------------------------------------------------------------------------------
# Truncation
# ----------------------------------------------------------------------------------------------


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """psi-scaling of z: truncation towards the mean latent, z' = mean + psi (z - mean), with the mean of
    N(0, I) being 0, so z' = psi z. Introduced in 05_dcgan_mnist.

    psi = 1 leaves z alone; psi < 1 shrinks every z. For a Gaussian z this is the same as lowering the sampling
    temperature (Kingma & Dhariwal 2018, Glow). Note where G was trained: the density of N(0, I) peaks at 0,
    but in d dimensions its mass lies on a thin shell, ||z|| close to sqrt(d) (8 for d = 64); psi z moves
    every z off that shell to norm about psi sqrt(d), where G saw almost no training input. This is the form
    of StyleGAN (Karras et al. 2019, appendix B), which truncates in its learnt intermediate space W, not in
    a Gaussian z. BigGAN (Brock et al. 2019, section 3.1) truncates differently, redrawing the coordinates of
    z above a threshold, and reports that many of its models were only amenable to truncation after
    orthogonal regularisation."""
    if not is_finite_number(psi) or not 0 <= psi <= 2:
        raise ValueError(f"psi (the truncation) must be a number in [0, 2], 1 meaning none; got {psi!r}.")
    if not isinstance(z, torch.Tensor) or z.dim() != 2:
        raise ValueError(
            f"z must be a batch of latent vectors, shape (N, latent_dim); got {type(z).__name__}."
        )
    return z * float(psi)


@dataclass
class TruncationRow:
    """One row of `truncation_sweep`: psi, and precision and recall (k-NN in LeNet feature space)."""

    psi: float
    precision: float
    recall: float
    median_norm: float = float("nan")  # median ||psi z|| of the draws: sqrt(latent_dim) is the shell


@torch.no_grad()
def truncation_sweep(
    G: nn.Module,
    real,
    psis=(1.0, 0.8, 0.6, 0.4, 0.2),
    n: int = 1000,
    seed: int = 0,
    k: int = 3,
    net: LeNet | None = None,
) -> list[TruncationRow]:
    """Precision and recall (Kynkaanniemi et al. 2019) of G's samples against `real` for each psi, all from
    the same n draws of z (so only psi changes between rows). Introduced in 05_dcgan_mnist."""
    latent_dim = _check_G(G)
    positive_int("n", n)
    net = net if net is not None else load_feature_net()
    f_real = lenet_features(real, net, name="real")
    z = _noise(n, latent_dim, seed)
    rows = []
    with single_thread(), _eval(G):
        for psi in psis:
            f_fake = lenet_features(G(truncate(z, psi)), net, name="fake")
            pr = precision_recall_from_features(f_real, f_fake, k=k)
            norm = float(truncate(z, psi).norm(dim=1).median())
            rows.append(TruncationRow(float(psi), pr.precision, pr.recall, norm))
    return rows


def format_truncation_table(rows: list[TruncationRow]) -> str:
    """The sweep as a Markdown table."""
    lines = ["| psi | precision | recall | median norm of z |", "|---:|---:|---:|---:|"]
    lines += [f"| {r.psi:.1f} | {r.precision:.3f} | {r.recall:.3f} | {r.median_norm:.2f} |" for r in rows]
    return "\n".join(lines)


class _eval:
    """Put a module in eval mode for a block, then back (G may be in training mode in a notebook)."""

    def __init__(self, module: nn.Module):
        self.module, self.was = module, module.training

    def __enter__(self):
        self.module.eval()

    def __exit__(self, *exc):
        self.module.train(self.was)


# ----------------------------------------------------------------------------------------------
# Vector arithmetic
# ----------------------------------------------------------------------------------------------


def ink(images) -> torch.Tensor:
    """The share of each image's pixels that is ink, on average ((x + 1) / 2 over the 28 x 28 pixels): a
    measure of stroke width and size, float64 (N,). Introduced in 05_dcgan_mnist."""
    x = torch.as_tensor(images).detach().cpu().double()
    if x.dim() == 3:
        x = x.unsqueeze(1)
    if x.dim() != 4 or x.shape[1:] != (1, 28, 28):
        raise ValueError(f"ink expects images of shape (N, 1, 28, 28) in [-1, 1]; got {tuple(x.shape)}.")
    return ((x + 1) / 2).mean(dim=(1, 2, 3))


@torch.no_grad()
def attribute_direction(
    G: nn.Module,
    measure: Callable[[torch.Tensor], torch.Tensor] = ink,
    n: int = 2000,
    share: float = 0.25,
    seed: int = 0,
    by_class: bool = True,
    net: LeNet | None = None,
) -> torch.Tensor:
    """Vector arithmetic on averaged z's: draw n z's, measure each sample (`measure(G(z))`, one number per
    image), and return mean(z of the top `share`) - mean(z of the bottom `share`). Introduced in 05_dcgan_mnist.

    With `by_class` (the default) the samples are first labelled by the course's classifier (LeNet) and the
    difference is taken within each digit class, then averaged over the classes (weighted by their counts):
    otherwise "more ink" would also mean "more 0s and 8s, fewer 1s", and the direction would change the digit.
    Radford et al. (2016, section 6.3.2) average the z's of three hand-picked samples per concept; averaging
    many samples picked by a measurement and a classifier is the same idea with less noise."""
    latent_dim = _check_G(G)
    positive_int("n", n)
    if not is_finite_number(share) or not 0 < share <= 0.5:
        raise ValueError(f"share must be in (0, 0.5]; got {share!r}.")
    z = _noise(n, latent_dim, seed)
    with single_thread(), _eval(G):
        x = G(z)
        values = torch.as_tensor(measure(x), dtype=torch.float64).flatten()
        if values.shape != (n,):
            raise ValueError(
                f"measure must return one number per image, shape ({n},); got {tuple(values.shape)}."
            )
        if by_class:
            net = net if net is not None else load_feature_net()
            labels = probabilities_from_features(lenet_features(x, net, name="fake"), net).argmax(1)
        else:
            labels = torch.zeros(n, dtype=torch.long)
    total, weight = torch.zeros(latent_dim, dtype=torch.float64), 0
    for c in labels.unique():
        idx = torch.nonzero(labels == c).flatten()
        m = int(share * len(idx))
        if m < 2:  # too few samples of this class to compare its top and bottom
            continue
        order = idx[values[idx].argsort()]
        total += len(idx) * (z[order[-m:]].double().mean(0) - z[order[:m]].double().mean(0))
        weight += len(idx)
    if weight == 0:
        raise ValueError(f"Too few samples to compare: raise n (got {n}).")
    return (total / weight).float()


@torch.no_grad()
def edit(G: nn.Module, z: torch.Tensor, direction: torch.Tensor, alphas) -> torch.Tensor:
    """G(z + alpha * direction) for each alpha: images of shape (len(alphas), N, 1, 28, 28)."""
    latent_dim = _check_G(G)
    z = _check_z(z, latent_dim)
    direction = _check_z(direction.reshape(1, -1), latent_dim, "direction")
    with single_thread(), _eval(G):
        return torch.stack([G(z + float(a) * direction) for a in alphas])


# ----------------------------------------------------------------------------------------------
# Class swap at fixed z (a conditional G, 10_conditional_gan)
# ----------------------------------------------------------------------------------------------


@torch.no_grad()
def class_swap(G: nn.Module, z: torch.Tensor, classes=None) -> torch.Tensor:
    """A conditional G with z held fixed and the label changed: images of shape (N, C, 1, 28, 28), row i
    = G(z[i], y) for each class y in `classes` (default: all of G.num_classes). What stays the same along a
    row (slant, width, style) is what z holds; what changes is what the label holds. Introduced in
    05_dcgan_mnist; used in 10_conditional_gan."""
    latent_dim = _check_G(G)
    num_classes = getattr(G, "num_classes", None)
    if not isinstance(num_classes, int):
        raise ValueError(
            f"class_swap needs a conditional generator (with .num_classes, called as G(z, labels)); "
            f"got {type(G).__name__}."
        )
    z = _check_z(z, latent_dim)
    classes = list(range(num_classes)) if classes is None else [int(c) for c in classes]
    bad = [c for c in classes if not 0 <= c < num_classes]
    if bad or not classes:
        raise ValueError(f"classes must be labels in 0..{num_classes - 1}; got {classes}.")
    n, c = len(z), len(classes)
    labels = torch.tensor(classes).repeat(n)  # z[0] with every class, then z[1] with every class, ...
    with single_thread(), _eval(G):
        images = G(z.repeat_interleave(c, dim=0), labels)
    return images.reshape(n, c, *images.shape[1:])


# ----------------------------------------------------------------------------------------------
# Inversion
# ----------------------------------------------------------------------------------------------


@dataclass
class Inversion:
    """What an inversion found: the latent vectors, G's images of them, and each digit's mean squared pixel
    error (pixels in [-1, 1])."""

    z: torch.Tensor
    images: torch.Tensor
    errors: torch.Tensor  # (N,), float64


def _targets(x, latent_dim: int) -> torch.Tensor:
    del latent_dim
    return as_images(x, "digits").float()


def invert(
    G: nn.Module, x, steps: int = 200, lr: float = 0.05, seed: int = 0, restarts: int = 1, prior: float = 0.0
) -> Inversion:
    """Inversion by optimisation: from z drawn with `seed`, `steps` Adam steps (lr) on each digit's mean squared
    pixel error ||G(z) - x||^2 / 784, plus `prior` * ||z||^2 (the Gaussian prior's negative log density, up to
    scale), G held fixed; with `restarts` > 1, the best of that many starts per digit (by pixel error).
    Introduced in 05_dcgan_mnist.

    The reconstruction GAN inversion papers start from (Zhu et al. 2016, iGAN, section 3.1; Creswell &
    Bharath 2018), without perceptual terms; with prior = 0 (the default) plain pixel error, so what is
    measured is how close G's range comes to the digit, wherever in z that is."""
    latent_dim = _check_G(G)
    positive_int("steps", steps)
    positive_int("restarts", restarts)
    if not is_finite_number(lr) or lr <= 0:
        raise ValueError(f"lr must be a number > 0; got {lr!r}.")
    if not is_finite_number(prior) or prior < 0:
        raise ValueError(f"prior (the weight of ||z||^2) must be a number >= 0; got {prior!r}.")
    target = _targets(x, latent_dim)
    gen = torch.Generator().manual_seed(check_seed(seed))
    best: Inversion | None = None
    flags = [p.requires_grad for p in G.parameters()]
    with single_thread(), _eval(G):
        for p in G.parameters():
            p.requires_grad_(False)
        try:
            for _ in range(restarts):
                z = torch.randn(len(target), latent_dim, generator=gen).requires_grad_(True)
                opt = torch.optim.Adam([z], lr=lr)
                for _ in range(steps):
                    loss = ((G(z) - target) ** 2).mean(dim=(1, 2, 3)).sum()  # each digit its own problem
                    if prior:
                        loss = loss + float(prior) * (z**2).sum()
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                best = _keep_best(best, G, z.detach(), target)
        finally:
            for p, flag in zip(G.parameters(), flags, strict=True):
                p.requires_grad_(flag)
    return best


@torch.no_grad()
def nearest_errors(x, reference, batch: int = 256) -> torch.Tensor:
    """Each digit's mean squared pixel error to its nearest image in `reference` (pixels in [-1, 1]), float64
    (N,): the inversion's baseline, what a lookup of the reference set achieves."""
    a = as_images(x, "digits").double().flatten(1)
    b = as_images(reference, "reference").double().flatten(1)
    out = [torch.cdist(a[i : i + batch], b).min(dim=1).values ** 2 for i in range(0, len(a), batch)]
    return torch.cat(out) / a.shape[1]


@torch.no_grad()
def _keep_best(best: Inversion | None, G: nn.Module, z: torch.Tensor, target: torch.Tensor) -> Inversion:
    images = G(z)
    errors = ((images - target) ** 2).mean(dim=(1, 2, 3)).double()
    if best is None:
        return Inversion(z, images, errors)
    better = errors < best.errors
    return Inversion(
        torch.where(better[:, None], z, best.z),
        torch.where(better[:, None, None, None], images, best.images),
        torch.where(better, errors, best.errors),
    )


class Encoder(nn.Module):
    """images (N, 1, 28, 28) -> z (N, latent_dim): two strided convolutions and a linear layer."""

    def __init__(self, latent_dim: int = 64, width: int = 32):
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        w = positive_int("width", width)
        self.net = nn.Sequential(
            nn.Conv2d(1, w, 4, 2, 1),  # (N, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, 2 * w, 4, 2, 1),  # (N, 2w, 7, 7)
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * w * 49, latent_dim),  # (N, latent_dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(as_images(x, "digits").float())


def train_encoder(
    G: nn.Module, steps: int = 1000, batch_size: int = 64, lr: float = 1e-3, seed: int = 0
) -> Encoder:
    """Inversion by an encoder: E learns to map G(z) back to z (mean squared error on z), on fresh samples of G
    each step, so it never sees a real digit. Introduced in 05_dcgan_mnist.

    One forward pass then inverts any digit, at once, but only as well as E generalises from G's samples to
    real digits. iGAN (Zhu et al. 2016, section 3.1) also trains a feed-forward projector, but on real images
    with an image loss; this one learns from G's samples with a z-loss, closer to the latent regression
    baseline of Donahue et al. 2017 (BiGAN), which is why it meets real digits off its distribution."""
    latent_dim = _check_G(G)
    positive_int("steps", steps)
    positive_int("batch_size", batch_size)
    gen = torch.Generator().manual_seed(check_seed(seed))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        E = Encoder(latent_dim)
    opt = torch.optim.Adam(E.parameters(), lr=lr)
    with single_thread(), _eval(G):
        for _ in range(steps):
            z = torch.randn(batch_size, latent_dim, generator=gen)
            with torch.no_grad():
                x = G(z)
            loss = ((E(x) - z) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return E.eval()


@torch.no_grad()
def encode_invert(E: Encoder, G: nn.Module, x) -> Inversion:
    """Inversion by the encoder: z = E(x), and G's image of it, with each digit's mean squared pixel error."""
    latent_dim = _check_G(G)
    if not isinstance(E, Encoder) or E.latent_dim != latent_dim:
        raise ValueError(
            f"E must be an Encoder for this G (latent_dim {latent_dim}); train one with train_encoder(G)."
        )
    target = _targets(x, latent_dim)
    with single_thread(), _eval(G):
        return _keep_best(None, G, E(target), target)


def error_summary(errors) -> dict:
    """Mean, median and 90th percentile of per-digit errors (float)."""
    e = np.asarray(torch.as_tensor(errors).double())
    return {"mean": float(e.mean()), "median": float(np.median(e)), "p90": float(np.quantile(e, 0.9))}


__all__ = [
    "truncate",
    "TruncationRow",
    "truncation_sweep",
    "format_truncation_table",
    "ink",
    "attribute_direction",
    "edit",
    "class_swap",
    "Inversion",
    "invert",
    "nearest_errors",
    "Encoder",
    "train_encoder",
    "encode_invert",
    "error_summary",
]
