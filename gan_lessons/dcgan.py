"""The DCGAN for 1x28x28 digits (Radford et al. 2016), in one file: its generator and discriminator, a
training run's state (`TrainConfig`, `GANRun`, `new_run`), its step on the engine's loop (`train`), its
checkpoints, and the generator the course ships. Introduced in 05_dcgan_mnist.

    run = new_run(TrainConfig(loss="nonsaturating"))
    train(run, load_mnist(), num_epochs=5)      # again later: resumes where it stopped
    save_checkpoint(run, "runs/dcgan.pt")

A conditional run (`TrainConfig(conditional=True)`, 10_conditional_gan) builds the networks of
`gan_lessons.conditional` and trains with the same step, told each batch's labels. The remedies of
09_stabilizing are settings of `TrainConfig` (loss, penalties, spectral norm, ...).
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import Dataset

from .conditional import ConditionalDiscriminator, ConditionalGenerator, check_conditioning
from .config import get_device, set_seed
from .data import to_uint8
from .engine import (
    NONFINITE_FIX,
    DOptions,
    Loop,
    NonFiniteLossError,
    check_budget,
    epoch_loader,
    report_stop,
    update_D,
    update_G,
)
from .layers import (
    D_NORMS,
    AugmentedDiscriminator,
    check_augment_policy,
    check_images,
    check_labels,
    discriminator_layers,
    generator_layers,
    init_dcgan_weights,
)
from .losses import LOSSES, get_loss
from .shipped import (
    PRETRAINED_G_FILE,
    PRETRAINED_G_SHA256,
    SHIPPED,
    float32_weights,
    read_shipped_weights,
    write_atomically,
)
from .trackers import upgrade_history
from .validate import check_seed, is_finite_number, non_negative_int, positive_int

OPTIMIZERS = ("adam", "rmsprop")  # TrainConfig.optimizer: Adam (betas), or RMSProp as in the WGAN paper


# ----------------------------------------------------------------------------------------------
# The networks
# ----------------------------------------------------------------------------------------------
class Generator(nn.Module):
    """z of shape (N, latent_dim) -> images (N, 1, 28, 28) in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 64, width: int = 64):
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        w = positive_int("width", width)
        self.net = generator_layers(latent_dim, w)  # z seen as a 1x1 image with latent_dim channels

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if (
            not isinstance(z, torch.Tensor)
            or z.dim() not in (2, 4)
            or z.shape[1] != self.latent_dim
            or (z.dim() == 4 and tuple(z.shape[2:]) != (1, 1))
        ):
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"Generator expects latent vectors of shape (N, {self.latent_dim}); got {got}. "
                f"Draw them with torch.randn(N, {self.latent_dim})."
            )
        return self.net(z.reshape(z.shape[0], self.latent_dim, 1, 1))


class Discriminator(nn.Module):
    """images (N, 1, 28, 28) -> logits (N,); D(x) = sigmoid(logit) is the probability 'real'.

    `spectral_norm=True` wraps every convolution in `torch.nn.utils.parametrizations.spectral_norm`
    (Miyato et al. 2018) and drops the BatchNorm; `minibatch_std=True` adds a `MinibatchStdDev`
    channel before the last layer (09_stabilizing). With both off it is the DCGAN discriminator of 05.
    `norm` ("batch", "layer", "none"; None: "none" with spectral norm, else "batch") picks the
    normalisation after the second convolution: a critic with a per-sample gradient penalty takes
    "layer" (Gulrajani et al. 2017, section 4).
    """

    def __init__(
        self,
        width: int = 64,
        spectral_norm: bool = False,
        minibatch_std: bool = False,
        norm: str | None = None,
    ):
        super().__init__()
        w = positive_int("width", width)
        self.spectral_norm, self.minibatch_std = bool(spectral_norm), bool(minibatch_std)
        self.net = discriminator_layers(1, w, spectral_norm, minibatch_std, norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "Discriminator")
        return self.net(x).flatten()


