"""Checkers for 11_gan_segmentation: IoU on masks (with its empty-mask convention), and the segmenter's
adversarial step of the semi-supervised recipe (labelled and unlabelled batches, D held fixed)."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from ..pix2pix import PatchDiscriminator, UNet, mask_for_D, semi_g_loss, semi_g_step
from ..segmentation import iou
from .core import WrongAnswer, as_float, call_student, checker, close, correct, require_callable


def _call_own(fn: Callable, *args: Any, forbidden: tuple[Callable, ...], about: str) -> Any:
    """call_student(fn, *args), but a WrongAnswer if fn hands the work to one of the package's `forbidden`
    functions: the exercise is to write the idea, and the package's answer would pass the comparison."""
    codes = {f.__code__ for f in forbidden}
    called: list[str] = []

    def watch(frame, event, arg):  # a profile hook sees every Python call made during the student's call
        if event == "call" and frame.f_code in codes:
            called.append(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        out = call_student(fn, *args, about=about)
    finally:
        sys.setprofile(previous)
    if called:
        raise WrongAnswer(
            f"Your function calls the package's {called[0]}(): write the computation yourself, "
            "that is the exercise."
        )
    return out


def _masks() -> tuple[torch.Tensor, torch.Tensor]:
    # Seven images: three of unequal overlap, one where both masks are empty, two where only the prediction is
    # empty and one where only the target is empty (unequal counts, so the two conventions cannot coincide).
    target = torch.zeros(7, 1, 4, 4)
    pred = torch.zeros(7, 1, 4, 4)
    target[0, 0, :2, :2] = 1  # 4 pixels
    pred[0, 0, :2, :1] = 1  # 2 of them: IoU 1/2
    target[1, 0, :, :1] = 1  # 4 pixels
    pred[1, 0, :, :3] = 1  # 12 pixels, 4 shared: IoU 1/3
    target[2, 0, 3, 3] = 1  # 1 pixel, missed
    pred[2, 0, 0, 3] = 1  # IoU 0
    # image 3: both empty, IoU 1
    target[4, 0, 1:3, 1:3] = 1  # image 4: the prediction is empty, IoU 0
    pred[5, 0, 2:, 2:] = 1  # image 5: the target is empty, IoU 0
    target[6, 0, 0, :] = 1  # image 6: the prediction is empty, IoU 0
    return pred, target


def _iou_with(p: torch.Tensor, t: torch.Tensor, empty_pred: float, empty_target: float) -> float:
    # Per-image IoU where an empty prediction (or an empty target) scores the given value.
    inter, union = (p * t).sum(1), ((p + t) > 0).float().sum(1)
    per = torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(union))
    per = torch.where((p.sum(1) == 0) & (t.sum(1) > 0), torch.full_like(per, empty_pred), per)
    per = torch.where((t.sum(1) == 0) & (p.sum(1) > 0), torch.full_like(per, empty_target), per)
    return float(per.mean())


@checker
def check_iou(fn: Callable) -> None:
    """Exercise (11): fn(pred, target) returns the mean over images of |P ∩ T| / |P ∪ T|, 1 for two empty masks."""
    require_callable(fn, "check_iou(my_iou)")
    pred, target = _masks()
    out = as_float(
        _call_own(
            fn,
            pred.clone(),
            target.clone(),
            forbidden=(iou,),
            about="It receives two (N, 1, H, W) masks of 0. and 1.",
        ),
        "the mean IoU",
        returned=True,
    )
    right = iou(pred, target)  # (1/2 + 1/3 + 0 + 1 + 0 + 0 + 0) / 7
    if close(out, right):
        return correct(
            "per image |P ∩ T| / |P ∪ T|; two empty masks are a perfect 1, one empty mask against a full one is 0."
        )
    p, t = pred.flatten(1), target.flatten(1)
    inter, union = (p * t).sum(1), ((p + t) > 0).float().sum(1)
    both_empty = union == 0
    if close(out, float((inter[~both_empty] / union[~both_empty]).mean())):
        raise WrongAnswer(
            "You skipped the image where both masks are empty: count it as IoU 1 (nothing to find, nothing found)."
        )
    if close(out, float((inter / union.clamp_min(1)).mean())):
        raise WrongAnswer("Two empty masks gave 0 (or nan -> 0): they agree perfectly, so their IoU is 1.")
    if close(out, _iou_with(p, t, empty_pred=1.0, empty_target=0.0)):
        raise WrongAnswer(
            "An image where the prediction is empty but the target is not scored 1: predicting nothing where "
            "there is a digit finds none of it. Only two empty masks count as 1."
        )
    if close(out, _iou_with(p, t, empty_pred=0.0, empty_target=1.0)):
        raise WrongAnswer(
            "An image whose target is empty scored 1 although the prediction marks pixels there: every one of "
            "them is a false positive. Only two empty masks count as 1."
        )
    if close(out, _iou_with(p, t, empty_pred=1.0, empty_target=1.0)):
        raise WrongAnswer(
            "An image with one empty mask scored 1: that is right only when both masks are empty."
        )
    if close(out, float(inter.sum() / union.sum())):
        raise WrongAnswer(
            "That pools all pixels of all images into one IoU: compute one IoU per image, then average."
        )
    total = p.sum(1) + t.sum(1)
    dice = torch.where(total > 0, 2 * inter / total.clamp_min(1), torch.ones(len(p)))
    if close(out, float(dice.mean())):
        raise WrongAnswer("That is the Dice score 2|P ∩ T| / (|P| + |T|): IoU divides by the union |P ∪ T|.")
    recall = torch.where(t.sum(1) > 0, inter / t.sum(1).clamp_min(1), torch.ones(len(p)))
    if close(out, float(recall.mean())):
        raise WrongAnswer(
            "That divides by the true mask only (recall): a prediction covering everything would score 1."
        )
    if close(out, float((p == t).float().mean())):
        raise WrongAnswer(
            "That is pixel accuracy: with mostly background it is high even for a useless prediction."
        )
    raise WrongAnswer(f"Expected a mean IoU of {right:.4f} for these masks; got {out:.4f}.")


