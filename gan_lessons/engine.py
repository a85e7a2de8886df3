"""The course's one training loop, and the two adversarial steps it runs. Introduced in 05_dcgan_mnist.

`Loop(...).run(step)` is the loop every trainer uses (the DCGAN and the conditional GAN in `dcgan`,
pix2pix and its per-pixel baseline in `pix2pix`, the classifier, the autoencoder and the diffusion
denoiser through `fit`). It owns what a loop owns, once:

- when to stop: after `num_epochs` epochs in all, `max_steps` steps in all, or `max_seconds` of this call;
- Ctrl-C (or Jupyter's stop button): the first one stops cleanly after the current step and keeps
  everything; a second stops at once;
- a progress bar, a history with one row per step, `callbacks(state)` after every step (trackers,
  sample grids), a `save()` hook at the end of each epoch and at a stop (checkpoints), and the DDP
  hooks (one stop decision for all ranks).

What a step does is the trainer's: a function of one batch that returns the numbers to log.

The GAN step is `update_D` then `update_G`, with the loss family named by `loss` (gan_lessons.losses) and
D's options (penalties, clipping, the AC-GAN class term) in one `DOptions`. The toy GAN of chapter 04
steps through the same two functions.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, TensorDataset
from tqdm.auto import tqdm

from .config import set_seed
from .losses import (
    LossFamily,
    auxiliary_class_loss,
    clip_weights_,
    get_loss,
    gradient_penalty,
    r1_penalty,
    r2_penalty,
)
from .validate import is_finite_number, non_negative_int

NONFINITE_FIX = (
    "Usual causes: a learning rate that is too high (lr={lr}), inputs outside [-1, 1], or a log of 0 in a "
    "hand-written loss (use the logit-based losses in gan_lessons.losses)."
)


class NonFiniteLossError(FloatingPointError):
    """Raised at the training step where a loss becomes NaN or Inf, before that loss's optimizer step.

    `player` ("discriminator" or "generator") and `value` say which loss and what it became."""

    player: str = ""
    value: float = math.nan
    lr: float = math.nan  # the learning rate of the optimizer whose step was refused


def check_finite(player: str, value: torch.Tensor, opt: torch.optim.Optimizer) -> None:
    """Raise NonFiniteLossError unless `value` is finite; called before the optimizer step, so the network
    keeps its last finite weights."""
    if not torch.isfinite(value):
        err = NonFiniteLossError(
            f"The {player} loss became {value.item()}. " + NONFINITE_FIX.format(lr=opt.param_groups[0]["lr"])
        )
        err.player, err.value, err.lr = player, value.item(), opt.param_groups[0]["lr"]
        raise err


def optimizer_step(opt: torch.optim.Optimizer, loss: torch.Tensor, player: str) -> None:
    """The end of every training step, written once: refuse a non-finite loss (NonFiniteLossError, before any
    weight moves), clear the gradients, backpropagate, step."""
    check_finite(player, loss, opt)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


# ----------------------------------------------------------------------------------------------
# The adversarial step: update_D, then update_G
# ----------------------------------------------------------------------------------------------
@dataclass
class DOptions:
    """What D's step adds to its loss, beyond the family's D loss. Introduced in 05_dcgan_mnist.

    09_stabilizing adds `gp_weight` (None: the family's own, 10 for wgan_gp), `r1_weight` (gamma: D's loss
    adds gamma/2 times the R1 penalty on the reals) and `clip` (WGAN weight clipping after the step; None:
    the family's, 0.01 for wgan, else none). 10_conditional_gan: `aux_weight` weights an AC-GAN D's class
    term. `generator` draws the gradient penalty's random points between real and fake. `r2_weight` (gamma for
    R2: D's loss adds gamma/2 times the same zero-centred penalty on the fakes; R3GAN uses R1 and R2 together)."""

    gp_weight: float | None = None
    r1_weight: float = 0.0
    clip: float | None = None
    aux_weight: float = 1.0
    generator: torch.Generator | None = field(default=None, repr=False)
    r2_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.gp_weight is not None and not self.gp_weight >= 0:
            raise ValueError(f"gp_weight must be >= 0; got {self.gp_weight!r}.")
        for name in ("r1_weight", "r2_weight"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0; got {getattr(self, name)!r}.")


def _judge(D, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    # D's outputs on x, and its class logits when D also classifies (an AC-GAN D returns both), else None.
    out = D(x)
    return out if isinstance(out, tuple) else (out, None)


def update_D(
    D: nn.Module | Callable,
    opt_d: torch.optim.Optimizer,
    x_real: torch.Tensor,
    x_fake: torch.Tensor,
    loss: LossFamily | str,
    options: DOptions | None = None,
    *,
    labels: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One D step on real and detached fake images; returns (loss, D(x_real), D(x_fake)), detached. Introduced in 05_dcgan_mnist.

    `options` (a DOptions) adds penalties, clipping and an AC-GAN D's class term; 10_conditional_gan: a D that
    also returns class logits adds `options.aux_weight` times the cross-entropy of the real images' `labels`."""
    family = get_loss(loss)
    options = options or DOptions()
    weight = family.gp_weight if options.gp_weight is None else options.gp_weight
    real_out, real_classes = _judge(D, x_real)
    fake_out, _ = _judge(D, x_fake.detach())  # detach(): this step must not reach G
    loss_d = family.d_loss(real_out, fake_out)
    if real_classes is not None:  # an auxiliary classifier learns to read the real digits
        loss_d = loss_d + options.aux_weight * auxiliary_class_loss(real_classes, labels)
    if weight > 0:
        loss_d = loss_d + weight * gradient_penalty(D, x_real, x_fake, options.generator)
    if options.r1_weight > 0:
        loss_d = loss_d + 0.5 * options.r1_weight * r1_penalty(D, x_real)
    if options.r2_weight > 0:
        loss_d = loss_d + 0.5 * options.r2_weight * r2_penalty(D, x_fake.detach())
    optimizer_step(opt_d, loss_d, "discriminator")  # a non-finite loss is refused: D keeps its last weights
    clip = family.clip if options.clip is None else options.clip
    if clip:
        clip_weights_(D, clip)
    return loss_d.detach(), real_out.detach(), fake_out.detach()


def update_G(
    D: nn.Module | Callable,
    opt_g: torch.optim.Optimizer,
    x_fake: torch.Tensor,
    loss: LossFamily | str,
    *,
    labels: torch.Tensor | None = None,
    aux_weight: float = 1.0,
    x_real: torch.Tensor | None = None,
) -> torch.Tensor:
    """One G step: D judges x_fake with no detach(), so the gradient flows through D into G; returns the loss. Introduced in 05_dcgan_mnist.

    10_conditional_gan: with an AC-GAN D, G's loss adds `aux_weight` times the cross-entropy of its fakes
    against the `labels` they were drawn for. A paired family (RpGAN) also needs the real batch `x_real`:
    G's loss compares each fake's output with its real partner's."""
    family = get_loss(loss)
    fake_out, fake_classes = _judge(D, x_fake)
    if family.paired:
        if x_real is None:
            raise ValueError(
                f"The {family.label} loss pairs each fake with a real sample: pass the real batch, "
                "update_G(..., x_real=x_real)."
            )
        with torch.no_grad():  # D's verdict on the reals is a constant for G
            real_out, _ = _judge(D, x_real)
        loss_g = family.g_loss(fake_out, real_out)
    else:
        loss_g = family.g_loss(fake_out)
    if fake_classes is not None:  # G is paid when D reads the digit it was asked for
        loss_g = loss_g + aux_weight * auxiliary_class_loss(fake_classes, labels)
    # opt_g holds G's parameters only: D's weights do not move (their gradients from this backward are
    # cleared by the next update_D)
    optimizer_step(opt_g, loss_g, "generator")
    return loss_g.detach()


# ----------------------------------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------------------------------
def epoch_loader(data: Dataset, batch_size: int, seed: int, epoch: int) -> DataLoader:
    """The shuffled DataLoader (full batches only) of one epoch; its order depends only on (seed, epoch), so a
    resumed run sees the same batches. Introduced in 05_dcgan_mnist."""
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    if isinstance(data, TensorDataset):  # index the tensors once per batch: much faster than item by item
        sampler = BatchSampler(RandomSampler(data, generator=gen), batch_size, drop_last=True)
        return DataLoader(data, sampler=sampler, batch_size=None)
    return DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True, generator=gen)


@contextmanager
def defer_sigint(escalate: bool = True) -> Iterator[Callable[[], bool]]:
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


@dataclass
class Position:
    """Where a training run is. A GANRun carries the same five fields, so the loop moves either."""

    epoch: int = 0  # completed epochs
    batch_in_epoch: int = 0  # batches done in the epoch under way
    step: int = 0
    elapsed: float = 0.0  # seconds spent training, over all calls
    interrupted: bool = False


def check_budget(num_epochs: int | None, max_seconds: float | None, max_steps: int | None = None) -> None:
    """Raise a ValueError unless the stopping rule is a valid one (at least one of the three, each valid)."""
    if num_epochs is None and max_seconds is None and max_steps is None:
        raise ValueError("Give num_epochs, max_seconds or both: with neither, training would never stop.")
    if num_epochs is not None:
        non_negative_int("num_epochs", num_epochs)
    if max_steps is not None:
        non_negative_int("max_steps", max_steps)
    if max_seconds is not None and (not is_finite_number(max_seconds) or max_seconds <= 0):
        raise ValueError(f"max_seconds must be a number of seconds > 0; got {max_seconds!r}.")


@dataclass
class Loop:
    """The training loop, configured once and run with a step function. Introduced in 05_dcgan_mnist.

    `state` is a Position (or a GANRun); `batches(epoch)` gives that epoch's batches, `steps_per_epoch` of
    them; `history` (a dict of lists) gets one row per step: step, epoch (fractional), what the step
    returns, and time. `callbacks` are called with `state` after every step; `save()` at the end of every
    epoch and when training stops early. `dist` (gan_lessons.distributed.Distributed) makes all ranks stop
    together."""

    state: Position
    batches: Callable[[int], Iterable]
    steps_per_epoch: int
    history: dict
    num_epochs: int | None = None
    max_steps: int | None = None
    max_seconds: float | None = None
    callbacks: Sequence[Callable] = ()
    save: Callable[[], object] | None = None
    progress: bool = True
    desc: str = "epoch"
    dist: object | None = None

    def finished(self) -> bool:
        s = self.state
        return (self.num_epochs is not None and s.epoch >= self.num_epochs) or (
            self.max_steps is not None and s.step >= self.max_steps
        )

    def _remaining(self) -> int | None:
        s, spe = self.state, self.steps_per_epoch
        by_epochs = (
            max(0, (self.num_epochs - s.epoch) * spe - s.batch_in_epoch)
            if self.num_epochs is not None
            else None
        )
        by_steps = max(0, self.max_steps - s.step) if self.max_steps is not None else None
        known = [n for n in (by_epochs, by_steps) if n is not None]
        return min(known) if known else None

    def _advance(self, logs: dict) -> None:
        # One step done: move the position, append the history's row, roll over to the next epoch.
        s = self.state
        s.step += 1
        s.batch_in_epoch += 1
        row = {"step": s.step, "epoch": s.epoch + s.batch_in_epoch / self.steps_per_epoch, **logs}
        row["time"] = s.elapsed
        for key, value in row.items():
            self.history.setdefault(key, []).append(value)
        if s.batch_in_epoch == self.steps_per_epoch:
            s.epoch += 1
            s.batch_in_epoch = 0

    def _describe(self, bar) -> None:
        if self.num_epochs is not None:
            bar.set_description(f"{self.desc} {self.state.epoch + 1}/{self.num_epochs}")
        elif self.max_steps is None:
            bar.set_description(f"{self.desc} {self.state.epoch + 1}")
        else:
            bar.set_description(self.desc)

    def run(self, step: Callable[[object], dict]) -> str | None:
        """Train with `step(batch) -> {name: number}` until the budget is spent; returns why it stopped early:
        "interrupted" (Ctrl-C), "time" (max_seconds), or None (it finished)."""
        s = self.state
        if self.steps_per_epoch <= 0:
            raise ValueError(
                "The data set gives no batch to train on: use more data or a smaller batch_size."
            )
        s.interrupted = False
        stop_reason = None
        start, elapsed_before = time.perf_counter(), s.elapsed
        bar = tqdm(
            total=self._remaining(), disable=not self.progress, unit="step", dynamic_ncols=True, leave=True
        )
        try:
            with defer_sigint(escalate=self.dist is None) as stop_requested:
                while not self.finished() and stop_reason is None:
                    self._describe(bar)
                    batches = iter(self.batches(s.epoch))
                    for _ in range(s.batch_in_epoch):  # resuming mid-epoch: skip the batches already done
                        next(batches)
                    epoch_done = False
                    for batch in batches:
                        if epoch_done:  # a loader with more batches than steps_per_epoch: the epoch is over
                            break
                        logs = step(batch)
                        s.elapsed = elapsed_before + time.perf_counter() - start
                        self._advance(logs)
                        for callback in self.callbacks:
                            callback(s)
                        bar.update(1)
                        if s.step % 10 == 0 or s.batch_in_epoch == 0:
                            bar.set_postfix({k: f"{v:.3f}" for k, v in logs.items()})
                        stop_reason = _stop_reason(stop_requested, start, self.max_seconds)
                        if self.dist is not None:
                            stop_reason = self.dist.agree(stop_reason)
                        if stop_reason or self.finished():
                            break
                        # At the epoch's end the loop goes on to exhaust `batches`: a sampler that draws its
                        # next epoch's order from one generator (fit's DataLoader) must see the same calls.
                        epoch_done = s.batch_in_epoch == 0
                    if self.save is not None and stop_reason is None and s.batch_in_epoch == 0:
                        self.save()
        except KeyboardInterrupt:  # a second Ctrl-C, or one outside the main thread: stop mid-step
            stop_reason = "interrupted"
        finally:
            bar.close()
        if self.save is not None and (stop_reason is not None or s.batch_in_epoch != 0):
            self.save()  # a stop, or a max_steps finish mid-epoch (an epoch's end was saved above)
        s.interrupted = stop_reason == "interrupted"
        return stop_reason


def _stop_reason(stop_requested: Callable[[], bool], start: float, max_seconds: float | None) -> str | None:
    """Why training should stop after this step: "interrupted" (Ctrl-C), "time" (the budget), or None."""
    if stop_requested():
        return "interrupted"
    if max_seconds is not None and time.perf_counter() - start >= max_seconds:
        return "time"
    return None


def report_stop(
    state: Position,
    stop_reason: str | None,
    resume: str,
    max_seconds: float | None,
    where: str = "",
    kept: str = "The models, optimizers and history are kept in `run`.",
) -> None:
    """Tell the student why training stopped early, what is kept, and how to go on (`resume`: the call)."""
    if stop_reason == "interrupted":
        print(
            f"Training interrupted at step {state.step} (epoch {state.epoch + 1}, batch {state.batch_in_epoch}). "
            f"{kept}{where} Resume with {resume}."
        )
    elif stop_reason == "time":
        print(
            f"Stopped after the {max_seconds:g}-second budget at step {state.step} (epoch {state.epoch}).{where}"
        )


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
    """A plain (non-adversarial) trainer on the loop: Adam on `batch_loss(model, x, y)`; returns the loss of
    every step. Used by the classifier and the autoencoder baselines (02_core_concepts) and the diffusion
    denoiser (12). Ctrl-C stops it after the current step, keeping the model."""
    non_negative_int("num_epochs", num_epochs)
    if batch_size <= 0 or lr <= 0:
        raise ValueError(f"batch_size and lr must be > 0; got batch_size={batch_size}, lr={lr}.")
    set_seed(seed)
    loader = DataLoader(
        data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history: dict = {"loss": []}

    def step(batch) -> dict:
        x, y = batch
        loss = batch_loss(model, x, y)
        optimizer_step(opt, loss, desc)
        return {"loss": loss.item()}

    model.train()
    loop = Loop(
        Position(), lambda epoch: loader, len(loader), history, num_epochs=num_epochs, progress=progress
    )
    loop.desc = desc
    kept = "The model keeps the weights it has; `fit` returns the losses so far."
    report_stop(
        loop.state, loop.run(step), "another call (it trains on from the model's weights)", None, kept=kept
    )
    model.eval()
    return history["loss"]


__all__ = [
    "NonFiniteLossError",
    "check_finite",
    "optimizer_step",
    "DOptions",
    "update_D",
    "update_G",
    "epoch_loader",
    "Position",
    "check_budget",
    "Loop",
    "report_stop",
    "fit",
]
