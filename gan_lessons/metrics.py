"""Measuring a GAN with a shipped MNIST classifier: FID (LeNet features), an Inception-Score analogue,
improved precision/recall, class coverage and a nearest-neighbour memorisation check.
Taught in 06_evaluating; chapter 02 already reads class coverage and 05 FID with it, and 08, 09 and 10 measure
with it.

Every function takes images as uint8 arrays/tensors of shape (N, 28, 28) (0..255, as in
`MNISTDigits.images_uint8`), as float tensors (N, 1, 28, 28) in [-1, 1] (what the generator
outputs), or as an `MNISTDigits` data set. The features and class posteriors come from
`gan_lessons.feature_net`: a LeNet trained by tools/train_feature_net.py, shipped as data/lenet_mnist.pt. These are *not*
Inception features: numbers from here are not comparable with published (Inception) FIDs, which
is why they are always labelled "FID (LeNet features)".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from .feature_net import (
    LeNet,
    as_images,
    class_probabilities,
    lenet_features,
    load_feature_net,
    probabilities_from_features,
)
from .layers import NUM_CLASSES

FID_LABEL = "FID (LeNet features)"
IS_LABEL = "IS-like (LeNet classifier)"
#: Below this many images per set, FID is noticeably biased upwards (06_evaluating measures how much).
MIN_FID_SAMPLES = 1000


class SmallSampleWarning(UserWarning):
    """FID (or another metric) was computed from too few samples to be stable. Introduced in 06_evaluating."""


# --------------------------------------------------------------------------------------------
# Features and their Gaussian statistics
# --------------------------------------------------------------------------------------------
@dataclass
class FeatureStats:
    """Mean and covariance of a set's features: the Gaussian that FID compares. Introduced in 06_evaluating."""

    mu: np.ndarray
    sigma: np.ndarray
    n: int

    @classmethod
    def from_features(cls, feats) -> FeatureStats:
        """Mean and unbiased (N - 1) covariance of features (N, D)."""
        f = np.asarray(feats.numpy() if isinstance(feats, torch.Tensor) else feats, dtype=np.float64)
        if f.ndim != 2 or f.shape[0] < 2:
            raise ValueError(f"features must have shape (N, D) with N >= 2; got {f.shape}.")
        return cls(f.mean(axis=0), np.cov(f, rowvar=False), f.shape[0])


def feature_stats(images, net: LeNet | None = None, name: str = "images") -> FeatureStats:
    """The Gaussian statistics (mu, sigma, n) of a set of images' LeNet features. Introduced in 06_evaluating."""
    return FeatureStats.from_features(lenet_features(images, net, name=name))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix, by eigendecomposition."""
    w, v = np.linalg.eigh((matrix + matrix.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)): the Fréchet distance of two Gaussians. Introduced in 06_evaluating.

    tr((S1 S2)^(1/2)) is computed as tr((S1^(1/2) S2 S1^(1/2))^(1/2)), a symmetric positive semi-definite
    matrix whose square root an eigendecomposition gives stably even when S1 or S2 is singular.
    """
    mu1, mu2 = (
        np.atleast_1d(np.asarray(mu1, dtype=np.float64)),
        np.atleast_1d(np.asarray(mu2, dtype=np.float64)),
    )
    sigma1, sigma2 = (
        np.atleast_2d(np.asarray(sigma1, dtype=np.float64)),
        np.atleast_2d(np.asarray(sigma2, dtype=np.float64)),
    )
    d = mu1.shape[0]
    if mu1.shape != (d,) or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"frechet_distance expects means of shape (D,) and covariances (D, D) for the same D; got "
            f"{mu1.shape}, {sigma1.shape}, {mu2.shape}, {sigma2.shape}."
        )
    for label, m in (("sigma1", sigma1), ("sigma2", sigma2)):
        if not np.allclose(m, m.T, rtol=1e-6, atol=1e-9 * max(1.0, np.abs(m).max())):
            raise ValueError(
                f"{label} is not symmetric, so it is not a covariance matrix. Use np.cov(features, rowvar=False)."
            )
    if not all(np.isfinite(a).all() for a in (mu1, mu2, sigma1, sigma2)):
        raise ValueError("frechet_distance got NaN or Inf in a mean or covariance.")
    root1 = _psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2)
    tr_covmean = np.sqrt(np.clip(eig, 0, None)).sum()
    diff = mu1 - mu2
    value = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean)
    return max(value, 0.0)


