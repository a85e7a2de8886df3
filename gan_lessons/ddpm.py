"""A small denoising diffusion model (DDPM) and a flow-matching model on the same network, for 1x28x28 digits,
to compare with a GAN's one-step sampling; and the measurements of that comparison (training cost per step,
sampling time, FID against steps), written once for chapter 12, chapter 13 and benchmarks/gan_vs_diffusion.py.
Introduced in 12_where_gans_stand.

The diffusion model learns to predict the noise added to a digit at a random step t of a fixed schedule
(Ho, Jain and Abbeel, 2020). The flow-matching model (rectified flow: Liu, Gong and Liu, ICLR 2023; flow
matching: Lipman et al., ICLR 2023) learns the velocity along the straight line from a digit to a noise image.
Time runs as in Stable Diffusion 3 (Esser et al. 2024): the digit at t = 0, the noise at t = 1. Lipman et al.
and Liu et al. run it the other way (noise at 0, data at 1), which flips the velocity's sign. Sampling starts
from pure noise and integrates back step by step, so one image costs as many network calls as there are
sampling steps, where a GAN's generator needs one.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset, Subset

from .config import set_seed, single_thread
from .data import MNISTDigits, load_mnist
from .dcgan import Generator, TrainConfig, new_run, train
from .engine import fit
from .feature_net import LeNet, load_feature_net
from .layers import check_images
from .metrics import fid
from .shipped import SHIPPED, float32_weights, read_shipped_weights
from .validate import positive_int


class NoiseSchedule:
    """The linear beta schedule of DDPM: betas, alphas and their running products over `steps` steps."""

    def __init__(self, steps: int = 200, beta_start: float = 1e-4, beta_end: float = 0.02):
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2, such as 200; got {steps!r}.")
        if not 0 < beta_start < beta_end < 1:
            raise ValueError(
                f"need 0 < beta_start < beta_end < 1 (the noise added per step); got {beta_start!r}, {beta_end!r}."
            )
        self.steps = steps
        # the paper's 1e-4..0.02 is for T = 1000 steps; rescale so that fewer steps reach the same end noise
        scale = 1000 / steps
        self.betas = torch.linspace(beta_start * scale, min(beta_end * scale, 0.999), steps)
        self.alphas = 1 - self.betas
        self.alpha_bars = torch.cumprod(self.alphas, 0)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise: a digit after t steps of noising, in one go."""
        abar = self.alpha_bars.to(x0.device)[t].view(-1, 1, 1, 1)
        return abar.sqrt() * x0 + (1 - abar).sqrt() * noise

    def time(self, t: torch.Tensor) -> torch.Tensor:
        """The step index t (0 .. steps - 1) as the Denoiser's time in (0, 1]: (t + 1) / steps, so that the last
        step, pure noise, is at t = 1, where flow matching's noise is."""
        return (t.float() + 1) / self.steps


def _time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of the step t (N,) -> (N, dim), as in transformers' position encodings."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=1)


class _Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, t_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.norm1, self.norm2 = nn.GroupNorm(8, c_out), nn.GroupNorm(8, c_out)
        self.t_proj = nn.Linear(t_dim, c_out)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        h = F.silu(self.norm1(self.conv1(x)))
        h = h + self.t_proj(t_emb)[:, :, None, None]  # the step, as a per-channel shift
        h = F.silu(self.norm2(self.conv2(h)))
        return h + self.skip(x)


#: The Denoiser scales its time t in [0, 1] by this before the sinusoidal features: the range of a 1,000-step
#: schedule, which those features were designed for. Both models reach it the same way (the diffusion model
#: through NoiseSchedule.time, the flow-matching model with its own t), so the "same network" sees the same
#: time inputs in both.
TIME_SCALE = 1000.0


