"""Every GAN loss family, and the one registry that the trainer, the CLI, the toy stepper and the
playground read. Introduced in 03_loss_math; used from 04_toy_gan_playground on.

What D outputs depends on the family:

- **logit** (minimax, non-saturating): a real number a with D(x) = sigmoid(a), the probability
  that x is real. The losses are written on logits (BCE-with-logits): the same maths as on
  probabilities, without log(0) overflow.
- **score** (least squares, Wasserstein, hinge): a raw real number, not a probability. The
  Wasserstein critic's score has no scale of its own; only differences between scores mean something.

Adding a family: write its D and G losses here, add one `LossFamily` entry to `LOSSES`, and test
both in tests/test_losses.py. The trainer (`TrainConfig(loss=...)`), the CLI (`--loss`), `ToyGAN`
and the playground's dropdown all read `LOSSES`, so they pick it up with no other change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


def _check_outputs(name: str, out: torch.Tensor) -> None:
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise ValueError(f"{name} must be a float tensor of discriminator outputs; got {type(out).__name__}.")


# --- logit families: the original GAN (Goodfellow et al. 2014) ---------------------------------


def d_loss_bce(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Discriminator loss L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))], on logits.

    Minimising it is maximising V(D, G); both terms carry a minus sign (the article drops the
    second one's). Shared by the minimax and the non-saturating families.
    """
    _check_outputs("real_logits", real_logits)
    _check_outputs("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + (
        F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    )


def d_loss_bce_smoothed(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, real_label: float = 0.9
) -> torch.Tensor:
    """D loss with one-sided label smoothing (Salimans et al. 2016, section 3.4): reals get the target
    0.9 instead of 1, fakes keep 0. Introduced in 09_stabilizing.

    Only the real side is smoothed: smoothing the fakes' target too would reward G for samples where
    there is no data. D is no longer paid to grow its logits on reals without end.
    """
    _check_outputs("real_logits", real_logits)
    _check_outputs("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label)) + (
        F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    )


def g_loss_minimax(fake_logits: torch.Tensor) -> torch.Tensor:
    """Saturating (original minimax) generator loss L_G = E_z[log(1 - D(G(z)))], to be minimised.

    Its gradient vanishes when D confidently rejects the fakes (D(G(z)) -> 0).
    """
    _check_outputs("fake_logits", fake_logits)
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def g_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss L_G = -E_z[log D(G(z))] (Goodfellow et al. 2014, section 3).

    Same fixed point as the minimax loss, but a strong gradient exactly when D rejects the fakes.
    """
    _check_outputs("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


# --- score families ----------------------------------------------------------------------------


def d_loss_least_squares(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Least-squares D loss (Mao et al. 2017): 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] on raw scores."""
    _check_outputs("real_scores", real_scores)
    _check_outputs("fake_scores", fake_scores)
    return 0.5 * ((real_scores - 1) ** 2).mean() + 0.5 * (fake_scores**2).mean()


def g_loss_least_squares(fake_scores: torch.Tensor) -> torch.Tensor:
    """Least-squares G loss: 1/2 E[(D(G(z)) - 1)^2]."""
    _check_outputs("fake_scores", fake_scores)
    return 0.5 * ((fake_scores - 1) ** 2).mean()


