"""gan_lessons.checks.ch09 (09_stabilizing): check_gradient_penalty accepts the penalty in several forms
and rejects a missing norm, a wrong interpolation, the wrong tensor and a missing create_graph; check_critic_loop
(the chapter's exercise) accepts WGAN's round in two forms and rejects seven typical mistakes."""

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import checks, gradient_penalty
from gan_lessons.checks import WrongAnswer

from runs import accepted


def _gp(
    D,
    x_real,
    x_fake,
    *,
    eps_fn=None,
    point=None,
    norm="sample",
    graph=True,
    square=True,
    item=False,
    per_element=False,
    reduce="mean",
):
    eps_shape = (len(x_real),) + (1,) * (x_real.dim() - 1)
    if per_element:
        eps = torch.rand_like(x_real)  # one eps per coordinate
    else:
        eps = torch.rand(eps_shape) if eps_fn is None else eps_fn(eps_shape)
    x_hat = eps * x_real + (1 - eps) * x_fake if point is None else point(x_real, x_fake)
    x_hat = x_hat.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=graph)
    g = g.flatten(1)
    if norm == "sample":
        dev = g.norm(dim=1) - 1
    elif norm == "none":
        dev = g - 1
    elif norm == "squared":
        dev = g.pow(2).sum(1) - 1
    else:
        dev = g.norm() - 1
    if reduce == "sum":
        return (dev**2).sum()
    out = (dev**2).mean() if square else dev.mean()
    return out.item() if item else out


def test_gradient_penalty_right_answers():
    assert accepted(lambda: checks.check_gradient_penalty(_gp))
    assert accepted(
        lambda: checks.check_gradient_penalty(lambda D, r, f: gradient_penalty(D, r, f))
    )  # global RNG
    # eps and 1 - eps swapped: the same distribution of points
    assert accepted(lambda: checks.check_gradient_penalty(lambda D, r, f: _gp(D, f, r)))


