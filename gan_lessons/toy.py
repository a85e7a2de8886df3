"""A GAN on 2-D points: data presets, small MLPs, a stepper and its live view. Introduced in 04_toy_gan_playground.

Everything here is plain Python/PyTorch, so a test (or a notebook cell) can train a toy GAN and
assert on what happened. `gan_lessons.widgets.playground()` is a thin dashboard around
`ToyGAN` (the training state) and `PlaygroundFigure` (one matplotlib figure updated in place).

    gan = ToyGAN("ring", loss="nonsaturating", seed=0)
    gan.train(2000)          # 2000 iterations: each is d_steps D-steps, then one G-step
    gan.coverage()           # share of the 8 ring modes that have fakes near them
"""

from __future__ import annotations

import io
import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating, gradient_penalty

# ----------------------------------------------------------------------------------------------
# Data presets
# ----------------------------------------------------------------------------------------------

PRESETS = ("ring", "grid", "spiral", "moons", "custom")


@dataclass
class ToyData:
    """A 2-D data distribution: a sampler, its modes (for the coverage readout) and a plot extent.

    `modes` are the points a good generator should put samples near; a mode counts as covered
    when enough fakes lie within `mode_radius` of it (see `mode_coverage`).
    """

    name: str
    centers: np.ndarray  # (M, 2) points the data is drawn around
    std: float  # Gaussian noise added around a centre
    modes: np.ndarray  # (K, 2)
    mode_radius: float
    extent: float  # the view shows [-extent, extent]^2

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n real points, shape (n, 2), float32."""
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"n must be a positive integer; got {n!r}.")
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


# ----------------------------------------------------------------------------------------------
# Mode coverage
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


def mode_coverage(fakes, modes, radius: float, min_share: float = 0.2) -> float:
    """Share of the modes that have fakes near them. Introduced in 04_toy_gan_playground.

    A mode is covered when the fakes within `radius` of it are at least `min_share` of its fair
    share (1/K of the fakes), so a few stray points passing by do not count as covering it.
    """
    shares = mode_shares(fakes, modes, radius)
    if not 0 <= min_share <= 1:
        raise ValueError(f"min_share must be in [0, 1]; got {min_share!r}.")
    threshold = max(min_share / len(shares), 1e-12)
    return float((shares >= threshold).mean())


# ----------------------------------------------------------------------------------------------
# Networks
# ----------------------------------------------------------------------------------------------


def _check_size(name: str, value, low: int = 1, high: int = 4096) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}; got {value!r}.")
    return value


class ToyGenerator(nn.Module):
    """z (N, latent_dim) -> points (N, 2): an MLP with two hidden ReLU layers."""

    def __init__(self, latent_dim: int = 2, hidden: int = 64):
        super().__init__()
        self.latent_dim = _check_size("latent_dim", latent_dim, 1, 64)
        h = _check_size("hidden", hidden, 2, 1024)
        self.net = nn.Sequential(
            nn.Linear(latent_dim, h),
            nn.ReLU(),  # (N, h)
            nn.Linear(h, h),
            nn.ReLU(),  # (N, h)
            nn.Linear(h, 2),  # (N, 2)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.latent_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"ToyGenerator expects latent vectors of shape (N, {self.latent_dim}); got {got}. "
                f"Draw them with torch.randn(N, {self.latent_dim})."
            )
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """points (N, 2) -> logits (N,): an MLP with two hidden LeakyReLU layers."""

    def __init__(self, hidden: int = 64):
        super().__init__()
        h = _check_size("hidden", hidden, 2, 1024)
        self.net = nn.Sequential(
            nn.Linear(2, h),
            nn.LeakyReLU(0.2),  # (N, h)
            nn.Linear(h, h),
            nn.LeakyReLU(0.2),  # (N, h)
            nn.Linear(h, 1),  # (N, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != 2:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"ToyDiscriminator expects 2-D points of shape (N, 2); got {got}.")
        return self.net(x).squeeze(1)


# ----------------------------------------------------------------------------------------------
# Losses: the course's BCE losses (gan_lessons.losses) plus least squares and WGAN-GP
# ----------------------------------------------------------------------------------------------

LOSSES = ("minimax", "nonsaturating", "least_squares", "wgan_gp")
LOSS_LABELS = {
    "minimax": "minimax (saturating)",
    "nonsaturating": "non-saturating",
    "least_squares": "least squares (LSGAN)",
    "wgan_gp": "WGAN-GP",
}


def lsgan_d_loss(real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    """Least-squares D loss (Mao et al. 2017): 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] on raw outputs."""
    return 0.5 * ((real_out - 1) ** 2).mean() + 0.5 * (fake_out**2).mean()


def lsgan_g_loss(fake_out: torch.Tensor) -> torch.Tensor:
    """Least-squares G loss: 1/2 E[(D(G(z)) - 1)^2]."""
    return 0.5 * ((fake_out - 1) ** 2).mean()


def toy_d_loss(loss: str, real_out: torch.Tensor, fake_out: torch.Tensor) -> torch.Tensor:
    """D's loss for a loss family (without WGAN-GP's penalty term, which needs D itself)."""
    if loss in ("minimax", "nonsaturating"):
        return d_loss_bce(real_out, fake_out)
    if loss == "least_squares":
        return lsgan_d_loss(real_out, fake_out)
    if loss == "wgan_gp":
        return fake_out.mean() - real_out.mean()
    raise ValueError(f"Unknown loss {loss!r}: choose one of {', '.join(LOSSES)}.")


def toy_g_loss(loss: str, fake_out: torch.Tensor) -> torch.Tensor:
    """G's loss for a loss family, on D's outputs for the fakes."""
    if loss == "minimax":
        return g_loss_minimax(fake_out)
    if loss == "nonsaturating":
        return g_loss_nonsaturating(fake_out)
    if loss == "least_squares":
        return lsgan_g_loss(fake_out)
    if loss == "wgan_gp":
        return -fake_out.mean()
    raise ValueError(f"Unknown loss {loss!r}: choose one of {', '.join(LOSSES)}.")


# ----------------------------------------------------------------------------------------------
# The stepper
# ----------------------------------------------------------------------------------------------


@contextmanager
def single_thread():
    """Run torch on one CPU thread inside the block. The toy networks are tiny: on a busy 2-core
    machine, torch's thread pool made a step 10-20x slower than one thread (measured)."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


