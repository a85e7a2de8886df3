"""The remedies of 09_stabilizing compared under one wall-clock budget and the same seeds: FID (LeNet
features), precision, recall, class coverage, wall time, peak memory on MNIST, and the share of the 2-D ring's
modes reached for the same setting. Peak memory: on CUDA, torch's peak allocation; on a CPU, the growth of the
process's resident memory during the row's training (memory the allocator already holds is not counted again). Introduced in 09_stabilizing; `benchmarks/stabilizing_table.py` runs it
from the command line."""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings
from dataclasses import asdict

import numpy as np
import torch

from .config import set_seed
from .dcgan import TrainConfig, new_run, train
from .feature_net import load_feature_net
from .metrics import SmallSampleWarning, evaluate
from .toy2d import ToyGAN

# name -> TrainConfig options. Where a remedy has a 2-D counterpart, the ring column uses the same options.
REMEDIES: dict[str, dict] = {
    "minimax (baseline)": dict(loss="minimax"),
    "non-saturating": dict(loss="nonsaturating"),
    # Arjovsky et al. 2017, algorithm 1: RMSProp, lr 5e-5, clipping at 0.01, 5 critic steps per G step.
    "WGAN (clip 0.01, RMSProp 5e-5, n_critic 5)": dict(loss="wgan", optimizer="rmsprop", lr=5e-5, n_critic=5),
    # Gulrajani et al. 2017, algorithm 1: lambda 10, Adam(1e-4, 0, 0.9), 5 critic steps; layer norm, no BatchNorm.
    "WGAN-GP (layer norm, n_critic 5)": dict(loss="wgan_gp", beta1=0.0, beta2=0.9, lr=1e-4, n_critic=5),
    "n_critic 5 (non-saturating)": dict(n_critic=5),
    "spectral norm": dict(spectral_norm=True),
    "hinge + spectral norm": dict(loss="hinge", spectral_norm=True),
    "TTUR-style lr (lr_D = 4 lr_G)": dict(lr=5e-4, lr_d=2e-3),
    "one-sided label smoothing": dict(loss="nonsaturating_smooth"),
    "minibatch std-dev": dict(minibatch_std=True),
    "R1 penalty (gamma 1)": dict(r1=1.0),
    "DiffAugment": dict(augment="translation,cutout"),
    "EMA of G (0.99)": dict(ema=0.99),
}
#: The settings shared by every row (small networks, so that a row fits a CPU budget).
BASE = dict(latent_dim=32, width=16, batch_size=64, ema=0.0, device="cpu")
_IMAGE_ONLY = ("augment", "minibatch_std", "ema")  # no 2-D counterpart: the ring column says n/a


def _has_ring(options: dict) -> bool:
    # The toy GAN has no EMA, augmentation, std-dev channel or RMSProp: those rows' ring column is n/a.
    return not any(options.get(k) for k in _IMAGE_ONLY) and options.get("optimizer", "adam") == "adam"


def _rss_bytes() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    except OSError:  # not Linux
        return math.nan


def _optimizer_steps(opt: torch.optim.Optimizer) -> int:
    # How many times `opt` stepped, from its own state (Adam and RMSProp count their steps per parameter).
    states = [st for st in opt.state.values() if "step" in st]
    return int(states[0]["step"]) if states else 0


def ring_modes_reached(options: dict, steps: int, seed: int = 0) -> float:
    """Share of the 2-D ring's modes reached after `steps` iterations of the toy GAN of chapter 04 (`ToyGAN`,
    the same `update_D`/`update_G` as the images) with the same loss, Adam betas and D options (spectral norm,
    R1, clipping) and critic steps as `options`, at half their learning rates; NaN for image-only remedies
    (EMA, augmentation, std-dev channel) and RMSProp, which the toy does not offer. A gradient
    penalty takes the toy's weight (0.1 on 2-D data, as in the WGAN-GP authors' toy script) unless
    `options` sets gp_weight."""
    if not _has_ring(options):
        return math.nan
    config = TrainConfig(**{**asdict(TrainConfig()), **BASE, **options})
    gan = ToyGAN(
        preset="ring",
        loss=config.loss,
        lr_g=config.lr / 2,
        lr_d=(config.lr_d or config.lr) / 2,
        seed=seed,
        d_steps=config.n_critic,
        gp_weight=config.gp_weight,
        beta1=config.beta1,
        beta2=config.beta2,
        r1=config.r1,
        spectral_norm=config.spectral_norm,
        clip=config.clip,
    )
    gan.step(steps)
    return gan.modes_reached()


def compare_remedies(
    data,
    real,
    remedies: dict[str, dict] | None = None,
    seconds: float = 30.0,
    seed: int = 0,
    n_eval: int = 1000,
    ring_steps: int = 1000,
) -> list[dict]:
    """Train every remedy on `data` for the same wall-clock budget (`seconds`) from the same seed, then
    measure `n_eval` samples against `real`, digits held out from training (e.g. `load_mnist("test")`).
    Returns one row (a dict) per remedy. Introduced in 09_stabilizing."""
    if not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"seconds (the training budget per row) must be > 0; got {seconds!r}.")
    remedies = REMEDIES if remedies is None else remedies
    net = load_feature_net()
    rows = []
    for name, options in remedies.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            run = new_run(TrainConfig(**{**asdict(TrainConfig()), **BASE, **options, "seed": seed}))
        rss0, peak = _rss_bytes(), [0.0]
        if run.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(run.device)

        def on_step(r, peak=peak, rss0=rss0):
            peak[0] = max(peak[0], _rss_bytes() - rss0)

        t0 = time.perf_counter()
        with contextlib.redirect_stdout(
            io.StringIO()
        ):  # train's "stopped after the budget" line, once per row
            train(run, data, 10**6, max_seconds=seconds, progress=False, on_step=on_step)
        wall = time.perf_counter() - t0
        if run.device.type == "cuda":
            peak[0] = torch.cuda.max_memory_allocated(run.device)
        set_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", SmallSampleWarning
            )  # quick mode's small n_eval, said in the table
            report = evaluate(run.sample(n_eval), real, net=net)
        rows.append(
            dict(
                remedy=name,
                steps=run.step,
                g_steps=_optimizer_steps(run.opt_g),
                fid=report.fid,
                precision=report.precision,
                recall=report.recall,
                classes=report.num_covered,
                wall_s=wall,
                peak_mb=peak[0] / 2**20,
                ring=ring_modes_reached(options, ring_steps, seed),
            )
        )
    return rows


def format_table(rows: list[dict]) -> str:
    """The rows of `compare_remedies` as a Markdown table."""
    head = "| remedy | D steps | G steps | FID (LeNet) | precision | recall | classes | wall s | RSS growth MB | ring modes reached |"
    out = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ring = "n/a (not in the toy)" if np.isnan(r["ring"]) else f"{r['ring']:.0%}"
        out.append(
            f"| {r['remedy']} | {r['steps']} | {r['g_steps']} | {r['fid']:.1f} | {r['precision']:.2f} | {r['recall']:.2f} | "
            f"{r['classes']}/10 | {r['wall_s']:.1f} | {r['peak_mb']:.0f} | {ring} |"
        )
    return "\n".join(out)


__all__ = [
    "REMEDIES",
    "BASE",
    "ring_modes_reached",
    "compare_remedies",
    "format_table",
]