ADV_WEIGHT = 0.3  # unlike 1 and unlike the chapter's 0.01, so a weight on the wrong term shows
LR = 0.5  # plain SGD: G's new weights are a fixed function of its gradient


def _setup() -> tuple:
    # A tiny U-Net in train mode, as in training (BatchNorm uses each forward pass's own statistics, so one pass
    # over both batches gives other masks than two passes: the coupling shows), a norm-free D on masks, and two
    # batches of 4 images.
    gen = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    G, D = UNet(width=4).train(), PatchDiscriminator(in_channels=1, width=4, norm=False)
    with torch.no_grad():  # untrained nets are nearly constant: spread G's logits and D's verdicts, so that
        G.head.weight.mul_(40)  # masks and verdicts differ from image to image and every mistake shows
        G.head.bias.zero_()
        D.net[-1].weight.mul_(100)
    x_lab, x_unl = (torch.rand(4, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))
    m_lab = (torch.rand(4, 1, 32, 32, generator=gen) > 0.8).float()
    return G, D, x_lab, m_lab, x_unl


def _variants(G: torch.nn.Module, D: torch.nn.Module, x_lab, m_lab, x_unl) -> dict:
    # The loss each typical mistake computes, with its hint (no answer given away).
    # Train-mode passes update BatchNorm's running statistics: keep the caller's G as it is.
    G = copy.deepcopy(G)
    with torch.no_grad():
        logits = torch.cat([G(x_lab), G(x_unl)])
        joint = G(torch.cat([x_lab, x_unl]))
        v_joint = D(mask_for_D(joint))
        n = len(x_lab)
        pix = F.binary_cross_entropy_with_logits(logits[:n], m_lab)
        v = D(mask_for_D(logits))
        v_soft = D(torch.sigmoid(logits))
        adv = F.binary_cross_entropy_with_logits(v, torch.ones_like(v))
        adv_l = F.binary_cross_entropy_with_logits(v[:n], torch.ones_like(v[:n]))
        adv_u = F.binary_cross_entropy_with_logits(v[n:], torch.ones_like(v[n:]))
        pseudo = F.binary_cross_entropy_with_logits(logits[n:], (logits[n:] > 0).float())
        w = ADV_WEIGHT
    return {
        float(pix + w * F.binary_cross_entropy_with_logits(v, torch.zeros_like(v))): (
            "G's masks are given D's target for them (0, fake): G wants D to call its masks real, target 1."
        ),
        float(pix - w * F.binary_cross_entropy_with_logits(v, torch.zeros_like(v))): (
            "That is the saturating (minimax) G loss log(1 - D): use the non-saturating -log D, target 1."
        ),
        float(w * pix + adv): "adv_weight weights the adversarial term, not the per-pixel one.",
        float(pix + adv): "The adversarial term is not weighted: multiply it by adv_weight.",
        float(pix + w * adv_l): (
            "D judges only the labelled masks: the unlabelled images must get D's signal too, or they are unused."
        ),
        float(pix + w * adv_u): "D judges only the unlabelled masks: the labelled ones are G's masks too.",
        float(pix + w * (adv_l + adv_u)): (
            "The labelled and unlabelled adversarial terms are summed. Hung et al. weight the two separately; "
            "this exercise's convention (the reference's) is one term that averages D's verdicts over all of "
            "G's masks, labelled and unlabelled together."
        ),
        float(
            F.binary_cross_entropy_with_logits(joint[:n], m_lab)
            + w * F.binary_cross_entropy_with_logits(v_joint, torch.ones_like(v_joint))
        ): (
            "G ran once on both batches together. In train mode BatchNorm then shares its statistics between "
            "them, and the unlabelled half (no per-pixel loss holds it) can drift to marking every pixel. Run "
            "G on the labelled and on the unlabelled batch separately."
        ),
        float(pix + pseudo + w * adv): (
            "The unlabelled images got a per-pixel loss (against G's own guesses). That is Hung et al.'s "
            "self-training term, which this exercise leaves out: here only D's verdict reaches them."
        ),
        float(
            F.binary_cross_entropy_with_logits(logits, torch.cat([m_lab, (logits[n:] > 0).float()])) + w * adv
        ): (
            "The unlabelled images got a per-pixel loss (against G's own guesses). That is Hung et al.'s "
            "self-training term, which this exercise leaves out: here only D's verdict reaches them."
        ),
        float(pix + w * F.binary_cross_entropy_with_logits(v_soft, torch.ones_like(v_soft))): (
            "D was shown G's probabilities: that is the softness shortcut. Show it mask_for_D(logits), the "
            "binarised mask with the straight-through gradient."
        ),
        float(w * adv): "The per-pixel loss on the labelled batch is missing.",
        float(
            pix
        ): "The adversarial term is missing: this is the per-pixel U-Net, which ignores unlabelled images.",
    }


