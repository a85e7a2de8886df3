"""Checkpoints of a GAN run: write, read, rebuild. Introduced in 05_dcgan_mnist.

A checkpoint holds the whole run (both networks, both optimizers, the moving average of G, the
history, the position in the data and the noise generator's state), so `load_checkpoint` then
`train` resumes exactly. Files are written atomically (a temporary file, then `os.replace`) and
read with `torch.load(weights_only=True)`, which cannot run code hidden in a file.

The course also ships one trained generator, data/dcgan_mnist_g.pt (made by
tools/make_pretrained_generator.py): `load_pretrained_generator` checks its sha256 and rebuilds it, so
that chapter 02 can show a GAN's samples before chapter 03 has explained the loss it was trained with.

Imports go one way: this module imports `run` (for `new_run` and `TrainConfig`), and `train`
imports this module to write checkpoints during training.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import BinaryIO

import torch

from .config import DATA_DIR
from .data import float32_weights, read_shipped_weights
from .models import Generator
from .run import GANRun, TrainConfig, new_run

CHECKPOINT_FORMAT = "gan_lessons.checkpoint/1"
PRETRAINED_G_FILE = "dcgan_mnist_g.pt"
PRETRAINED_G_FORMAT = "gan_lessons.pretrained_generator/1"
# tools/make_pretrained_generator.py prints it; data/README.md records it.
PRETRAINED_G_SHA256 = "68ec1820b1850aa7447fddbf7429d566c972f746f8b95692467338b626a6290c"
_FIX_PRETRAINED = (
    "Restore it with `git checkout -- data/{name}` (it ships with the course), "
    "or rebuild it with `python tools/make_pretrained_generator.py` (3 to 4 minutes on a CPU)."
)
_RENAMED = {"g_loss": "loss"}  # config keys of older checkpoints -> today's TrainConfig field


def write_atomically(path: str | Path, write: Callable[[BinaryIO], object], mode: int | None = None) -> Path:
    """Call `write(fh)` on a temporary file beside `path`, then rename it over `path`: a crash or Ctrl-C
    while writing leaves the previous file whole and no temporary file. `mode` sets the permissions (the
    temporary file's own are 0600). Used for checkpoints and by the tools that rebuild data/'s weights."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def finish_weights_file(
    blob: bytes, path: Path, check: bool, expected_sha256: str, constant: str, module: str
) -> int:
    """The last step of the tools that rebuild data/'s weights (tools/train_feature_net.py,
    tools/make_pretrained_generator.py). With `check`, compare `blob` with the file at `path`: exit status 0
    when identical. Otherwise write it atomically, readable by all (not private to whoever rebuilt it), and
    say to update `constant` in `module` when its sha256 is not `expected_sha256`."""
    if check:
        same = path.is_file() and path.read_bytes() == blob
        print("identical to the shipped file" if same else f"DIFFERS from {path}")
        return 0 if same else 1
    write_atomically(path, lambda fh: fh.write(blob), mode=0o644)
    print(f"wrote {path}")
    digest = hashlib.sha256(blob).hexdigest()
    if digest != expected_sha256:
        print(f'Now set {constant} = "{digest}" in {module} and update data/README.md.')
    return 0


def save_checkpoint(run: GANRun, path: str | Path) -> Path:
    """Write the whole run to `path` atomically (a temporary file, then os.replace)."""
    path = Path(path)
    state = {
        "format": CHECKPOINT_FORMAT,
        "config": asdict(run.config),
        "G": run.G.state_dict(),
        "D": run.D.state_dict(),
        "G_ema": run.G_ema.state_dict() if run.G_ema is not None else None,
        "opt_g": run.opt_g.state_dict(),
        "opt_d": run.opt_d.state_dict(),
        "history": run.history,
        "epoch": run.epoch,
        "batch_in_epoch": run.batch_in_epoch,
        "step": run.step,
        "elapsed": run.elapsed,
        "fixed_noise": run.fixed_noise.cpu(),
        "noise_gen_state": run.noise_gen.get_state(),
    }
    write_atomically(path, lambda fh: torch.save(state, fh))
    return path


def read_checkpoint(path: str | Path) -> dict:
    """Load a checkpoint dict safely (weights_only=True), with clear errors for missing or damaged files."""
    path = Path(path)
    fix = "Train again (python -m gan_lessons train ...) or pick another checkpoint."
    if not path.is_file():
        raise FileNotFoundError(f"Checkpoint {path} does not exist. {fix}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise ValueError(
            f"Checkpoint {path} is truncated, corrupt or not a gan_lessons checkpoint ({reason}). {fix}"
        ) from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a gan_lessons checkpoint (no '{CHECKPOINT_FORMAT}' marker). {fix}")
    return state


