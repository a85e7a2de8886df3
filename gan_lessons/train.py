"""One GAN training loop for notebooks and the CLI. Introduced in 05_dcgan_mnist.

`new_run(config)` builds G, D and their optimizers; `train(run, data, num_epochs)` trains until
`run` has completed `num_epochs` epochs in total, so calling it again resumes. Ctrl-C (or
Jupyter's stop button) ends training cleanly after the current step and keeps everything
in `run`. Checkpoints are written atomically and read with `weights_only=True`.
"""

from __future__ import annotations

import copy
import math
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, TensorDataset
from tqdm.auto import tqdm

from .config import get_device, set_seed
from .data import to_uint8
from .losses import LOSSES, d_loss_bce
from .models import Discriminator, Generator, init_dcgan_weights

G_LOSSES = {
    name: LOSSES[name].g_loss for name in ("nonsaturating", "minimax")
}  # TEMP until update_D/update_G
CHECKPOINT_FORMAT = "gan_lessons.checkpoint/1"
HISTORY_KEYS = ("step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "time")


class NonFiniteLossError(FloatingPointError):
    """Raised at the training step where a loss becomes NaN or Inf."""


@dataclass
class TrainConfig:
    """Everything that defines a run; the defaults give recognisable digits in about a minute on a laptop CPU."""

    latent_dim: int = 64
    width: int = 32
    batch_size: int = 64
    lr: float = (
        2e-3  # 10x the DCGAN paper's 2e-4: measured to reach good digits far sooner with these small nets
    )
    lr_d: float | None = None  # None: same as lr
    beta1: float = 0.5
    beta2: float = 0.999
    g_loss: str = "nonsaturating"
    ema: float = 0.99  # decay of a moving average of G's weights, used for sampling; 0 = off
    seed: int = 0
    device: str = "auto"
    sample_every: int = 0  # steps between fixed-noise sample grids; 0 = once per epoch
    n_fixed: int = 64

    def validate(self) -> TrainConfig:
        """Raise a ValueError naming the first bad setting."""
        for name in ("latent_dim", "width", "batch_size", "n_fixed"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        for name in ("lr", "lr_d"):
            value = getattr(self, name)
            if value is None and name == "lr_d":
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} (learning rate) must be a number > 0, such as 2e-3; got {value!r}.")
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1); got {value!r}.")
        if not isinstance(self.ema, (int, float)) or not 0 <= self.ema < 1:
            raise ValueError(
                f"ema (the decay of G's moving average) must be in [0, 1), such as 0.999; got {self.ema!r}."
            )
        if self.g_loss not in G_LOSSES:
            raise ValueError(f"g_loss must be one of {sorted(G_LOSSES)}; got {self.g_loss!r}.")
        if not isinstance(self.sample_every, int) or self.sample_every < 0:
            raise ValueError(f"sample_every must be an integer >= 0; got {self.sample_every!r}.")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {self.seed!r}.")
        get_device(self.device)
        return self