def d_loss_wasserstein(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Wasserstein critic loss (Arjovsky et al. 2017): E[D(G(z))] - E[D(x)].

    Minimising it estimates the Wasserstein-1 distance, but only for a 1-Lipschitz critic: pair it
    with weight clipping, a gradient penalty or spectral normalisation.
    """
    _check_outputs("real_scores", real_scores)
    _check_outputs("fake_scores", fake_scores)
    return fake_scores.mean() - real_scores.mean()


def g_loss_wasserstein(fake_scores: torch.Tensor) -> torch.Tensor:
    """Wasserstein generator loss: -E[D(G(z))]."""
    _check_outputs("fake_scores", fake_scores)
    return -fake_scores.mean()


def d_loss_hinge(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Hinge D loss (Lim & Ye 2017; Miyato et al. 2018): E[relu(1 - D(x))] + E[relu(1 + D(G(z)))].

    Reals scored above +1 and fakes below -1 cost nothing: D stops pushing once it is sure.
    """
    _check_outputs("real_scores", real_scores)
    _check_outputs("fake_scores", fake_scores)
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


def g_loss_hinge(fake_scores: torch.Tensor) -> torch.Tensor:
    """Hinge G loss: -E[D(G(z))] (the same as Wasserstein's; only D's loss is hinged)."""
    _check_outputs("fake_scores", fake_scores)
    return -fake_scores.mean()


# --- the relativistic pairing (RpGAN) --------------------------------------------------------


def _check_pairs(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> None:
    _check_outputs("real_logits", real_logits)
    _check_outputs("fake_logits", fake_logits)
    if real_logits.shape != fake_logits.shape:
        raise ValueError(
            "The relativistic pairing loss pairs each real sample with one fake, so D's outputs on both must "
            f"have the same shape (equal batch sizes); got {tuple(real_logits.shape)} and {tuple(fake_logits.shape)}."
        )


def d_loss_relativistic(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Relativistic pairing D loss (RpGAN; Jolicoeur-Martineau 2019, section 4; the loss of R3GAN, Huang et al.
    2024, eq. 2 with f = -softplus(-t)): E[softplus(D(G(z_i)) - D(x_i))], = -E[log sigmoid(D(x_i) - D(G(z_i)))].

    D is paid for scoring each real sample above the fake it is paired with, not for absolute verdicts."""
    _check_pairs(real_logits, fake_logits)
    return F.softplus(fake_logits - real_logits).mean()


def g_loss_relativistic(fake_logits: torch.Tensor, real_logits: torch.Tensor) -> torch.Tensor:
    """Relativistic pairing G loss: E[softplus(D(x_i) - D(G(z_i)))], the D loss with the roles swapped. It reads
    D's outputs on the reals too, so a family with `paired=True` gets them as a second argument."""
    _check_pairs(real_logits, fake_logits)
    return F.softplus(real_logits - fake_logits).mean()


def gradient_penalty(
    D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """WGAN-GP penalty (Gulrajani et al. 2017): E[(||grad_x D(x_hat)|| - 1)^2] at random points
    x_hat on the segments between real and fake samples. Any input shape: (N, 2) points or
    (N, C, H, W) images; the norm is taken over everything but the batch dimension."""
    if not isinstance(x_real, torch.Tensor) or not isinstance(x_fake, torch.Tensor):
        raise ValueError("gradient_penalty needs x_real and x_fake as tensors.")
    if x_real.shape != x_fake.shape:
        raise ValueError(
            f"gradient_penalty interpolates between real and fake samples, so their shapes must match; "
            f"got {tuple(x_real.shape)} and {tuple(x_fake.shape)}."
        )
    eps_shape = (len(x_real),) + (1,) * (x_real.dim() - 1)
    eps = torch.rand(eps_shape, generator=generator).to(x_real.device, x_real.dtype)
    x_hat = (eps * x_real.detach() + (1 - eps) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(D: nn.Module, x_real: torch.Tensor) -> torch.Tensor:
    """R1 penalty (Mescheder et al. 2018, Which Training Methods for GANs do actually Converge?):
    E[||grad_x D(x)||^2] on *real* samples only; D's loss adds (gamma / 2) times it. Any input shape.
    Introduced in 09_stabilizing."""
    if not isinstance(x_real, torch.Tensor) or not x_real.is_floating_point():
        raise ValueError("r1_penalty needs x_real as a float tensor of real samples.")
    x = x_real.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return grad.flatten(1).pow(2).sum(dim=1).mean()


def r2_penalty(D: nn.Module, x_fake: torch.Tensor) -> torch.Tensor:
    """R2 penalty: R1's zero-centred penalty E[||grad_x D(x)||^2], taken on *fake* samples (Mescheder et al. 2018,
    section 4.1; R3GAN, Huang et al. 2024, section 2.2, uses gamma/2 (R1 + R2)). Any input shape."""
    if not isinstance(x_fake, torch.Tensor) or not x_fake.is_floating_point():
        raise ValueError("r2_penalty needs x_fake as a float tensor of generated samples.")
    return r1_penalty(D, x_fake)


@torch.no_grad()
def clip_weights_(D: nn.Module, clip: float) -> None:
    """WGAN weight clipping (Arjovsky et al. 2017, algorithm 1): every parameter of D into [-clip, clip],
    in place, after each D step. A crude way to keep the critic Lipschitz. Introduced in 09_stabilizing."""
    if not isinstance(clip, (int, float)) or isinstance(clip, bool) or not clip > 0:
        raise ValueError(
            f"The clipping value must be a number > 0, such as 0.01 (the WGAN paper's); got {clip!r}."
        )
    for p in D.parameters():
        p.clamp_(-clip, clip)


def auxiliary_class_loss(class_logits: torch.Tensor, labels) -> torch.Tensor:
    """AC-GAN's class term (Odena et al. 2017, Conditional Image Synthesis with Auxiliary Classifier GANs):
    the cross-entropy of D's class logits (N, K) against the labels (N,). D's loss adds it on the real images
    (D learns to read digits), G's loss on its fakes (G is paid when D reads the digit it was asked for).
    Introduced in 10_conditional_gan."""
    _check_outputs("class_logits", class_logits)
    if labels is None:
        raise ValueError(
            "This discriminator also predicts the class (an auxiliary classifier): pass the batch's labels "
            "(update_D(..., labels=y), update_G(..., labels=y))."
        )
    labels = torch.as_tensor(labels, device=class_logits.device).long().reshape(-1)
    if class_logits.dim() != 2 or len(labels) != len(class_logits):
        raise ValueError(
            f"auxiliary_class_loss expects class logits (N, K) and N labels; got {tuple(class_logits.shape)} "
            f"and {len(labels)} labels."
        )
    return F.cross_entropy(class_logits, labels)


# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossFamily:
    """A pair of D and G losses, what D's output means for them, and the paper they come from."""

    name: str
    label: str  # for menus and plot titles
    d_output: str  # "logit" (D(x) = sigmoid(output)) or "score" (a raw real number)
    d_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (D's outputs on reals, on fakes)
    g_loss: Callable[[torch.Tensor], torch.Tensor]  # (D's outputs on fakes)
    gp_weight: float = 0.0  # default weight of the gradient penalty added to D's loss
    clip: float = 0.0  # default weight-clipping value applied to D after each step (0 = none)
    paper: str = ""
    paired: bool = False  # True: g_loss(fake_out, real_out) also reads D's outputs on the reals (RpGAN)

    def d_probability(self, out: torch.Tensor) -> torch.Tensor:
        """D's output as something to plot: the probability "real" for a logit family, else the raw score."""
        return torch.sigmoid(out) if self.d_output == "logit" else out


LOSSES: dict[str, LossFamily] = {
    family.name: family
    for family in (
        LossFamily(
            "minimax", "minimax (saturating)", "logit", d_loss_bce, g_loss_minimax,
            paper="Goodfellow et al. 2014, Generative Adversarial Nets, eq. 1",
        ),
        LossFamily(
            "nonsaturating", "non-saturating", "logit", d_loss_bce, g_loss_nonsaturating,
            paper="Goodfellow et al. 2014, Generative Adversarial Nets, section 3",
        ),
        LossFamily(
            "least_squares", "least squares (LSGAN)", "score", d_loss_least_squares, g_loss_least_squares,
            paper="Mao et al. 2017, Least Squares Generative Adversarial Networks",
        ),
        LossFamily(
            "nonsaturating_smooth", "non-saturating + one-sided label smoothing", "logit",
            d_loss_bce_smoothed, g_loss_nonsaturating,
            paper="Salimans et al. 2016, Improved Techniques for Training GANs, section 3.4",
        ),
        LossFamily(
            "wgan", "WGAN (weight clipping)", "score", d_loss_wasserstein, g_loss_wasserstein, clip=0.01,
            paper="Arjovsky, Chintala & Bottou 2017, Wasserstein GAN, algorithm 1",
        ),
        LossFamily(
            "wgan_gp", "WGAN-GP", "score", d_loss_wasserstein, g_loss_wasserstein, gp_weight=10.0,
            paper="Gulrajani et al. 2017, Improved Training of Wasserstein GANs",
        ),
        LossFamily(
            "hinge", "hinge", "score", d_loss_hinge, g_loss_hinge,
            paper="Lim & Ye 2017, Geometric GAN; Miyato et al. 2018, Spectral Normalization for GANs",
        ),
        LossFamily(
            "rpgan", "relativistic pairing (RpGAN)", "score", d_loss_relativistic, g_loss_relativistic, paired=True,
            paper="Jolicoeur-Martineau 2019, The relativistic discriminator; Huang et al. 2024, R3GAN, eq. 2",
        ),
    )
}  # fmt: skip


def get_loss(name: str | LossFamily) -> LossFamily:
    """The loss family called `name` ('wgan-gp' and 'wgan_gp' both work), with a clear error otherwise."""
    if isinstance(name, LossFamily):
        return name
    key = name.strip().lower().replace("-", "_") if isinstance(name, str) else name
    if key not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}: choose one of {', '.join(LOSSES)}.")
    return LOSSES[key]


__all__ = [
    "d_loss_bce",
    "d_loss_bce_smoothed",
    "g_loss_minimax",
    "g_loss_nonsaturating",
    "d_loss_least_squares",
    "g_loss_least_squares",
    "d_loss_wasserstein",
    "g_loss_wasserstein",
    "d_loss_hinge",
    "g_loss_hinge",
    "d_loss_relativistic",
    "g_loss_relativistic",
    "gradient_penalty",
    "r1_penalty",
    "r2_penalty",
    "clip_weights_",
    "auxiliary_class_loss",
    "LossFamily",
    "LOSSES",
    "get_loss",
]