def _warn_small(n_real: int, n_fake: int, feature_dim: int) -> None:
    n = min(n_real, n_fake)
    if n <= feature_dim:
        warnings.warn(
            f"{FID_LABEL} from {n} samples: that is no more than the {feature_dim} feature dimensions, so the "
            f"covariance is singular and the value is dominated by sampling error. Use at least "
            f"{MIN_FID_SAMPLES} samples per set.",
            SmallSampleWarning,
            stacklevel=3,
        )
    elif n < MIN_FID_SAMPLES:
        warnings.warn(
            f"{FID_LABEL} from {n_real} real and {n_fake} generated samples is biased upwards and noisy "
            f"(it is only stable from about {MIN_FID_SAMPLES} per set). Compare FIDs only at the same sample "
            "size; 06_evaluating shows FID against sample size.",
            SmallSampleWarning,
            stacklevel=3,
        )


def fid(real, fake, net: LeNet | None = None) -> float:
    """FID (LeNet features): the Fréchet distance of the two sets' feature Gaussians. Introduced in 06_evaluating.

    `real` and `fake` are images (see `as_images`) or precomputed `FeatureStats`. Lower is better; 0 means
    the two feature Gaussians are identical. Fewer than MIN_FID_SAMPLES per set gives a SmallSampleWarning.
    """
    net = net if net is not None else load_feature_net()
    s_real = real if isinstance(real, FeatureStats) else feature_stats(real, net, name="real")
    s_fake = fake if isinstance(fake, FeatureStats) else feature_stats(fake, net, name="fake")
    _warn_small(s_real.n, s_fake.n, s_real.mu.shape[0])
    return frechet_distance(s_real.mu, s_real.sigma, s_fake.mu, s_fake.sigma)


# --------------------------------------------------------------------------------------------
# Inception-Score analogue, coverage
# --------------------------------------------------------------------------------------------
def inception_score_from_probs(probs) -> float:
    """exp(mean over x of KL(p(y|x) || p(y))) for posteriors (N, C). Introduced in 06_evaluating."""
    p = torch.as_tensor(probs, dtype=torch.float64)
    if (
        p.dim() != 2
        or p.shape[0] == 0
        or (p < 0).any()
        or not torch.allclose(p.sum(1), torch.ones(p.shape[0], dtype=p.dtype), atol=1e-6)
    ):
        raise ValueError(
            f"probs must be an (N, C) array whose rows are probability distributions; got shape {tuple(p.shape)}."
        )
    p_y = p.mean(0, keepdim=True)
    kl = torch.where(
        p > 0, p * (torch.log(p.clamp_min(1e-300)) - torch.log(p_y.clamp_min(1e-300))), torch.zeros_like(p)
    )
    return float(torch.exp(kl.sum(1).mean()))


def inception_score_like(fake, net: LeNet | None = None) -> float:
    """Inception Score with the LeNet classifier's posteriors: from 1 (useless) to 10 (confident, all digits). Introduced in 06_evaluating."""
    return inception_score_from_probs(class_probabilities(fake, net))


@dataclass
class Coverage:
    """Which digits a generator makes: counts, fractions, classes above the threshold, KL to uniform. Introduced in 06_evaluating."""

    counts: np.ndarray
    fractions: np.ndarray
    num_covered: int
    kl_to_uniform: float
    threshold: float

    def __str__(self) -> str:
        shares = " ".join(f"{d}:{f:.0%}" for d, f in enumerate(self.fractions))
        return (
            f"class coverage: {self.num_covered}/{len(self.counts)} digits hold >= {self.threshold:.0%} "
            f"of samples; KL to uniform {self.kl_to_uniform:.3f} nats  [{shares}]"
        )


def coverage_from_counts(counts, threshold: float = 0.05) -> Coverage:
    """Coverage of a histogram of predicted classes: KL(p || uniform) = sum p log(C p), 0 log 0 = 0. Introduced in 06_evaluating."""
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size < 2 or not np.isfinite(c).all() or (c < 0).any() or c.sum() <= 0:
        raise ValueError(
            f"counts must be a 1-D histogram of non-negative counts with a positive total; got {np.asarray(counts)!r}."
        )
    if not 0 < threshold < 1:
        raise ValueError(
            f"threshold is a share of the samples, between 0 and 1 (such as 0.05); got {threshold!r}."
        )
    p = c / c.sum()
    nz = p > 0
    kl = float(np.sum(p[nz] * np.log(p[nz] * c.size)))
    return Coverage(c, p, int((p >= threshold).sum()), max(kl, 0.0), threshold)


def class_coverage(fake, threshold: float = 0.05, net: LeNet | None = None) -> Coverage:
    """Histogram of the digits the classifier sees in `fake`, the number of digits holding >= threshold of them, and KL to uniform. Introduced in 06_evaluating."""
    labels = class_probabilities(fake, net).argmax(1).numpy()
    return coverage_from_counts(np.bincount(labels, minlength=NUM_CLASSES), threshold)


