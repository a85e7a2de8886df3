"""gan_lessons.checks.ch11: right answers in two forms pass; typical mistakes each get their own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons.checks import WrongAnswer, check_iou, check_semi_g_step
from gan_lessons.pix2pix import mask_for_D


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


def _empty_as(p, t, pred, target):
    # IoU per image, but an image with only the prediction (or only the target) empty scores `pred` (`target`).
    scores = []
    for a, b in zip(p.flatten(1).bool(), t.flatten(1).bool()):
        if a.sum() == 0 and b.sum() > 0:
            scores.append(pred)
        elif b.sum() == 0 and a.sum() > 0:
            scores.append(target)
        else:
            union = (a | b).sum()
            scores.append(1.0 if union == 0 else float((a & b).sum() / union))
    return sum(scores) / len(scores)


def _step_one_pass(G, D, opt_g, x_lab, m_lab, x_unl, w):
    # Right terms, but one train-mode pass over both batches: BatchNorm couples them (the chapter's old bug).
    D.requires_grad_(False)
    logits = G(torch.cat([x_lab, x_unl]))
    loss = _bce(logits[: len(x_lab)], m_lab) + w * _adv(D, logits)
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss


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
        (lambda p, t: _empty_as(p, t, pred=1.0, target=0.0), "the prediction is empty but the target is not"),
        (lambda p, t: _empty_as(p, t, pred=0.0, target=1.0), "whose target is empty"),
        (lambda p, t: _empty_as(p, t, pred=1.0, target=1.0), "one empty mask"),
    ],
)
def test_iou_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_iou(fn)


def _bce(x, target):
    return F.binary_cross_entropy_with_logits(x, target)


def step_right(G, D, opt_g, x_lab, m_lab, x_unl, adv_weight):
    D.requires_grad_(False)
    logits = torch.cat([G(x_lab), G(x_unl)])
    pixel = _bce(logits[: len(x_lab)], m_lab)
    verdict = D(mask_for_D(logits))
    loss = pixel + adv_weight * _bce(verdict, torch.ones_like(verdict))
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss


def step_right_two_passes(G, D, opt_g, x_lab, m_lab, x_unl, adv_weight):
    # Another form: separate passes, autograd.grad for G only (D never gets a .grad), equal batch halves.
    lab, unl = G(x_lab), G(x_unl)
    v_l, v_u = D(mask_for_D(lab)), D(mask_for_D(unl))
    adv = (F.softplus(-v_l).mean() + F.softplus(-v_u).mean()) / 2
    loss = _bce(lab, m_lab) + adv_weight * adv
    params = list(G.parameters())
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.grad = g
    opt_g.step()
    return float(loss)


@pytest.mark.parametrize("fn", [step_right, step_right_two_passes])
def test_semi_g_step_right(fn, capsys):
    check_semi_g_step(fn)
    assert "Correct!" in capsys.readouterr().out


def _step(make_loss, freeze=True, step=True):
    # A student's step built from a loss function of (logits, D, n_lab, m_lab, w).
    def fn(G, D, opt_g, x_lab, m_lab, x_unl, w):
        if freeze:
            D.requires_grad_(False)
        logits = torch.cat([G(x_lab), G(x_unl)])
        loss = make_loss(logits, D, len(x_lab), m_lab, w)
        opt_g.zero_grad()
        loss.backward()
        if step:
            opt_g.step()
        if freeze:
            D.requires_grad_(True)
        return loss

    return fn


def _adv(D, logits, target=1.0):
    v = D(mask_for_D(logits))
    return _bce(v, torch.full_like(v, target))


def _step_d_moves(G, D, opt_g, x_lab, m_lab, x_unl, w):
    opt = torch.optim.SGD(list(G.parameters()) + list(D.parameters()), lr=0.5)
    logits = torch.cat([G(x_lab), G(x_unl)])
    loss = _bce(logits[: len(x_lab)], m_lab) + w * _adv(D, logits)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def _step_detached(G, D, opt_g, x_lab, m_lab, x_unl, w):
    D.requires_grad_(False)
    logits = torch.cat([G(x_lab), G(x_unl)])
    loss = _bce(logits[: len(x_lab)], m_lab) + w * _adv(D, logits.detach())
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss


@pytest.mark.parametrize(
    "fn, hint",
    [
        (_step(lambda lg, D, n, m, w: _bce(lg[:n], m) + w * _adv(D, lg, 0.0)), "D's target"),
        (_step(lambda lg, D, n, m, w: w * _bce(lg[:n], m) + _adv(D, lg)), "weights the adversarial term"),
        (
            _step(lambda lg, D, n, m, w: _bce(lg[:n], m) + w * _adv(D, lg), freeze=False),
            "gradients in D's .grad",
        ),
        (_step_d_moves, "D's weights moved"),
        (
            _step(lambda lg, D, n, m, w: _bce(lg, torch.cat([m, (lg[n:] > 0).float()])) + w * _adv(D, lg)),
            "unlabelled images got a per-pixel loss",
        ),
        (
            _step(
                lambda lg, D, n, m, w: _bce(lg[:n], m) + _bce(lg[n:], (lg[n:] > 0).float()) + w * _adv(D, lg)
            ),
            "unlabelled images got a per-pixel loss",
        ),
        (_step(lambda lg, D, n, m, w: _bce(lg[:n], m) + w * _adv(D, lg[:n])), "only the labelled"),
        (_step(lambda lg, D, n, m, w: _bce(lg[:n], m) + w * _adv(D, lg), step=False), "did not move"),
        (
            _step(
                lambda lg, D, n, m, w: (
                    _bce(lg[:n], m) + w * _bce(v := D(torch.sigmoid(lg)), torch.ones_like(v))
                )
            ),
            "softness shortcut",
        ),
        (_step_detached, "right value"),
        (
            _step(lambda lg, D, n, m, w: _bce(lg[:n], m) + w * (_adv(D, lg[:n]) + _adv(D, lg[n:]))),
            "summed",
        ),
        (_step_one_pass, "BatchNorm"),
        (lambda *a: None, "Return one number"),
    ],
)
def test_semi_g_step_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_semi_g_step(fn)


def test_semi_g_step_freezing_but_not_unfreezing_is_caught():
    def fn(G, D, opt_g, x_lab, m_lab, x_unl, w):
        D.requires_grad_(False)
        logits = torch.cat([G(x_lab), G(x_unl)])
        loss = _bce(logits[: len(x_lab)], m_lab) + w * _adv(D, logits)
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
        return loss

    with pytest.raises(WrongAnswer, match="still frozen"):
        check_semi_g_step(fn)


def test_handing_the_work_to_the_package_is_caught():
    # The package's own functions give the reference values, so without this check they would pass.
    from gan_lessons.pix2pix import semi_g_loss, semi_g_step
    from gan_lessons.segmentation import iou

    with pytest.raises(WrongAnswer, match="package's iou"):
        check_iou(lambda p, t: iou(p, t))
    with pytest.raises(WrongAnswer, match="package's semi_g_step"):
        check_semi_g_step(lambda *a: semi_g_step(*a))

    def via_loss(G, D, opt_g, x_lab, m_lab, x_unl, w):
        loss = semi_g_loss(G, D, x_lab, m_lab, x_unl, w)[0]
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
        return loss

    with pytest.raises(WrongAnswer, match="package's semi_g_loss"):
        check_semi_g_step(via_loss)
