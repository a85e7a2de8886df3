"""The settings of a DCGAN training run, `TrainConfig`, and their checks: the loss family and its penalties,
the remedies of 09_stabilizing, the conditioning of 10_conditional_gan. `gan_lessons.dcgan` builds and trains
the run they describe. Introduced in 05_dcgan_mnist.

    config = TrainConfig(loss="hinge", spectral_norm=True).validate()   # a ValueError names a bad setting
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from .conditional import check_conditioning
from .config import get_device
from .layers import D_NORMS, check_augment_policy
from .losses import LOSSES, get_loss
from .validate import check_seed, is_finite_number, non_negative_int, positive_int

OPTIMIZERS = ("adam", "rmsprop")  # TrainConfig.optimizer: Adam (betas), or RMSProp as in the WGAN paper


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
    2e-3 with no schedule, and G keeps a moving average. The plain recipe (`config.PLAIN_RECIPE`), which 05's
    inline loop writes out and every remedy of 09_stabilizing starts from, is loss="nonsaturating",
    beta1=0.5, r1=r2=0, reg_every=1; conditional runs use it too.
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
    # R1/R2 on every k-th D step only, weighted k times (lazy regularisation); 1 = every step. Default 4: a step
    # costs 1.4x the plain one instead of 2.5x, which wins per second (rpgan_wallclock.md)
    reg_every: int = 4
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
                    f"conditional run does not apply it. Conditional runs train on the plain recipe: "
                    f"TrainConfig(conditional=True, **PLAIN_RECIPE); or drop conditional=True."
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


__all__ = ["TrainConfig"]
