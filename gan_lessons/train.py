"""One GAN training loop for notebooks and the CLI. Introduced in 05_dcgan_mnist.

`new_run(config)` (gan_lessons.run) builds G, D and their optimizers; `train(run, data, num_epochs)` trains until
`run` has completed `num_epochs` epochs in total, so calling it again resumes. Each step is
`update_D` then `update_G`, with the loss family named by `config.loss` (gan_lessons.losses).
Ctrl-C (or Jupyter's stop button) ends training cleanly after the current step and keeps
everything in `run`. Checkpoints (written by `train` when given a path) live in gan_lessons.checkpoint.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, TensorDataset
from tqdm.auto import tqdm

from .checkpoint import save_checkpoint
from .config import set_seed
from .data import to_uint8
from .losses import (
    LossFamily,
    auxiliary_class_loss,
    clip_weights_,
    get_loss,
    gradient_penalty,
    r1_penalty,
)
from .run import HISTORY_KEYS, GANRun

_NONFINITE_FIX = (
    "Usual causes: a learning rate that is too high (lr={lr}), inputs outside [-1, 1], or a log of 0 in a "
    "hand-written loss (use the logit-based losses in gan_lessons.losses)."
)


class NonFiniteLossError(FloatingPointError):
    """Raised at the training step where a loss becomes NaN or Inf, before that loss's optimizer step.

    `player` ("discriminator" or "generator") and `value` say which loss and what it became."""

    player: str = ""
    value: float = math.nan


@torch.no_grad()
def _update_ema(run: GANRun) -> None:
    # Warm-up: early on, average over fewer steps so the average is not dominated by the initial weights.
    decay = min(run.config.ema, (1 + run.step) / (10 + run.step))
    ema_params, params = list(run.G_ema.parameters()), list(run.G.parameters())
    torch._foreach_lerp_(ema_params, params, 1.0 - decay)
    for b_ema, b in zip(run.G_ema.buffers(), run.G.buffers()):
        b_ema.copy_(b)


def _check_finite(player: str, value: torch.Tensor, opt: torch.optim.Optimizer) -> None:
    if not torch.isfinite(value):
        err = NonFiniteLossError(
            f"The {player} loss became {value.item()}. " + _NONFINITE_FIX.format(lr=opt.param_groups[0]["lr"])
        )
        err.player, err.value = player, value.item()
        raise err


def _at_step(err: NonFiniteLossError, run: GANRun) -> NonFiniteLossError:
    # The same error, told where in the run it happened.
    at = NonFiniteLossError(
        f"The {err.player} loss became {err.value} at step {run.step + 1} (epoch {run.epoch + 1}). "
        "Training stopped there; `run` keeps the state before that update. "
        + _NONFINITE_FIX.format(lr=run.config.lr)
    )
    at.player, at.value = err.player, err.value
    return at


def _judge(D, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    # D's outputs on x, and its class logits when D also classifies (an AC-GAN D returns both), else None.
    out = D(x)
    return out if isinstance(out, tuple) else (out, None)


def update_D(
    D: nn.Module,
    opt_d: torch.optim.Optimizer,
    x_real: torch.Tensor,
    x_fake: torch.Tensor,
    loss: LossFamily | str,
    gp_weight: float | None = None,
    generator: torch.Generator | None = None,
    r1_weight: float = 0.0,
    clip: float | None = None,
    labels: torch.Tensor | None = None,
    aux_weight: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One D step on real and detached fake images; returns (loss, D(x_real), D(x_fake)), detached. Introduced in 05_dcgan_mnist.

    08_stabilizing adds `r1_weight` (gamma: D's loss adds gamma/2 times the R1 penalty on the reals) and
    `clip` (WGAN weight clipping after the step; None: the family's, 0.01 for wgan, else none).
    10_conditional_gan: a D that also returns class logits (AC-GAN) adds `aux_weight` times the cross-entropy
    of the real images' `labels` (`losses.auxiliary_class_loss`)."""
    family = get_loss(loss)
    weight = family.gp_weight if gp_weight is None else gp_weight  # None: the family's own (wgan_gp: 10)
    if weight < 0:
        raise ValueError(f"gp_weight must be >= 0; got {weight!r}.")
    real_out, real_classes = _judge(D, x_real)
    fake_out, _ = _judge(D, x_fake.detach())  # detach(): this step must not reach G
    loss_d = family.d_loss(real_out, fake_out)
    if real_classes is not None:  # an auxiliary classifier learns to read the real digits
        loss_d = loss_d + aux_weight * auxiliary_class_loss(real_classes, labels)
    if weight > 0:  # `generator` draws the penalty's random points between real and fake
        loss_d = loss_d + weight * gradient_penalty(D, x_real, x_fake, generator)
    if r1_weight < 0:
        raise ValueError(f"r1_weight must be >= 0; got {r1_weight!r}.")
    if r1_weight > 0:
        loss_d = loss_d + 0.5 * r1_weight * r1_penalty(D, x_real)
    _check_finite("discriminator", loss_d, opt_d)  # before the step: D keeps its last finite weights
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    clip = family.clip if clip is None else clip
    if clip:
        clip_weights_(D, clip)
    return loss_d.detach(), real_out.detach(), fake_out.detach()


