"""Checkers for 11_gan_segmentation: IoU on masks, and pix2pix's generator loss."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..segmentation import iou
from .core import (
    WrongAnswer,
    as_float,
    call_student,
    checker,
    close,
    correct,
    require_callable,
    require_graph,
)


def _masks() -> tuple[torch.Tensor, torch.Tensor]:
    # Three images of unequal sizes of overlap, and one where both masks are empty.
    target = torch.zeros(4, 1, 4, 4)
    pred = torch.zeros(4, 1, 4, 4)
    target[0, 0, :2, :2] = 1  # 4 pixels
    pred[0, 0, :2, :1] = 1  # 2 of them: IoU 1/2
    target[1, 0, :, :1] = 1  # 4 pixels
    pred[1, 0, :, :3] = 1  # 12 pixels, 4 shared: IoU 1/3
    target[2, 0, 3, 3] = 1  # 1 pixel, missed
    pred[2, 0, 0, 3] = 1  # IoU 0
    return pred, target  # image 3: both empty, IoU 1


@checker
def check_iou(fn: Callable) -> None:
    """Exercise (11): fn(pred, target) returns the mean over images of |P ∩ T| / |P ∪ T|, 1 for two empty masks."""
    require_callable(fn, "check_iou(my_iou)")
    pred, target = _masks()
    out = as_float(
        call_student(
            fn, pred.clone(), target.clone(), about="It receives two (N, 1, H, W) masks of 0. and 1."
        ),
        "the mean IoU",
        returned=True,
    )
    right = iou(pred, target)  # (1/2 + 1/3 + 0 + 1) / 4
    if close(out, right):
        return correct("per image |P ∩ T| / |P ∪ T|, two empty masks count as a perfect 1, then the mean.")
    p, t = pred.flatten(1), target.flatten(1)
    inter, union = (p * t).sum(1), ((p + t) > 0).float().sum(1)
    if close(out, float((inter[:3] / union[:3]).mean())):
        raise WrongAnswer(
            "You skipped the image where both masks are empty: count it as IoU 1 (nothing to find, nothing found)."
        )
    if close(out, float((inter[:3] / union[:3]).sum() / 4)):
        raise WrongAnswer("Two empty masks gave 0 (or nan -> 0): they agree perfectly, so their IoU is 1.")
    if close(out, float(inter.sum() / union.sum())):
        raise WrongAnswer(
            "That pools all pixels of all images into one IoU: compute one IoU per image, then average."
        )
    dice = torch.where(p.sum(1) + t.sum(1) > 0, 2 * inter / (p.sum(1) + t.sum(1)).clamp_min(1), torch.ones(4))
    if close(out, float(dice.mean())):
        raise WrongAnswer("That is the Dice score 2|P ∩ T| / (|P| + |T|): IoU divides by the union |P ∪ T|.")
    recall = torch.where(t.sum(1) > 0, inter / t.sum(1).clamp_min(1), torch.ones(4))
    if close(out, float(recall.mean())):
        raise WrongAnswer(
            "That divides by the true mask only (recall): a prediction covering everything would score 1."
        )
    if close(out, float((p == t).float().mean())):
        raise WrongAnswer(
            "That is pixel accuracy: with mostly background it is high even for a useless prediction."
        )
    raise WrongAnswer(f"Expected a mean IoU of {right:.4f} for these masks; got {out:.4f}.")


@checker
def check_pix2pix_g_loss(fn: Callable) -> None:
    """Exercise (11): fn(d_fake_logits, mask_logits, masks, lam) = non-saturating adversarial loss on D's
    patch logits + lam x per-pixel BCE of the mask logits (pix2pix's objective, BCE in place of L1)."""
    require_callable(fn, "check_pix2pix_g_loss(my_g_loss)")
    gen = torch.Generator().manual_seed(0)
    d_fake = torch.randn(3, 1, 6, 6, generator=gen) * 2 - 0.5
    logits = torch.randn(3, 1, 8, 8, generator=gen) * 3
    masks = (torch.rand(3, 1, 8, 8, generator=gen) > 0.7).float()
    lam = 7.0
    adv = F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
    pix = F.binary_cross_entropy_with_logits(logits, masks)
    out = as_float(
        call_student(
            fn,
            d_fake.clone(),
            logits.clone(),
            masks.clone(),
            lam,
            about="It receives D's patch logits, G's mask logits, the true masks and lam.",
        ),
        "the generator's loss",
        returned=True,
    )
    if close(out, float(adv + lam * pix)):
        d_leaf, g_leaf = d_fake.clone().requires_grad_(True), logits.clone().requires_grad_(True)
        graph = call_student(fn, d_leaf, g_leaf, masks.clone(), lam, about="Keep the computation in torch.")
        require_graph(graph, reaches="G")
        return correct("fool every patch of D, and stay close to the true mask pixel by pixel (weight lam).")
    wrong = {
        float(adv + pix): "The per-pixel term is not weighted: multiply it by lam.",
        float(
            lam * adv + pix
        ): "lam weights the per-pixel term, not the adversarial one (pix2pix: L_GAN + λ L_pixel).",
        float(lam * pix): "The adversarial term is missing: without it this is the plain per-pixel U-Net.",
        float(
            adv
        ): "The per-pixel term is missing: G would only need masks that look plausible, not the right ones.",
        float(-F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)) + lam * pix): (
            "That is the saturating (minimax) G loss log(1 - D): use the non-saturating -log D, target 1 for G's masks."
        ),
        float(F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)) + lam * pix): (
            "G's masks are labelled 0 (fake): G wants D to call them real, target 1."
        ),
        float(adv + lam * (torch.sigmoid(logits) - masks).abs().mean()): (
            "That is pix2pix's L1 on probabilities; here use binary cross-entropy on the logits (F.binary_cross_entropy_with_logits)."
        ),
    }
    for value, hint in wrong.items():
        if close(out, value):
            raise WrongAnswer(hint)
    raise WrongAnswer(
        f"Expected {float(adv + lam * pix):.4f} (adversarial {float(adv):.4f} + lam x per-pixel {float(pix):.4f}); got {out:.4f}."
    )


__all__ = ["check_iou", "check_pix2pix_g_loss"]
