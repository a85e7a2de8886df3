"""gan_lessons.checks.ch11: right answers in two forms pass; typical mistakes each get their own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons.checks import WrongAnswer, check_iou, check_pix2pix_g_loss


def iou_torch(p, t):
    p, t = p.flatten(1).bool(), t.flatten(1).bool()
    inter, union = (p & t).sum(1).float(), (p | t).sum(1).float()
    return torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(union)).mean()


def iou_numpy(p, t):
    scores = []
    for a, b in zip(p.numpy().astype(bool), t.numpy().astype(bool)):
        union = (a | b).sum()
        scores.append(1.0 if union == 0 else (a & b).sum() / union)
    return float(np.mean(scores))


@pytest.mark.parametrize("fn", [iou_torch, iou_numpy])
def test_iou_right(fn, capsys):
    check_iou(fn)
    assert "Correct!" in capsys.readouterr().out


def _per_image(p, t):
    return p.flatten(1), t.flatten(1)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda p, t: float((p * t).sum() / ((p + t) > 0).float().sum()), "pools all pixels"),
        (
            lambda p, t: torch.nan_to_num(
                (p * t).flatten(1).sum(1) / ((p + t) > 0).flatten(1).float().sum(1)
            ).mean(),
            "Two empty masks",
        ),
        (
            lambda p, t: torch.where(
                (p + t).flatten(1).sum(1) > 0,
                2 * (p * t).flatten(1).sum(1) / (p + t).flatten(1).sum(1).clamp_min(1),
                torch.ones(len(p)),
            ).mean(),
            "Dice",
        ),
        (lambda p, t: (p == t).float().mean(), "pixel accuracy"),
        (
            lambda p, t: torch.where(
                t.flatten(1).sum(1) > 0,
                (p * t).flatten(1).sum(1) / t.flatten(1).sum(1).clamp_min(1),
                torch.ones(len(p)),
            ).mean(),
            "recall",
        ),
        (lambda p, t: None, "Return one number"),
    ],
)
def test_iou_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_iou(fn)


def g_loss_right(d_fake, logits, masks, lam):
    return F.binary_cross_entropy_with_logits(
        d_fake, torch.ones_like(d_fake)
    ) + lam * F.binary_cross_entropy_with_logits(logits, masks)


def g_loss_softplus(d_fake, logits, masks, lam):  # another form: -log sigmoid(l) = softplus(-l)
    pix = (F.softplus(logits) - logits * masks).mean()
    return F.softplus(-d_fake).mean() + lam * pix


@pytest.mark.parametrize("fn", [g_loss_right, g_loss_softplus])
def test_g_loss_right(fn, capsys):
    check_pix2pix_g_loss(fn)
    assert "Correct!" in capsys.readouterr().out


def _bce(x, target):
    return F.binary_cross_entropy_with_logits(x, target)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda d, lg, m, lam: _bce(d, torch.ones_like(d)) + _bce(lg, m), "not weighted"),
        (lambda d, lg, m, lam: lam * _bce(d, torch.ones_like(d)) + _bce(lg, m), "lam weights the per-pixel"),
        (lambda d, lg, m, lam: lam * _bce(lg, m), "adversarial term is missing"),
        (lambda d, lg, m, lam: _bce(d, torch.ones_like(d)), "per-pixel term is missing"),
        (lambda d, lg, m, lam: -_bce(d, torch.zeros_like(d)) + lam * _bce(lg, m), "saturating"),
        (lambda d, lg, m, lam: _bce(d, torch.zeros_like(d)) + lam * _bce(lg, m), "target 1"),
        (
            lambda d, lg, m, lam: _bce(d, torch.ones_like(d)) + lam * (torch.sigmoid(lg) - m).abs().mean(),
            "L1",
        ),
        (lambda d, lg, m, lam: g_loss_right(d, lg, m, lam).item(), "cut off from the autograd graph"),
        (lambda d, lg, m, lam: float(g_loss_softplus(d, lg, m, lam)), "cut off from the autograd graph"),
    ],
)
def test_g_loss_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_pix2pix_g_loss(fn)
