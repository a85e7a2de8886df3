"""The 2-D GAN game: small MLPs and a stepper (its data presets are `gan_lessons.points2d`'s). Introduced in
04_toy_gan_playground.

Everything here is plain Python/PyTorch, so a test (or a notebook cell) can train a toy GAN and
assert on what happened. The losses are the families of `gan_lessons.losses.LOSSES`; the readouts (modes
reached, grid divergences) and the reading of your own points are `gan_lessons.points2d`'s. Its live
view (`gan_lessons.plot.PlaygroundFigure`, `save_gif`) and its dashboard
(`gan_lessons.widgets.playground()`) are built around `ToyGAN`, the training state.

    gan = ToyGAN("ring", loss="nonsaturating", seed=0)
    gan.step(2000)           # 2000 iterations: each is d_steps D-steps, then one G-step
    gan.modes_reached()           # share of the 8 ring modes that have fakes near them
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .config import single_thread
from .engine import DOptions, NonFiniteLossError, update_D, update_G
from .losses import LossFamily, get_loss
from .points2d import (
    grid_divergences,
    make_data,
    mode_shares,
    modes_reached,
    nearest_mode_shares,
)
from .points2d import load_points as load_points  # moved to points2d; still importable from here
from .points2d import parse_points as parse_points
from .validate import check_seed, int_in_range, is_finite_number

# ----------------------------------------------------------------------------------------------
# Networks
# ----------------------------------------------------------------------------------------------


class ToyGenerator(nn.Module):
    """z (N, latent_dim) -> points (N, 2): an MLP with two hidden ReLU layers."""

    def __init__(self, latent_dim: int = 2, hidden: int = 64):
        super().__init__()
        self.latent_dim = int_in_range("latent_dim", latent_dim, 1, 64)
        h = int_in_range("hidden", hidden, 2, 1024)
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

    def __init__(self, hidden: int = 64, spectral_norm: bool = False):
        super().__init__()
        h = int_in_range("hidden", hidden, 2, 1024)
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)
        self.net = nn.Sequential(
            sn(nn.Linear(2, h)),
            nn.LeakyReLU(0.2),  # (N, h)
            sn(nn.Linear(h, h)),
            nn.LeakyReLU(0.2),  # (N, h)
            sn(nn.Linear(h, 1)),  # (N, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] != 2:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"ToyDiscriminator expects 2-D points of shape (N, 2); got {got}.")
        return self.net(x).squeeze(1)


# ----------------------------------------------------------------------------------------------
# The stepper
# ----------------------------------------------------------------------------------------------

OPTIMIZERS = ("adam", "sgd")
SNAPSHOT_FORMAT = "gan_lessons.toy_snapshot/1"
#: The gradient penalty's weight on 2-D data for a family that has one (WGAN-GP): 0.1, as in the
#: WGAN-GP authors' toy script (the registry's 10 is for images).
TOY_GP_WEIGHT = 0.1


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
    # Weight of the gradient penalty added to D's loss. None: TOY_GP_WEIGHT for a family that comes
    # with a penalty (family.gp_weight > 0, as WGAN-GP), none for the others; a number: that weight,
    # for any family (0 turns the penalty off).
    gp_weight: float | None = None
    optimizer: str = (
        "adam"  # 'adam' (betas 0.5, 0.999) or 'sgd' (plain gradient descent, as GAN Lab's default)
    )
    points: list | None = field(default=None, repr=False)  # for preset='custom'
    # D's remedies of 09_stabilizing, as on images: Adam's betas, the R1 penalty's gamma, spectral norm on D's
    # layers, weight clipping (None: the loss family's, 0.01 for wgan); R2 is R1 on the fakes (R3GAN uses both).
    beta1: float = 0.5
    beta2: float = 0.999
    r1: float = 0.0
    r2: float = 0.0
    spectral_norm: bool = False
    clip: float | None = None
    g_steps: int = 1  # G updates per iteration, after the d_steps D updates (GAN Lab's "G steps per D step")

    def validate(self) -> ToySettings:
        make_data(self.preset, self.points)
        family = get_loss(self.loss)  # a clear error for an unknown name
        if isinstance(self.loss, str):
            self.loss = family.name  # 'wgan-gp' -> 'wgan_gp', as the dropdown lists it
        _check_lr("lr_d", self.lr_d)
        _check_lr("lr_g", self.lr_g)
        int_in_range("d_steps", self.d_steps, 1, 100)
        int_in_range("g_steps", self.g_steps, 1, 100)
        int_in_range("latent_dim", self.latent_dim, 1, 64)
        int_in_range("hidden", self.hidden, 2, 1024)
        int_in_range("batch_size", self.batch_size, 2, 65536)
        check_seed(self.seed)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}.")
        if self.gp_weight is not None and (
            isinstance(self.gp_weight, bool)
            or not isinstance(self.gp_weight, (int, float))
            or not math.isfinite(self.gp_weight)
            or self.gp_weight < 0
        ):
            raise ValueError(
                f"gp_weight must be None (the loss's default) or a number >= 0; got {self.gp_weight!r}."
            )
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1); got {value!r}.")
        for name in ("r1", "r2"):
            if not is_finite_number(getattr(self, name)) or getattr(self, name) < 0:
                raise ValueError(
                    f"{name} (the {name.upper()} penalty's weight gamma) must be a number >= 0; "
                    f"got {getattr(self, name)!r}."
                )
        if not isinstance(self.spectral_norm, bool):
            raise ValueError(f"spectral_norm must be True or False; got {self.spectral_norm!r}.")
        if self.clip is not None and (not is_finite_number(self.clip) or self.clip <= 0):
            raise ValueError(f"clip (WGAN weight clipping) must be a number > 0 or None; got {self.clip!r}.")
        return self

    @property
    def family(self) -> LossFamily:
        """The loss family, from the registry gan_lessons.losses.LOSSES."""
        return get_loss(self.loss)

    def penalty_weight(self) -> float:
        """The gradient penalty's weight in use: gp_weight, or the toy's default for the family."""
        if self.gp_weight is not None:
            return float(self.gp_weight)
        return TOY_GP_WEIGHT if self.family.gp_weight > 0 else 0.0


def _toy_error(err: NonFiniteLossError, what: str) -> NonFiniteLossError:
    # The engine's error, told in the playground's terms (the step counts, and what to do there).
    toy = NonFiniteLossError(f"{what}: lower the learning rates and reset.")
    toy.player, toy.value = err.player, err.value
    return toy


class ToyGAN:
    """A GAN on 2-D data, advanced step by step. Introduced in 04_toy_gan_playground.

    One iteration (`step()`) is `d_steps` discriminator updates followed by `g_steps` generator updates
    (one by default, as in Goodfellow et al.'s Algorithm 1). The loss, the learning rates and `d_steps` can change
    between steps (`set(...)`); the data preset, latent size, hidden size and seed rebuild the
    networks (`reset(...)`). All methods hold a lock, so a background thread may call `step()`
    while the notebook changes settings.
    """

    N_SHOW = 512  # fixed-noise fakes drawn in the view
    N_EVAL = 2000  # fixed-noise fakes used for the "modes reached" readout
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
        batch_size: int = 256,
        seed: int = 0,
        gp_weight: float | None = None,
        optimizer: str = "adam",
        points=None,
        **remedies,
    ):
        """The settings of `ToySettings`; `remedies` are its D options (beta1, beta2, r1, r2, spectral_norm, clip)
        and g_steps (G updates per iteration)."""
        self._lock = threading.RLock()
        unknown = set(remedies) - {"beta1", "beta2", "r1", "r2", "spectral_norm", "clip", "g_steps"}
        if unknown:
            raise ValueError(
                f"Unknown setting(s) {sorted(unknown)}; known: {sorted(ToySettings.__dataclass_fields__)}."
            )
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
            **remedies,
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
            self.D = ToyDiscriminator(s.hidden, s.spectral_norm)
        # foreach: one update call for all of a net's small tensors, the same values as the default
        # per-tensor loop, and a toy step 10-15% faster on one thread (measured, torch 2.14)
        if s.optimizer == "adam":
            betas = (float(s.beta1), float(s.beta2))  # torch refuses an int such as beta1=0
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=s.lr_d, betas=betas, foreach=True)
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=s.lr_g, betas=betas, foreach=True)
        else:
            self.opt_d = torch.optim.SGD(self.D.parameters(), lr=s.lr_d, foreach=True)
            self.opt_g = torch.optim.SGD(self.G.parameters(), lr=s.lr_g, foreach=True)
        fixed = torch.Generator().manual_seed(s.seed + 1)
        self.z_show = torch.randn(self.N_SHOW, s.latent_dim, generator=fixed)
        self.z_eval = torch.randn(self.N_EVAL, s.latent_dim, generator=fixed)
        self.x_show = self.data.sample(self.N_SHOW, generator=fixed)
        self.x_eval = self.data.sample(self.N_EVAL, generator=fixed)
        self.d_step_count = 0
        self.g_step_count = 0
        self.history = {"step": [], "d_loss": [], "g_loss": []}
        self.divergence_history = {"step": [], "kl": [], "js": []}
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
        """Change loss, lr_d, lr_g, d_steps, g_steps, gp_weight, batch_size, r1, r2 or clip without restarting
        training."""
        live = {"loss", "lr_d", "lr_g", "d_steps", "g_steps", "gp_weight", "batch_size", "r1", "r2", "clip"}
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
        """One discriminator update on a fresh batch (the engine's `update_D`); returns D's loss."""
        with self._lock, single_thread():
            s = self.settings
            x_real = self.data.sample(s.batch_size, generator=self._gen)
            with torch.no_grad():
                x_fake = self.G(self._noise(s.batch_size))
            options = DOptions(
                gp_weight=s.penalty_weight(), r1_weight=s.r1, clip=s.clip, generator=self._gen, r2_weight=s.r2
            )
            try:
                loss, _, _ = update_D(self.D, self.opt_d, x_real, x_fake, s.family, options)
            except NonFiniteLossError as err:
                raise _toy_error(
                    err, f"D's loss became {err.value} at D step {self.d_step_count + 1}"
                ) from None
            self.d_step_count += 1
            self._last_d_loss = loss.item()
            return self._last_d_loss

    def step_g(self) -> float:
        """One generator update (the engine's `update_G`) on fresh noise; returns G's loss and records both
        losses in `history`."""
        with self._lock, single_thread():
            s = self.settings
            try:
                x_fake = self.G(self._noise(s.batch_size))
                # a paired family (RpGAN) compares each fake with a real partner; the others never draw one
                x_real = self.data.sample(s.batch_size, generator=self._gen) if s.family.paired else None
                loss = update_G(self.D, self.opt_g, x_fake, s.family, x_real=x_real)
            except NonFiniteLossError as err:
                raise _toy_error(
                    err, f"G's loss became {err.value} at step {self.g_step_count + 1}"
                ) from None
            self.g_step_count += 1
            value = loss.item()
            self.history["step"].append(self.g_step_count)
            self.history["d_loss"].append(self._last_d_loss)
            self.history["g_loss"].append(value)
            return value

    def step(self, n: int = 1) -> None:
        """n iterations, each `d_steps` D updates then `g_steps` G updates."""
        int_in_range("n", n, 1, 10**7)
        with single_thread():
            for _ in range(n):
                with self._lock:
                    for _ in range(self.settings.d_steps):
                        self.step_d()
                    for _ in range(self.settings.g_steps):
                        self.step_g()

    def play_frames(
        self, stop: threading.Event, pace: Callable[[], tuple[int, float]] | None = None
    ) -> Iterator[int]:
        """Train frame after frame until `stop` is set, for a live view (the playground's Play).

        After each frame's training it yields the number of iterations the next frame will train; the
        caller draws before asking for the next frame. `pace()`, asked before each frame, returns
        (iterations per frame, shortest frame in seconds): 0 iterations means automatic, where each frame
        trains for what FRAME_TIME leaves after drawing (at least MIN_TRAIN_TIME), adapting to the
        machine's speed; a positive number trains exactly that many, and a frame that ends early waits
        out the shortest frame time (slow mode: 1 iteration, 0.5 s)."""
        steps, draw_time = 1, 0.05
        while not stop.is_set():
            fixed, min_frame = pace() if pace is not None else (0, 0.0)
            if fixed:
                steps = fixed
            t0 = time.perf_counter()
            self.step(steps)
            took = max(time.perf_counter() - t0, 1e-6)
            if not fixed:
                budget = max(self.MIN_TRAIN_TIME, self.FRAME_TIME - draw_time)
                steps = int(min(max(1, steps * budget / took), 5 * steps + 1, 2000))
            t1 = time.perf_counter()
            yield steps
            draw_time = 0.7 * draw_time + 0.3 * (time.perf_counter() - t1)
            wait = min_frame - (time.perf_counter() - t0)
            if wait > 0:
                stop.wait(wait)

    # -- state --------------------------------------------------------------------------------
    def samples(self, n: int | None = None) -> np.ndarray:
        """G's outputs for the fixed display noise, (n, 2) with n <= N_SHOW."""
        with self._lock, torch.no_grad():
            z = self.z_show if n is None else self.z_show[: int_in_range("n", n, 1, self.N_SHOW)]
            return self.G(z).numpy()

    def real_samples(self) -> np.ndarray:
        """A fixed batch of real points, (N_SHOW, 2)."""
        return self.x_show.numpy()

    @property
    def family(self) -> LossFamily:
        """The current loss family (gan_lessons.losses.LOSSES[settings.loss])."""
        return self.settings.family

    @contextmanager
    def _reading_d(self) -> Iterator[None]:
        # The readouts look at D without changing it: in eval mode a spectrally normalised layer uses its
        # stored singular vectors instead of advancing its power iteration, so redraws do not change training.
        was_training = self.D.training
        self.D.eval()
        try:
            yield
        finally:
            self.D.train(was_training)

    def d_grid(self, res: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """D on a res x res grid over the view: (xs, ys, values[res, res]) with values[i, j] at (xs[j], ys[i]).

        For a logit family (minimax, non-saturating) the value is D's probability sigmoid(logit)
        in [0, 1]; for a score family (least squares, WGAN-GP, hinge) D's raw score."""
        int_in_range("res", res, 2, 1024)
        e = self.data.extent
        xs = np.linspace(-e, e, res, dtype=np.float32)
        xx, yy = np.meshgrid(xs, xs)
        pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
        with self._lock, self._reading_d(), torch.no_grad():
            out = self.family.d_probability(self.D(pts))
        return xs, xs.copy(), out.numpy().reshape(res, res)

    def _g_loss(self, fake_out: torch.Tensor) -> torch.Tensor:
        # G's loss on D's outputs for fakes, for the readouts; a paired family's real partners are a fixed draw.
        if not self.family.paired:
            return self.family.g_loss(fake_out)
        with torch.no_grad():
            real = self.data.sample(len(fake_out), generator=torch.Generator().manual_seed(0))
            real_out = self.D(real)
        return self.family.g_loss(fake_out, real_out)

    def gradient_field(self, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """(points, directions): the first n display fakes and -d(G's loss)/dx at each, the way G's
        update pushes that point (per sample, not averaged over the batch)."""
        with self._lock, self._reading_d():
            z = self.z_show[: int_in_range("n", n, 1, self.N_SHOW)]
            with torch.no_grad():
                x = self.G(z)
            x.requires_grad_(True)
            loss = self._g_loss(self.D(x)) * len(x)  # per-sample gradients
            (grad,) = torch.autograd.grad(loss, x)
            return x.detach().numpy(), (-grad).numpy()

    def manifold(self, res: int = 21, span: float = 2.5) -> np.ndarray:
        """G applied to a grid of latent points, shape (res, res, 2) (or (1, res*4, 2) for latent_dim 1):
        the sheet of the latent space folded into the data plane. Latent dimensions beyond the first
        two are held at 0."""
        int_in_range("res", res, 2, 256)
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

    def modes_reached(self, min_share: float = 0.2) -> float:
        """Share of the data's modes with fakes near them (on N_EVAL fixed-noise fakes)."""
        return modes_reached(self.eval_fakes(), self.data.modes, self.data.mode_radius, min_share)

    def mode_shares(self) -> np.ndarray:
        """Share of the fixed-noise fakes near each mode."""
        return mode_shares(self.eval_fakes(), self.data.modes, self.data.mode_radius)

    def nearest_mode_shares(self) -> np.ndarray:
        """Share of the fixed-noise fakes whose nearest mode is each mode (sums to 1)."""
        return nearest_mode_shares(self.eval_fakes(), self.data.modes)

    def g_grad_norm(self) -> float:
        """Norm of the gradient of G's loss w.r.t. G's parameters on a fixed batch (no update):
        near 0 means G has stopped learning."""
        with self._lock, self._reading_d():
            self.G.zero_grad(set_to_none=True)
            loss = self._g_loss(self.D(self.G(self.z_eval[:512])))
            grads = torch.autograd.grad(loss, list(self.G.parameters()))
            return float(torch.sqrt(sum((g**2).sum() for g in grads)))

    def divergences(self, bins: int = 20, fakes: np.ndarray | None = None) -> tuple[float, float]:
        """(KL(p_data || p_g), JS) on a bins x bins grid over the view, N_EVAL fixed-noise fakes against
        N_EVAL real points (`grid_divergences`); `fakes`: `eval_fakes()` if already computed."""
        fakes = self.eval_fakes() if fakes is None else fakes
        with self._lock:
            real = self.x_eval.numpy()
        return grid_divergences(real, fakes, float(self.data.extent), bins)

    def record_divergences(self, fakes: np.ndarray | None = None) -> tuple[float, float]:
        """Measure `divergences()` and append them to `divergence_history` at the current iteration (once
        per iteration: a second call at the same iteration replaces the first)."""
        kl, js = self.divergences(fakes=fakes)
        with self._lock:
            h = self.divergence_history
            if h["step"] and h["step"][-1] == self.g_step_count:
                h["kl"][-1], h["js"][-1] = kl, js
            else:
                h["step"].append(self.g_step_count)
                h["kl"].append(kl)
                h["js"].append(js)
        return kl, js

    # -- snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Everything needed to go on exactly where this run is: settings, both networks, both optimisers,
        the step counters, the histories and the noise generator's state (tensors, numbers and strings only,
        so `torch.load(weights_only=True)` reads it)."""
        with self._lock:
            settings = dict(self.settings.__dict__)
            pts = settings.pop("points")
            return {
                "format": SNAPSHOT_FORMAT,
                "settings": settings,
                "points": None if pts is None else torch.as_tensor(np.asarray(pts, dtype=np.float64)),
                "G": {k: v.clone() for k, v in self.G.state_dict().items()},
                "D": {k: v.clone() for k, v in self.D.state_dict().items()},
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "d_step_count": self.d_step_count,
                "g_step_count": self.g_step_count,
                "last_d_loss": self._last_d_loss,
                # the losses are float32 values (loss.item()), so float32 stores them exactly
                "history": {
                    k: torch.tensor(v, dtype=torch.int32 if k == "step" else torch.float32)
                    for k, v in self.history.items()
                },
                "divergence_history": {
                    k: torch.tensor(v, dtype=torch.float64) for k, v in self.divergence_history.items()
                },
                "rng": self._gen.get_state(),
            }

    def save(self, path) -> Path:
        """Write `snapshot()` to `path` (a .pt file), atomically: a crash while writing leaves any older file
        whole. Introduced in 04_toy_gan_playground."""
        from .shipped import write_atomically

        path = Path(path)
        if path.suffix != ".pt":
            raise ValueError(f"A playground snapshot is a .pt file; got {str(path)!r}.")
        snap = self.snapshot()
        return write_atomically(path, lambda fh: torch.save(snap, fh))

    def restore(self, snap: dict) -> None:
        """Go back to a `snapshot()` (this run's or another's): settings, networks, optimisers, step, noise."""
        if not isinstance(snap, dict) or snap.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(
                f"Not a playground snapshot (expected format {SNAPSHOT_FORMAT!r}); save one with ToyGAN.save()."
            )
        with self._lock:
            pts = snap["points"]
            settings = ToySettings(**{**snap["settings"], "points": None if pts is None else pts.tolist()})
            self.settings = settings.validate()
            self._build()
            self.G.load_state_dict(snap["G"])
            self.D.load_state_dict(snap["D"])
            self.opt_g.load_state_dict(snap["opt_g"])
            self.opt_d.load_state_dict(snap["opt_d"])
            self.d_step_count = int(snap["d_step_count"])
            self.g_step_count = int(snap["g_step_count"])
            self._last_d_loss = float(snap["last_d_loss"])
            self.history = {k: v.tolist() for k, v in snap["history"].items()}
            self.history["step"] = [int(i) for i in self.history["step"]]
            self.divergence_history = {k: v.tolist() for k, v in snap["divergence_history"].items()}
            self.divergence_history["step"] = [int(i) for i in self.divergence_history["step"]]
            self._gen.set_state(snap["rng"])

    @classmethod
    def load(cls, path) -> ToyGAN:
        """A ToyGAN from a snapshot file written by `save()` (read with `weights_only=True`)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"No playground snapshot at {path}: save one with ToyGAN.save(path).")
        try:
            snap = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # a damaged or foreign file: one line, not a pickle stack trace
            raise ValueError(
                f"Could not read the playground snapshot {path}: {str(err).splitlines()[0][:120]}"
            ) from None
        gan = cls.__new__(cls)
        gan._lock = threading.RLock()
        gan.restore(snap)
        return gan

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


# ----------------------------------------------------------------------------------------------
# Shipped snapshots (data/, built by tools/make_playground_snapshots.py)
# ----------------------------------------------------------------------------------------------

#: How each shipped snapshot is made: ToyGAN settings, how many iterations to train, and which live settings
#: (`ToyGAN.set`) to change after them, before saving.
SHIPPED_SNAPSHOT_RECIPES: dict[str, dict] = {
    # the defaults (seed 1) until all 8 modes are covered, then G's learning rate raised tenfold, to 1e-2, and
    # saved before the next step: within 25 iterations G piles over 40% of its samples onto one mode.
    "toy_ring_before_collapse.pt": {
        "label": "ring, covered, G's lr just raised to 1e-2: collapse ahead",
        "settings": {"preset": "ring", "loss": "nonsaturating", "seed": 1},
        "iterations": 1500,
        "then": {"lr_g": 1e-2},
    },
    # the defaults: at iteration 1000 G has spread along the inner turns and not yet reached the outer ones
    "toy_spiral_mid.pt": {
        "label": "spiral, mid-training (iteration 1000)",
        "settings": {"preset": "spiral", "loss": "nonsaturating", "seed": 0},
        "iterations": 1000,
    },
}


def load_shipped_snapshot(name: str) -> ToyGAN:
    """A shipped snapshot from data/ (sha256 checked, read with weights_only=True), as a ToyGAN ready to go
    on. Introduced in 04_toy_gan_playground."""
    from .shipped import SHIPPED, read_shipped_weights

    if name not in SHIPPED_SNAPSHOT_RECIPES:
        raise ValueError(f"Unknown snapshot {name!r}: choose one of {', '.join(SHIPPED_SNAPSHOT_RECIPES)}.")
    entry = SHIPPED[name]
    snap, _ = read_shipped_weights(entry.path, entry.what, entry.sha256, entry.fix())
    gan = ToyGAN.__new__(ToyGAN)
    gan._lock = threading.RLock()
    gan.restore(snap)
    return gan


__all__ = [
    "ToyGAN",
    "SHIPPED_SNAPSHOT_RECIPES",
    "load_shipped_snapshot",
]
