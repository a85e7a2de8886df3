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


# ----------------------------------------------------------------------------------------------
# Wasserstein-1 on a grid, and sliding distributions (09_stabilizing)
# ----------------------------------------------------------------------------------------------
def wasserstein1(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """W1(p, q) = integral of |F_p(x) - F_q(x)| dx for two densities on the grid x (in 1-D, the optimal transport
    cost equals the area between the two CDFs). Each density is normalised to mass 1 first. Introduced in
    09_stabilizing."""
    p, q, x = (np.asarray(a, dtype=float) for a in (p, q, x))
    if p.shape != q.shape or p.shape != x.shape or x.ndim != 1:
        raise ValueError(
            f"p, q and x must be 1-D arrays of the same length; got {p.shape}, {q.shape}, {x.shape}."
        )
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("Densities cannot be negative.")
    dx = np.diff(x)

    def cdf(d: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(0.5 * (d[1:] + d[:-1]) * dx)])
        if c[-1] <= 0:
            raise ValueError("A density with zero mass on the grid: widen the grid.")
        return c / c[-1]

    return _integrate(np.abs(cdf(p) - cdf(q)), x)


def uniform_pdf(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Density of U(lo, hi) at x. Introduced in 09_stabilizing."""
    if not hi > lo:
        raise ValueError(f"U(lo, hi) needs lo < hi; got {lo!r}, {hi!r}.")
    x = np.asarray(x, dtype=float)
    return np.where((x >= lo) & (x <= hi), 1.0 / (hi - lo), 0.0)


def sliding_divergences(shifts, width: float = 1.0, n: int = 20001) -> dict[str, np.ndarray]:
    """p = U(0, width) against q = U(s, s + width) for each shift s: JSD, KL(p || q) and W1, on one fine grid.
    Exact values: JSD = log 2 * min(s, width) / width, KL = inf for every s > 0, W1 = s. Introduced in
    09_stabilizing."""
    shifts = np.asarray(shifts, dtype=float)
    x = density_grid(-1.0, float(shifts.max()) + width + 1.0, n)
    p = uniform_pdf(x, 0.0, width)
    out = {"shift": shifts, "jsd": [], "kl": [], "w1": []}
    for s in shifts:
        q = uniform_pdf(x, s, s + width)
        out["jsd"].append(js_divergence(p, q, x))
        out["kl"].append(kl_divergence(p, q, x) if s > 0 else 0.0)
        out["w1"].append(wasserstein1(p, q, x))
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


# ----------------------------------------------------------------------------------------------
# The Dirac GAN (Mescheder, Geiger & Nowozin 2018, section 2.2): 08_training_pitfalls, 09_stabilizing
# ----------------------------------------------------------------------------------------------
DIRAC_LOSSES = ("gan", "wgan")


def dirac_gan(  # noqa: PLR0913
    theta: float = 1.0,
    psi: float = 1.0,
    steps: int = 1000,
    lr: float = 0.1,
    loss: str = "gan",
    r1: float = 0.0,
    gp: float = 0.0,
    noise: float = 0.0,
    batch_size: int = 16,
    alternating: bool = True,
    seed: int = 0,
    lr_d: float | None = None,
) -> np.ndarray:
    """The Dirac GAN: real data at 0 (plus N(0, noise^2) when noise > 0, drawn fresh for every step, like a
    minibatch), G puts all its mass at theta, D(x) = psi * x. "gan": D maximises E log sigmoid(D(x_real)) +
    log sigmoid(-D(theta)), G minimises log sigmoid(-psi * theta) (the minimax game); "wgan": D maximises
    E D(x_real) - D(theta), G maximises D(theta). `r1` adds (r1 / 2) E[|dD/dx|^2] on reals = r1/2 psi^2 to D's
    loss; `gp` adds gp * (|psi| - 1)^2 (D's gradient is psi everywhere). Gradient steps of size lr, D first;
    `alternating`: G then sees the new psi, else both use the old point. Returns the path, shape (steps + 1, 2),
    columns (theta, psi); the only equilibrium is (0, 0). `lr_d` (default lr) is D's step size, for a two
    time-scale run. Introduced in 08_training_pitfalls."""
    if loss not in DIRAC_LOSSES:
        raise ValueError(f"loss must be one of {', '.join(DIRAC_LOSSES)}; got {loss!r}.")
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1; got {steps!r}.")
    for name, value in (
        ("lr", lr),
        ("r1", r1),
        ("gp", gp),
        ("noise", noise),
        ("lr_d", lr if lr_d is None else lr_d),
    ):
        if not np.isfinite(value) or value < 0 or (name in ("lr", "lr_d") and value == 0):
            raise ValueError(f"{name} must be a finite number >= 0 (lr > 0); got {value!r}.")
    rng = np.random.default_rng(seed)
    sig = lambda t: 0.5 * (1 + np.tanh(0.5 * t))  # noqa: E731  (sigmoid without overflow)
    path = np.empty((steps + 1, 2))
    path[0] = theta, psi
    for i in range(steps):
        x = noise * rng.standard_normal(batch_size) if noise > 0 else np.zeros(1)
        if loss == "gan":
            d_psi = np.mean(x * sig(-psi * x)) - theta * sig(psi * theta)  # d/dpsi of D's objective
        else:
            d_psi = np.mean(x) - theta
        d_psi -= r1 * psi + 2 * gp * (abs(psi) - 1) * np.sign(psi)
        new_psi = psi + (lr if lr_d is None else lr_d) * d_psi
        p = new_psi if alternating else psi
        d_theta = -p * sig(p * theta) if loss == "gan" else -p  # d/dtheta of G's loss
        theta, psi = theta - lr * d_theta, new_psi
        path[i + 1] = theta, psi
    return path


def winding(path: np.ndarray) -> float:
    """How many turns a path of (theta, psi) points makes around (0, 0) (signed, unwrapped angle / 2 pi)."""
    path = np.asarray(path, dtype=float)
    angle = np.unwrap(np.arctan2(path[:, 1], path[:, 0]))
    return float((angle[-1] - angle[0]) / (2 * np.pi))


def dirac_best_response(theta: float, r1: float) -> float:
    """D's best response psi*(theta) in the Dirac GAN ("gan" loss) with an R1 weight r1 > 0: the root of
    -theta * sigmoid(psi * theta) - r1 * psi = 0 (D's objective is concave in psi, so the root is its maximum).
    Introduced in 09_stabilizing."""
    if not r1 > 0:
        raise ValueError(f"Without R1 (r1 > 0) D's best response is unbounded; got r1={r1!r}.")
    sig = lambda t: 0.5 * (1 + np.tanh(0.5 * t))  # noqa: E731
    lo, hi = -abs(theta) / r1 - 1.0, abs(theta) / r1 + 1.0
    for _ in range(100):  # bisection on a decreasing function of psi
        mid = 0.5 * (lo + hi)
        if -theta * sig(mid * theta) - r1 * mid > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ----------------------------------------------------------------------------------------------
# The landscape G sees when D is at its best response (Sun, Fang & Schwing 2020): 09_stabilizing
# ----------------------------------------------------------------------------------------------
PAIRINGS = ("separable", "paired", "paired_random")


def ring_escape_path(
    n_modes: int = 8, radius: float = 2.0, n_points: int = 11
) -> tuple[np.ndarray, np.ndarray]:
    """A mode-collapse escape on the ring: one real point per mode, and `n_points` sets of as many fakes. Fake i
    sits on mode i, except the last fake: it starts on mode 0 (mode n-1 is empty, mode 0 has two fakes) and walks
    along the arc to the empty mode. Returns (real (n, 2), fakes (n_points, n, 2)). Introduced in 09_stabilizing."""
    if not isinstance(n_modes, (int, np.integer)) or n_modes < 3:
        raise ValueError(f"n_modes must be a whole number >= 3; got {n_modes!r}.")
    if not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ValueError(f"n_points must be a whole number >= 2; got {n_points!r}.")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    real = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    fakes = np.repeat(real[None], n_points, axis=0)
    walk = -np.linspace(0.0, 2 * np.pi / n_modes, n_points)  # from mode 0 back to mode n-1, the empty one
    fakes[:, -1] = radius * np.stack([np.cos(walk), np.sin(walk)], axis=1)
    return real, fakes


def best_response_value(  # noqa: PLR0913
    real: np.ndarray,
    fake: np.ndarray,
    pairing: str = "separable",
    bandwidth: float = 0.5,
    ridge: float = 1e-3,
    extent: float = 3.0,
    grid: int = 13,
) -> float:
    """The value of D's objective at D's best response, for fixed point sets: the landscape phi(fake) that G
    descends when D keeps up (Sun, Fang & Schwing 2020, the "empirical loss"). D's logit is a smooth function,
    f(x) = sum_k w_k exp(-|x - c_k|^2 / (2 bandwidth^2)) + b, with centres c_k on a grid x grid lattice over
    [-extent, extent]^2 and a ridge penalty on w, so the maximum is unique (the objective is concave in (w, b); the paired objectives ignore b).
    `pairing`: "separable" (the standard GAN's D: mean log sigmoid f(x) + mean log sigmoid -f(y)); "paired"
    (RpGAN with real i paired with fake i for good, as Sun et al.'s analysis and code pair them: mean_i log
    sigmoid(f(x_i) - f(y_i))); "paired_random" (RpGAN averaged over random pairings, what minibatches draw:
    mean_ij log sigmoid(f(x_i) - f(y_j))). Introduced in 09_stabilizing."""
    from scipy.optimize import minimize

    if pairing not in PAIRINGS:
        raise ValueError(f"pairing must be one of {', '.join(PAIRINGS)}; got {pairing!r}.")
    real, fake = np.asarray(real, dtype=float), np.asarray(fake, dtype=float)
    if real.ndim != 2 or real.shape[1] != 2 or fake.ndim != 2 or fake.shape[1] != 2:
        raise ValueError(
            f"real and fake must be point sets of shape (n, 2); got {real.shape} and {fake.shape}."
        )
    if pairing == "paired" and len(real) != len(fake):
        raise ValueError(
            f"'paired' pairs real i with fake i: it needs as many of each; got {len(real)} and {len(fake)}."
        )
    for name, value in (("bandwidth", bandwidth), ("ridge", ridge), ("extent", extent)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a number > 0; got {value!r}.")
    axis = np.linspace(-extent, extent, grid)
    centres = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    features = lambda p: np.exp(-((p[:, None] - centres[None]) ** 2).sum(-1) / (2 * bandwidth**2))  # noqa: E731
    phi_x, phi_y = features(real), features(fake)
    log_sig = lambda u: -np.logaddexp(0.0, -u)  # noqa: E731  (log sigmoid without overflow)
    sig = lambda u: 0.5 * (1 + np.tanh(0.5 * u))  # noqa: E731

    def negative(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        fx, fy = phi_x @ w + b, phi_y @ w + b
        if pairing == "separable":
            value = log_sig(fx).mean() + log_sig(-fy).mean()
            gx, gy = sig(-fx) / len(fx), -sig(fy) / len(fy)  # d value / d f
        elif pairing == "paired":
            u = fx - fy
            value = log_sig(u).mean()
            gx = sig(-u) / len(u)
            gy = -gx
        else:
            u = fx[:, None] - fy[None, :]
            value = log_sig(u).mean()
            s = sig(-u) / u.size
            gx, gy = s.sum(1), -s.sum(0)
        value -= ridge * (w**2).sum()
        grad_w = phi_x.T @ gx + phi_y.T @ gy - 2 * ridge * w
        grad_b = gx.sum() + gy.sum()
        return -value, -np.append(grad_w, grad_b)

    result = minimize(
        negative,
        np.zeros(len(centres) + 1),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 2000},
    )
    return float(-result.fun)