def _config_of(state: dict) -> TrainConfig:
    # Older checkpoints name some settings differently (g_loss before the loss registry); unknown keys are dropped.
    saved = {_RENAMED.get(k, k): v for k, v in state["config"].items()}
    names = {f.name for f in fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in saved.items() if k in names})


def load_checkpoint(path: str | Path, device: str | None = None, latent_dim: int | None = None) -> GANRun:
    """Rebuild a run from a checkpoint, ready to sample from or to resume with `train`.

    If `latent_dim` is given, it must match the checkpoint's (a ValueError says both otherwise).
    """
    state = read_checkpoint(path)
    config = _config_of(state)
    if latent_dim is not None and latent_dim != config.latent_dim:
        raise ValueError(
            f"Checkpoint {path} holds a model with latent_dim={config.latent_dim}, "
            f"but latent_dim={latent_dim} was asked for. Use latent_dim={config.latent_dim} or another checkpoint."
        )
    if device is not None:
        config.device = device
    run = new_run(config)
    try:
        run.G.load_state_dict(state["G"])
        run.D.load_state_dict(state["D"])
        run.opt_g.load_state_dict(state["opt_g"])
        run.opt_d.load_state_dict(state["opt_d"])
        if run.G_ema is not None:
            run.G_ema.load_state_dict(state["G_ema"])
    except (RuntimeError, KeyError, ValueError, AttributeError, TypeError) as exc:
        raise ValueError(
            f"Checkpoint {path} does not match its own configuration ({str(exc)[:200]})."
        ) from None
    run.history = state["history"]
    run.epoch, run.batch_in_epoch, run.step = state["epoch"], state["batch_in_epoch"], state["step"]
    run.elapsed = state["elapsed"]
    run.fixed_noise = state["fixed_noise"]
    run.noise_gen.set_state(state["noise_gen_state"])
    return run


def load_generator(path: str | Path, G: Generator | None = None, device: str | None = None) -> Generator:
    """The generator to sample from (the moving average if the run kept one), in eval mode; into `G` if given
    (its latent_dim must match)."""
    if G is None:
        return load_checkpoint(path, device=device).G_sample.eval()
    state = read_checkpoint(path)
    trained = state["config"]["latent_dim"]
    if G.latent_dim != trained:
        raise ValueError(
            f"Checkpoint {path} was trained with latent_dim={trained}, but this generator has "
            f"latent_dim={G.latent_dim}. Build it with Generator(latent_dim={trained}, width={state['config']['width']})."
        )
    try:
        G.load_state_dict(state.get("G_ema") or state["G"])
    except RuntimeError as exc:
        raise ValueError(f"Checkpoint {path} does not fit this generator ({str(exc)[:200]}).") from None
    return G.eval()


def pretrained_generator_path() -> Path:
    """Where the shipped generator lives: data/dcgan_mnist_g.pt. Introduced in 02_core_concepts."""
    return DATA_DIR / PRETRAINED_G_FILE


def load_pretrained_generator(
    path: str | Path | None = None,
    expected_sha256: str | None = PRETRAINED_G_SHA256,
    device: str | torch.device = "cpu",
) -> Generator:
    """The shipped DCGAN generator (trained by the course's loop), in eval mode, after checking its sha256.
    Introduced in 02_core_concepts.

    `expected_sha256=None` skips the check (for a file you made yourself with the tool).
    """
    path = Path(path) if path is not None else pretrained_generator_path()
    fix = _FIX_PRETRAINED.format(name=path.name)
    state, _ = read_shipped_weights(path, "pretrained generator", expected_sha256, fix)
    marker = state.get("format") if isinstance(state, dict) else None
    if marker != PRETRAINED_G_FORMAT:
        hint = ""
        if marker == CHECKPOINT_FORMAT:
            hint = " It is a training checkpoint: load its generator with load_generator(path)."
        raise ValueError(
            f"{path} is not a pretrained generator file (no '{PRETRAINED_G_FORMAT}' marker).{hint} {fix}"
        )
    try:
        G = Generator(latent_dim=int(state["latent_dim"]), width=int(state["width"]))
        G.load_state_dict(float32_weights(state["state_dict"]))
    except (RuntimeError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"The pretrained generator file {path} does not match its own configuration ({str(exc)[:200]}). {fix}"
        ) from None
    return G.to(device).eval()