# --------------------------------------------------------------------------------------------
# Improved precision and recall (Kynkäänniemi et al. 2019)
# --------------------------------------------------------------------------------------------
@dataclass
class PrecisionRecall:
    """Improved precision (fake inside the real manifold) and recall (real inside the fake manifold). Introduced in 06_evaluating."""

    precision: float
    recall: float
    k: int

    def __str__(self) -> str:
        return f"precision {self.precision:.3f}, recall {self.recall:.3f} (k={self.k}, LeNet features)"


def knn_radii(feats: torch.Tensor, k: int, chunk: int = 1024) -> torch.Tensor:
    """Distance from each row to its k-th nearest other row (itself excluded). Introduced in 06_evaluating."""
    feats = torch.as_tensor(feats, dtype=torch.float64)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer (the paper uses k=3); got {k!r}.")
    if feats.dim() != 2 or feats.shape[0] <= k:
        raise ValueError(
            f"need more than k={k} feature vectors of shape (N, D) to find k nearest neighbours; got {tuple(feats.shape)}."
        )
    out = []
    for block in feats.split(chunk):
        d = torch.cdist(block, feats)
        out.append(d.topk(k + 1, dim=1, largest=False).values[:, k])  # column 0 is the point itself
    return torch.cat(out)


def _inside_manifold(
    queries: torch.Tensor, support: torch.Tensor, radii: torch.Tensor, chunk: int = 1024
) -> torch.Tensor:
    """For each query, True if it lies within radius_j of some support point j."""
    hits = []
    for block in queries.split(chunk):
        hits.append((torch.cdist(block, support) <= radii[None, :]).any(1))
    return torch.cat(hits)


def precision_recall_from_features(real_feats, fake_feats, k: int = 3) -> PrecisionRecall:
    """Improved precision/recall of two feature sets (N, D) with k-NN balls. Introduced in 06_evaluating."""
    real_feats = torch.as_tensor(real_feats, dtype=torch.float64)
    fake_feats = torch.as_tensor(fake_feats, dtype=torch.float64)
    real_radii, fake_radii = knn_radii(real_feats, k), knn_radii(fake_feats, k)
    precision = _inside_manifold(fake_feats, real_feats, real_radii).double().mean().item()
    recall = _inside_manifold(real_feats, fake_feats, fake_radii).double().mean().item()
    return PrecisionRecall(precision, recall, k)


def precision_recall(real, fake, k: int = 3, net: LeNet | None = None) -> PrecisionRecall:
    """Improved precision and recall (Kynkäänniemi et al. 2019) in LeNet feature space. Introduced in 06_evaluating.

    Precision: the share of generated samples inside the real manifold (the union of balls around each
    real feature reaching its k-th nearest real neighbour): "are the samples realistic?".
    Recall: the share of real samples inside the generated manifold: "does G cover the data?".
    """
    net = net if net is not None else load_feature_net()
    return precision_recall_from_features(
        lenet_features(real, net, name="real"), lenet_features(fake, net, name="fake"), k
    )


# --------------------------------------------------------------------------------------------
# Memorisation: nearest training images
# --------------------------------------------------------------------------------------------
@dataclass
class NearestNeighbours:
    """Each generated image's k closest training images (pixel L2 distance in [-1, 1] units). Introduced in 06_evaluating."""

    fake: torch.Tensor  # (N, 1, 28, 28) in [-1, 1]
    neighbours: torch.Tensor  # (N, k, 1, 28, 28)
    indices: torch.Tensor  # (N, k) into the training set
    distances: torch.Tensor  # (N, k), ascending

    @property
    def nearest_distance(self) -> torch.Tensor:
        """Distance of each sample to its closest training image (N,)."""
        return self.distances[:, 0]

    def plot(self, max_rows: int = 8):
        """Each sample (left, outlined) beside its closest training images with their distances; returns the Figure,
        closed in pyplot (so a notebook cell shows it once: as its last expression, or with `display`)."""
        import matplotlib.pyplot as plt

        rows, k = min(max_rows, len(self.fake)), self.indices.shape[1]
        fig, axes = plt.subplots(rows, k + 1, figsize=(1.2 * (k + 1), 1.25 * rows), squeeze=False)
        for r in range(rows):
            tiles = [self.fake[r]] + [self.neighbours[r, j] for j in range(k)]
            for c, tile in enumerate(tiles):
                ax = axes[r, c]
                ax.imshow((tile[0].numpy() + 1) / 2, cmap="gray", vmin=0, vmax=1)
                ax.set_xticks([]), ax.set_yticks([])
                if c == 0:
                    for side in ax.spines.values():
                        side.set_edgecolor("tab:red"), side.set_linewidth(2)
                    ax.set_ylabel(f"sample {r}", fontsize=7)
                else:
                    ax.set_title(f"d={self.distances[r, c - 1]:.1f}", fontsize=7)
        axes[0, 0].set_title("generated", fontsize=7)
        fig.suptitle("Nearest training images (pixel distance)", fontsize=9)
        fig.tight_layout()
        plt.close(fig)
        return fig