def update_G(
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    x_fake: torch.Tensor,
    loss: LossFamily | str,
    labels: torch.Tensor | None = None,
    aux_weight: float = 1.0,
) -> torch.Tensor:
    """One G step: D judges x_fake with no detach(), so the gradient flows through D into G; returns the loss. Introduced in 05_dcgan_mnist.

    10_conditional_gan: with an AC-GAN D, G's loss adds `aux_weight` times the cross-entropy of its fakes
    against the `labels` they were drawn for."""
    fake_out, fake_classes = _judge(D, x_fake)
    loss_g = get_loss(loss).g_loss(fake_out)
    if fake_classes is not None:  # G is paid when D reads the digit it was asked for
        loss_g = loss_g + aux_weight * auxiliary_class_loss(fake_classes, labels)
    _check_finite("generator", loss_g, opt_g)
    opt_g.zero_grad(set_to_none=True)  # D's gradients from this backward are cleared by the next update_D
    loss_g.backward()
    opt_g.step()  # opt_g holds G's parameters only: D's weights do not move
    return loss_g.detach()


def epoch_loader(data: Dataset, batch_size: int, seed: int, epoch: int) -> DataLoader:
    """The shuffled DataLoader (full batches only) of one epoch; its order depends only on (seed, epoch), so a
    resumed run sees the same batches. Introduced in 05_dcgan_mnist."""
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    if isinstance(data, TensorDataset):  # index the tensors once per batch: much faster than item by item
        sampler = BatchSampler(RandomSampler(data, generator=gen), batch_size, drop_last=True)
        return DataLoader(data, sampler=sampler, batch_size=None)
    return DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True, generator=gen)


