"""The GAN game for 1-D Gaussians, computed on a grid: densities, D*, V(D, G), KL and JSD.

Introduced in 03_loss_math. Every function is plain NumPy, so a notebook cell, a test and the
1-D explorer widget all use the same numbers. Logs are natural logs (JSD is in nats, at most log 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

LOG4 = float(np.log(4.0))


def _check_std(name: str, std: float) -> None:
    if not isinstance(std, (int, float, np.floating, np.integer)) or not np.isfinite(std) or std <= 0:
        raise ValueError(f"{name} is a standard deviation and must be a number > 0; got {std!r}.")


def density_grid(lo: float = -12.0, hi: float = 12.0, n: int = 4001) -> np.ndarray:
    """An evenly spaced grid of n points on [lo, hi], where densities are evaluated. Introduced in 03_loss_math."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        raise ValueError(f"The grid needs lo < hi (finite numbers); got lo={lo!r}, hi={hi!r}.")
    if not isinstance(n, (int, np.integer)) or n < 3:
        raise ValueError(f"The grid needs at least 3 points; got n={n!r}.")
    return np.linspace(lo, hi, int(n))


def gaussian_pdf(x: np.ndarray | float, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """Density of N(mean, std^2) at x. Introduced in 03_loss_math."""
    _check_std("std", std)
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)); 1/2 where both densities are 0. Introduced in 03_loss_math."""
    p_data, p_g = np.asarray(p_data, dtype=float), np.asarray(p_g, dtype=float)
    if p_data.shape != p_g.shape:
        raise ValueError(
            f"p_data and p_g must be evaluated on the same points; got shapes {p_data.shape} and {p_g.shape}."
        )
    if np.any(p_data < 0) or np.any(p_g < 0):
        raise ValueError(
            "Densities cannot be negative: check that you passed p_data(x) and p_g(x), not log-densities."
        )
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _integrate(y: np.ndarray, x: np.ndarray) -> float:
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(
            f"Values and grid must be 1-D arrays of the same length; got {y.shape} and {x.shape}."
        )
    return float(np.trapezoid(y, x))


def value_function(D: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(D, G) = E_{p_data}[log D(x)] + E_{p_g}[log(1 - D(x))], integrated on the grid x. Introduced in 03_loss_math."""
    D = np.asarray(D, dtype=float)
    if np.any((D < 0) | (D > 1)):
        raise ValueError("D(x) is a probability and must lie in [0, 1]; apply a sigmoid to logits first.")
    # D is kept in [1e-12, 1 - 1e-12]: in the far tails D* rounds to exactly 0 or 1, and log(0) = -inf
    # times a density of 1e-200 would swamp the integral. xlogy(0, .) = 0 where a density is 0.
    D = np.clip(D, 1e-12, 1.0 - 1e-12)
    return _integrate(xlogy(p_data, D) + xlogy(p_g, 1.0 - D), np.asarray(x, dtype=float))


def kl_divergence(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """KL(p || q) = integral of p log(p / q) on the grid x (nats). Introduced in 03_loss_math."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    ratio = np.divide(p, q, out=np.ones_like(p), where=(p > 0) & (q > 0))
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    return _integrate(xlogy(p, ratio), np.asarray(x, dtype=float))


def js_divergence(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2; between 0 and log 2. Introduced in 03_loss_math."""
    m = 0.5 * (np.asarray(p, dtype=float) + np.asarray(q, dtype=float))
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)


@dataclass
class GaussianGame:
    """The game for p_data = N(mu_data, sigma_data^2) and p_g = N(mu_g, sigma_g^2) on a grid."""

    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d_star: np.ndarray
    value: float  # V(D*, G)
    jsd: float  # JSD(p_data || p_g), nats

    @property
    def identity_gap(self) -> float:
        """V(D*, G) - (-log 4 + 2 JSD): zero up to the grid's accuracy."""
        return self.value - (-LOG4 + 2 * self.jsd)


def gaussian_game(
    mu_g: float, sigma_g: float, mu_data: float = 0.0, sigma_data: float = 1.0, x: np.ndarray | None = None
) -> GaussianGame:
    """Densities, D*, V(D*, G) and JSD for two 1-D Gaussians. Introduced in 03_loss_math."""
    _check_std("sigma_g", sigma_g)
    _check_std("sigma_data", sigma_data)
    if x is None:
        lo = min(mu_data - 10 * sigma_data, mu_g - 10 * sigma_g)
        hi = max(mu_data + 10 * sigma_data, mu_g + 10 * sigma_g)
        x = density_grid(lo, hi, 4001)
    p_data = gaussian_pdf(x, mu_data, sigma_data)
    p_g = gaussian_pdf(x, mu_g, sigma_g)
    d_star = optimal_discriminator(p_data, p_g)
    # V(D*, G) from log-densities: D* rounds to exactly 0 or 1 in the far tails, and log(0) would give -inf.
    log_pd = -0.5 * ((x - mu_data) / sigma_data) ** 2 - np.log(sigma_data * np.sqrt(2 * np.pi))
    log_pg = -0.5 * ((x - mu_g) / sigma_g) ** 2 - np.log(sigma_g * np.sqrt(2 * np.pi))
    log_total = np.logaddexp(log_pd, log_pg)
    value = _integrate(p_data * (log_pd - log_total) + p_g * (log_pg - log_total), x)
    return GaussianGame(x, p_data, p_g, d_star, value, js_divergence(p_data, p_g, x))


def generator_loss_grads(d_fake: np.ndarray) -> dict[str, np.ndarray]:
    """d(loss)/d(logit) of both generator losses as functions of D(G(z)). Introduced in 03_loss_math.

    saturating (minimise log(1 - D)):  -D      -> 0 when D(G(z)) -> 0 (the generator stops learning)
    non-saturating (minimise -log D):  -(1 - D) -> -1 when D(G(z)) -> 0 (a strong push)
    """
    d = np.asarray(d_fake, dtype=float)
    if np.any((d < 0) | (d > 1)):
        raise ValueError("D(G(z)) is a probability in [0, 1]; got values outside that range.")
    return {"saturating": -d, "nonsaturating": -(1.0 - d)}
