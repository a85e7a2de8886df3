"""Checkers for 05_dcgan_mnist: scaling uint8 pixels to the range of G's tanh, and the training loop
written by hand (compared with the package's `update_D`/`update_G` from the same seed). Chapter 05
also uses `check_g_loss` from ch03."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..config import single_thread
from ..dcgan import Discriminator, Generator
from ..engine import update_D, update_G
from ..losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating
from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable


@checker
def check_scale_images(fn: Callable) -> None:
    """Exercise (05): `fn` maps uint8 pixels (0..255) to floats in [-1, 1], the range of G's tanh."""
    require_callable(fn, "check_scale_images(scale)")
    x = torch.tensor([[0, 64, 128, 255]], dtype=torch.uint8)
    right = x.float() / 127.5 - 1
    out = call_student(fn, x.clone(), about="It receives a uint8 tensor.")
    out = as_tensor(out, "the scaled pixels")
    if out.shape != x.shape:
        raise WrongAnswer(
            f"Keep the shape: {tuple(x.shape)} in, {tuple(x.shape)} out; you returned {tuple(out.shape)}."
        )
    if not out.is_floating_point():
        raise WrongAnswer(
            "The result is still an integer tensor: convert with .float() before dividing, "
            "or the fractions are lost."
        )
    if close(out, right, rtol=1e-5, atol=1e-4):
        return correct("0 -> -1 (background), 255 -> +1 (ink): the same range as tanh.")
    if close(out, x.float() / 255, rtol=1e-5, atol=1e-4):
        raise WrongAnswer(
            "That is [0, 1], what ToTensor() gives. G ends in tanh, so its pixels lie in [-1, 1]: with "
            "real data in [0, 1], D can spot fakes by their negative pixels alone. Use x / 127.5 - 1."
        )
    if close(out, x.float() / 127.5, rtol=1e-5, atol=1e-4):
        raise WrongAnswer("That is [0, 2]: subtract 1 after dividing by 127.5.")
    if close(out, 1 - x.float() / 127.5, rtol=1e-5, atol=1e-4):
        raise WrongAnswer("Upside down: 0 (background) must map to -1 and 255 (ink) to +1.")
    if close(out, (x.float() - 127.5) / 255, rtol=1e-5, atol=1e-4):
        raise WrongAnswer("That is [-0.5, 0.5]: divide by 127.5, not by 255, after centring.")
    if close(out, (x.float() / 255 - 0.1307) / 0.3081, rtol=1e-4, atol=1e-3):
        raise WrongAnswer(
            "That is torchvision's MNIST Normalize((0.1307,), (0.3081,)): mean 0 and standard deviation 1, "
            "but a range of about [-0.42, 2.82], not tanh's [-1, 1]. Use x / 127.5 - 1."
        )
    if close(out, (x * 2).float() / 255 - 1, rtol=1e-5, atol=1e-4):
        raise WrongAnswer(
            "x * 2 on a uint8 tensor wraps around at 256 (128 * 2 gives 0): convert to float first, "
            "x.float() * 2 / 255 - 1, or x.float() / 127.5 - 1."
        )
    raise WrongAnswer(
        f"For pixels {x.tolist()[0]} expected {[round(v, 3) for v in right.tolist()[0]]}; "
        f"got {[round(v, 3) for v in out.float().tolist()[0]]}."
    )


_LOOP_LATENT, _LOOP_WIDTH, _LOOP_BATCH, _LOOP_STEPS = 8, 4, 6, 3


def _loop_setup(seed: int = 0):
    """Tiny G, D, their Adam optimizers, a list of (images, labels) batches and a noise generator."""
    torch.manual_seed(seed)
    G, D = Generator(_LOOP_LATENT, _LOOP_WIDTH), Discriminator(_LOOP_WIDTH)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(seed + 1)
    images = torch.rand(_LOOP_BATCH * _LOOP_STEPS, 1, 28, 28, generator=gen) * 2 - 1
    labels = torch.zeros(len(images), dtype=torch.long)
    batches = [
        (images[i : i + _LOOP_BATCH], labels[i : i + _LOOP_BATCH]) for i in range(0, len(images), _LOOP_BATCH)
    ]
    return G, D, opt_g, opt_d, batches, torch.Generator().manual_seed(seed + 2)