@dataclass
class GANRun:
    """The whole state of a training run: models, optimizers, history and position."""

    config: TrainConfig
    G: Generator
    D: Discriminator
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    device: torch.device
    fixed_noise: torch.Tensor
    noise_gen: torch.Generator
    history: dict = field(
        default_factory=lambda: {k: [] for k in HISTORY_KEYS} | {"sample_steps": [], "samples": []}
    )
    epoch: int = 0  # completed epochs
    batch_in_epoch: int = 0  # batches done in the epoch under way
    step: int = 0
    elapsed: float = 0.0  # seconds spent training, over all calls
    interrupted: bool = False
    G_ema: Generator | None = None  # moving average of G's weights (config.ema > 0), used for sampling

    @property
    def G_sample(self) -> Generator:
        """The generator to sample from: the moving average when there is one, else G."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def sample(self, n: int | None = None, z: torch.Tensor | None = None) -> torch.Tensor:
        """Images from G in eval mode: from z, or n fresh latent vectors, or the fixed noise."""
        if z is None:
            z = self.fixed_noise if n is None else torch.randn(n, self.config.latent_dim)
        G = self.G_sample
        was_training = G.training
        G.eval()
        try:
            return G(z.to(self.device)).float().cpu()
        finally:
            G.train(was_training)


def new_run(config: TrainConfig | None = None, **overrides) -> GANRun:
    """Build a fresh run: seeded, DCGAN-initialised G and D, Adam optimizers, a fixed-noise batch."""
    config = config or TrainConfig()
    config = TrainConfig(**{**asdict(config), **overrides}).validate()
    device = get_device(config.device)
    set_seed(config.seed)
    G = Generator(config.latent_dim, config.width)
    D = Discriminator(config.width)
    G.apply(init_dcgan_weights)
    D.apply(init_dcgan_weights)
    memory_format = torch.channels_last  # measured faster on CPU (see benchmarks/train_dcgan.py)
    G = G.to(device, memory_format=memory_format)
    D = D.to(device, memory_format=memory_format)
    betas = (config.beta1, config.beta2)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d or config.lr, betas=betas)
    fixed_noise = torch.randn(
        config.n_fixed, config.latent_dim, generator=torch.Generator().manual_seed(config.seed + 1)
    )
    noise_gen = torch.Generator().manual_seed(config.seed + 2)
    run = GANRun(config, G, D, opt_g, opt_d, device, fixed_noise, noise_gen)
    if config.ema > 0:
        run.G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    return run


@torch.no_grad()
def _update_ema(run: GANRun) -> None:
    # Warm-up: early on, average over fewer steps so the average is not dominated by the initial weights.
    decay = min(run.config.ema, (1 + run.step) / (10 + run.step))
    ema_params, params = list(run.G_ema.parameters()), list(run.G.parameters())
    torch._foreach_lerp_(ema_params, params, 1.0 - decay)
    for b_ema, b in zip(run.G_ema.buffers(), run.G.buffers()):
        b_ema.copy_(b)


def _check_finite(run: GANRun, name: str, value: torch.Tensor) -> None:
    if not torch.isfinite(value):
        raise NonFiniteLossError(
            f"The {name} loss became {value.item()} at step {run.step + 1} (epoch {run.epoch + 1}). "
            f"Training stopped there; `run` keeps the state before that update. Usual causes: a learning "
            f"rate that is too high (lr={run.config.lr}), inputs outside [-1, 1], or a log of 0 in a "
            "hand-written loss (use the logit-based losses in gan_lessons.losses)."
        )


def _epoch_batches(data: Dataset, batch_size: int, seed: int, epoch: int) -> Iterator:
    # Each epoch's order depends only on (seed, epoch), so a resumed run sees the same batches.
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    if isinstance(data, TensorDataset):  # index the tensors once per batch: much faster than item by item
        sampler = BatchSampler(RandomSampler(data, generator=gen), batch_size, drop_last=True)
        return iter(DataLoader(data, sampler=sampler, batch_size=None))
    return iter(DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True, generator=gen))


@contextmanager
def _defer_sigint() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a request to stop after the current step (a second one stops at once)."""
    requested = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        if requested:
            raise KeyboardInterrupt
        requested.append(True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(requested)
    finally:
        signal.signal(signal.SIGINT, previous)


def _record_samples(run: GANRun) -> None:
    run.history["sample_steps"].append(run.step)
    run.history["samples"].append(to_uint8(run.sample()))


def train(
    run: GANRun,
    data: Dataset,
    num_epochs: int,
    *,
    max_seconds: float | None = None,
    checkpoint_path: str | Path | None = None,
    progress: bool = True,
    on_step: Callable[[GANRun], None] | None = None,
) -> dict:
    """Train until `run` has completed `num_epochs` epochs in all (or `max_seconds` pass); return the history.

    Stops cleanly on Ctrl-C, keeping `run`; writes `checkpoint_path` after each epoch and at the end.
    `on_step(run)` is called after every step.
    """
    if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 0:
        raise ValueError(f"num_epochs must be an integer >= 0; got {num_epochs!r}.")
    if max_seconds is not None and (not isinstance(max_seconds, (int, float)) or max_seconds <= 0):
        raise ValueError(f"max_seconds must be a number of seconds > 0; got {max_seconds!r}.")
    config = run.config
    if len(data) < config.batch_size:
        raise ValueError(
            f"batch_size={config.batch_size} is larger than the data set ({len(data)} images); use a smaller batch_size."
        )
    steps_per_epoch = len(data) // config.batch_size
    sample_every = config.sample_every or steps_per_epoch
    remaining = max(0, (num_epochs - run.epoch) * steps_per_epoch - run.batch_in_epoch)
    g_loss_fn = G_LOSSES[config.g_loss]
    G, D, device = run.G, run.D, run.device
    hist = run.history
    if not hist["samples"]:
        _record_samples(run)
    run.interrupted = False
    stop_reason = None
    start = time.perf_counter()
    elapsed_before = run.elapsed
    bar = tqdm(total=remaining, disable=not progress, unit="step", dynamic_ncols=True, leave=True)
    try:
        with _defer_sigint() as stop_requested:
            while run.epoch < num_epochs and stop_reason is None:
                bar.set_description(f"epoch {run.epoch + 1}/{num_epochs}")
                batches = _epoch_batches(data, config.batch_size, config.seed, run.epoch)
                for _ in range(run.batch_in_epoch):
                    next(batches)
                for x_real, _labels in batches:
                    x_real = x_real.to(device, non_blocking=True).contiguous(
                        memory_format=torch.channels_last
                    )
                    z = torch.randn(x_real.shape[0], config.latent_dim, generator=run.noise_gen).to(device)
                    x_fake = G(z)
                    # Discriminator step: real -> 1, fake -> 0. detach() so this step does not touch G.
                    real_logits = D(x_real)
                    fake_logits = D(x_fake.detach())
                    loss_d = d_loss_bce(real_logits, fake_logits)
                    _check_finite(run, "discriminator", loss_d)
                    run.opt_d.zero_grad(set_to_none=True)
                    loss_d.backward()
                    run.opt_d.step()
                    # Generator step: no detach here, the gradient must flow through D into G.
                    loss_g = g_loss_fn(D(x_fake))
                    _check_finite(run, "generator", loss_g)
                    run.opt_g.zero_grad(set_to_none=True)
                    loss_g.backward()
                    run.opt_g.step()
                    if run.G_ema is not None:
                        _update_ema(run)

                    run.step += 1
                    run.batch_in_epoch += 1
                    run.elapsed = elapsed_before + time.perf_counter() - start
                    row = (
                        run.step,
                        run.epoch + run.batch_in_epoch / steps_per_epoch,
                        loss_d.item(),
                        loss_g.item(),
                        torch.sigmoid(real_logits).mean().item(),
                        torch.sigmoid(fake_logits).mean().item(),
                        run.elapsed,
                    )
                    for key, value in zip(HISTORY_KEYS, row):
                        hist[key].append(value)
                    if run.batch_in_epoch == steps_per_epoch:
                        run.epoch += 1
                        run.batch_in_epoch = 0
                    if run.step % sample_every == 0:
                        _record_samples(run)
                    bar.update(1)
                    if run.step % 10 == 0 or run.batch_in_epoch == 0:
                        bar.set_postfix(
                            loss_D=f"{row[2]:.3f}",
                            loss_G=f"{row[3]:.3f}",
                            D_x=f"{row[4]:.2f}",
                            D_G_z=f"{row[5]:.2f}",
                        )
                    if on_step is not None:
                        on_step(run)
                    if stop_requested():
                        stop_reason = "interrupted"
                    elif max_seconds is not None and time.perf_counter() - start >= max_seconds:
                        stop_reason = "time"
                    if stop_reason or run.batch_in_epoch == 0:
                        break
                if checkpoint_path is not None and stop_reason is None:
                    save_checkpoint(run, checkpoint_path)
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside the main thread: stop mid-step
        stop_reason = "interrupted"
    finally:
        bar.close()
    if stop_reason is not None and checkpoint_path is not None:
        save_checkpoint(run, checkpoint_path)
    where = f" Checkpoint: {checkpoint_path}." if checkpoint_path is not None else ""
    if stop_reason == "interrupted":
        run.interrupted = True
        print(
            f"Training interrupted at step {run.step} (epoch {run.epoch + 1}, batch {run.batch_in_epoch}). "
            f"The models, optimizers and history are kept in `run`.{where} "
            f"Resume with train(run, data, num_epochs={num_epochs})."
        )
    elif stop_reason == "time":
        print(
            f"Stopped after the {max_seconds:g}-second budget at step {run.step} (epoch {run.epoch}).{where}"
        )
    return hist


def _atomic_torch_save(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(obj, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    _atomic_torch_save(state, path)
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


def load_checkpoint(path: str | Path, device: str | None = None, latent_dim: int | None = None) -> GANRun:
    """Rebuild a run from a checkpoint, ready to sample from or to resume with `train`.

    If `latent_dim` is given, it must match the checkpoint's (a ValueError says both otherwise).
    """
    state = read_checkpoint(path)
    names = {f.name for f in fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in state["config"].items() if k in names})
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


def fit(
    model: torch.nn.Module,
    data: Dataset,
    batch_loss: Callable,
    num_epochs: int,
    batch_size: int,
    lr: float,
    seed: int = 0,
    progress: bool = True,
    desc: str = "training",
) -> list[float]:
    """A plain (non-adversarial) loop: Adam on `batch_loss(model, x, y)`; returns the loss of every step.
    Used by the classifier and the autoencoder baselines (02_core_concepts)."""
    if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 0:
        raise ValueError(f"num_epochs must be an integer >= 0; got {num_epochs!r}.")
    if batch_size <= 0 or lr <= 0:
        raise ValueError(f"batch_size and lr must be > 0; got batch_size={batch_size}, lr={lr}.")
    set_seed(seed)
    loader = DataLoader(
        data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in tqdm(range(num_epochs), desc=desc, disable=not progress):
        for x, y in loader:
            loss = batch_loss(model, x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    model.eval()
    return losses