class Denoiser(nn.Module):
    """A small U-Net: noisy digits (N, 1, 28, 28) and their times t (N,) in [0, 1] (0: the clean digit, 1: pure
    noise) -> the network's prediction (N, 1, 28, 28): the noise for diffusion, the velocity for flow matching.

    It works at 14x14 and 7x7 (a stride-2 convolution in, a transposed one out) to stay cheap on a CPU.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        if not isinstance(width, int) or width <= 0 or width % 8:
            raise ValueError(
                f"width must be a positive multiple of 8 (GroupNorm uses 8 groups); got {width!r}."
            )
        w, t_dim = width, 4 * width
        self.t_dim = t_dim
        self.t_mlp = nn.Sequential(nn.Linear(t_dim, t_dim), nn.SiLU(), nn.Linear(t_dim, t_dim))
        self.inp = nn.Conv2d(1, w, 4, stride=2, padding=1)  # (N, w, 14, 14)
        self.down = _Block(w, w, t_dim)  # (N, w, 14, 14)
        self.mid = _Block(w, 2 * w, t_dim)  # (N, 2w, 7, 7) after pooling
        self.up = _Block(3 * w, w, t_dim)  # (N, w, 14, 14): upsampled mid + the skip from `down`
        self.out = nn.ConvTranspose2d(w + 1, 1, 4, stride=2, padding=1)  # (N, 1, 28, 28)
        self.skip_in = nn.Conv2d(1, 1, 2, stride=2)  # the noisy input at 14x14, next to the last features

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        check_images(x, "Denoiser")
        if not isinstance(t, torch.Tensor) or t.shape != (len(x),):
            raise ValueError(
                f"Denoiser: t must be a tensor of one time in [0, 1] per image, shape ({len(x)},); got "
                f"{tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}."
            )
        t_emb = self.t_mlp(_time_embedding(t * TIME_SCALE, self.t_dim))
        h = self.down(self.inp(x), t_emb)  # 14
        m = self.mid(F.avg_pool2d(h, 2), t_emb)  # 7
        u = self.up(torch.cat([F.interpolate(m, scale_factor=2), h], 1), t_emb)  # 14
        return self.out(torch.cat([u, self.skip_in(x)], 1))  # 28


def flow_matching_pair(
    x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_t, target) of rectified flow: the point at time t (N,) on the straight line from the digit (t = 0) to
    the noise (t = 1), and the velocity of that point as t grows, which the network learns (12_where_gans_stand
    derives both)."""
    tt = t.view(-1, 1, 1, 1).to(x0.dtype)
    return (1 - tt) * x0 + tt * noise, noise - x0