def _reference_loop(variant: str, seed: int = 0) -> tuple[dict, dict]:
    """The state dicts of G and D after one epoch of the right loop or of one typical mistake."""
    G, D, opt_g, opt_d, batches, noise_gen = _loop_setup(seed)
    for x_real, _ in batches:
        z = torch.randn(len(x_real), _LOOP_LATENT, generator=noise_gen)
        x_fake = G(z)
        if variant == "right":
            update_D(D, opt_d, x_real, x_fake, "nonsaturating")
            update_G(D, opt_g, x_fake, "nonsaturating")
            continue
        if variant == "g_first":
            update_G(D, opt_g, x_fake, "nonsaturating")
            update_D(D, opt_d, x_real, G(z).detach(), "nonsaturating")
            continue
        if variant == "no_zero_grad":
            d_loss_bce(D(x_real), D(x_fake.detach())).backward()
            opt_d.step()
            g_loss_nonsaturating(D(x_fake)).backward()
            opt_g.step()
            continue
        d_loss = (
            torch.nn.functional.binary_cross_entropy_with_logits(D(x_real), torch.ones(len(x_real)))
            if variant == "real_only"
            else d_loss_bce(D(x_real), D(x_fake.detach()))
        )
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        if variant == "fresh_fakes":
            x_fake = G(torch.randn(len(x_real), _LOOP_LATENT, generator=noise_gen))
        g_loss = (g_loss_minimax if variant == "minimax" else g_loss_nonsaturating)(D(x_fake))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    return G.state_dict(), D.state_dict()


_LOOP_HINTS = {
    "g_first": "You update G before D. Each step is D first (on detached fakes), then G through the D that was "
    "just updated, with the same fakes.",
    "no_zero_grad": "The gradients pile up from step to step: call opt_d.zero_grad() before the D step's "
    "backward() and opt_g.zero_grad() before the G step's.",
    "real_only": "D's loss has only the real term: D must also learn to say 0 for fakes, "
    "d_loss_bce(D(x_real), D(x_fake.detach())).",
    "fresh_fakes": "You draw new noise for the G step. Make the fakes once per batch, x_fake = G(z), and use "
    "them in both updates (the D step on x_fake.detach()).",
    "minimax": "That G loss is the saturating log(1 - D(G(z))). Use the non-saturating "
    "g_loss_nonsaturating(D(x_fake)), chapter 03's choice.",
}


def _same_state(a: dict, b: dict) -> bool:
    return all(close(a[k].double(), b[k].double(), rtol=1e-4, atol=1e-5) for k in a)


@checker
def check_training_loop(fn: Callable) -> None:
    """Exercise (05): `fn(G, D, opt_g, opt_d, loader, noise_gen)` trains for one epoch over `loader` (batches
    of (images, labels)); its G and D must end where `update_D`/`update_G` take them from the same seed."""
    require_callable(fn, "check_training_loop(my_train_epoch)")
    with single_thread():  # tiny networks: one thread is many times faster on a busy CPU
        return _check_training_loop(fn)


def _check_training_loop(fn: Callable) -> None:
    G, D, opt_g, opt_d, batches, noise_gen = _loop_setup()
    G0 = {k: v.detach().clone() for k, v in G.named_parameters()}
    try:
        fn(G, D, opt_g, opt_d, batches, noise_gen)
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        if "backward through the graph a second time" in str(exc):
            raise WrongAnswer(
                "The G step's backward() failed because the D step's backward() already freed G's part of the "
                "graph: in the D step use D(x_fake.detach()), so that step never reaches G."
            ) from exc
        raise WrongAnswer(f"Your function raised RuntimeError: {exc}.") from exc
    except Exception as exc:
        raise WrongAnswer(
            f"Your function raised {type(exc).__name__}: {exc}. It receives G, D, opt_g, opt_d, a list of "
            "(images, labels) batches and a torch.Generator for the noise."
        ) from exc
    got_G, got_D = G.state_dict(), D.state_dict()
    if _same_state({k: v.detach() for k, v in G.named_parameters()}, G0):
        raise WrongAnswer(
            "G's weights did not move. In the G step, D must judge x_fake without detach(), so that the "
            "gradient reaches G, and opt_g.step() must run."
        )
    right_G, right_D = _reference_loop("right")
    if _same_state(got_G, right_G) and _same_state(got_D, right_D):
        return correct(
            f"After {_LOOP_STEPS} steps your G and D equal those of update_D/update_G from the same seed."
        )
    for variant, hint in _LOOP_HINTS.items():
        ref_G, ref_D = _reference_loop(variant)
        if _same_state(got_G, ref_G) and _same_state(got_D, ref_D):
            raise WrongAnswer(hint)
    raise WrongAnswer(
        "Your G and D differ from the reference after the same steps. For each batch: "
        "z = torch.randn(len(x_real), G.latent_dim, generator=noise_gen) (this generator, once per batch), "
        "x_fake = G(z), the D step on D(x_real) and D(x_fake.detach()), then the G step on D(x_fake)."
    )


__all__ = ["check_scale_images", "check_training_loop", "check_inversion"]


# -- inversion (section 9): the student's loop against latent.invert from the same seed ------------------

_INV_LATENT, _INV_WIDTH, _INV_N, _INV_STEPS, _INV_LR, _INV_SEED, _INV_PRIOR = 8, 4, 5, 6, 0.1, 3, 0.001


