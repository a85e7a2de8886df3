"""The remedies of 09_stabilizing compared at one budget of G steps and the same seeds: FID (LeNet features),
precision, recall, class coverage on MNIST, and the share of the 2-D ring's modes reached for the same setting;
wall time and memory as information (peak memory: on CUDA, torch's peak allocation; on a CPU, the growth of the
process's resident memory during the row's training). A fixed step budget on one CPU thread makes every number
but the last two reproducible bit for bit: tools/make_stabilizing_table.py ships the 3-seed table in data/.
Introduced in 09_stabilizing; `benchmarks/stabilizing_table.py` runs it from the command line."""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from .config import PLAIN_RECIPE, REPO_ROOT, set_seed, single_thread
from .dcgan import TrainConfig, gan_step, new_run
from .engine import Loop, epoch_loader
from .feature_net import load_feature_net
from .metrics import SmallSampleWarning, evaluate
from .shipped import SHIPPED, STABILIZING_TABLE_FILE
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
    # Huang et al. 2024 (R3GAN), "The GAN is dead; long live the GAN!": the relativistic pairing loss
    # (Jolicoeur-Martineau 2019) with both zero-centred penalties, R1 on reals and R2 on fakes, Adam beta1 = 0.
    "RpGAN + R1 + R2 (R3GAN's loss)": dict(loss="rpgan", r1=1.0, r2=1.0, beta1=0.0),
}
#: The settings shared by every row (small networks, so that a row fits a CPU budget).
BASE = dict(latent_dim=32, width=16, batch_size=64, ema=0.0, device="cpu")
_IMAGE_ONLY = ("augment", "minibatch_std", "ema")  # no 2-D counterpart: the ring column says n/a


def _row_config(options: dict, **extra) -> TrainConfig:
    # One row's settings: TrainConfig's defaults, then the plain recipe, the shared small networks, the remedy.
    return TrainConfig(**{**asdict(TrainConfig()), **PLAIN_RECIPE, **BASE, **options, **extra})


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
    config = _row_config(options)
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
        r2=config.r2,
        spectral_norm=config.spectral_norm,
        clip=config.clip,
    )
    gan.step(steps)
    return gan.modes_reached()


def train_for_g_steps(run, data, g_steps: int, on_step=None) -> None:
    """Train `run` on `data` until G's optimizer has stepped `g_steps` times (`g_steps * n_critic` D steps), on
    the engine's `Loop` with the course's `gan_step`: a fixed step budget, not a wall-clock one, so that the
    same seed on one CPU thread gives the same bits every time."""
    config = run.config
    loop = Loop(
        run,
        lambda epoch: epoch_loader(data, config.batch_size, config.seed, epoch),
        len(data) // config.batch_size,
        run.history,
        max_steps=g_steps * config.n_critic,
        callbacks=[on_step] if on_step is not None else [],
        progress=False,
    )
    loop.run(lambda batch: gan_step(run, run.G, run.D, batch))


def compare_remedies(
    data,
    real,
    remedies: dict[str, dict] | None = None,
    g_steps: int = 300,
    seed: int = 0,
    n_eval: int = 1000,
    ring_steps: int = 1000,
) -> list[dict]:
    """Train every remedy on `data` for the same number of G steps (`g_steps`; a row with n_critic = k takes
    k times as many D steps) from the same seed, on one CPU thread, then measure `n_eval` samples against
    `real`, digits held out from training (e.g. `load_mnist("test")`). Returns one row (a dict) per remedy:
    on a CPU the same arguments give the same numbers, bit for bit, except the wall time and memory columns.
    Introduced in 09_stabilizing."""
    if isinstance(g_steps, bool) or not isinstance(g_steps, (int, np.integer)) or g_steps < 1:
        raise ValueError(
            f"g_steps (the training budget per row, in G steps) must be an integer >= 1; got {g_steps!r}."
        )
    remedies = REMEDIES if remedies is None else remedies
    net = load_feature_net()
    rows = []
    for name, options in remedies.items():
        with single_thread():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                run = new_run(_row_config(options, seed=seed))
            rss0, peak = _rss_bytes(), [0.0]
            if run.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(run.device)

            def on_step(r, peak=peak, rss0=rss0):
                peak[0] = max(peak[0], _rss_bytes() - rss0)

            t0 = time.perf_counter()
            train_for_g_steps(run, data, int(g_steps), on_step=on_step)
            wall = time.perf_counter() - t0
            if run.device.type == "cuda":
                peak[0] = torch.cuda.max_memory_allocated(run.device)
            set_seed(seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SmallSampleWarning)  # a small n_eval is said in the table
                report = evaluate(run.sample(n_eval), real, net=net)
            ring = ring_modes_reached(options, ring_steps, seed)
        rows.append(
            dict(
                remedy=name,
                steps=run.step,
                g_steps=_optimizer_steps(run.opt_g),
                fid=float(report.fid),
                precision=float(report.precision),
                recall=float(report.recall),
                classes=int(report.num_covered),
                wall_s=wall,
                peak_mb=peak[0] / 2**20,
                ring=float(ring),
            )
        )
    return rows


