"""Checkers for 09_stabilizing: WGAN's round of n_critic critic steps and one G step (algorithm 1 of Arjovsky
et al. 2017), the hinge losses, and the WGAN-GP gradient penalty (kept for students who write it on their own)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..losses import gradient_penalty
from .core import WrongAnswer, as_float, call_student, checker, correct, require_callable


class _Critic(nn.Module):
    """A small nonlinear critic: its gradient norm is not 1 and differs from point to point."""

    def __init__(self, dim: int, seed: int):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.w1 = nn.Parameter(torch.randn(dim, 8, generator=gen) * 0.7)
        self.w2 = nn.Parameter(torch.randn(8, generator=gen))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x.flatten(1) @ self.w1) @ self.w2


def _student_gp(fn, D, x_real, x_fake, seed):
    torch.manual_seed(seed)
    return call_student(
        fn, D, x_real, x_fake, about="It receives D, x_real and x_fake (same shape) and returns one number."
    )


@checker
def check_gradient_penalty(fn: Callable) -> None:
    """Exercise (09): `fn(D, x_real, x_fake)` returns the WGAN-GP penalty E[(||grad D(x_hat)|| - 1)^2] at
    x_hat = eps * x_real + (1 - eps) * x_fake, one eps ~ U(0, 1) per sample (from torch.rand), with
    create_graph=True so that the penalty can train D."""
    require_callable(fn, "check_gradient_penalty(my_gradient_penalty)")
    for shape, seed in (((64, 2), 1), ((16, 1, 6, 6), 2)):
        dim = shape[1] if len(shape) == 2 else shape[1] * shape[2] * shape[3]
        D = _Critic(dim, seed)
        gen = torch.Generator().manual_seed(seed + 10)
        x_real = torch.randn(*shape, generator=gen) + 2.0
        x_fake = torch.randn(*shape, generator=gen) - 2.0
        out = _student_gp(fn, D, x_real, x_fake, seed)
        if isinstance(out, torch.Tensor) and out.numel() != 1:
            raise WrongAnswer(
                f"Return one number, the mean over the batch; you returned a tensor of shape {tuple(out.shape)}."
            )
        value = as_float(out, "the gradient penalty", returned=True)
        torch.manual_seed(seed)
        eps_shape = (shape[0],) + (1,) * (len(shape) - 1)
        eps = torch.rand(eps_shape)
        expected = gradient_penalty(D, x_real, x_fake, torch.Generator().manual_seed(seed)).item()
        swapped = _reference(D, (1 - eps) * x_real + eps * x_fake)  # eps and 1 - eps: the same distribution
        if any(abs(value - v) <= 1e-4 * max(1.0, abs(v)) for v in (expected, swapped)):
            if not isinstance(out, torch.Tensor) or out.grad_fn is None:
                raise WrongAnswer(
                    "The value is right, but it carries no gradient back to D: pass create_graph=True to "
                    "torch.autograd.grad (and return the tensor, not .item()), or the penalty cannot train D."
                )
            D.zero_grad()
            out.backward()
            if D.w1.grad is None or D.w1.grad.abs().sum() == 0:
                raise WrongAnswer("The penalty does not reach D's weights: did you detach the gradient?")
            continue
        torch.manual_seed(seed)
        eps_per_element = torch.rand(shape)  # what torch.rand_like(x_real) draws from the same seed
        _diagnose(value, D, x_real, x_fake, eps, eps_per_element)
        raise WrongAnswer(f"Expected a penalty of {expected:.4f} on these inputs; got {value:.4f}.")
    return correct(
        "Interpolate, take D's gradient at the interpolates with create_graph=True, penalise (norm - 1)^2 per "
        "sample. It is gan_lessons.gradient_penalty."
    )


def _grads(D, x_hat):
    x_hat = x_hat.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(x_hat).sum(), x_hat)
    return g.flatten(1)


def _reference(D, x_hat) -> float:
    return ((_grads(D, x_hat).norm(dim=1) - 1) ** 2).mean().item()


def _diagnose(value, D, x_real, x_fake, eps, eps_per_element) -> None:
    x_hat = eps * x_real + (1 - eps) * x_fake
    g = _grads(D, x_hat)
    near = lambda v: abs(value - v) <= 1e-4 * max(1.0, abs(v))  # noqa: E731
    if near(((g.pow(2).sum(1) - 1) ** 2).mean().item()) or near(
        ((g.norm(dim=1) ** 2 - 1) ** 2).mean().item()
    ):
        raise WrongAnswer(
            "Take the norm of each gradient (its square root), not the squared norm, before subtracting 1."
        )
    if near(((g - 1) ** 2).mean().item()) or near(((g - 1) ** 2).sum(1).mean().item()):
        raise WrongAnswer(
            "The norm is missing: penalise (||grad|| - 1)^2 with the norm of each sample's whole gradient "
            "(grad.flatten(1).norm(dim=1)), not each component."
        )
    if near((g.norm() - 1).pow(2).item()):
        raise WrongAnswer(
            "That takes one norm over the whole batch: take one norm per sample, then the mean."
        )
    if near(_reference(D, x_real)) or near(_reference(D, x_fake)):
        raise WrongAnswer(
            "The penalty was taken on the real (or the fake) samples only, the wrong tensor: WGAN-GP takes it at "
            "random points between them, x_hat = eps * x_real + (1 - eps) * x_fake."
        )
    for bad_eps in (torch.full_like(eps, 0.5), eps.flatten()[:1].expand_as(eps)):
        if near(_reference(D, bad_eps * x_real + (1 - bad_eps) * x_fake)):
            raise WrongAnswer(
                "Wrong interpolation: draw one eps ~ U(0, 1) per sample, torch.rand(N, 1, ..., 1), not one for "
                "the batch or a fixed 0.5."
            )
    if near(_reference(D, eps_per_element * x_real + (1 - eps_per_element) * x_fake)):
        raise WrongAnswer(
            "One eps per sample, shared by all its coordinates: torch.rand(N, 1, ..., 1), not torch.rand_like(x_real), "
            "which draws one per pixel and lands off the line between the real and the fake sample."
        )
    if near(((g.norm(dim=1) - 1) ** 2).sum().item()):
        raise WrongAnswer(
            "Average over the batch with .mean(), not .sum(): the penalty must not grow with N."
        )
    if near((g.norm(dim=1) - 1).mean().item()) or near((g.norm(dim=1) - 1).abs().mean().item()):
        raise WrongAnswer("Square the difference: (||grad|| - 1) ** 2, then the mean over the batch.")


def _scores(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    # Unequal sizes and scores on both sides of both margins, so every typical mistake gives another number.
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(12, generator=gen) * 2 + 0.5, torch.randn(7, generator=gen) * 2 - 0.3


@checker
def check_hinge_losses(fn: Callable) -> None:
    """Exercise (09): `fn(real_scores, fake_scores)` returns (loss_d, loss_g) of the hinge GAN (Lim & Ye 2017;
    Miyato et al. 2018): loss_d = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))], loss_g = -E[D(G(z))]."""
    require_callable(fn, "check_hinge_losses(my_hinge_losses)")
    for seed in (0, 1):
        real, fake = _scores(seed)
        r, f = real.clone().requires_grad_(True), fake.clone().requires_grad_(True)
        out = call_student(fn, r, f, about="It receives D's scores on reals and on fakes (1-D tensors).")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise WrongAnswer(
                f"Return the pair (loss_d, loss_g); your function returned {type(out).__name__}."
            )
        if not all(isinstance(v, torch.Tensor) and v.grad_fn is not None for v in out):
            raise WrongAnswer("Return tensors that training can call .backward() on, not floats or .item().")
        d, g = (as_float(v, name, returned=True) for v, name in zip(out, ("loss_d", "loss_g")))
        relu = torch.relu
        right_d = (relu(1 - real).mean() + relu(1 + fake).mean()).item()
        right_g = (-fake.mean()).item()
        near = lambda a, b: abs(a - b) < 1e-5 * max(1.0, abs(b))  # noqa: E731
        if near(d, right_d) and near(g, right_g):
            continue
        if not near(d, right_d):
            for value, hint in (
                (fake.mean().item() - real.mean().item(), "That is the WGAN critic loss: hinge each term with "
                 "max(0, 1 - D(x)) and max(0, 1 + D(G(z)))."),
                ((relu(1 - real).mean() + relu(1 - fake).mean()).item(), "The fake term pushes fakes *below* -1: "
                 "max(0, 1 + D(G(z))), not max(0, 1 - D(G(z)))."),
                ((relu(1 - real).sum() + relu(1 + fake).sum()).item(), "Average each term over its batch (.mean()), "
                 "not .sum()."),
                ((relu(-real).mean() + relu(fake).mean()).item(), "The margin is 1: max(0, 1 - D(x)), not max(0, -D(x))."),
                (relu(torch.cat([1 - real, 1 + fake])).mean().item(), "Average the real and the fake term separately "
                 "(the batches have different sizes), then add them."),
                ((torch.nn.functional.softplus(-real).mean() + torch.nn.functional.softplus(fake).mean()).item(),
                 "That is the cross-entropy D loss on logits; the hinge loss uses max(0, 1 -/+ score)."),
            ):  # fmt: skip
                if near(d, value):
                    raise WrongAnswer(hint)
            raise WrongAnswer(f"loss_d: expected {right_d:.4f} on these scores; got {d:.4f}.")
        if near(g, relu(1 - fake).mean().item()):
            raise WrongAnswer(
                "G's hinge loss is not hinged: loss_g = -E[D(G(z))] (as in WGAN), not E[max(0, 1 - D(G(z)))]."
            )
        if near(g, fake.mean().item()):
            raise WrongAnswer("G wants its fakes scored high: loss_g = -E[D(G(z))], with the minus sign.")
        raise WrongAnswer(f"loss_g: expected {right_g:.4f} on these scores; got {g:.4f}.")
    return correct("D hinges both terms at the margin 1; G's loss is linear, -E[D(G(z))]. It is "
                   "gan_lessons.d_loss_hinge and g_loss_hinge.")  # fmt: skip


# ----------------------------------------------------------------------------------------------
# WGAN's n_critic loop
# ----------------------------------------------------------------------------------------------
def _wgan_setup(seed: int, n_critic: int):
    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(4, 8))
    D = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    with torch.no_grad():  # start inside the clipping box, as a clipped critic always is after its first step
        for p in D.parameters():
            p.clamp_(-0.01, 0.01)
    gen = torch.Generator().manual_seed(seed + 1)
    reals = [torch.randn(16, 8, generator=gen) + 2.0 for _ in range(n_critic)]
    zs = [torch.randn(16, 4, generator=gen) for _ in range(n_critic + 1)]
    opt_g = torch.optim.RMSprop(G.parameters(), lr=5e-2)
    opt_d = torch.optim.RMSprop(D.parameters(), lr=5e-3)
    return G, D, opt_g, opt_d, reals, zs


def _wgan_reference(G, D, opt_g, opt_d, reals, zs, clip, **wrong):
    critic_losses, k = [], len(reals)
    for i in range(k):
        x_real = reals[0] if wrong.get("same_real") else reals[i]
        loss_d = D(G(zs[i]).detach()).mean() - D(x_real).mean()
        if wrong.get("sign"):
            loss_d = -loss_d
        if not wrong.get("no_zero_grad"):
            opt_d.zero_grad()
        loss_d.backward()
        if wrong.get("clip_before") and not wrong.get("no_clip"):
            with torch.no_grad():
                for p in D.parameters():
                    p.clamp_(-clip, clip)
        opt_d.step()
        if not wrong.get("clip_before") and not wrong.get("no_clip"):
            with torch.no_grad():
                for p in D.parameters():
                    p.clamp_(-clip, clip)
        critic_losses.append(loss_d.item())
        if wrong.get("g_every_step"):
            loss_g = -D(G(zs[i])).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
    if not wrong.get("g_every_step"):
        loss_g = -D(G(zs[0] if wrong.get("z_first") else zs[-1])).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return critic_losses, loss_g.item()


def _wgan_outcome(fn, seed: int, n_critic: int, **wrong):
    with torch.random.fork_rng(devices=[]):
        G, D, opt_g, opt_d, reals, zs = _wgan_setup(seed, n_critic)
        if fn is None:
            out = _wgan_reference(G, D, opt_g, opt_d, reals, zs, 0.01, **wrong)
        else:
            out = call_student(
                fn, G, D, opt_g, opt_d, reals, zs, 0.01,
                about="It receives G, D, opt_g, opt_d, real_batches, z_batches and clip; it returns "
                "(critic_losses, loss_g).",
            )  # fmt: skip
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise WrongAnswer(
                    f"Return the pair (critic_losses, loss_g); your function returned {type(out).__name__}."
                )
            losses, loss_g = out
            if not hasattr(losses, "__len__") or isinstance(losses, (str, bytes, torch.Tensor)):
                raise WrongAnswer("critic_losses is a list: one loss per critic step.")
            if len(losses) != n_critic:
                raise WrongAnswer(
                    f"Given {n_critic} real batches, the round takes {n_critic} critic steps, one per batch; "
                    f"your critic_losses has {len(losses)} entries."
                )
            out = (
                [as_float(v, "a critic loss", returned=True) for v in losses],
                as_float(loss_g, "loss_g", returned=True),
            )
        return out, _flat(G), _flat(D)


def _flat(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _same(a, b) -> bool:
    (la, ga), wga, wda = a
    (lb, gb), wgb, wdb = b
    return (
        all(abs(x - y) < 1e-5 for x, y in zip(la, lb))
        and abs(ga - gb) < 1e-5
        and torch.allclose(wga, wgb, atol=1e-6)
        and torch.allclose(wda, wdb, atol=1e-6)
    )


@checker
def check_critic_loop(fn: Callable) -> None:
    """Exercise (09): `fn(G, D, opt_g, opt_d, real_batches, z_batches, clip)` is one round of WGAN's algorithm 1:
    one critic step per real batch (n_critic = len(real_batches)), each on fakes from its own z batch, clipping
    D's weights to [-clip, clip] after each step; then one G step on the last z batch. Returns
    (critic_losses, loss_g)."""
    require_callable(fn, "check_critic_loop(my_wgan_round)")
    for seed, n_critic in ((0, 5), (1, 3)):
        got, ref = _wgan_outcome(fn, seed, n_critic), _wgan_outcome(None, seed, n_critic)
        if _same(got, ref):
            continue
        for wrong, hint in (
            (dict(g_every_step=True), "G moved after every critic step: G takes one step per round, after all "
             "n_critic critic steps."),
            (dict(sign=True), "The critic maximises D(real) - D(fake): its loss to minimise is "
             "D(fake).mean() - D(real).mean()."),
            (dict(no_clip=True), "D's weights leave the box: clip every parameter of D to [-clip, clip] after "
             "each critic step."),
            (dict(clip_before=True), "Clip after opt_d.step(), not before: the step moves the weights out of "
             "the box again."),
            (dict(same_real=True), "Each critic step takes its own real batch (real_batches[i]), not the same one."),
            (dict(z_first=True), "G's step draws its own noise: use the last z batch (z_batches[-1]), which no "
             "critic step has used."),
            (dict(no_zero_grad=True), "D's gradients add up from step to step: call opt_d.zero_grad() before each "
             "critic backward()."),
        ):  # fmt: skip
            if _same(got, _wgan_outcome(None, seed, n_critic, **wrong)):
                raise WrongAnswer(hint)
        (ls, lg), _, _ = got
        (rs, rg), _, _ = ref
        raise WrongAnswer(
            f"With {n_critic} critic steps, expected critic losses ending in {rs[-1]:.5f} and loss_g {rg:.5f}; "
            f"got {ls[-1]:.5f} and {lg:.5f} (or the weights after the round differ)."
        )
    return correct(
        "n_critic critic steps, each on its own real batch and fresh fakes, clipped after each step; then one G "
        "step on fresh noise. Five critic steps per G step keep the critic near its optimum, so that G follows "
        "an estimate of the Wasserstein distance's gradient."
    )


__all__ = ["check_gradient_penalty", "check_hinge_losses", "check_critic_loop"]
