"""GAN losses on discriminator logits. Introduced in 03_loss_math and used from 05_dcgan_mnist on.

D outputs a logit a; D(x) = sigmoid(a) is its probability that x is real. Writing the losses
on logits (BCE-with-logits) is the same maths as on probabilities, without log(0) overflow.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _check_logits(name: str, logits: torch.Tensor) -> None:
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise ValueError(
            f"{name} must be a float tensor of discriminator logits; got {type(logits).__name__}."
        )


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Discriminator loss L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))].

    Minimising it is maximising V(D, G); both terms carry a minus sign (the article drops the
    second one's).
    """
    _check_logits("real_logits", real_logits)
    _check_logits("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + (
        F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    )


def g_loss_minimax(fake_logits: torch.Tensor) -> torch.Tensor:
    """Saturating (original minimax) generator loss L_G = E_z[log(1 - D(G(z)))], to be minimised.

    Its gradient vanishes when D confidently rejects the fakes (D(G(z)) -> 0).
    """
    _check_logits("fake_logits", fake_logits)
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def g_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss L_G = -E_z[log D(G(z))] (Goodfellow et al. 2014, section 3).

    Same fixed point as the minimax loss, but a strong gradient exactly when D rejects the fakes.
    """
    _check_logits("fake_logits", fake_logits)
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


G_LOSSES = {"nonsaturating": g_loss_nonsaturating, "minimax": g_loss_minimax}