STABILIZING_TABLE_FORMAT = "gan_lessons.stabilizing_table/1"


def stabilizing_table_path():
    """Where the shipped 3-seed table lives: data/stabilizing_table.json."""
    return SHIPPED[STABILIZING_TABLE_FILE].path


def load_stabilizing_table() -> dict:
    """The shipped 3-seed remedies table (built by tools/make_stabilizing_table.py), after checking its sha256:
    a dict with `recipe` (step budget, sample size, ...), `remedies` (name -> options) and `rows`
    (seed as a string -> one dict per remedy, as `compare_remedies` returns them, without wall time and memory).
    Introduced in 09_stabilizing."""
    entry = SHIPPED[STABILIZING_TABLE_FILE]
    path = entry.path
    if not path.is_file():
        raise FileNotFoundError(f"The {entry.what} file {path} is missing. {entry.fix()}")
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != entry.sha256:
        raise ValueError(
            f"The {entry.what} file {path} is corrupt or was changed: its sha256 is {digest[:12]}..., "
            f"expected {entry.sha256[:12]}... (see data/README.md). {entry.fix()}"
        )
    table = json.loads(blob)
    if table.get("format") != STABILIZING_TABLE_FORMAT:
        raise ValueError(
            f"The {entry.what} file {path} is not a {STABILIZING_TABLE_FORMAT} file. {entry.fix()}"
        )
    return table


def rows_by_remedy(table: dict) -> dict[str, dict[str, np.ndarray]]:
    """The shipped table's numbers per remedy, over its seeds: {remedy: {column: array with one value per seed}}."""
    seeds = sorted(table["rows"], key=int)
    out: dict[str, dict[str, np.ndarray]] = {}
    for i, first in enumerate(table["rows"][seeds[0]]):
        out[first["remedy"]] = {
            k: np.array([table["rows"][s][i][k] for s in seeds], dtype=float) for k in first if k != "remedy"
        }
    return out


def format_seed_summary(table: dict) -> str:
    """The shipped table (or any {"rows": {seed: rows}}) as one Markdown row per remedy: steps, FID mean and
    range over the seeds, precision and recall means, classes covered (range) and the ring's share."""
    head = (
        "| remedy | D steps | G steps | FID mean | FID min-max | precision | recall | classes | ring modes |"
    )
    out = [head, "|---|---|---|---|---|---|---|---|---|"]
    for name, col in rows_by_remedy(table).items():
        ring = "n/a (not in the toy)" if np.isnan(col["ring"]).all() else f"{np.nanmean(col['ring']):.0%}"
        out.append(
            f"| {name} | {col['steps'][0]:.0f} | {col['g_steps'][0]:.0f} | {col['fid'].mean():.0f} | "
            f"{col['fid'].min():.0f}-{col['fid'].max():.0f} | {col['precision'].mean():.2f} | "
            f"{col['recall'].mean():.2f} | {col['classes'].min():.0f}-{col['classes'].max():.0f}/10 | {ring} |"
        )
    return "\n".join(out)


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


# ----------------------------------------------------------------------------------------------
# Pairing on the trained toy (09_stabilizing, "Why pair each real logit with a fake one?")
# ----------------------------------------------------------------------------------------------
RING_PAIRING_RESULTS = REPO_ROOT / "benchmarks" / "results" / "ring_pairing.json"
PAIRING_SETTINGS = {"toy defaults": {}, "narrow nets (width 16)": {"hidden": 16}}


def pairing_modes_reached(loss: str, seed: int, steps: int, **settings) -> float:
    """Share of the 2-D ring's modes the toy GAN of chapter 04 reaches after `steps` iterations with `loss`
    (the toy's defaults, changed by `settings`), on one CPU thread. Introduced in 09_stabilizing."""
    with single_thread():
        gan = ToyGAN(preset="ring", loss=loss, seed=seed, **settings)
        gan.step(steps)
        return gan.modes_reached()


def load_ring_pairing(path=None) -> dict:
    """The committed table of benchmarks/ring_pairing.py: modes reached per setting, loss and seed.
    Introduced in 09_stabilizing."""
    where = RING_PAIRING_RESULTS if path is None else Path(path)
    if not where.is_file():
        raise FileNotFoundError(
            f"{where} is missing: restore it with `git checkout -- benchmarks/results/{where.name}` or rerun "
            "`python benchmarks/ring_pairing.py --write`."
        )
    table = json.loads(where.read_text())
    if not {"steps", "seeds", "modes_reached"} <= set(table):
        raise ValueError(
            f"{where} is not a ring-pairing table; rerun `python benchmarks/ring_pairing.py --write`."
        )
    return table


__all__ = [
    "REMEDIES",
    "BASE",
    "ring_modes_reached",
    "train_for_g_steps",
    "compare_remedies",
    "format_table",
    "STABILIZING_TABLE_FORMAT",
    "stabilizing_table_path",
    "load_stabilizing_table",
    "rows_by_remedy",
    "format_seed_summary",
    "PAIRING_SETTINGS",
    "pairing_modes_reached",
    "load_ring_pairing",
]