def train_flow_matching(
    model: Denoiser,
    data: Dataset,
    num_epochs: int = 10,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Teach `model` (the same U-Net as the denoiser) the velocity of rectified flow at random t ~ U[0, 1]
    (the flow-matching loss, a mean squared error); returns every step's loss."""
    gen = torch.Generator().manual_seed(seed)

    def loss(m: Denoiser, x0: torch.Tensor, _y) -> torch.Tensor:
        t = torch.rand(len(x0), generator=gen).to(x0.device)
        noise = torch.randn(x0.shape, generator=gen).to(x0.device)
        x_t, target = flow_matching_pair(x0, noise, t)
        return F.mse_loss(m(x_t, t), target)

    return fit(model, data, loss, num_epochs, batch_size, lr, seed, progress, desc="flow matching")


@torch.no_grad()
def flow_sample(model: Denoiser, n: int, steps: int = 10, seed: int = 0) -> torch.Tensor:
    """n digits in [-1, 1]: Euler steps of the learned velocity from pure noise (t = 1) back to t = 0, in
    `steps` network calls (evenly spaced t)."""
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, such as 10; got {steps!r}.")
    positive_int("n (how many images)", n)
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    x = torch.randn((n, 1, 28, 28), generator=gen).to(device)
    ts = torch.linspace(1.0, 0.0, steps + 1)
    try:
        for t, t_next in zip(ts[:-1], ts[1:]):
            v = model(x, torch.full((n,), float(t), device=device))
            x = x + (t_next - t) * v  # dt < 0: towards the data
    finally:
        model.train(was_training)
    return x.clamp(-1, 1).cpu()


def ddim_step(
    x: torch.Tensor, eps: torch.Tensor, abar_t: torch.Tensor, abar_next: torch.Tensor
) -> torch.Tensor:
    """One deterministic DDIM step (eta = 0) from step t to an earlier step: estimate the clean digit from the
    predicted noise, then re-noise it to the earlier step's level with the same noise."""
    x0 = ((x - (1 - abar_t).sqrt() * eps) / abar_t.sqrt()).clamp(-1, 1)
    # eps is kept as predicted even where the clamp moved x0 (it is not recomputed from the clamped x0), as in
    # common implementations: the clamp acts only on the few pixels the estimate pushes outside [-1, 1].
    return abar_next.sqrt() * x0 + (1 - abar_next).sqrt() * eps


def train_denoiser(
    model: Denoiser,
    data: Dataset,
    schedule: NoiseSchedule,
    num_epochs: int = 10,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Teach `model` to predict the noise in x_t for random steps t (the DDPM loss); returns every step's loss."""
    gen = torch.Generator().manual_seed(seed)

    def loss(m: Denoiser, x0: torch.Tensor, _y) -> torch.Tensor:
        t = torch.randint(0, schedule.steps, (len(x0),), generator=gen).to(x0.device)
        noise = torch.randn(x0.shape, generator=gen).to(x0.device)
        return F.mse_loss(m(schedule.add_noise(x0, t, noise), schedule.time(t)), noise)

    return fit(model, data, loss, num_epochs, batch_size, lr, seed, progress, desc="denoiser")


@torch.no_grad()
def diffusion_sample(
    model: Denoiser, schedule: NoiseSchedule, n: int, steps: int | None = None, seed: int = 0
) -> torch.Tensor:
    """n digits in [-1, 1] from pure noise, in `steps` network calls (default: every step of the schedule).

    With all steps this is DDPM's ancestral sampler; with fewer, the deterministic DDIM sampler
    (Song, Meng and Ermon, 2021) on evenly spaced steps, the usual way to trade quality for speed.
    """
    T = schedule.steps
    steps = T if steps is None else steps
    if not isinstance(steps, int) or not 1 <= steps <= T:
        raise ValueError(f"steps must be an integer between 1 and the schedule's {T}; got {steps!r}.")
    positive_int("n (how many images)", n)
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    abar = schedule.alpha_bars
    x = torch.randn((n, 1, 28, 28), generator=gen).to(device)
    try:
        if steps == T:  # ancestral DDPM
            for t in reversed(range(T)):
                eps = model(x, schedule.time(torch.full((n,), t, device=device)))
                beta, alpha = schedule.betas[t], schedule.alphas[t]
                mean = (x - beta / (1 - abar[t]).sqrt() * eps) / alpha.sqrt()
                if t > 0:
                    var = beta * (1 - abar[t - 1]) / (1 - abar[t])
                    mean = mean + var.sqrt() * torch.randn(x.shape, generator=gen).to(device)
                x = mean
        else:  # DDIM, eta = 0
            ts = torch.linspace(T - 1, 0, steps).round().long().tolist()
            for i, t in enumerate(ts):
                eps = model(x, schedule.time(torch.full((n,), t, device=device)))
                a_next = abar[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
                x = ddim_step(x, eps, abar[t], a_next)
    finally:
        model.train(was_training)
    return x.clamp(-1, 1).cpu()


# ----------------------------------------------------------------------------------------------
# The two shipped denoisers (data/denoiser_ddpm_mnist.pt, data/denoiser_flow_mnist.pt; tools/make_denoisers.py)
# ----------------------------------------------------------------------------------------------
DENOISER_FORMAT = "gan_lessons.denoiser/2"  # 2: the time input in [0, 1] (TIME_SCALE)
DENOISER_KINDS = ("ddpm", "flow")
#: The recipe of both shipped models: the same U-Net (260,502 parameters at width 40, the DCGAN's G and D have
#: 270,754 together, G alone 234,177), the DCGAN's batch of 64 and Adam at 2e-3, seed 0, one CPU thread, the
#: 4,000 training digits. 10 epochs (630 steps) cost about as much CPU time as the DCGAN's 30 epochs (1,860 steps)
#: on the same thread: `benchmarks/gan_vs_diffusion.py --train` trains all three and measures it.
DENOISER_RECIPE = {"width": 40, "steps": 100, "num_epochs": 10, "batch_size": 64, "lr": 2e-3, "seed": 0}


def denoiser_file(kind: str) -> str:
    """The data/ file name of a shipped denoiser: kind "ddpm" (noise prediction) or "flow" (rectified flow)."""
    if kind not in DENOISER_KINDS:
        raise ValueError(f"kind must be one of {', '.join(DENOISER_KINDS)}; got {kind!r}.")
    return f"denoiser_{kind}_mnist.pt"


def train_recipe_denoiser(kind: str, data: Dataset, progress: bool = False) -> tuple[Denoiser, list[float]]:
    """Train a denoiser of `kind` with DENOISER_RECIPE on one thread (what tools/make_denoisers.py ships and
    benchmarks/gan_vs_diffusion.py times); returns (model in eval mode, every step's loss)."""
    r = DENOISER_RECIPE
    denoiser_file(kind)  # validates kind
    with single_thread():
        set_seed(r["seed"])
        model = Denoiser(width=r["width"])
        common = dict(num_epochs=r["num_epochs"], batch_size=r["batch_size"], lr=r["lr"], seed=r["seed"])
        if kind == "ddpm":
            losses = train_denoiser(model, data, NoiseSchedule(r["steps"]), progress=progress, **common)
        else:
            losses = train_flow_matching(model, data, progress=progress, **common)
    return model.eval(), losses


def denoiser_bytes(model: Denoiser, kind: str) -> bytes:
    """The shipped file's bytes: the state dict in float16 (half the size), with the settings that rebuild it."""
    half = {
        k: v.detach().to(torch.float16).contiguous() if v.is_floating_point() else v.detach().clone()
        for k, v in model.state_dict().items()
    }
    state = {
        "format": DENOISER_FORMAT,
        "kind": kind,
        "width": int(model.inp.out_channels),
        "steps": DENOISER_RECIPE["steps"],
        "recipe": f"tools/make_denoisers.py: train_recipe_denoiser({kind!r}) with {DENOISER_RECIPE}",
        "state_dict": half,
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def load_denoiser(kind: str, path: str | Path | None = None, check_sha256: bool = True) -> Denoiser:
    """A shipped denoiser ("ddpm" or "flow"), in eval mode, after checking its sha256 (`check_sha256=False`
    for a file you rebuilt yourself). For "ddpm", sample with `diffusion_sample(model, NoiseSchedule(100), n)`;
    for "flow", with `flow_sample(model, n, steps)`. Introduced in 12_where_gans_stand."""
    shipped = SHIPPED[denoiser_file(kind)]
    path = Path(path) if path is not None else shipped.path
    fix = shipped.fix(path.name)
    state, _ = read_shipped_weights(path, shipped.what, shipped.sha256 if check_sha256 else None, fix)
    if not isinstance(state, dict) or state.get("format") != DENOISER_FORMAT or state.get("kind") != kind:
        raise ValueError(
            f"{path} is not a shipped {kind!r} denoiser file (no '{DENOISER_FORMAT}' marker). {fix}"
        )
    model = Denoiser(width=int(state["width"]))
    model.load_state_dict(float32_weights(state["state_dict"]))
    return model.eval()


# ----------------------------------------------------------------------------------------------
# The comparison of 12_where_gans_stand (also 13_faq's 1.13 and benchmarks/gan_vs_diffusion.py), written once
# ----------------------------------------------------------------------------------------------
#: Training steps of the three recipes compared: the shipped DCGAN (tools/make_pretrained_generator.py: 30 epochs
#: of 62 full batches of 64) and the two shipped denoisers (DENOISER_RECIPE: 10 epochs of 63 batches).
RECIPE_STEPS = {"GAN": 1860, "diffusion": 630, "flow matching": 630}


class Comparison(NamedTuple):
    """What the comparison's three models trained on and are scored against."""

    data: MNISTDigits  # the shipped subset's 4,000 training digits, which all three models trained on
    test: MNISTDigits  # its 1,000 held-out test digits, which FID scores against
    net: LeNet  # the course's FID feature network (06_evaluating)


def load_comparison(verbose: bool = True) -> Comparison:
    """The digits and the feature network of the GAN / diffusion / flow-matching comparison: always the shipped
    subset (source="subset"), so that full MNIST being present changes nothing. Introduced in 12_where_gans_stand."""
    return Comparison(
        load_mnist("train", source="subset", verbose=verbose),
        load_mnist("test", source="subset", verbose=verbose),
        load_feature_net(),
    )


def training_step_seconds(data: Dataset, n_steps: int = 20, repeats: int = 3) -> dict[str, float]:
    """CPU seconds of one training step of each recipe of RECIPE_STEPS, on one thread, batch 64, on data's first
    digits. Each round runs n_steps + 1 steps of each model in turn (interleaved, so that a change of load between
    rounds disturbs the three alike) and times every step but the first (which pays the warm-up). Each round gives
    its mean step (the default GAN recipe pays its R1/R2 penalties on every 4th D step only, so a median step would
    leave them out), and the median of the rounds is returned. Process CPU time, so that time spent waiting for a
    busy CPU does not count.
    Introduced in 12_where_gans_stand."""
    positive_int("n_steps", n_steps)
    positive_int("repeats", repeats)
    r = DENOISER_RECIPE
    small = Subset(data, list(range(r["batch_size"] * (n_steps + 1))))
    steps: dict[str, list[float]] = {name: [] for name in RECIPE_STEPS}  # one mean step per round
    with single_thread():
        for _ in range(repeats):
            for name in RECIPE_STEPS:
                marks = []

                def mark(*_, marks: list = marks) -> None:
                    marks.append(time.process_time())

                if name == "GAN":  # after each step: the first interval is the second step
                    train(new_run(TrainConfig(seed=0, device="cpu")), small, 1, progress=False, on_step=mark)
                    steps[name].append(float(np.mean(np.diff(marks))))
                    continue
                model = Denoiser(r["width"])
                model.register_forward_pre_hook(mark)  # one forward call per training step, at its start
                common = dict(num_epochs=1, batch_size=r["batch_size"], lr=r["lr"], progress=False)
                if name == "diffusion":
                    train_denoiser(model, small, NoiseSchedule(r["steps"]), **common)
                else:
                    train_flow_matching(model, small, **common)
                steps[name].append(float(np.mean(np.diff(marks)[1:])))  # the first interval is the first step
    return {name: float(np.median(s)) for name, s in steps.items()}


def comparison_samplers(
    G: Generator,
    ddpm: Denoiser,
    flow: Denoiser,
    schedule: NoiseSchedule,
    steps: tuple[int, ...] = (1, 2, 5, 10, 20),
    ancestral: bool = True,
) -> dict[tuple[str, int], Callable[..., torch.Tensor]]:
    """The samplers of the comparison, keyed (name, network calls per image), each `sample(n, seed=0)` -> n digits
    in [-1, 1]: the GAN (one call of G), DDIM and flow matching's Euler at each of `steps`, and (`ancestral`)
    DDPM's ancestral sampler with every step of `schedule`. Introduced in 12_where_gans_stand."""

    @torch.no_grad()
    def gan(n: int, seed: int = 0) -> torch.Tensor:
        return G(torch.randn(n, G.latent_dim, generator=torch.Generator().manual_seed(seed)))

    samplers: dict[tuple[str, int], Callable[..., torch.Tensor]] = {("GAN", 1): gan}
    for s in steps:
        samplers[("diffusion, DDIM", s)] = lambda n, seed=0, s=s: diffusion_sample(ddpm, schedule, n, s, seed)
    if ancestral:
        samplers[("diffusion, DDPM", schedule.steps)] = lambda n, seed=0: diffusion_sample(
            ddpm, schedule, n, None, seed
        )
    for s in steps:
        samplers[("flow matching, Euler", s)] = lambda n, seed=0, s=s: flow_sample(flow, n, s, seed)
    return samplers


def ms_per_image(sample: Callable[..., torch.Tensor], n: int = 100, repeats: int = 3) -> float:
    """CPU milliseconds per image of `sample(n)` on one thread, without gradients: the fastest of `repeats` draws
    of n images in one batch. Process CPU time, and the fastest draw, because other work on a shared machine only
    ever adds time. Introduced in 12_where_gans_stand."""
    positive_int("n (how many images)", n)
    positive_int("repeats", repeats)
    best = float("inf")
    with torch.no_grad(), single_thread():
        for _ in range(repeats):
            start = time.process_time()
            sample(n)
            best = min(best, time.process_time() - start)
    return 1000 * best / n


def sampling_grid(
    samplers: dict[tuple[str, int], Callable[..., torch.Tensor]],
    real: torch.Tensor,
    net: LeNet,
    n_fid: int,
    seeds: tuple[int, ...] = (0,),
) -> dict[tuple[str, int], dict]:
    """For each sampler: FID (LeNet) of n_fid of its images against `real` for each sampling seed (`fids`) and
    their mean (`fid`); and its CPU milliseconds per image (`ms`), the fastest batch of 100 of those draws (one
    thread), and per network call (`ms_per_call`). Introduced in 12_where_gans_stand."""
    positive_int("n_fid", n_fid)
    grid = {}
    for key, sample in samplers.items():
        fids, best = [], float("inf")
        for seed in seeds:
            batches = []
            with torch.no_grad(), single_thread():
                for i in range(0, n_fid, 100):
                    start = time.process_time()
                    batches.append(sample(min(100, n_fid - i), seed * 100_000 + i))
                    if len(batches[-1]) == 100:
                        best = min(best, time.process_time() - start)
            fids.append(fid(real, torch.cat(batches), net))
        ms = 10 * best if best < float("inf") else ms_per_image(sample, 100, 1)
        grid[key] = {"ms": ms, "ms_per_call": ms / key[1], "fids": fids, "fid": float(np.mean(fids))}
    return grid


__all__ = [
    "DENOISER_RECIPE",
    "load_denoiser",
    "train_recipe_denoiser",
    "denoiser_bytes",
    "NoiseSchedule",
    "Denoiser",
    "train_denoiser",
    "diffusion_sample",
    "ddim_step",
    "TIME_SCALE",
    "flow_matching_pair",
    "train_flow_matching",
    "flow_sample",
    "RECIPE_STEPS",
    "Comparison",
    "load_comparison",
    "training_step_seconds",
    "comparison_samplers",
    "ms_per_image",
    "sampling_grid",
]
