"""2-D point clouds, apart from any training: the data presets of the toy GAN (`make_data`: ring, grid, spiral,
moons, custom), your own points for the playground's 'custom' preset
(`parse_points`, `load_points`, checked with clear errors), and the readouts that measure a generator's points
against the data's (`modes_reached`, `mode_shares`, `nearest_mode_shares`, `grid_divergences`). The toy GAN of
`gan_lessons.toy2d` reads them. Introduced in 04_toy_gan_playground.

    pts = load_points("my_points.csv")                      # (N, 2) float64, or a ValueError saying what is wrong
    modes_reached(fakes, data.modes, data.mode_radius)      # share of the modes with fakes near them
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .validate import is_finite_number, positive_int

# ----------------------------------------------------------------------------------------------
# Your own points
# ----------------------------------------------------------------------------------------------

#: The fewest points a drawing or a file may give the 'custom' preset, and the largest coordinate it may have.
MIN_POINTS = 10
MAX_COORD = 10.0


def _check_points(pts: np.ndarray, source: str) -> np.ndarray:
    """The checks shared by a file and a drawing: shape (N, 2), finite, enough points, a sane scale."""
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(
            f"{source}: expected one point per row, two numbers each (x, y), an (N, 2) array; "
            f"got shape {pts.shape}."
        )
    bad = np.flatnonzero(~np.isfinite(pts).all(axis=1))
    if len(bad):
        rows = ", ".join(str(i + 1) for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ValueError(
            f"{source}: {len(bad)} row(s) hold NaN or infinite values (rows {rows}, counting from 1); "
            "every point needs two finite numbers."
        )
    if len(pts) < MIN_POINTS:
        raise ValueError(
            f"{source}: only {len(pts)} point(s); the playground needs at least {MIN_POINTS} to draw data from."
        )
    biggest = float(np.abs(pts).max())
    if biggest > MAX_COORD:
        raise ValueError(
            f"{source}: coordinates reach {biggest:.3g}, but the playground's networks train on points within "
            f"±{MAX_COORD:g}; divide your points by {biggest / 2.5:.3g} or so."
        )
    return pts


def parse_points(text: str, source: str = "Your points") -> np.ndarray:
    """Points from text, one "x, y" (or "x y") pair per line, as (N, 2) float64; '#' starts a comment and a
    first line that is not numbers is taken as a header. Introduced in 04_toy_gan_playground."""
    if not isinstance(text, str):
        raise ValueError(f"{source}: expected text with one 'x, y' pair per line; got {type(text).__name__}.")
    rows = []
    for i, line in enumerate(text.splitlines()):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.replace(",", " ").replace(";", " ").split()
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            if not rows and i == 0:
                continue  # a header such as "x,y"
            raise ValueError(
                f"{source}: line {i + 1} ({line[:40]!r}) is not numbers; write one 'x, y' pair per line."
            ) from None
    widths = sorted({len(r) for r in rows})
    if len(widths) > 1:
        raise ValueError(
            f"{source}: expected one point per row, two numbers each (x, y); the rows hold {widths} numbers."
        )
    pts = np.asarray(rows, dtype=np.float64).reshape(len(rows), widths[0] if widths else 2)
    return _check_points(pts, source)


_UNREADABLE = {
    FileNotFoundError: "there is no such file",
    IsADirectoryError: "it is a folder, not a file",
    PermissionError: "permission denied",
    UnicodeDecodeError: "it is not a text file",
}


def load_points(path) -> np.ndarray:
    """Your own 2-D data from a .csv/.txt file (one "x, y" pair per line) or a .npy file (an (N, 2) array),
    checked, as (N, 2) float64. Introduced in 04_toy_gan_playground."""
    path = Path(path)
    source = f"The file {path.name!r}"
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".npy"):
        raise ValueError(f"{source} is not a .csv, .txt or .npy file: save your points as one of those.")
    try:
        if suffix == ".npy":
            pts = np.load(path, allow_pickle=False)
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, EOFError) as err:
        reason = next((why for kind, why in _UNREADABLE.items() if isinstance(err, kind)), None)
        reason = reason or (
            "it is not a NumPy .npy array of numbers" if suffix == ".npy" else "it cannot be read"
        )
        raise ValueError(
            f"Could not read points from {path.name!r}: {reason}. Save them as a CSV file with one 'x, y' pair "
            "per line, or with numpy.save as an (N, 2) array."
        ) from None
    if suffix != ".npy":
        return parse_points(text, source)
    if not np.issubdtype(pts.dtype, np.number) or np.issubdtype(pts.dtype, np.complexfloating):
        raise ValueError(f"{source}: holds {pts.dtype} values; it needs an (N, 2) array of real numbers.")
    return _check_points(pts.astype(np.float64), source)


# ----------------------------------------------------------------------------------------------
# Readouts: the modes G reaches (not the class coverage of 06), and the grid divergences
# ----------------------------------------------------------------------------------------------


def _points_and_modes(fakes, modes) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert fakes (N, 2) and modes (K, 2) to float64 arrays."""
    fakes = np.asarray(fakes.detach().cpu() if isinstance(fakes, torch.Tensor) else fakes, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    if fakes.ndim != 2 or fakes.shape[1] != 2 or len(fakes) == 0:
        raise ValueError(f"fakes must be an (N, 2) array of points with N >= 1; got shape {fakes.shape}.")
    if modes.ndim != 2 or modes.shape[1] != 2 or len(modes) == 0:
        raise ValueError(f"modes must be a (K, 2) array of points with K >= 1; got shape {modes.shape}.")
    return fakes, modes


def mode_shares(fakes, modes, radius: float) -> np.ndarray:
    """For each mode, the share of the fakes that lie within `radius` of it (shape (K,))."""
    fakes, modes = _points_and_modes(fakes, modes)
    if not (isinstance(radius, (int, float)) and radius > 0):
        raise ValueError(f"radius must be a number > 0; got {radius!r}.")
    dist = np.linalg.norm(fakes[:, None, :] - modes[None, :, :], axis=-1)  # (N, K)
    return (dist <= radius).mean(axis=0)


def nearest_mode_shares(fakes, modes) -> np.ndarray:
    """For each mode, the share of the fakes whose nearest mode it is (shape (K,), sums to 1).

    Unlike `mode_shares` this ignores distance, so it shows where a collapsed generator's mass is
    heading even while its fakes lie between modes."""
    fakes, modes = _points_and_modes(fakes, modes)
    nearest = np.linalg.norm(fakes[:, None, :] - modes[None, :, :], axis=-1).argmin(axis=1)
    return np.bincount(nearest, minlength=len(modes)) / len(fakes)


def modes_reached(fakes, modes, radius: float, min_share: float = 0.2) -> float:
    """Share of the modes that have fakes near them. Introduced in 04_toy_gan_playground.

    A mode is covered when the fakes within `radius` of it are at least `min_share` of its fair
    share (1/K of the fakes), so a few stray points passing by do not count as covering it.
    """
    shares = mode_shares(fakes, modes, radius)
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must be in [0, 1]; got {min_share!r}.")
    threshold = max(min_share / len(shares), 1e-12)
    return float((shares >= threshold).mean())


def grid_divergences(real, fake, extent: float, bins: int = 20, pseudo: float = 0.05) -> tuple[float, float]:
    """(KL(p_data || p_g), JS(p_data, p_g)) in nats, between two point clouds binned on a bins x bins grid
    over [-extent, extent]^2. Introduced in 04_toy_gan_playground.

    GAN Lab's readout: a histogram estimate, so it is a coarse, biased view of the true divergences (the
    grid hides structure finer than a bin). Points outside the view count in the edge bins. Each bin gets
    `pseudo` extra points in G's histogram, so KL stays finite where G puts no mass; JS needs no such
    help and lies in [0, log 2]."""
    real, fake = _points_and_modes(real, fake)
    positive_int("bins", bins)
    if not is_finite_number(extent) or extent <= 0:
        raise ValueError(f"extent must be a number > 0; got {extent!r}.")
    edges = np.linspace(-extent, extent, bins + 1)

    def density(points: np.ndarray) -> np.ndarray:
        clipped = np.clip(points, -extent, extent)
        counts, _, _ = np.histogram2d(clipped[:, 0], clipped[:, 1], bins=(edges, edges))
        return counts.ravel()

    hp, hq = density(real), density(fake)
    p, q = hp / hp.sum(), hq / hq.sum()
    qs = (hq + pseudo) / (hq.sum() + pseudo * hq.size)  # only G's histogram needs the pseudo-counts
    kl = float(np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1) / qs), 0.0)))
    m = 0.5 * (p + q)

    def kl_to_m(a: np.ndarray) -> float:
        return float(np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / np.where(m > 0, m, 1)), 0.0)))

    return kl, 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)