OPTIMIZERS = ("adam", "sgd")


def _check_lr(name: str, value) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 < value <= 1
    ):
        raise ValueError(f"{name} (a learning rate) must be a number in (0, 1], such as 1e-3; got {value!r}.")
    return float(value)


@dataclass
class ToySettings:
    """Everything that defines a toy run. Changing preset, latent_dim, hidden or seed needs a reset."""

    preset: str = "ring"
    loss: str = "nonsaturating"
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    d_steps: int = 1
    latent_dim: int = 2
    hidden: int = 64
    batch_size: int = 256
    seed: int = 0
    gp_weight: float = 0.1  # WGAN-GP's lambda; 0.1 suits 2-D data (the WGAN-GP authors' toy script)
    optimizer: str = (
        "adam"  # 'adam' (betas 0.5, 0.999) or 'sgd' (plain gradient descent, as GAN Lab's default)
    )
    points: list | None = field(default=None, repr=False)  # for preset='custom'

    def validate(self) -> ToySettings:
        make_data(self.preset, self.points)
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}.")
        _check_lr("lr_d", self.lr_d)
        _check_lr("lr_g", self.lr_g)
        _check_size("d_steps", self.d_steps, 1, 100)
        _check_size("latent_dim", self.latent_dim, 1, 64)
        _check_size("hidden", self.hidden, 2, 1024)
        _check_size("batch_size", self.batch_size, 2, 65536)
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {self.seed!r}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}.")
        if (
            isinstance(self.gp_weight, bool)
            or not isinstance(self.gp_weight, (int, float))
            or self.gp_weight < 0
        ):
            raise ValueError(f"gp_weight must be a number >= 0; got {self.gp_weight!r}.")
        return self