@contextmanager
def _defer_sigint(escalate: bool = True) -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a request to stop after the current step (a second one stops at once, unless
    `escalate` is False: under torchrun, which passes the terminal's Ctrl-C on again, all ranks must stop together)."""
    requested = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        if requested and escalate:
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


def _check_train_args(run: GANRun, data: Dataset, num_epochs: int | None, max_seconds: float | None) -> int:
    # Returns the number of steps in an epoch.
    if num_epochs is None and max_seconds is None:
        raise ValueError("Give num_epochs, max_seconds or both: with neither, training would never stop.")
    if num_epochs is not None and (
        not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 0
    ):
        raise ValueError(f"num_epochs must be an integer >= 0; got {num_epochs!r}.")
    if max_seconds is not None and (not isinstance(max_seconds, (int, float)) or max_seconds <= 0):
        raise ValueError(f"max_seconds must be a number of seconds > 0; got {max_seconds!r}.")
    if len(data) < run.config.batch_size:
        raise ValueError(
            f"batch_size={run.config.batch_size} is larger than the data set ({len(data)} images); use a smaller batch_size."
        )
    return len(data) // run.config.batch_size


def _record_step(run: GANRun, family: LossFamily, steps_per_epoch: int, losses, outs) -> tuple:
    # Advance the run's position by one step and append its row to the history; returns the row.
    run.step += 1
    run.batch_in_epoch += 1
    (loss_d, loss_g), (real_out, fake_out) = losses, outs
    row = (
        run.step,
        run.epoch + run.batch_in_epoch / steps_per_epoch,
        loss_d.item(),
        loss_g.item(),
        family.d_probability(real_out).mean().item(),
        family.d_probability(fake_out).mean().item(),
        run.elapsed,
    )
    for key, value in zip(HISTORY_KEYS, row):
        run.history[key].append(value)
    if run.batch_in_epoch == steps_per_epoch:
        run.epoch += 1
        run.batch_in_epoch = 0
    return row


def _stop_reason(stop_requested: Callable[[], bool], start: float, max_seconds: float | None) -> str | None:
    """Why training should stop after this step: "interrupted" (Ctrl-C), "time" (the budget), or None."""
    if stop_requested():
        return "interrupted"
    if max_seconds is not None and time.perf_counter() - start >= max_seconds:
        return "time"
    return None


def _report_stop(
    run: GANRun,
    stop_reason: str | None,
    num_epochs: int | None,
    max_seconds,
    checkpoint_path,
    trainer: str = "train",
) -> None:
    where = f" Checkpoint: {checkpoint_path}." if checkpoint_path is not None else ""
    if stop_reason == "interrupted":
        run.interrupted = True
        print(
            f"Training interrupted at step {run.step} (epoch {run.epoch + 1}, batch {run.batch_in_epoch}). "
            f"The models, optimizers and history are kept in `run`.{where} "
            f"Resume with {trainer}(run, data, num_epochs={num_epochs}"
            + (f", max_seconds={max_seconds:g})." if num_epochs is None else ").")
        )
    elif stop_reason == "time":
        print(
            f"Stopped after the {max_seconds:g}-second budget at step {run.step} (epoch {run.epoch}).{where}"
        )


def _gan_step(
    run: GANRun,
    D,
    x_real: torch.Tensor,
    x_fake: torch.Tensor,
    family: LossFamily,
    steps_per_epoch: int,
    sample_every: int,
    elapsed_before: float,
    start: float,
    labels: torch.Tensor | None = None,
    **d_options,
) -> tuple:
    """One step of `train` and `train_conditional`: `update_D` then `update_G` on the same x_fake (a
    non-finite loss names the step), G's moving average, the history row (returned) and, every
    `sample_every` steps, the fixed-noise samples. `d_options` go to `update_D` (r1_weight, clip);
    `labels` (a conditional batch's) to both, for an AC-GAN D's class term, weighted by config.aux_weight."""
    aux = {"labels": labels, "aux_weight": run.config.aux_weight}
    try:
        loss_d, real_out, fake_out = update_D(
            D, run.opt_d, x_real, x_fake, family, run.config.gp_weight, run.noise_gen, **d_options, **aux
        )
        loss_g = update_G(D, run.opt_g, x_fake, family, **aux)
    except NonFiniteLossError as err:
        raise _at_step(err, run) from None
    if run.G_ema is not None:
        _update_ema(run)
    run.elapsed = elapsed_before + time.perf_counter() - start
    row = _record_step(run, family, steps_per_epoch, (loss_d, loss_g), (real_out, fake_out))
    if run.step % sample_every == 0:
        _record_samples(run)
    return row


def train(
    run: GANRun,
    data: Dataset,
    num_epochs: int | None,
    *,
    max_seconds: float | None = None,
    checkpoint_path: str | Path | None = None,
    progress: bool = True,
    on_step: Callable[[GANRun], None] | None = None,
    dist=None,
) -> dict:
    """Train until `run` has completed `num_epochs` epochs in all (or `max_seconds` pass); return the history.

    `num_epochs=None` trains until `max_seconds` pass (a time budget on its own).

    Each step: x_fake = G(z) once, `update_D` (on x_fake.detach()), then `update_G` (through the updated D).
    Stops cleanly on Ctrl-C, keeping `run`; writes `checkpoint_path` after each epoch and at the end.
    A conditional run (`TrainConfig(conditional=True)`) makes x_fake = G(z, y) with the batch's labels y and
    binds y to D (`train_conditional` is the same call, with its checks).
    `on_step(run)` is called after every step. `dist` (a gan_lessons.distributed.Distributed, under torchrun):
    data-parallel training, each process on its share of every epoch; only give rank 0 a checkpoint_path.
    """
    steps_per_epoch = _check_train_args(run, data, num_epochs, max_seconds)
    config, G, D, device = run.config, run.G, run.D, run.device
    loader = epoch_loader
    if dist is not None:  # DDP: wrapped models, this rank's share of each epoch, one stop decision for all
        steps_per_epoch = dist.steps_per_epoch(data, config.batch_size)
        G, D, loader = dist.wrap(G), dist.wrap(D), dist.loader
        dist.seed_noise(run)
    if config.conditional and (not hasattr(data, "tensors") or len(data.tensors) < 2):
        raise ValueError("A conditional run needs labelled digits (images, labels), such as load_mnist().")
    # R1 and weight clipping are for the plain D only: TrainConfig.validate rejects them (r1, clip, loss="wgan")
    # for conditional runs, whose D is called through _with_labels, a function with no weights to clip.
    d_options = {} if config.conditional else {"r1_weight": config.r1, "clip": config.clip}
    family = get_loss(config.loss)
    sample_every = config.sample_every or steps_per_epoch
    until = num_epochs if num_epochs is not None else math.inf  # None: only the time budget stops training
    remaining = (
        max(0, (num_epochs - run.epoch) * steps_per_epoch - run.batch_in_epoch)
        if num_epochs is not None
        else None
    )
    if not run.history["samples"]:
        _record_samples(run)
    run.interrupted = False
    stop_reason = None
    start, elapsed_before = time.perf_counter(), run.elapsed
    bar = tqdm(total=remaining, disable=not progress, unit="step", dynamic_ncols=True, leave=True)
    try:
        with _defer_sigint(escalate=dist is None) as stop_requested:
            while run.epoch < until and stop_reason is None:
                bar.set_description(
                    f"epoch {run.epoch + 1}" + (f"/{num_epochs}" if num_epochs is not None else "")
                )
                batches = iter(loader(data, config.batch_size, config.seed, run.epoch))
                for _ in range(run.batch_in_epoch):  # resuming mid-epoch: skip the batches already done
                    next(batches)
                for x_real, labels in batches:
                    x_real = x_real.to(device, non_blocking=True)
                    if config.conditional:  # G draws the batch's labels; D judges "is this a real y?"
                        labels = labels.to(device)
                    else:
                        x_real, labels = x_real.contiguous(memory_format=torch.channels_last), None
                    z = torch.randn(x_real.shape[0], config.latent_dim, generator=run.noise_gen).to(device)
                    x_fake = G(z) if labels is None else G(z, labels)
                    row = _gan_step(
                        run, D if labels is None else _with_labels(D, labels), x_real, x_fake, family,
                        steps_per_epoch, sample_every, elapsed_before, start, labels, **d_options,
                    )  # fmt: skip
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
                    stop_reason = _stop_reason(stop_requested, start, max_seconds)
                    if dist is not None:
                        stop_reason = dist.agree(stop_reason)
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
    trainer = "train_conditional" if config.conditional else "train"
    _report_stop(run, stop_reason, num_epochs, max_seconds, checkpoint_path, trainer)
    return run.history


def _with_labels(D, labels: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """D with the batch's labels bound: update_D/update_G call it like an unconditional D."""
    return lambda x: D(x, labels)


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
    Used by the classifier and the autoencoder baselines (02_core_concepts) and the diffusion denoiser (12)."""
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


# ----------------------------------------------------------------------------------------------
# A class-conditional run (10_conditional_gan): the same two steps, with D and G told the label
# ----------------------------------------------------------------------------------------------
def train_conditional(
    run: GANRun,
    data: Dataset,
    num_epochs: int,
    *,
    max_seconds: float | None = None,
    progress: bool = True,
    on_step: Callable[[GANRun], None] | None = None,
    checkpoint_path: str | Path | None = None,
) -> dict:
    """Train a conditional run (`TrainConfig(conditional=True)`) until `num_epochs` epochs in all, or `max_seconds`.

    Each step draws z, takes the batch's real labels y, makes x_fake = G(z, y), then calls the same
    `update_D` and `update_G` as `train`, with D bound to y: D must judge "is this a real y?", so a
    fake 3 shown as a 7 is caught. With `config.aux_weight > 0` (AC-GAN) both steps also get y for the
    class term. Introduced in 10_conditional_gan."""
    if not run.config.conditional:
        raise ValueError("train_conditional needs a conditional run: new_run(TrainConfig(conditional=True)).")
    if not hasattr(data, "tensors") or len(data.tensors) < 2:
        raise ValueError("train_conditional needs labelled digits (images, labels), such as load_mnist().")
    return train(
        run,
        data,
        num_epochs,
        max_seconds=max_seconds,
        checkpoint_path=checkpoint_path,
        progress=progress,
        on_step=on_step,
    )


# ----------------------------------------------------------------------------------------------
# Segmentation (11_gan_segmentation): a per-pixel baseline and pix2pix, with the same budget
# ----------------------------------------------------------------------------------------------
def pixel_loss(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """The per-pixel loss of both segmenters: binary cross-entropy of the mask logits. Introduced in 11_gan_segmentation."""
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, masks)


def update_G_paired(
    D_pair: Callable[[torch.Tensor], torch.Tensor],
    opt_g: torch.optim.Optimizer,
    logits: torch.Tensor,
    masks: torch.Tensor,
    loss: LossFamily | str,
    lam: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """pix2pix's G step (Isola et al. 2017): the loss family's G loss on D(image, G's mask) plus lam x the per-pixel
    loss, in one backward pass; returns (adversarial, per-pixel) losses, detached. Introduced in 11_gan_segmentation."""
    adv = get_loss(loss).g_loss(D_pair(torch.sigmoid(logits)))
    pix = pixel_loss(logits, masks)
    total = adv + lam * pix
    _check_finite("generator", total, opt_g)
    opt_g.zero_grad(set_to_none=True)
    total.backward()
    opt_g.step()
    return adv.detach(), pix.detach()


def train_segmenter(
    G: nn.Module,
    data: Dataset,
    num_steps: int,
    *,
    D: nn.Module | None = None,
    lam: float = 10.0,
    loss: str = "nonsaturating",
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Train the segmenter G (image -> mask logits) for `num_steps` steps on (image, mask) pairs.

    D=None: the per-pixel baseline (BCE only). With a PatchGAN D on (image, mask) pairs: pix2pix, each step
    `update_D` on (image, true mask) vs (image, G's mask probabilities), then `update_G_paired`
    (adversarial + lam x BCE). Both see the same batches in the same order for the same seed and the
    same number of steps. Returns a history dict of per-step losses. Introduced in 11_gan_segmentation."""
    if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 0:
        raise ValueError(f"num_steps must be an integer >= 0; got {num_steps!r}.")
    if not isinstance(lam, (int, float)) or not math.isfinite(lam) or lam < 0:
        raise ValueError(f"lam (the weight of the per-pixel loss) must be a number >= 0; got {lam!r}.")
    if len(data) < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the data set ({len(data)} pairs).")
    family = get_loss(loss)
    betas = (0.5, 0.999)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas) if D is not None else None
    history: dict = {"pixel": [], "adv": [], "d_loss": []}
    G.train()
    if D is not None:
        D.train()
    step, epoch = 0, 0
    with tqdm(
        total=num_steps, disable=not progress, unit="step", desc="pix2pix" if D else "per-pixel"
    ) as bar:
        while step < num_steps:
            for x, m in epoch_loader(data, batch_size, seed, epoch):
                logits = G(x)
                if D is None:
                    pix = pixel_loss(logits, m)
                    _check_finite("segmenter", pix, opt_g)
                    opt_g.zero_grad(set_to_none=True)
                    pix.backward()
                    opt_g.step()
                    history["pixel"].append(pix.item())
                else:

                    def D_pair(mask, x=x):  # D judges the (image, mask) pair, as in pix2pix
                        return D(torch.cat([x, mask], 1))

                    loss_d, _, _ = update_D(D_pair, opt_d, m, torch.sigmoid(logits), family)
                    adv, pix = update_G_paired(D_pair, opt_g, logits, m, family, lam)
                    history["pixel"].append(pix.item())
                    history["adv"].append(adv.item())
                    history["d_loss"].append(loss_d.item())
                step += 1
                bar.update(1)
                if step >= num_steps:
                    break
            epoch += 1
    G.eval()
    return history


@torch.no_grad()
def predict_masks(
    G: nn.Module, images: torch.Tensor, threshold: float = 0.5, batch_size: int = 256
) -> torch.Tensor:
    """Binary masks (N, 1, H, W) of 0./1.: sigmoid(G(images)) > threshold, in eval mode. Introduced in 11_gan_segmentation."""
    was_training = G.training
    G.eval()
    try:
        return torch.cat([(torch.sigmoid(G(c)) > threshold).float() for c in images.split(batch_size)])
    finally:
        G.train(was_training)