# ----------------------------------------------------------------------------------------------
# Data presets
# ----------------------------------------------------------------------------------------------

PRESETS = ("ring", "grid", "spiral", "moons", "custom")


@dataclass
class ToyData:
    """A 2-D data distribution: a sampler, its modes (for the "modes reached" readout) and a plot extent.

    `modes` are the points a good generator should put samples near; a mode counts as covered
    when enough fakes lie within `mode_radius` of it (see `modes_reached`).
    """

    name: str
    centers: np.ndarray  # (M, 2) points the data is drawn around
    std: float  # Gaussian noise added around a centre
    modes: np.ndarray  # (K, 2)
    mode_radius: float
    extent: float  # the view shows [-extent, extent]^2

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n real points, shape (n, 2), float32."""
        positive_int("n", n)
        centers = torch.as_tensor(self.centers, dtype=torch.float32)
        idx = torch.randint(len(centers), (n,), generator=generator)
        return centers[idx] + self.std * torch.randn(n, 2, generator=generator)


def _ring(n_modes: int = 8, radius: float = 2.0, std: float = 0.05) -> ToyData:
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], 1)
    return ToyData("ring", centers, std, centers, 3 * std + 0.1, extent=3.0)


def _grid(side: int = 5, spacing: float = 1.0, std: float = 0.05) -> ToyData:
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    centers = np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2)
    return ToyData("grid", centers, std, centers, 3 * std + 0.1, extent=3.0)


def _spiral(n_points: int = 400, turns: float = 1.75, std: float = 0.04, n_modes: int = 12) -> ToyData:
    t = np.sqrt(np.linspace(0.15**2, 1.0, n_points))  # about even spacing along the curve
    angle = 2 * np.pi * turns * t
    centers = 2.4 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    modes = centers[np.linspace(0, n_points - 1, n_modes).round().astype(int)]
    return ToyData("spiral", centers, std, modes, 0.35, extent=3.0)


def _moons(n_points: int = 400, std: float = 0.06, n_modes: int = 10) -> ToyData:
    t = np.linspace(0, np.pi, n_points // 2)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    centers = 1.6 * (np.concatenate([upper, lower]) - np.array([0.5, 0.25]))
    half = n_modes // 2
    pick = np.concatenate([np.linspace(0, len(t) - 1, half), len(t) + np.linspace(0, len(t) - 1, half)])
    modes = centers[pick.round().astype(int)]
    return ToyData("moons", centers, std, modes, 0.35, extent=3.0)


def _custom(points, std: float = 0.05) -> ToyData:
    pts = np.asarray(points, dtype=np.float64) if points is not None else None
    if pts is None or pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        got = "nothing" if pts is None else f"shape {pts.shape}"
        raise ValueError(
            "The 'custom' preset draws data around your own points: pass points=[(x1, y1), (x2, y2), ...] "
            f"(an (N, 2) list or array with N >= 1); got {got}."
        )
    if not np.all(np.isfinite(pts)):
        raise ValueError("custom points must be finite numbers (no NaN or inf).")
    modes = np.unique(pts.round(6), axis=0)
    if len(modes) > 32:
        modes = modes[np.linspace(0, len(modes) - 1, 32).round().astype(int)]
    extent = float(max(1.5, np.abs(pts).max() * 1.25 + 0.3))
    return ToyData("custom", pts, std, modes, 3 * std + 0.1, extent=extent)


def make_data(preset: str = "ring", points=None) -> ToyData:
    """The data distribution for a preset: 'ring' (8 Gaussians), 'grid' (5x5 Gaussians), 'spiral',
    'moons', or 'custom' (Gaussians around your own `points`, an (N, 2) list)."""
    if preset not in PRESETS:
        raise ValueError(f"Unknown data preset {preset!r}: choose one of {', '.join(PRESETS)}.")
    if preset == "custom":
        return _custom(points)
    return {"ring": _ring, "grid": _grid, "spiral": _spiral, "moons": _moons}[preset]()


__all__ = [
    "PRESETS",
    "make_data",
    "parse_points",
    "load_points",
    "modes_reached",
    "grid_divergences",
]