# ----------------------------------------------------------------------------------------------
# A training run: its settings and its state
# ----------------------------------------------------------------------------------------------
# One row per step. d_real and d_fake are D's mean output on the batch's real and fake images, as
# `LossFamily.d_probability` gives it: the probability "real", sigmoid(logit), for the logit families
# (minimax, nonsaturating), so in [0, 1]; the raw mean score for the score families (least_squares,
# wgan_gp, hinge), which has no fixed range.
HISTORY_KEYS = ("step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "time")


@dataclass
class TrainConfig:
    """Everything that defines a run; the defaults give recognisable digits in about a minute on a laptop CPU.

    The default recipe (issue 24) is R3GAN's loss (Huang et al. 2024, "The GAN is dead; long live the GAN! A
    Modern GAN Baseline"): the relativistic pairing loss with both zero-centred penalties, R1 on reals and R2
    on fakes, and Adam with beta1 = 0; the penalties are applied lazily (on every 4th D step, 4x heavier;
    Karras et al. 2020, StyleGAN2, section 3.1). It beat the plain non-saturating recipe it replaced at 30, 60,
    120 and 180 s of training on every seed of a wall-clock sweep (benchmarks/results/rpgan_wallclock.md). It
    departs from R3GAN's own recipe: the networks are the course's small DCGAN (a BatchNorm D, not R3GAN's
    modernised ResNet), gamma is 1 (chosen by the sweep, not R3GAN's values), the learning rate is the course's
    2e-3 with no schedule, and G keeps a moving average. The plain recipe, which 05's inline loop writes out and
    every remedy of 09_stabilizing starts from, is loss="nonsaturating", beta1=0.5, r1=r2=0, reg_every=1.
    """

    latent_dim: int = 64
    width: int = 32
    batch_size: int = 64
    lr: float = (
        2e-3  # 10x the DCGAN paper's 2e-4: measured to reach good digits far sooner with these small nets
    )
    lr_d: float | None = None  # None: same as lr
    beta1: float = 0.0  # Adam's momentum off, as R3GAN (the plain non-saturating recipe and DCGAN: 0.5)
    beta2: float = 0.999
    loss: str = "rpgan"  # a loss family of gan_lessons.losses.LOSSES ('wgan-gp' is read as 'wgan_gp'); the
    # default is R3GAN's relativistic pairing loss (the plain recipe of 05's inline loop: "nonsaturating")
    gp_weight: float | None = (
        None  # weight of the gradient penalty in D's loss; None: the family's (wgan_gp: 10)
    )
    clip: float | None = None  # WGAN weight clipping of D after each step; None: the family's (wgan: 0.01)
    r1: float = 1.0  # R1 penalty weight gamma (D's loss adds gamma/2 * E||grad D(x_real)||^2); 0 = off.
    # Default 1: of gamma 0.1, 1 and 3, 1 gave the best FID after a number of images (rpgan_sweep.md)
    r2: float = 1.0  # R2 penalty weight gamma (the same penalty on the fakes, E||grad D(x_fake)||^2); 0 = off
    reg_every: int = 4  # R1/R2 on every k-th D step only, weighted k times (lazy regularisation); 1 = every step. Default  # 4: a step costs 1.4x the plain one instead of 2.5x, which wins per second (rpgan_wallclock.md)
    spectral_norm: bool = False  # spectral normalisation of D's convolutions (drops D's BatchNorm)
    minibatch_std: bool = False  # a minibatch standard-deviation channel before D's last layer
    augment: str = ""  # DiffAugment policy for D's inputs, such as "translation,cutout"; "" = off
    ema: float = 0.99  # decay of a moving average of G's weights, used for sampling; 0 = off
    n_critic: int = 1  # D steps per G step (WGAN and WGAN-GP: 5); each D step takes its own real batch
    optimizer: str = "adam"  # "adam" (betas beta1, beta2) or "rmsprop" (no momentum: the WGAN paper's)
    d_norm: str = "auto"  # D's norm: "batch", "layer", "none"; "auto": layer with a gradient penalty,
    # none with spectral norm, batch otherwise
    seed: int = 0
    device: str = "auto"
    sample_every: int = 0  # steps between fixed-noise sample grids; 0 = once per epoch
    n_fixed: int = 64
    conditional: bool = (
        False  # class-conditional G(z, y) and D(x, y) (10_conditional_gan): train or train_conditional
    )
    conditioning: str = "concat"  # how D sees the label: "concat" (one-hot planes), "projection", "none"
    aux_weight: float = 0.0  # weight of the AC-GAN class term (D also predicts the class); 0 = off

    def validate(self) -> TrainConfig:
        """Raise a ValueError naming the first bad setting."""
        for name in ("latent_dim", "width", "batch_size", "n_fixed"):
            positive_int(name, getattr(self, name))
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
        if not isinstance(self.loss, str):
            raise ValueError(
                f"loss must be the name of a loss family, one of {', '.join(LOSSES)}; got {self.loss!r}."
            )
        self.loss = get_loss(self.loss).name  # the registry's error for an unknown name; the canonical name
        if self.gp_weight is not None and (not is_finite_number(self.gp_weight) or self.gp_weight < 0):
            raise ValueError(
                f"gp_weight (the gradient penalty's weight) must be a number >= 0, such as 10, or None for "
                f"the loss family's default; got {self.gp_weight!r}."
            )
        self._validate_remedies()
        non_negative_int("sample_every", self.sample_every)
        positive_int("n_critic", self.n_critic)
        positive_int("reg_every", self.reg_every)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {self.optimizer!r}.")
        if self.d_norm != "auto" and self.d_norm not in D_NORMS:
            raise ValueError(f"d_norm must be 'auto' or one of {', '.join(D_NORMS)}; got {self.d_norm!r}.")
        if self.conditional is True and (self.n_critic != 1 or self.d_norm not in ("auto", "batch")):
            raise ValueError(
                "n_critic and d_norm are for unconditional runs only (the conditional D is fixed)."
            )
        if not isinstance(self.conditional, bool):
            raise ValueError(f"conditional must be True or False; got {self.conditional!r}.")
        if self.conditional and (self.spectral_norm or self.minibatch_std or self.augment):
            raise ValueError(
                "conditional=True does not combine with spectral_norm, minibatch_std or augment yet "
                "(the conditional D of 10_conditional_gan has none of them)."
            )
        self._validate_conditioning()
        check_seed(self.seed)
        get_device(self.device)
        return self

    def _validate_conditioning(self) -> None:
        # The settings of 10_conditional_gan: how D sees the label, and the AC-GAN class term.
        if not is_finite_number(self.aux_weight) or self.aux_weight < 0:
            raise ValueError(
                f"aux_weight (the weight of the AC-GAN class term) must be a number >= 0, such as 1; "
                f"got {self.aux_weight!r}."
            )
        if not self.conditional and (self.conditioning != "concat" or self.aux_weight):
            raise ValueError("conditioning and aux_weight are for conditional runs: add conditional=True.")
        check_conditioning(self.conditioning, self.aux_weight > 0)
        penalty = get_loss(self.loss).gp_weight if self.gp_weight is None else self.gp_weight
        if self.aux_weight and penalty:
            raise ValueError(
                "aux_weight does not combine with a gradient penalty yet (it differentiates D's real/fake "
                "output alone): use a loss without a penalty, such as 'nonsaturating'."
            )

    def _reject_plain_d_remedies(self) -> None:
        # R1 and weight clipping are implemented for the plain D only: a conditional run would train without
        # them (or fail at its first clipping step), so say so before any training.
        for name in ("r1", "r2"):
            if getattr(self, name):
                raise ValueError(
                    f"{name}={getattr(self, name)!r}: the {name.upper()} penalty is for unconditional runs only; a "
                    f"conditional run does not apply it. Set {name}=0, or drop conditional=True."
                )
        if self.clip is not None:
            raise ValueError(
                f"clip={self.clip!r}: weight clipping is for unconditional runs only; a conditional run does not "
                "apply it. Leave clip=None, or drop conditional=True."
            )
        family = get_loss(self.loss)
        if family.clip:
            raise ValueError(
                f"loss={self.loss!r} clips D's weights (to {family.clip:g}), which conditional runs do not "
                "support: use another loss, such as 'nonsaturating' or 'hinge', or drop conditional=True."
            )

    def _validate_remedies(self) -> None:
        # The settings of 09_stabilizing: clipping, R1, spectral norm, minibatch std-dev, augmentation.
        family = get_loss(self.loss)
        if self.clip is not None and (not is_finite_number(self.clip) or self.clip <= 0):
            raise ValueError(
                f"clip (WGAN weight clipping) must be a number > 0, such as 0.01 (the WGAN paper's), or None "
                f"for the loss family's default; got {self.clip!r}."
            )
        for name in ("r1", "r2"):
            if not is_finite_number(getattr(self, name)) or getattr(self, name) < 0:
                raise ValueError(
                    f"{name} (the {name.upper()} penalty's weight gamma) must be a number >= 0, such as 10; "
                    f"got {getattr(self, name)!r}."
                )
        for name in ("spectral_norm", "minibatch_std"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False; got {getattr(self, name)!r}.")
        check_augment_policy(self.augment)
        if self.conditional is True:  # before the clipping advice below: a conditional run cannot clip at all
            self._reject_plain_d_remedies()
        clip = family.clip if self.clip is None else self.clip
        if clip > 0 and self.optimizer == "adam" and self.beta1 > 0:
            warnings.warn(
                f"WGAN weight clipping with Adam beta1={self.beta1}: Arjovsky et al. 2017 (section 3) found "
                "momentum-based optimizers such as Adam unstable with clipping and used RMSProp with lr=5e-5 "
                "(no momentum) and 5 critic steps per G step. Set optimizer='rmsprop', lr=5e-5, n_critic=5 "
                "(--optimizer rmsprop --lr 5e-5 --n-critic 5) to follow the paper.",
                UserWarning,
                stacklevel=3,
            )

    def resolved_d_norm(self) -> str:
        """D's normalisation for this config: `d_norm`, or for "auto" layer norm with a gradient penalty
        (Gulrajani et al. 2017, section 4: the penalty is per sample, BatchNorm couples the samples), none
        with spectral norm, batch norm otherwise."""
        if self.d_norm != "auto":
            return self.d_norm
        penalty = get_loss(self.loss).gp_weight if self.gp_weight is None else self.gp_weight
        return "layer" if penalty and not self.spectral_norm else "none" if self.spectral_norm else "batch"

    def notes(self) -> list[str]:
        """Remarks on combinations that are allowed but worth knowing about (printed by `new_run`)."""
        family = get_loss(self.loss)
        out = []
        weight = family.gp_weight if self.gp_weight is None else self.gp_weight
        clip = family.clip if self.clip is None else self.clip
        if self.spectral_norm and (weight > 0 or clip > 0):
            other = "gradient penalty" if weight > 0 else "weight clipping"
            out.append(
                f"Note: spectral normalisation with the {family.label} loss, whose {other} already keeps D "
                "Lipschitz. Allowed; the two constraints overlap, so one of them is usually enough."
            )
        return out


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
    last_g_loss: float = math.nan  # G's loss at its last update (with n_critic > 1, not every step has one)

    @property
    def G_sample(self) -> Generator:
        """The generator to sample from: the moving average when there is one, else G."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def sample(self, n: int | None = None, z: torch.Tensor | None = None, labels=None) -> torch.Tensor:
        """Images from G in eval mode: from z, or n fresh latent vectors, or the fixed noise. A conditional run
        draws digit `labels` (an int or one per image; default 0, 1, ..., 9, 0, 1, ...)."""
        if z is None:
            z = self.fixed_noise if n is None else torch.randn(n, self.config.latent_dim)
        G = self.G_sample
        extra = ()
        if self.config.conditional:
            labels = torch.arange(len(z)) % G.num_classes if labels is None else labels
            extra = (check_labels(labels, len(z), G.num_classes, "sample").to(self.device),)
        elif labels is not None:
            raise ValueError(
                "labels are for conditional runs (TrainConfig(conditional=True)); this run is not."
            )
        was_training = G.training
        G.eval()
        try:
            return G(z.to(self.device), *extra).float().cpu()
        finally:
            G.train(was_training)


def new_run(config: TrainConfig | None = None, **overrides) -> GANRun:
    """Build a fresh run: seeded, DCGAN-initialised G and D, Adam optimizers, a fixed-noise batch."""
    config = config or TrainConfig()
    config = TrainConfig(**{**asdict(config), **overrides}).validate()
    device = get_device(config.device)
    set_seed(config.seed)
    if config.conditional:
        G = ConditionalGenerator(config.latent_dim, config.width)
        D = ConditionalDiscriminator(
            config.width, conditioning=config.conditioning, aux_classifier=config.aux_weight > 0
        )
    else:
        G = Generator(config.latent_dim, config.width)
        D = Discriminator(
            config.width,
            spectral_norm=config.spectral_norm,
            minibatch_std=config.minibatch_std,
            norm=config.resolved_d_norm(),
        )
    G.apply(init_dcgan_weights)
    D.apply(init_dcgan_weights)
    if config.augment:
        D = AugmentedDiscriminator(D, config.augment, torch.Generator().manual_seed(config.seed + 3))
    for note in config.notes():
        print(note)
    memory_format = torch.channels_last  # measured faster on CPU (see benchmarks/train_dcgan.py)
    G = G.to(device, memory_format=memory_format)
    D = D.to(device, memory_format=memory_format)
    betas = (float(config.beta1), float(config.beta2))  # an int 0 is a valid beta1, but torch wants floats
    if config.optimizer == "rmsprop":  # Arjovsky et al. 2017, algorithm 1: RMSProp, no momentum
        opt_g = torch.optim.RMSprop(G.parameters(), lr=config.lr)
        opt_d = torch.optim.RMSprop(D.parameters(), lr=config.lr_d or config.lr)
    else:
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


# ----------------------------------------------------------------------------------------------
# Training: the DCGAN's step on the engine's loop
# ----------------------------------------------------------------------------------------------
@torch.no_grad()
def _update_ema(run: GANRun) -> None:
    # Warm-up: early on, average over fewer steps so the average is not dominated by the initial weights.
    decay = min(run.config.ema, (1 + run.step) / (10 + run.step))
    ema_params, params = list(run.G_ema.parameters()), list(run.G.parameters())
    torch._foreach_lerp_(ema_params, params, 1.0 - decay)
    for b_ema, b in zip(run.G_ema.buffers(), run.G.buffers()):
        b_ema.copy_(b)


def _at_step(err: NonFiniteLossError, run: GANRun) -> NonFiniteLossError:
    # The same error, told where in the run it happened.
    at = NonFiniteLossError(
        f"The {err.player} loss became {err.value} at step {run.step + 1} (epoch {run.epoch + 1}). "
        "Training stopped there; `run` keeps the state before that update. " + NONFINITE_FIX.format(lr=err.lr)
    )
    at.player, at.value, at.lr = err.player, err.value, err.lr
    return at


def _record_samples(run: GANRun) -> None:
    run.history["sample_steps"].append(run.step)
    run.history["samples"].append(to_uint8(run.sample()))


def _check_train_args(run: GANRun, data: Dataset, num_epochs: int | None, max_seconds: float | None) -> int:
    # Returns the number of steps in an epoch.
    check_budget(num_epochs, max_seconds)
    if len(data) < run.config.batch_size:
        raise ValueError(
            f"batch_size={run.config.batch_size} is larger than the data set ({len(data)} images); use a smaller batch_size."
        )
    if run.config.conditional and (not hasattr(data, "tensors") or len(data.tensors) < 2):
        raise ValueError("A conditional run needs labelled digits (images, labels), such as load_mnist().")
    return len(data) // run.config.batch_size


def gan_step(run: GANRun, G: nn.Module, D: nn.Module, batch) -> dict:
    """One DCGAN step on a batch (x_real, labels): x_fake = G(z) once (G(z, y) in a conditional run),
    `update_D` (on x_fake.detach()), then `update_G` (through the updated D), then G's moving average.
    With `config.n_critic = k > 1` (WGAN's critic iterations), a step is one D update on its own batch, and
    G is updated on every k-th step only, with that step's fakes (the WGAN papers draw a fresh z for G); the
    history's g_loss then repeats G's last loss in between (NaN before G's first update).
    Returns the step's row of the history: both losses and D's mean output on reals and fakes. A
    non-finite loss raises NonFiniteLossError naming the step. Introduced in 05_dcgan_mnist."""
    config = run.config
    x_real, labels = batch
    x_real = x_real.to(run.device, non_blocking=True)
    if config.conditional:  # G draws the batch's labels; D judges "is this a real y?"
        labels = labels.to(run.device)
        D = _with_labels(D, labels)
    else:
        x_real, labels = x_real.contiguous(memory_format=torch.channels_last), None
    g_turn = (run.step + 1) % config.n_critic == 0
    z = torch.randn(x_real.shape[0], config.latent_dim, generator=run.noise_gen).to(run.device)
    with torch.set_grad_enabled(g_turn):  # a critic-only step needs no graph through G
        x_fake = G(z) if labels is None else G(z, labels)
    family = get_loss(config.loss)
    # Lazy regularisation (Karras et al. 2020, StyleGAN2, section 3.1): R1 and R2 on every k-th D step only,
    # k times heavier, for about the same effect at a fraction of the cost (StyleGAN2 also rescales Adam's
    # settings by k/(k+1) and runs the penalty as a separate pass; the course does neither).
    lazy = config.reg_every if run.step % config.reg_every == 0 else 0
    d_options = DOptions(
        gp_weight=config.gp_weight,
        r1_weight=config.r1 * lazy,
        clip=config.clip,
        aux_weight=config.aux_weight,
        generator=run.noise_gen,
        r2_weight=config.r2 * lazy,
    )
    try:
        loss_d, real_out, fake_out = update_D(D, run.opt_d, x_real, x_fake, family, d_options, labels=labels)
        if g_turn:
            loss_g = update_G(
                D, run.opt_g, x_fake, family, labels=labels, aux_weight=config.aux_weight, x_real=x_real
            )
    except NonFiniteLossError as err:
        raise _at_step(err, run) from None
    if g_turn:
        run.last_g_loss = loss_g.item()
        if run.G_ema is not None:
            _update_ema(run)
    return {
        "d_loss": loss_d.item(),
        "g_loss": run.last_g_loss,
        "d_real": family.d_probability(real_out).mean().item(),
        "d_fake": family.d_probability(fake_out).mean().item(),
    }


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
    Introduced in 05_dcgan_mnist.

    `num_epochs=None` trains until `max_seconds` pass (a time budget on its own).

    Each step is `gan_step` on the engine's `Loop`: it stops cleanly on Ctrl-C, keeping `run`, and writes
    `checkpoint_path` after each epoch and at a stop. Every `config.sample_every` steps (default: each
    epoch) it keeps the fixed-noise samples. A conditional run (`TrainConfig(conditional=True)`) makes
    x_fake = G(z, y) with the batch's labels y and binds y to D (`train_conditional` is the same call, with
    its checks). `on_step(run)` is called after every step (a tracker of `gan_lessons.trackers`).
    `dist` (a gan_lessons.distributed.Distributed, under torchrun): data-parallel training, each process
    on its share of every epoch; only give rank 0 a checkpoint_path.
    """
    steps_per_epoch = _check_train_args(run, data, num_epochs, max_seconds)
    config, G, D = run.config, run.G, run.D
    loader = epoch_loader
    if dist is not None:  # DDP: wrapped models, this rank's share of each epoch, one stop decision for all
        steps_per_epoch = dist.steps_per_epoch(data, config.batch_size)
        G, D, loader = dist.wrap(G), dist.wrap(D), dist.loader
        dist.seed_noise(run)
    sample_every = config.sample_every or steps_per_epoch

    def keep_samples(r: GANRun) -> None:
        if r.step % sample_every == 0:
            _record_samples(r)

    if not run.history["samples"]:
        _record_samples(run)
    loop = Loop(
        run,
        lambda epoch: loader(data, config.batch_size, config.seed, epoch),
        steps_per_epoch,
        run.history,
        num_epochs=num_epochs,
        max_seconds=max_seconds,
        callbacks=[keep_samples] + ([on_step] if on_step is not None else []),
        save=(lambda: save_checkpoint(run, checkpoint_path)) if checkpoint_path is not None else None,
        progress=progress,
        dist=dist,
    )
    stop_reason = loop.run(lambda batch: gan_step(run, G, D, batch))
    trainer = "train_conditional" if config.conditional else "train"
    resume = f"{trainer}(run, data, num_epochs={num_epochs}" + (
        f", max_seconds={max_seconds:g})" if num_epochs is None else ")"
    )
    where = f" Checkpoint: {checkpoint_path}." if checkpoint_path is not None else ""
    report_stop(run, stop_reason, resume, max_seconds, where)
    return run.history


def _with_labels(D, labels: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """D with the batch's labels bound: update_D/update_G call it like an unconditional D."""
    return lambda x: D(x, labels)


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
# Checkpoints, and the generator the course ships
# ----------------------------------------------------------------------------------------------
CHECKPOINT_FORMAT = "gan_lessons.checkpoint/1"


PRETRAINED_G_FORMAT = "gan_lessons.pretrained_generator/1"


_RENAMED = {"g_loss": "loss"}  # config keys of older checkpoints -> today's TrainConfig field


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
    run.history = upgrade_history(state["history"])  # FID columns of older checkpoints: into history["evals"]
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
    return SHIPPED[PRETRAINED_G_FILE].path


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
    fix = SHIPPED[PRETRAINED_G_FILE].fix(path.name)
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


__all__ = [
    "Generator",
    "Discriminator",
    "TrainConfig",
    "GANRun",
    "new_run",
    "gan_step",
    "train",
    "train_conditional",
    "save_checkpoint",
    "read_checkpoint",
    "load_checkpoint",
    "load_generator",
    "load_pretrained_generator",
]