def _inversion_setup() -> tuple[Generator, torch.Tensor]:
    """A tiny generator and random targets in [-1, 1], far from its range: large pixel errors, so Adam's
    epsilon hardly matters and the loss's scale (a sum or a mean over digits) gives the same z."""
    with torch.random.fork_rng():
        torch.manual_seed(11)
        G = Generator(_INV_LATENT, _INV_WIDTH).eval()
    x = torch.rand(_INV_N, 1, 28, 28, generator=torch.Generator().manual_seed(12)) * 2 - 1
    return G, x


def _reference_inversion(variant: str) -> torch.Tensor:
    """The z that the right loop (latent.invert with the prior) or one typical mistake ends with."""
    from ..latent import invert

    G, x = _inversion_setup()
    if variant == "right":
        return invert(G, x, steps=_INV_STEPS, lr=_INV_LR, seed=_INV_SEED, prior=_INV_PRIOR).z
    gen = torch.Generator().manual_seed(_INV_SEED)
    start = torch.randn(_INV_N, _INV_LATENT, generator=gen)
    if variant == "zeros":
        start = torch.zeros_like(start)
    z = start.clone().requires_grad_(True)
    opt = torch.optim.Adam([z], lr=_INV_LR)
    for _ in range(_INV_STEPS):
        pixel = ((G(z) - x) ** 2).mean(dim=(1, 2, 3)).sum()
        penalty = (z**2).sum()
        loss = {
            "no_prior": pixel,
            "minus_prior": pixel - _INV_PRIOR * penalty,
            "norm_not_squared": pixel + _INV_PRIOR * z.norm(dim=1).sum(),
            "prior_only": _INV_PRIOR * penalty,
        }.get(variant, pixel + _INV_PRIOR * penalty)
        if variant != "no_zero_grad":
            opt.zero_grad()
        loss.backward()
        opt.step()
    return z.detach()


_INVERSION_HINTS = {
    "no_prior": "Your z ends where the plain pixel search (invert() without a prior) ends: the prior term "
    "has no effect on it.",
    "minus_prior": "Your z grows away from 0 faster than with no prior at all: the term pushes the wrong way.",
    "norm_not_squared": "Close, but the pull towards 0 does not grow with the distance the way the prior "
    "of the task does: check the power of the norm.",
    "prior_only": "Your z shrinks towards 0 but ignores the digits: the pixel error is missing.",
    "zeros": "Every z starts at 0, not at a draw from the generator you are given.",
    "no_zero_grad": "The gradients pile up from step to step.",
}


@checker
def check_inversion(fn: Callable) -> None:
    """Exercise (05): `fn(G, x, steps, lr, generator, prior)` returns the z (N, latent_dim) that `steps` Adam
    steps on the squared pixel error plus prior * ||z||^2 take from z drawn with `generator`; compared with
    `latent.invert(..., prior=prior)` from the same seed."""
    require_callable(fn, "check_inversion(my_invert)")
    with single_thread():
        return _check_inversion(fn)


def _check_inversion(fn: Callable) -> None:
    G, x = _inversion_setup()
    before = {k: v.clone() for k, v in G.state_dict().items()}
    out = call_student(
        fn,
        G,
        x.clone(),
        _INV_STEPS,
        _INV_LR,
        torch.Generator().manual_seed(_INV_SEED),
        _INV_PRIOR,
        about="It receives G, the digits x (N, 1, 28, 28), steps, lr, a torch.Generator and prior.",
    )
    z = as_tensor(out, "the latent vectors z, shape (N, latent_dim)").float()
    if z.shape != (_INV_N, _INV_LATENT):
        raise WrongAnswer(
            f"Return one z per digit, shape ({_INV_N}, {_INV_LATENT}) here (N, G.latent_dim); got {tuple(z.shape)}."
        )
    if any(not torch.equal(v, G.state_dict()[k]) for k, v in before.items()):
        raise WrongAnswer("G's weights changed: inversion searches z with G frozen.")
    start = torch.randn(_INV_N, _INV_LATENT, generator=torch.Generator().manual_seed(_INV_SEED))
    if close(z, start, rtol=0, atol=1e-7):
        raise WrongAnswer(
            "z never moved from its start: no gradient reached it, or no optimiser step was taken."
        )
    right = _reference_inversion("right")
    scale = float((right - start).norm())  # how far the right loop moves z

    def near(ref: torch.Tensor) -> bool:  # within 3% of that distance (Adam's epsilon, float sums)
        return bool(torch.isfinite(z).all()) and float((z - ref).norm()) <= 0.03 * scale

    if near(right):
        return correct(
            f"{_INV_STEPS} Adam steps on pixel error plus the prior give the same z as invert(..., prior=prior)."
        )
    for variant, hint in _INVERSION_HINTS.items():
        if near(_reference_inversion(variant)):
            raise WrongAnswer(hint)
    raise WrongAnswer(
        f"Your z differs from invert(..., prior=prior)'s after {_INV_STEPS} steps from the same seed."
    )
