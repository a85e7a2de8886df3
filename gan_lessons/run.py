"""The state of one GAN training run: its configuration, both networks, both optimizers, the noise
and the history. Introduced in 05_dcgan_mnist.

`new_run(config)` builds it; `gan_lessons.train` trains it and `gan_lessons.checkpoint` saves and
rebuilds it. Both import this module, and it imports neither, so the three have no cycle.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import asdict, dataclass, field

import torch

from .config import get_device, set_seed
from .losses import LOSSES, get_loss
from .models import (
    AugmentedDiscriminator,
    ConditionalDiscriminator,
    ConditionalGenerator,
    Discriminator,
    Generator,
    check_augment_policy,
    check_conditioning,
    check_labels,
    init_dcgan_weights,
)

# One row per step. d_real and d_fake are D's mean output on the batch's real and fake images, as
# `LossFamily.d_probability` gives it: the probability "real", sigmoid(logit), for the logit families
# (minimax, nonsaturating), so in [0, 1]; the raw mean score for the score families (least_squares,
# wgan_gp, hinge), which has no fixed range.
HISTORY_KEYS = ("step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "time")


# The conditional recipe of 10_conditional_gan (measured there: >= 90% conditioning accuracy within minutes on a
# 2-core CPU): a projection discriminator (Miyato & Koyama 2018) that is also an auxiliary classifier (Odena et al. 2017).
CONDITIONAL_RECIPE = {"conditioning": "projection", "aux_weight": 1.0}


def _finite_number(value) -> bool:
    """A finite int or float (not a bool): what every numeric TrainConfig setting must be."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
    loss: str = "nonsaturating"  # a loss family of gan_lessons.losses.LOSSES ('wgan-gp' is read as 'wgan_gp')
    gp_weight: float | None = (
        None  # weight of the gradient penalty in D's loss; None: the family's (wgan_gp: 10)
    )
    clip: float | None = None  # WGAN weight clipping of D after each step; None: the family's (wgan: 0.01)
    r1: float = 0.0  # R1 penalty weight gamma (D's loss adds gamma/2 * E||grad D(x_real)||^2); 0 = off
    spectral_norm: bool = False  # spectral normalisation of D's convolutions (drops D's BatchNorm)
    minibatch_std: bool = False  # a minibatch standard-deviation channel before D's last layer
    augment: str = ""  # DiffAugment policy for D's inputs, such as "translation,cutout"; "" = off
    ema: float = 0.99  # decay of a moving average of G's weights, used for sampling; 0 = off
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
        if not isinstance(self.loss, str):
            raise ValueError(
                f"loss must be the name of a loss family, one of {', '.join(LOSSES)}; got {self.loss!r}."
            )
        self.loss = get_loss(self.loss).name  # the registry's error for an unknown name; the canonical name
        if self.gp_weight is not None and (not _finite_number(self.gp_weight) or self.gp_weight < 0):
            raise ValueError(
                f"gp_weight (the gradient penalty's weight) must be a number >= 0, such as 10, or None for "
                f"the loss family's default; got {self.gp_weight!r}."
            )
        self._validate_remedies()
        if not isinstance(self.sample_every, int) or self.sample_every < 0:
            raise ValueError(f"sample_every must be an integer >= 0; got {self.sample_every!r}.")
        if not isinstance(self.conditional, bool):
            raise ValueError(f"conditional must be True or False; got {self.conditional!r}.")
        if self.conditional and (self.spectral_norm or self.minibatch_std or self.augment):
            raise ValueError(
                "conditional=True does not combine with spectral_norm, minibatch_std or augment yet "
                "(the conditional D of 10_conditional_gan has none of them)."
            )
        self._validate_conditioning()
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {self.seed!r}.")
        get_device(self.device)
        return self

    def _validate_conditioning(self) -> None:
        # The settings of 10_conditional_gan: how D sees the label, and the AC-GAN class term.
        if not _finite_number(self.aux_weight) or self.aux_weight < 0:
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
        if self.r1:
            raise ValueError(
                f"r1={self.r1!r}: the R1 penalty is for unconditional runs only; a conditional run does not "
                "apply it. Set r1=0, or drop conditional=True."
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
        # The settings of 08_stabilizing: clipping, R1, spectral norm, minibatch std-dev, augmentation.
        family = get_loss(self.loss)
        if self.clip is not None and (not _finite_number(self.clip) or self.clip <= 0):
            raise ValueError(
                f"clip (WGAN weight clipping) must be a number > 0, such as 0.01 (the WGAN paper's), or None "
                f"for the loss family's default; got {self.clip!r}."
            )
        if not _finite_number(self.r1) or self.r1 < 0:
            raise ValueError(
                f"r1 (the R1 penalty's weight gamma) must be a number >= 0, such as 10; got {self.r1!r}."
            )
        for name in ("spectral_norm", "minibatch_std"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False; got {getattr(self, name)!r}.")
        check_augment_policy(self.augment)
        if self.conditional is True:  # before the clipping advice below: a conditional run cannot clip at all
            self._reject_plain_d_remedies()
        clip = family.clip if self.clip is None else self.clip
        if clip > 0 and self.beta1 > 0:
            warnings.warn(
                f"WGAN weight clipping with Adam beta1={self.beta1}: Arjovsky et al. 2017 (section 3) found "
                "momentum-based optimizers such as Adam unstable with clipping and used RMSProp with lr=5e-5 "
                "(no momentum). Set beta1=0 (and a small lr, such as 5e-5) to follow the paper.",
                UserWarning,
                stacklevel=3,
            )

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
            config.width, spectral_norm=config.spectral_norm, minibatch_std=config.minibatch_std
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