@torch.no_grad()
def nearest_neighbours(fake, train, k: int = 3, chunk: int = 256) -> NearestNeighbours:
    """The k training images closest to each generated image in pixel space, for a memorisation check. Introduced in 06_evaluating."""
    x_fake, x_train = as_images(fake, "fake"), as_images(train, "train")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(x_train):
        raise ValueError(
            f"k must be an integer between 1 and the number of training images ({len(x_train)}); got {k!r}."
        )
    flat_train = x_train.flatten(1).double()  # float64: an exact copy is at distance 0, not 0.01
    dists, idx = [], []
    for block in x_fake.flatten(1).double().split(chunk):
        d = torch.cdist(block, flat_train)
        top = d.topk(k, dim=1, largest=False)
        dists.append(top.values)
        idx.append(top.indices)
    indices, distances = torch.cat(idx), torch.cat(dists).float()
    return NearestNeighbours(x_fake, x_train[indices], indices, distances)


# --------------------------------------------------------------------------------------------
# Everything at once, and FID during training
# --------------------------------------------------------------------------------------------
@dataclass
class EvalReport:
    """FID, precision/recall, class coverage and the IS analogue of one set of samples. Introduced in 06_evaluating."""

    fid: float
    precision: float
    recall: float
    num_covered: int
    kl_to_uniform: float
    is_like: float
    n_real: int
    n_fake: int
    coverage: Coverage = field(repr=False)

    def as_dict(self) -> dict:
        """The numbers only, for a table or a history."""
        return {
            "fid": self.fid,
            "precision": self.precision,
            "recall": self.recall,
            "num_covered": self.num_covered,
            "kl_to_uniform": self.kl_to_uniform,
            "is_like": self.is_like,
            "n_real": self.n_real,
            "n_fake": self.n_fake,
        }

    def __str__(self) -> str:
        return (
            f"{FID_LABEL}: {self.fid:.2f}   ({self.n_fake:,} samples vs {self.n_real:,} real)\n"
            f"precision {self.precision:.3f}, recall {self.recall:.3f} (k-NN manifolds, k=3)\n"
            f"{self.coverage}\n"
            f"{IS_LABEL}: {self.is_like:.2f} (max 10)"
        )


def evaluate(fake, real, k: int = 3, net: LeNet | None = None) -> EvalReport:
    """All the chapter-06 metrics of `fake` against `real` in one report. Introduced in 06_evaluating."""
    net = net if net is not None else load_feature_net()
    f_real, f_fake = lenet_features(real, net, name="real"), lenet_features(fake, net, name="fake")
    _warn_small(f_real.shape[0], f_fake.shape[0], f_real.shape[1])
    return evaluate_features(f_real, f_fake, net, k)


def evaluate_features(f_real: torch.Tensor, f_fake: torch.Tensor, net: LeNet, k: int = 3) -> EvalReport:
    """`evaluate` from features `lenet_features` already computed with `net`: one pass through LeNet per
    image, and none again for a real set measured many times (`DiagnosticsTracker`). Unlike `evaluate`, it
    does not warn about small samples: its caller chose them. Introduced in 06_evaluating."""
    s_real, s_fake = FeatureStats.from_features(f_real), FeatureStats.from_features(f_fake)
    value = frechet_distance(s_real.mu, s_real.sigma, s_fake.mu, s_fake.sigma)
    pr = precision_recall_from_features(f_real, f_fake, k)
    probs = probabilities_from_features(f_fake, net)
    cov = coverage_from_counts(np.bincount(probs.argmax(1).numpy(), minlength=NUM_CLASSES))
    return EvalReport(
        value,
        pr.precision,
        pr.recall,
        cov.num_covered,
        cov.kl_to_uniform,
        inception_score_from_probs(probs),
        s_real.n,
        s_fake.n,
        cov,
    )


__all__ = [
    "FID_LABEL",
    "IS_LABEL",
    "MIN_FID_SAMPLES",
    "SmallSampleWarning",
    "FeatureStats",
    "feature_stats",
    "frechet_distance",
    "fid",
    "inception_score_from_probs",
    "inception_score_like",
    "Coverage",
    "coverage_from_counts",
    "class_coverage",
    "PrecisionRecall",
    "knn_radii",
    "precision_recall_from_features",
    "precision_recall",
    "NearestNeighbours",
    "nearest_neighbours",
    "EvalReport",
    "evaluate",
    "evaluate_features",
]