@checker
def check_semi_g_step(fn: Callable) -> None:
    """Exercise (11): fn(G, D, opt_g, x_lab, m_lab, x_unl, adv_weight) takes one segmenter step of the
    semi-supervised recipe with D held fixed (per-pixel BCE on the labelled batch + adv_weight x the
    non-saturating loss of D's verdicts on mask_for_D of G's masks of both batches) and returns the loss."""
    require_callable(fn, "check_semi_g_step(my_semi_g_step)")
    G, D, x_lab, m_lab, x_unl = _setup()
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(D)
    ref_loss = float(
        semi_g_step(G_ref, D_ref, torch.optim.SGD(G_ref.parameters(), lr=LR), x_lab, m_lab, x_unl, ADV_WEIGHT)
    )
    G_s, D_s = copy.deepcopy(G), copy.deepcopy(D)
    opt = torch.optim.SGD(G_s.parameters(), lr=LR)
    out = _call_own(
        fn,
        G_s,
        D_s,
        opt,
        x_lab.clone(),
        m_lab.clone(),
        x_unl.clone(),
        ADV_WEIGHT,
        forbidden=(semi_g_step, semi_g_loss),
        about="It receives G, D, G's optimizer, the labelled images and masks, the unlabelled images and adv_weight.",
    )
    loss = as_float(out, "the segmenter's loss", returned=True)
    if any(not torch.equal(a, b) for a, b in zip(D.parameters(), D_s.parameters())):
        raise WrongAnswer("D's weights moved: this is G's step, and D must stay fixed during it.")
    if any(p.grad is not None and p.grad.abs().sum() > 0 for p in D_s.parameters()):
        raise WrongAnswer(
            "The step left gradients in D's .grad: hold D fixed (its parameters need no gradient during G's "
            "step), or those gradients pile into D's next update."
        )
    if not all(p.requires_grad for p in D_s.parameters()):
        raise WrongAnswer(
            "D is still frozen after the step: give its parameters their gradients back, or D never learns again."
        )
    moved = any(not torch.equal(a, b) for a, b in zip(G.parameters(), G_s.parameters()))
    same_g = all(
        torch.allclose(a, b, atol=1e-5, rtol=1e-4) for a, b in zip(G_ref.parameters(), G_s.parameters())
    )
    if close(loss, ref_loss) and same_g:
        return correct(
            "per-pixel loss where there are masks, D's verdict on every mask G draws, and D left untouched."
        )
    if not moved:
        raise WrongAnswer("G's weights did not move: backpropagate the loss and call opt_g.step().")
    if close(loss, ref_loss):
        raise WrongAnswer(
            "The loss has the right value, but G moved differently: does the adversarial term's gradient reach G "
            "(no detach() between G's logits and D), and did you zero G's old gradients first?"
        )
    for value, hint in _variants(G, D, x_lab, m_lab, x_unl).items():
        if close(loss, value):
            raise WrongAnswer(hint)
    raise WrongAnswer(f"Expected a loss of {ref_loss:.4f} for these batches; got {loss:.4f}.")


__all__ = ["check_iou", "check_semi_g_step"]