class ToyGAN:
    """A GAN on 2-D data, advanced step by step. Introduced in 04_toy_gan_playground.

    One iteration (`step()`) is `d_steps` discriminator updates followed by one generator update,
    as in Goodfellow et al.'s Algorithm 1. The loss, the learning rates and `d_steps` can change
    between steps (`set(...)`); the data preset, latent size, hidden size and seed rebuild the
    networks (`reset(...)`). All methods hold a lock, so a background thread may call `step()`
    while the notebook changes settings.
    """

    N_SHOW = 512  # fixed-noise fakes drawn in the view
    N_EVAL = 2000  # fixed-noise fakes used for the coverage readout

    def __init__(
        self,
        preset: str = "ring",
        loss: str = "nonsaturating",
        lr_d: float = 1e-3,
        lr_g: float = 1e-3,
        d_steps: int = 1,
        latent_dim: int = 2,
        hidden: int = 64,
        batch_size: int = 256,
        seed: int = 0,
        gp_weight: float = 0.1,
        optimizer: str = "adam",
        points=None,
    ):
        self._lock = threading.RLock()
        self.settings = ToySettings(
            preset,
            loss,
            lr_d,
            lr_g,
            d_steps,
            latent_dim,
            hidden,
            batch_size,
            seed,
            gp_weight,
            optimizer,
            points,
        ).validate()
        self._build()

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        s = self.settings
        self.data = make_data(s.preset, s.points)
        self._gen = torch.Generator().manual_seed(s.seed)
        with torch.random.fork_rng():
            torch.manual_seed(s.seed)
            self.G = ToyGenerator(s.latent_dim, s.hidden)
            self.D = ToyDiscriminator(s.hidden)
        if s.optimizer == "adam":
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=s.lr_d, betas=(0.5, 0.999))
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=s.lr_g, betas=(0.5, 0.999))
        else:
            self.opt_d = torch.optim.SGD(self.D.parameters(), lr=s.lr_d)
            self.opt_g = torch.optim.SGD(self.G.parameters(), lr=s.lr_g)
        fixed = torch.Generator().manual_seed(s.seed + 1)
        self.z_show = torch.randn(self.N_SHOW, s.latent_dim, generator=fixed)
        self.z_eval = torch.randn(self.N_EVAL, s.latent_dim, generator=fixed)
        self.x_show = self.data.sample(self.N_SHOW, generator=fixed)
        self.d_step_count = 0
        self.g_step_count = 0
        self.history = {"step": [], "d_loss": [], "g_loss": []}
        self._last_d_loss = float("nan")

    def reset(self, **changes) -> None:
        """Start again from fresh networks, optionally with new settings (any ToySettings field)."""
        with self._lock:
            unknown = set(changes) - set(ToySettings.__dataclass_fields__)
            if unknown:
                raise ValueError(
                    f"Unknown setting(s) {sorted(unknown)}; known: {sorted(ToySettings.__dataclass_fields__)}."
                )
            new = ToySettings(**{**self.settings.__dict__, **changes}).validate()
            self.settings = new
            self._build()

    def set(self, **changes) -> None:
        """Change loss, lr_d, lr_g, d_steps or gp_weight without restarting training."""
        live = {"loss", "lr_d", "lr_g", "d_steps", "gp_weight", "batch_size"}
        bad = set(changes) - live
        if bad:
            raise ValueError(
                f"{sorted(bad)} cannot change during training; use reset({', '.join(sorted(bad))}=...) instead. "
                f"Live settings: {sorted(live)}."
            )
        with self._lock:
            new = ToySettings(**{**self.settings.__dict__, **changes}).validate()
            self.settings = new
            for group in self.opt_d.param_groups:
                group["lr"] = new.lr_d
            for group in self.opt_g.param_groups:
                group["lr"] = new.lr_g

    # -- training -----------------------------------------------------------------------------
    @property
    def iteration(self) -> int:
        """Number of generator updates so far (one per `step()`)."""
        return self.g_step_count

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.settings.latent_dim, generator=self._gen)

    def step_d(self) -> float:
        """One discriminator update on a fresh batch; returns D's loss."""
        with self._lock, single_thread():
            s = self.settings
            x_real = self.data.sample(s.batch_size, generator=self._gen)
            with torch.no_grad():
                x_fake = self.G(self._noise(s.batch_size))
            loss = toy_d_loss(s.loss, self.D(x_real), self.D(x_fake))
            if s.loss == "wgan_gp" and s.gp_weight > 0:
                loss = loss + s.gp_weight * gradient_penalty(self.D, x_real, x_fake, self._gen)
            self.opt_d.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_d.step()
            self.d_step_count += 1
            self._last_d_loss = loss.item()
            if not math.isfinite(self._last_d_loss):
                raise FloatingPointError(
                    f"D's loss became {self._last_d_loss} at D step {self.d_step_count}: "
                    "lower the learning rates and reset."
                )
            return self._last_d_loss

    def step_g(self) -> float:
        """One generator update; returns G's loss and records both losses in `history`."""
        with self._lock, single_thread():
            s = self.settings
            loss = toy_g_loss(s.loss, self.D(self.G(self._noise(s.batch_size))))
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_g.step()
            self.g_step_count += 1
            value = loss.item()
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"G's loss became {value} at step {self.g_step_count}: "
                    "lower the learning rates and reset."
                )
            self.history["step"].append(self.g_step_count)
            self.history["d_loss"].append(self._last_d_loss)
            self.history["g_loss"].append(value)
            return value

    def step(self, n: int = 1) -> None:
        """n iterations, each `d_steps` D updates then one G update."""
        _check_size("n", n, 1, 10**7)
        with single_thread():
            for _ in range(n):
                with self._lock:
                    for _ in range(self.settings.d_steps):
                        self.step_d()
                    self.step_g()

    train = step

    # -- state --------------------------------------------------------------------------------
    def samples(self, n: int | None = None) -> np.ndarray:
        """G's outputs for the fixed display noise, (n, 2) with n <= N_SHOW."""
        with self._lock, torch.no_grad():
            z = self.z_show if n is None else self.z_show[: _check_size("n", n, 1, self.N_SHOW)]
            return self.G(z).numpy()

    def real_samples(self) -> np.ndarray:
        """A fixed batch of real points, (N_SHOW, 2)."""
        return self.x_show.numpy()

    def d_output_name(self) -> str:
        return {
            "minimax": "D(x)",
            "nonsaturating": "D(x)",
            "least_squares": "D(x) (raw)",
            "wgan_gp": "critic f(x)",
        }[self.settings.loss]

    def d_grid(self, res: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """D on a res x res grid over the view: (xs, ys, values[res, res]) with values[i, j] at (xs[j], ys[i]).

        For the BCE losses the value is D's probability sigmoid(logit) in [0, 1]; for least squares
        it is D's raw output; for WGAN-GP the critic's score."""
        _check_size("res", res, 2, 1024)
        e = self.data.extent
        xs = np.linspace(-e, e, res, dtype=np.float32)
        xx, yy = np.meshgrid(xs, xs)
        pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
        with self._lock, torch.no_grad():
            out = self.D(pts)
            if self.settings.loss in ("minimax", "nonsaturating"):
                out = torch.sigmoid(out)
        return xs, xs.copy(), out.numpy().reshape(res, res)

    def gradient_field(self, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(points, directions): the first n display fakes and -d(G's loss)/dx at each, the way G's
        update pushes that point (per sample, not averaged over the batch)."""
        with self._lock:
            z = self.z_show[: _check_size("n", n, 1, self.N_SHOW)]
            with torch.no_grad():
                x = self.G(z)
            x.requires_grad_(True)
            out = self.D(x)
            loss = toy_g_loss(self.settings.loss, out) * len(x)  # per-sample gradients
            (grad,) = torch.autograd.grad(loss, x)
            return x.detach().numpy(), (-grad).numpy()

    def manifold(self, res: int = 21, span: float = 2.5) -> np.ndarray:
        """G applied to a grid of latent points, shape (res, res, 2) (or (1, res*4, 2) for latent_dim 1):
        the sheet of the latent space folded into the data plane. Latent dimensions beyond the first
        two are held at 0."""
        _check_size("res", res, 2, 256)
        k = self.settings.latent_dim
        with self._lock, torch.no_grad():
            if k == 1:
                z = torch.linspace(-span, span, res * 4).unsqueeze(1)
                return self.G(z).numpy()[None]
            t = torch.linspace(-span, span, res)
            zz = torch.zeros(res, res, k)
            zz[..., 0], zz[..., 1] = torch.meshgrid(t, t, indexing="xy")
            return self.G(zz.reshape(-1, k)).numpy().reshape(res, res, 2)

    def eval_fakes(self) -> np.ndarray:
        with self._lock, torch.no_grad():
            return self.G(self.z_eval).numpy()

    def coverage(self, min_share: float = 0.2) -> float:
        """Share of the data's modes with fakes near them (on N_EVAL fixed-noise fakes)."""
        return mode_coverage(self.eval_fakes(), self.data.modes, self.data.mode_radius, min_share)

    def mode_shares(self) -> np.ndarray:
        """Share of the fixed-noise fakes near each mode."""
        return mode_shares(self.eval_fakes(), self.data.modes, self.data.mode_radius)

    def nearest_mode_shares(self) -> np.ndarray:
        """Share of the fixed-noise fakes whose nearest mode is each mode (sums to 1)."""
        return nearest_mode_shares(self.eval_fakes(), self.data.modes)

    def g_grad_norm(self) -> float:
        """Norm of the gradient of G's loss w.r.t. G's parameters on a fixed batch (no update):
        near 0 means G has stopped learning."""
        with self._lock:
            self.G.zero_grad(set_to_none=True)
            loss = toy_g_loss(self.settings.loss, self.D(self.G(self.z_eval[:512])))
            grads = torch.autograd.grad(loss, list(self.G.parameters()))
            return float(torch.sqrt(sum((g**2).sum() for g in grads)))

    def state(self) -> dict:
        """A snapshot for display: settings, counters and the latest losses."""
        with self._lock:
            h = self.history
            return {
                "iteration": self.g_step_count,
                "d_steps_done": self.d_step_count,
                "d_loss": h["d_loss"][-1] if h["d_loss"] else float("nan"),
                "g_loss": h["g_loss"][-1] if h["g_loss"] else float("nan"),
                "settings": dict(self.settings.__dict__),
            }


def dominant_modes(gan: ToyGAN, checkpoints, steps_between: int) -> list[int]:
    """Train `gan` and, at each of `checkpoints` checkpoints, record the mode holding most fakes.

    A list that keeps changing while coverage stays low is mode hopping."""
    _check_size("checkpoints", checkpoints, 1, 10**5)
    out = []
    for _ in range(checkpoints):
        gan.step(steps_between)
        out.append(int(np.argmax(gan.mode_shares())))
    return out


# ----------------------------------------------------------------------------------------------
# The live view: one figure, updated in place
# ----------------------------------------------------------------------------------------------


class PlaygroundFigure:
    """The playground's picture, one matplotlib figure whose artists are updated in place.

    Left: D's output as a heatmap, real points, fakes, G's manifold (the image of a latent grid)
    and optionally the arrows along which G's loss pushes each fake. Right: the loss curves.
    `render(gan)` returns PNG bytes (for an ipywidgets.Image or a GIF frame).

    Speed: axes, ticks and labels are drawn once and cached (blitting); each frame redraws only
    the moving artists. The cache is redrawn when the loss plot's limits change, which they do in
    steps (x every 250 iterations, y only when a loss leaves the range).
    """

    def __init__(self, gan: ToyGAN, dpi: int = 72, res: int = 48, manifold_res: int = 13):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.res, self.manifold_res = res, manifold_res
        self.fig = Figure(figsize=(9.6, 4.4), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax, self.ax_loss = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.fig.subplots_adjust(left=0.05, right=0.98, top=0.9, bottom=0.12, wspace=0.22)
        self.cbar = None
        self.show_grads = False
        self.show_manifold = True
        self._layout_for = None
        self._background = None
        self._background_key = None
        self.full_draws = 0  # how often the cached background had to be redrawn
        self.update(gan)

    def _layout_key(self, gan: ToyGAN):
        return (gan.data.name, gan.settings.latent_dim, round(float(gan.data.extent), 3), id(gan.data))

    def _build_artists(self, gan: ToyGAN) -> None:
        ax, e = self.ax, gan.data.extent
        ax.clear()
        self.heat = ax.imshow(
            np.zeros((self.res, self.res)),
            extent=(-e, e, -e, e),
            origin="lower",
            cmap="RdBu",
            vmin=0,
            vmax=1,
            interpolation="bilinear",
            alpha=0.9,
            animated=True,
        )
        if self.cbar is None:
            self.cbar = self.fig.colorbar(self.heat, ax=ax, fraction=0.046, pad=0.02)
        else:
            self.cbar.update_normal(self.heat)
        self.real = ax.scatter([], [], s=5, c="#1a9641", label="real", zorder=3, linewidths=0, animated=True)
        self.fake = ax.scatter(
            [], [], s=5, c="#7b3294", label="fake G(z)", zorder=4, linewidths=0, animated=True
        )
        self.manifold_lines = ax.plot(
            np.full((2, 2 * self.manifold_res), np.nan),
            np.full((2, 2 * self.manifold_res), np.nan),
            color="#7b3294",
            lw=0.5,
            alpha=0.45,
            zorder=2,
            animated=True,
        )
        pts, dirs = np.zeros((64, 2)), np.zeros((64, 2))
        self.quiver = ax.quiver(
            pts[:, 0],
            pts[:, 1],
            dirs[:, 0],
            dirs[:, 1],
            color="black",
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.004,
            zorder=5,
            animated=True,
        )
        ax.set(xlim=(-e, e), ylim=(-e, e), aspect="equal")
        ax.tick_params(labelsize=7)
        self.legend = ax.legend(
            handles=[self.real, self.fake], loc="upper right", fontsize=7, markerscale=2.5, framealpha=0.7
        )
        self.legend.set_animated(True)  # drawn above the heatmap, which is redrawn each frame
        self.title = ax.set_title("", fontsize=9)
        self.title.set_animated(True)
        axl = self.ax_loss
        axl.clear()
        (self.d_line,) = axl.plot([], [], lw=1, label="D loss", animated=True)
        (self.g_line,) = axl.plot([], [], lw=1, label="G loss", animated=True)
        axl.set_xlabel("iteration", fontsize=8)
        axl.tick_params(labelsize=7)
        axl.legend(loc="upper right", fontsize=7)
        self.loss_title = axl.set_title("losses", fontsize=9)
        self.loss_title.set_animated(True)
        self._ylim = None
        self._animated = [
            self.heat,
            *self.manifold_lines,
            self.real,
            self.fake,
            self.quiver,
            self.legend,
            self.title,
            self.d_line,
            self.g_line,
            self.loss_title,
        ]
        self._layout_for = self._layout_key(gan)
        self._background_key = None

    def update(self, gan: ToyGAN) -> None:
        """Refresh every artist from the stepper's current state (no new artists)."""
        with single_thread():
            self._update(gan)

    def _update(self, gan: ToyGAN) -> None:
        if self._layout_key(gan) != self._layout_for:
            self._build_artists(gan)
        self.real.set_offsets(gan.real_samples())
        _, _, values = gan.d_grid(self.res)
        if gan.settings.loss not in (
            "minimax",
            "nonsaturating",
        ):  # raw scores: scaled to [0, 1] for the colours
            lo, hi = float(values.min()), float(values.max())
            values = (values - lo) / (hi - lo if hi > lo else 1.0)
            label = f"{gan.d_output_name()}, scaled: low → high"
        else:
            label = "D(x) = P(real)"
        self.heat.set_data(values)
        if self.cbar.ax.get_ylabel() != label:
            self.cbar.set_label(label, fontsize=8)
        self.fake.set_offsets(gan.samples())
        if self.show_manifold:
            m = gan.manifold(self.manifold_res)
            lines = [m[i] for i in range(m.shape[0])] + (
                [m[:, j] for j in range(m.shape[1])] if m.shape[0] > 1 else []
            )
        else:
            lines = []
        for i, line in enumerate(self.manifold_lines):
            if i < len(lines):
                line.set_data(lines[i][:, 0], lines[i][:, 1])
            else:
                line.set_data([], [])
        if self.show_grads:
            pts, dirs = gan.gradient_field(64)
            norms = np.linalg.norm(dirs, axis=1, keepdims=True)
            scale = 0.25 * gan.data.extent / max(float(norms.max()), 1e-12)  # longest arrow: 1/8 of the view
            self.quiver.set_offsets(pts)
            self.quiver.set_UVC(dirs[:, 0] * scale, dirs[:, 1] * scale)
            self.quiver.set_visible(True)
        else:
            self.quiver.set_visible(False)
        st = gan.state()
        self.title.set_text(
            f"{gan.data.name} · {LOSS_LABELS[gan.settings.loss]} · iteration {st['iteration']}"
        )
        h = gan.history
        steps = np.asarray(h["step"])
        self.d_line.set_data(steps, h["d_loss"])
        self.g_line.set_data(steps, h["g_loss"])
        last = int(steps[-1]) if len(steps) else 0
        xmax = max(250, int(np.ceil(last / 250)) * 250)
        self.ax_loss.set_xlim(max(0, xmax - 2000), xmax)
        if len(steps):
            window = steps > xmax - 2000
            ys = np.concatenate([np.asarray(h["d_loss"])[window], np.asarray(h["g_loss"])[window]])
            ys = ys[np.isfinite(ys)]
            if len(ys):
                lo, hi = float(ys.min()), float(ys.max())
                if self._ylim is None or lo < self._ylim[0] or hi > self._ylim[1]:
                    pad = 0.15 * (hi - lo) + 0.05
                    cur = self._ylim or (lo, hi)
                    self._ylim = (min(cur[0], lo) - pad, max(cur[1], hi) + pad)
                    self.ax_loss.set_ylim(*self._ylim)
        self.loss_title.set_text(f"losses (D {st['d_loss']:.3f}, G {st['g_loss']:.3f})")

    def _draw(self) -> None:
        canvas = self.fig.canvas
        key = (self._layout_for, self.ax_loss.get_xlim(), self.ax_loss.get_ylim(), self.cbar.ax.get_ylabel())
        if key != self._background_key or self._background is None:
            canvas.draw()  # everything but the animated artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = key
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def render(self, gan: ToyGAN | None = None, fmt: str = "png") -> bytes:
        """Update (when given the stepper) and return the figure as PNG (or JPEG) bytes."""
        from PIL import Image

        rgb = self.to_array(gan)[..., :3]
        buf = io.BytesIO()
        if fmt == "png":
            Image.fromarray(rgb).save(buf, format="png", compress_level=1)
        elif fmt in ("jpeg", "jpg"):
            Image.fromarray(rgb).save(buf, format="jpeg", quality=90)
        else:
            raise ValueError(f"fmt must be 'png' or 'jpeg'; got {fmt!r}.")
        return buf.getvalue()

    def to_array(self, gan: ToyGAN | None = None) -> np.ndarray:
        """The figure as an (H, W, 4) uint8 RGBA array."""
        if gan is not None:
            self.update(gan)
        with single_thread():
            self._draw()
        return np.asarray(self.fig.canvas.buffer_rgba()).copy()


def save_gif(
    gan: ToyGAN,
    path,
    frames: int = 30,
    steps_per_frame: int = 20,
    fps: int = 8,
    figure: PlaygroundFigure | None = None,
    show_grads: bool = False,
):
    """Train `gan` for frames x steps_per_frame iterations and save the views as an animated GIF.

    Returns the path. Uses Pillow, which ships with matplotlib."""
    from pathlib import Path

    from PIL import Image

    _check_size("frames", frames, 1, 2000)
    _check_size("steps_per_frame", steps_per_frame, 0, 10**6)
    _check_size("fps", fps, 1, 60)
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes a .gif file; got {str(path)!r}. Use a name ending in .gif.")
    fig = figure or PlaygroundFigure(gan)
    old = fig.show_grads
    fig.show_grads = show_grads or old
    images = []
    try:
        for i in range(frames):
            if i and steps_per_frame:
                gan.step(steps_per_frame)
            rgba = fig.to_array(gan)
            images.append(
                Image.fromarray(rgba[..., :3]).convert("P", palette=Image.Palette.ADAPTIVE, colors=128)
            )
    finally:
        fig.show_grads = old
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return path


# ----------------------------------------------------------------------------------------------
# The dashboard (built by gan_lessons.widgets.playground)
# ----------------------------------------------------------------------------------------------


def _widgets():
    import ipywidgets

    return ipywidgets


_BOX_CLASS = None


def _playground_box(children):
    """A VBox that forwards unknown attributes to its Playground, so the widget that
    `widgets.playground()` returns also has `.play()`, `.loss`, `.gan`, `.save_gif()`..."""
    global _BOX_CLASS
    if _BOX_CLASS is None:

        class PlaygroundBox(_widgets().VBox):
            def __getattr__(self, name):
                pg = self.__dict__.get("_playground")
                if pg is None or name.startswith("__"):
                    raise AttributeError(name)
                return getattr(pg, name)

        _BOX_CLASS = PlaygroundBox
    return _BOX_CLASS(children)


class Playground:
    """GAN Lab in a notebook: controls, a live view and the training loop. Introduced in 04_toy_gan_playground.

    `Playground(...).widget` is the dashboard (an ipywidgets.VBox); display it, or let
    `gan_lessons.widgets.playground()` return it. Play runs the training loop in a background
    thread, so the notebook stays responsive: loss, learning rates and D steps change the running
    game at once; data preset, latent size, hidden size and optimizer restart it.

    Tests drive it without a display: set `.value` on a control, call `play()`/`pause()` or a
    button's `.click()`, and read `gan` (the ToyGAN), `frames` and `error`.
    """

    FRAME_TIME = 0.15  # target seconds per frame while playing (about 6-7 frames/s)...
    MIN_TRAIN_TIME = 0.04  # ...of which at least this much trains, however slow drawing is

    def __init__(
        self,
        preset: str = "ring",
        loss: str = "nonsaturating",
        lr_d: float = 1e-3,
        lr_g: float = 1e-3,
        d_steps: int = 1,
        latent_dim: int = 2,
        hidden: int = 64,
        optimizer: str = "adam",
        seed: int = 0,
        points=None,
        show_grads: bool = False,
    ):
        w = _widgets()
        self.gan = ToyGAN(
            preset,
            loss=loss,
            lr_d=lr_d,
            lr_g=lr_g,
            d_steps=d_steps,
            latent_dim=latent_dim,
            hidden=hidden,
            optimizer=optimizer,
            seed=seed,
            points=points,
        )
        self.figure = PlaygroundFigure(self.gan)
        self.figure.show_grads = bool(show_grads)
        self._render_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.frames = 0  # frames drawn so far
        self.error: BaseException | None = None
        self.steps_per_frame = 1

        def button(label, cls, tip, style="", icon=""):
            b = w.Button(
                description=label, tooltip=tip, button_style=style, icon=icon, layout=w.Layout(width="auto")
            )
            b.add_class(cls)
            return b

        self.play_button = button("Play", "gl-play", "train continuously", "success", "play")
        self.pause_button = button("Pause", "gl-pause", "stop training", "warning", "pause")
        self.step_d_button = button("Step D", "gl-step-d", "one discriminator update")
        self.step_g_button = button("Step G", "gl-step-g", "one generator update")
        self.step_button = button(
            "Step D+G", "gl-step", "one iteration: d_steps D updates, then one G update"
        )
        self.reset_button = button("Reset", "gl-reset", "fresh networks, same settings", "danger", "refresh")
        self.play_button.on_click(lambda _: self.play())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_d_button.on_click(lambda _: self._manual(self.gan.step_d))
        self.step_g_button.on_click(lambda _: self._manual(self.gan.step_g))
        self.step_button.on_click(lambda _: self._manual(self.gan.step))
        self.reset_button.on_click(lambda _: self.reset())

        s = self.gan.settings
        presets = [p for p in PRESETS if p != "custom" or points is not None]
        wide, narrow = {"description_width": "initial"}, w.Layout(width="260px")
        self.preset = w.Dropdown(options=presets, value=preset, description="data", style=wide, layout=narrow)
        self.loss = w.Dropdown(
            options=[(LOSS_LABELS[k], k) for k in LOSSES],
            value=s.loss,
            description="loss",
            style=wide,
            layout=narrow,
        )
        self.optimizer = w.Dropdown(
            options=list(OPTIMIZERS), value=s.optimizer, description="optimizer", style=wide, layout=narrow
        )
        self.lr_d = w.FloatLogSlider(
            value=s.lr_d,
            base=10,
            min=-5,
            max=0,
            step=0.1,
            description="lr D",
            readout_format=".1e",
            style=wide,
        )
        self.lr_g = w.FloatLogSlider(
            value=s.lr_g,
            base=10,
            min=-5,
            max=0,
            step=0.1,
            description="lr G",
            readout_format=".1e",
            style=wide,
        )
        self.d_steps = w.IntSlider(
            value=s.d_steps, min=1, max=10, description="D steps per G step", style=wide
        )
        self.latent_dim = w.IntSlider(value=s.latent_dim, min=1, max=8, description="latent dim", style=wide)
        self.hidden = w.Dropdown(
            options=[8, 16, 32, 64, 128, 256],
            value=s.hidden,
            description="hidden units",
            style=wide,
            layout=narrow,
        )
        self.show_grads = w.Checkbox(value=bool(show_grads), description="G's gradient arrows", indent=False)
        self.show_manifold = w.Checkbox(value=True, description="G's manifold", indent=False)
        for control in (self.loss, self.lr_d, self.lr_g, self.d_steps):
            control.observe(self._on_live_setting, names="value")
        for control in (self.preset, self.optimizer, self.latent_dim, self.hidden):
            control.observe(self._on_restart_setting, names="value")
        self.show_grads.observe(self._on_view_setting, names="value")
        self.show_manifold.observe(self._on_view_setting, names="value")

        self.image = w.Image(format="png", layout=w.Layout(width="auto", max_width="100%"))
        self.image.add_class("gl-playground-view")
        self.counter = w.HTML()
        self.counter.add_class("gl-step-counter")
        self.coverage_label = w.HTML()
        self.coverage_label.add_class("gl-coverage")
        self.status = w.HTML()
        self.status.add_class("gl-status")
        self.widget = _playground_box(
            [
                w.HBox(
                    [
                        self.play_button,
                        self.pause_button,
                        self.step_d_button,
                        self.step_g_button,
                        self.step_button,
                        self.reset_button,
                    ]
                ),
                w.HBox([self.preset, self.loss, self.optimizer]),
                w.HBox([self.lr_d, self.lr_g, self.d_steps]),
                w.HBox([self.latent_dim, self.hidden, self.show_grads, self.show_manifold]),
                self.image,
                w.HBox(
                    [self.counter, self.coverage_label, self.status],
                    layout=w.Layout(justify_content="space-between"),
                ),
            ]
        )
        self.widget.add_class("gl-playground")
        self.widget._playground = self  # the widget forwards .play(), .loss, .gan... to this controller
        self.redraw()

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Render the current state into the image and refresh the readouts."""
        with self._render_lock:
            png = self.figure.render(self.gan)
            cov = self.gan.coverage()
        self.image.value = png
        self.frames += 1
        st = self.gan.state()
        self.counter.value = (
            f"iteration <b class='gl-iteration'>{st['iteration']}</b> · D updates {st['d_steps_done']}"
        )
        k = len(self.gan.data.modes)
        self.coverage_label.value = f"mode coverage <b>{round(cov * k)}/{k}</b> ({cov:.0%})"
        if self.error is None:
            self.status.value = "playing" if self.is_playing else "paused"

    # -- controls -----------------------------------------------------------------------------
    def _report(self, err: BaseException) -> None:
        self.error = err
        self.status.value = f"<span style='color:#b2182b'>{type(err).__name__}: {err}</span>"

    def _manual(self, action) -> None:
        try:
            action()
        except (ValueError, FloatingPointError) as err:
            self._report(err)
            return
        if not self.is_playing:
            self.redraw()

    def _on_live_setting(self, change) -> None:
        try:
            self.gan.set(
                loss=self.loss.value,
                lr_d=float(self.lr_d.value),
                lr_g=float(self.lr_g.value),
                d_steps=int(self.d_steps.value),
            )
            self.error = None
        except ValueError as err:
            self._report(err)
        if not self.is_playing:
            self.redraw()

    def _on_restart_setting(self, change) -> None:
        self.reset()

    def _on_view_setting(self, change) -> None:
        self.figure.show_grads = bool(self.show_grads.value)
        self.figure.show_manifold = bool(self.show_manifold.value)
        if not self.is_playing:
            self.redraw()

    def reset(self) -> None:
        """Fresh networks with the controls' settings (keeps playing if it was)."""
        try:
            self.gan.reset(
                preset=self.preset.value,
                optimizer=self.optimizer.value,
                latent_dim=int(self.latent_dim.value),
                hidden=int(self.hidden.value),
                loss=self.loss.value,
                lr_d=float(self.lr_d.value),
                lr_g=float(self.lr_g.value),
                d_steps=int(self.d_steps.value),
            )
            self.error = None
        except ValueError as err:
            self._report(err)
        if not self.is_playing:
            self.redraw()

    # -- the loop -----------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        """Train continuously in a background thread; each frame trains for what FRAME_TIME leaves after drawing."""
        if self.is_playing:
            return
        self.error = None
        self._stop.clear()
        self.status.value = "playing"  # before the thread starts, so that an error it reports stays shown
        self._thread = threading.Thread(target=self._loop, name="gan-lessons-playground", daemon=True)
        self._thread.start()

    def pause(self, timeout: float = 10.0) -> None:
        """Stop the loop after its current frame; waits for it (up to `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self.redraw()

    def _loop(self) -> None:
        import time

        steps, draw_time = 1, 0.05
        try:
            while not self._stop.is_set():
                t0 = time.perf_counter()
                self.gan.step(steps)
                took = max(time.perf_counter() - t0, 1e-6)
                # train for what the frame budget leaves after drawing, adapting to the machine's speed
                budget = max(self.MIN_TRAIN_TIME, self.FRAME_TIME - draw_time)
                steps = int(min(max(1, steps * budget / took), 5 * steps + 1, 2000))
                self.steps_per_frame = steps
                if self._stop.is_set():
                    break
                t1 = time.perf_counter()
                self.redraw()
                draw_time = 0.7 * draw_time + 0.3 * (time.perf_counter() - t1)
        except BaseException as err:  # shown in the dashboard; training stops
            self._report(err)

    def run(self, n: int) -> None:
        """Train n iterations now (in this thread) and redraw: the headless way to play."""
        if self.is_playing:
            raise ValueError("The playground is playing: pause() it before calling run().")
        self.gan.step(n)
        self.redraw()

    def save_gif(self, path, frames: int = 30, steps_per_frame: int = 20, fps: int = 8):
        """Train on for frames x steps_per_frame iterations and save the view of each frame as a GIF."""
        if self.is_playing:
            self.pause()
        with self._render_lock:
            out = save_gif(
                self.gan, path, frames=frames, steps_per_frame=steps_per_frame, fps=fps, figure=self.figure
            )
        self.redraw()
        return out

    def _repr_mimebundle_(self, **kwargs):  # a notebook shows the dashboard itself
        return self.widget._repr_mimebundle_(**kwargs)