@pytest.mark.parametrize(
    "kwargs, hint",
    [
        (dict(norm="none"), "The norm is missing"),
        (dict(norm="squared"), "not the squared norm"),
        (dict(norm="batch"), "one norm over the whole batch"),
        (dict(eps_fn=lambda s: torch.full(s, 0.5)), "Wrong interpolation"),
        (dict(eps_fn=lambda s: torch.rand(1).expand(s)), "Wrong interpolation"),
        (dict(point=lambda r, f: r), "wrong tensor"),
        (dict(point=lambda r, f: f), "wrong tensor"),
        (dict(graph=False), "create_graph=True"),
        (dict(item=True), "create_graph=True"),
        (dict(square=False), "Square the difference"),
        (dict(per_element=True), "not torch.rand_like"),
        (dict(reduce="sum"), "not .sum\\(\\)"),
    ],
)
def test_gradient_penalty_wrong_answers(kwargs, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_gradient_penalty(lambda D, r, f: _gp(D, r, f, **kwargs))


def test_gradient_penalty_other_failures():
    with pytest.raises(WrongAnswer, match="shape"):
        checks.check_gradient_penalty(lambda D, r, f: torch.zeros(3))
    with pytest.raises(WrongAnswer, match="is a `return` statement missing"):
        checks.check_gradient_penalty(lambda D, r, f: None)
    with pytest.raises(WrongAnswer, match="raised IndexError"):
        checks.check_gradient_penalty(lambda D, r, f: D(r.view(-1)))
    with pytest.raises(ValueError, match="check_gradient_penalty"):
        checks.check_gradient_penalty("gp")


# ---- check_hinge_losses
def hinge(real, fake):
    return torch.relu(1 - real).mean() + torch.relu(1 + fake).mean(), -fake.mean()


def test_hinge_right_answers():
    assert accepted(lambda: checks.check_hinge_losses(hinge))
    # another form: clamp and a list, through the package's functions
    assert accepted(
        lambda: checks.check_hinge_losses(
            lambda r, f: [(1 - r).clamp(min=0).mean() + (1 + f).clamp(min=0).mean(), -(f.sum() / len(f))]
        )
    )


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda r, f: (f.mean() - r.mean(), -f.mean()), "WGAN critic loss"),
        (
            lambda r, f: (torch.relu(1 - r).mean() + torch.relu(1 - f).mean(), -f.mean()),
            r"pushes fakes \*below\* -1",
        ),
        (lambda r, f: (torch.relu(1 - r).sum() + torch.relu(1 + f).sum(), -f.mean()), r"not \.sum\(\)"),
        (lambda r, f: (torch.relu(-r).mean() + torch.relu(f).mean(), -f.mean()), "The margin is 1"),
        (lambda r, f: (torch.relu(torch.cat([1 - r, 1 + f])).mean(), -f.mean()), "separately"),
        (
            lambda r, f: (torch.relu(1 - r).mean() + torch.relu(1 + f).mean(), torch.relu(1 - f).mean()),
            "not hinged",
        ),
        (lambda r, f: (torch.relu(1 - r).mean() + torch.relu(1 + f).mean(), f.mean()), "with the minus sign"),
        (
            lambda r, f: (nn.functional.softplus(-r).mean() + nn.functional.softplus(f).mean(), -f.mean()),
            "cross-entropy",
        ),
        (
            lambda r, f: ((torch.relu(1 - r).mean() + torch.relu(1 + f).mean()).item(), -f.mean()),
            "not floats",
        ),
        (lambda r, f: 1.0, "Return the pair"),
    ],
)
def test_hinge_wrong_answers(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_hinge_losses(fn)


# ---- check_critic_loop (WGAN's algorithm 1: n_critic critic steps, then one G step)
def wgan_round(G, D, opt_g, opt_d, real_batches, z_batches, clip, **wrong):
    losses = []
    for i, x_real in enumerate(real_batches):
        if wrong.get("same_real"):
            x_real = real_batches[0]
        loss_d = D(G(z_batches[i]).detach()).mean() - D(x_real).mean()
        if wrong.get("sign"):
            loss_d = -loss_d
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        if not wrong.get("no_clip"):
            for p in D.parameters():
                p.data.clamp_(-clip, clip)
        losses.append(loss_d)
        if wrong.get("g_every_step"):
            loss_g = -D(G(z_batches[i])).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
    if not wrong.get("g_every_step"):
        z = z_batches[0] if wrong.get("z_first") else z_batches[-1]
        if wrong.get("fixed_five"):
            z = z_batches[5] if len(z_batches) > 5 else z_batches[-1]
        loss_g = -D(G(z)).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return losses, loss_g


def wgan_round_other_form(G, D, opt_g, opt_d, real_batches, z_batches, clip):
    """The same round: D's loss written as a sum of two means, clipping with torch.no_grad, floats returned."""
    n_critic = len(real_batches)
    out = []
    for x_real, z in zip(real_batches, z_batches[:n_critic]):
        with torch.no_grad():
            x_fake = G(z)
        opt_d.zero_grad()
        loss = -(D(x_real).mean() - D(x_fake).mean())
        loss.backward()
        opt_d.step()
        with torch.no_grad():
            for p in D.parameters():
                p.copy_(p.clamp(-clip, clip))
        out.append(np.float32(loss.item()))
    opt_g.zero_grad()
    loss_g = -D(G(z_batches[n_critic])).mean()
    loss_g.backward()
    opt_g.step()
    return tuple(out), loss_g.item()


def test_critic_loop_right_answers():
    assert accepted(lambda: checks.check_critic_loop(wgan_round))
    assert accepted(lambda: checks.check_critic_loop(wgan_round_other_form))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (dict(g_every_step=True), "G takes one step per round"),
        (dict(sign=True), "The critic maximises"),
        (dict(no_clip=True), "clip every parameter of D"),
        (dict(same_real=True), "its own real batch"),
        (dict(z_first=True), "use the last z batch"),
    ],
)
def test_critic_loop_wrong_answers(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_critic_loop(lambda *args: wgan_round(*args, **wrong))


def test_critic_loop_other_wrong_answers():
    def five_steps(G, D, opt_g, opt_d, real_batches, z_batches, clip):  # n_critic hard-coded to 5
        return wgan_round(G, D, opt_g, opt_d, (real_batches * 5)[:5], (z_batches * 5)[:6], clip)

    with pytest.raises(WrongAnswer, match="one per batch"):
        checks.check_critic_loop(five_steps)

    def clip_before(G, D, opt_g, opt_d, real_batches, z_batches, clip):
        losses = []
        for x_real, z in zip(real_batches, z_batches):
            loss = D(G(z).detach()).mean() - D(x_real).mean()
            opt_d.zero_grad()
            loss.backward()
            for p in D.parameters():
                p.data.clamp_(-clip, clip)
            opt_d.step()
            losses.append(loss)
        loss_g = -D(G(z_batches[-1])).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return losses, loss_g

    with pytest.raises(WrongAnswer, match="Clip after opt_d.step"):
        checks.check_critic_loop(clip_before)
    with pytest.raises(WrongAnswer, match="Return the pair"):
        checks.check_critic_loop(lambda *args: 0.0)
    with pytest.raises(WrongAnswer, match="is a list"):
        checks.check_critic_loop(lambda *args: (torch.zeros(3), 0.0))
