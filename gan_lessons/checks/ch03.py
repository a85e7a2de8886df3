"""Checkers for 03_loss_math: the discriminator and generator losses (on logits or on probabilities),
D*(x), V(D*, G) at equilibrium, and which generator loss does not saturate. `check_g_loss` is used
again in 05_dcgan_mnist."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..theory import LOG4, gaussian_pdf
from .core import (
    WrongAnswer,
    as_float,
    call_student,
    checker,
    close,
    close_typed,
    correct,
    require_callable,
    require_graph,
)

# ---------------------------------------------------------------- losses, written on logits or probabilities


def _batches(
    n_batches: int = 3, n_real: int = 16, n_fake: int = 12
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Test batches of D's logits. Real logits lean positive, fake logits lean negative, like a
    half-trained D; all moderate in size. The real and fake batches differ in size, so a loss that
    pairs real and fake examples, or averages over both batches at once, cannot pass by coincidence."""
    gen = torch.Generator().manual_seed(1234)
    return [
        (torch.randn(n_real, generator=gen) * 1.5 + 1.0, torch.randn(n_fake, generator=gen) * 1.5 - 1.0)
        for _ in range(n_batches)
    ]


# Confident logits. In float32 torch.sigmoid(a) is exactly 1 from a ~ 17 on and exactly 0 below
# a ~ -88, so log(1 - sigmoid(30)) and log(sigmoid(-200)) give -inf (F.binary_cross_entropy clamps
# them to -100), while F.logsigmoid and F.binary_cross_entropy_with_logits stay exact. Unequal sizes again.
_EXTREME = (
    torch.tensor([200.0, 30.0, -30.0, -200.0, 0.5]),
    torch.tensor([-200.0, -30.0, 30.0, 200.0, -0.5, 1.0, -2.0]),
)
_EXTREME_HINT = (
    "Right on moderate logits, but not on confident ones: in float32 sigmoid(30) is exactly 1 and "
    "sigmoid(-200) exactly 0, so log(1 - sigmoid(30)) or log(sigmoid(-200)) becomes -inf (and "
    "F.binary_cross_entropy clamps it to -100). On logits, use F.logsigmoid(a) for log D and "
    "F.logsigmoid(-a) for log(1 - D), or F.binary_cross_entropy_with_logits."
)


def _check_extremes_and_graph(fn: Callable, reference: Callable, arity: int, form: str) -> None:
    """A loss that matched on moderate inputs must also be exact on confident logits (when it takes
    logits) and keep the autograd graph, since training calls .backward() on it."""
    if form == "logits":
        inputs = _EXTREME if arity == 2 else _EXTREME[1:]
        try:
            with torch.no_grad():
                value = float(torch.as_tensor(fn(*(a.clone() for a in inputs))).double().reshape(-1)[0])
        except NotImplementedError:  # the student edition's stub: `@checker` says "not done yet"
            raise
        except Exception:
            value = math.nan
        if not close(value, float(reference(*inputs))):
            raise WrongAnswer(_EXTREME_HINT)
    real, fake = (a.clone().requires_grad_(True) for a in _batches(1)[0])
    leaves = (real, fake) if arity == 2 else (fake,)
    out = call_student(
        fn,
        *(torch.sigmoid(a) if form == "probabilities" else a for a in leaves),
        about="In training it receives tensors that require grad: keep the computation in torch.",
    )
    require_graph(out)


def _call_loss(fn: Callable, args: tuple, as_probs: bool) -> torch.Tensor | None:
    """Call fn on logits (as_probs=False) or on probabilities; None if it fails or gives a non-finite result."""
    inputs = tuple(torch.sigmoid(a) if as_probs else a.clone() for a in args)
    try:
        with torch.no_grad():
            out = fn(*inputs)
    except NotImplementedError:  # the student edition's stub: `@checker` says "not done yet"
        raise
    except Exception:  # the student's function may accept only one of the two forms: try the other
        return None
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        out = torch.tensor(float(out))
    if isinstance(out, np.ndarray):
        out = torch.from_numpy(out)
    if not isinstance(out, torch.Tensor):
        return None
    out = out.detach().double()
    return out if torch.isfinite(out).all() else None


def _match_loss(
    fn: Callable, variants: dict[str, Callable], arity: int, batches: list | None = None
) -> tuple[str | None, str, torch.Tensor | None]:
    """Which variant (name) fn computes, and whether it takes logits or probabilities."""
    batches = _batches() if batches is None else batches
    first = None
    for as_probs in (False, True):
        outs = []
        for batch in batches:
            out = _call_loss(fn, batch[:arity] if arity == 2 else (batch[1],), as_probs)
            outs.append(out)
        if first is None:
            first = outs[0]
        if any(o is None for o in outs):
            continue
        if any(o.numel() != 1 for o in outs):
            return "not_scalar", "probabilities" if as_probs else "logits", outs[0]
        for name, variant in variants.items():
            if all(
                close(float(o), float(variant(*(b[:arity] if arity == 2 else (b[1],)))))
                for o, b in zip(outs, batches)
            ):
                return name, "probabilities" if as_probs else "logits", outs[0]
        first = outs[0]
    return None, "", first


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits.double(), torch.full_like(logits.double(), target))


_LOG_D = lambda a: F.logsigmoid(a.double())  # log D = log sigmoid(a)
_LOG_1MD = lambda a: F.logsigmoid(-a.double())  # log(1 - D) = log sigmoid(-a)

_SUM_HINT = (
    "Use the batch mean (E[...] is an average), not the sum: with a sum the loss and its gradient "
    "grow with the batch size."
)
_NOT_SCALAR_HINT = "Your loss returns one value per example: reduce it to one number with .mean()."

D_LOSS_VARIANTS: dict[str, Callable] = {
    "correct": lambda r, f: _bce(r, 1.0) + _bce(f, 0.0),
    "half": lambda r, f: 0.5 * (_bce(r, 1.0) + _bce(f, 0.0)),
    "article_sign": lambda r, f: -_LOG_D(r).mean() + _LOG_1MD(f).mean(),
    "maximise_v": lambda r, f: _LOG_D(r).mean() + _LOG_1MD(f).mean(),
    "no_fake": lambda r, f: -_LOG_D(r).mean(),
    "swapped": lambda r, f: _bce(r, 0.0) + _bce(f, 1.0),
    "sum": lambda r, f: -_LOG_D(r).sum() - _LOG_1MD(f).sum(),
    "generator_style": lambda r, f: -_LOG_D(r).mean() - _LOG_D(f).mean(),
    "pooled": lambda r, f: -torch.cat([_LOG_D(r), _LOG_1MD(f)]).mean(),
}
D_LOSS_HINTS = {
    "article_sign": "The fake term has the wrong sign: this is the article's L_D = -E[log D(x)] + E[log(1 - D(G(z)))]. "
    "D wants D(G(z)) -> 0, i.e. log(1 - D(G(z))) -> 0 from below, so that term must also be subtracted: "
    "L_D = -E[log D(x)] - E[log(1 - D(G(z)))].",
    "maximise_v": "You wrote V(D, G) itself, which the discriminator MAXIMISES. A loss is minimised, so use -V: "
    "put a minus sign in front of both terms.",
    "no_fake": "Only the real term is there. Without -E[log(1 - D(G(z)))], D is never told to reject fakes "
    "and can win by saying 'real' to everything.",
    "swapped": "The labels are swapped: real images should have target 1 and fakes target 0 "
    "(binary_cross_entropy(D(x), 1) + binary_cross_entropy(D(G(z)), 0)).",
    "sum": _SUM_HINT,
    "generator_style": "The fake term is -log D(G(z)): that is the (non-saturating) GENERATOR's loss. "
    "D wants the fakes labelled 0, so its fake term is -log(1 - D(G(z))).",
    "pooled": "You averaged over the real and fake examples together. That equals half the loss only when "
    "both batches have the same size; in general it weighs the larger batch more. L_D has two "
    "expectations: take the mean of each term separately, then add them.",
    "paired": "Your loss adds the real and fake terms example by example (log D(x_i) + log(1 - D(G(z_i)))), "
    "which fails when the two batches differ in size (here 16 real, 12 fake). They are two separate "
    "expectations: -mean(log D(x_real)) - mean(log(1 - D(x_fake))).",
}


@checker
def check_d_loss(fn: Callable) -> None:
    """Exercise (03): fn(real, fake) -> the discriminator loss, on logits or on probabilities D(x), D(G(z))."""
    require_callable(fn, "check_d_loss(my_d_loss)")
    name, form, out = _match_loss(fn, D_LOSS_VARIANTS, arity=2)
    if name is None and out is None:  # fails on batches of different sizes: does it pass on equal ones?
        same_size = _batches(n_real=16, n_fake=16)
        same_size_name = _match_loss(fn, D_LOSS_VARIANTS, arity=2, batches=same_size)[0]
        if same_size_name in ("correct", "half"):
            name = "paired"
        elif same_size_name == "not_scalar":  # one loss per (real, fake) pair: first, reduce it
            name = "not_scalar"
    if name in ("correct", "half"):
        _check_extremes_and_graph(fn, D_LOSS_VARIANTS[name], 2, form)
        extra = " (scaled by 1/2, which only rescales the gradient)" if name == "half" else ""
        return correct(f"Your L_D, written on {form}{extra}, is -E[log D(x)] - E[log(1 - D(G(z)))].")
    if name == "not_scalar":
        raise WrongAnswer(_NOT_SCALAR_HINT)
    if name in D_LOSS_HINTS:
        raise WrongAnswer(D_LOSS_HINTS[name])
    if out is None:
        raise WrongAnswer(
            "Your function failed or returned NaN/inf both on logits and on probabilities. Call it as "
            "fn(real, fake) with two 1-D tensors, and take logs of probabilities only (or use "
            "F.binary_cross_entropy_with_logits on logits)."
        )
    expected = float(D_LOSS_VARIANTS["correct"](*_batches()[0]))
    raise WrongAnswer(
        f"Not the discriminator loss yet: on a test batch you return {float(out.flatten()[0]):.4f}, expected "
        f"{expected:.4f} (given logits). L_D = -mean(log D(x_real)) - mean(log(1 - D(x_fake)))."
    )


G_LOSS_VARIANTS: dict[str, Callable] = {
    "nonsaturating": lambda f: _bce(f, 1.0),
    "saturating": lambda f: _LOG_1MD(f).mean(),
    "d_fake_term": lambda f: -_LOG_1MD(f).mean(),
    "wrong_sign": lambda f: _LOG_D(f).mean(),
    "probability": lambda f: -torch.sigmoid(f.double()).mean(),
    "sum": lambda f: -_LOG_D(f).sum(),
}
G_LOSS_HINTS = {
    "saturating": "That is the saturating (minimax) loss log(1 - D(G(z))). It is correct in theory, but its gradient "
    "with respect to D's logit is -D(G(z)), which vanishes early in training when D rejects the fakes "
    "(D(G(z)) ~ 0). The non-saturating loss -log D(G(z)) has the same fixed point and gradient -(1 - D(G(z))).",
    "d_fake_term": "-log(1 - D(G(z))) is the discriminator's fake term: minimising it makes the fakes look MORE fake.",
    "wrong_sign": "Sign error: minimising log D(G(z)) pushes D(G(z)) towards 0, which helps D, not G. Use -log D(G(z)).",
    "probability": "-D(G(z)) (the article's 'maximise the probability') has gradient -D(1 - D) with respect to the logit: "
    "it vanishes when D(G(z)) ~ 0, just like the saturating loss. Take the log: -log D(G(z)).",
    "sum": _SUM_HINT,
}


@checker
def check_g_loss(fn: Callable) -> None:
    """Exercise (03): fn(fake) -> a generator loss that does not saturate, on logits or on probabilities."""
    require_callable(fn, "check_g_loss(my_g_loss)")
    name, form, out = _match_loss(fn, G_LOSS_VARIANTS, arity=1)
    if name == "nonsaturating":
        _check_extremes_and_graph(fn, G_LOSS_VARIANTS[name], 1, form)
        return correct(
            f"-E[log D(G(z))], written on {form}: its gradient stays strong when D rejects the fakes."
        )
    if name == "not_scalar":
        raise WrongAnswer(_NOT_SCALAR_HINT)
    if name in G_LOSS_HINTS:
        raise WrongAnswer(G_LOSS_HINTS[name])
    if out is None:
        raise WrongAnswer(
            "Your function failed or returned NaN/inf on both logits and probabilities. Call it as fn(fake)."
        )
    raise WrongAnswer("Not the non-saturating generator loss: it should be -mean(log D(G(z))).")


@checker(value_answer=True)
def check_loss_choice(answer: str) -> None:
    """Exercise (03): which generator loss keeps a strong gradient when D(G(z)) ~ 0? One of 'a'-'d' (see chapter 03)."""
    hints = {
        "a": G_LOSS_HINTS["saturating"],
        "c": G_LOSS_HINTS["probability"],
        "d": G_LOSS_HINTS["d_fake_term"],
    }
    letter = answer.strip().lower().strip("()") if isinstance(answer, str) else None
    if letter not in ("a", "b", "c", "d"):
        raise ValueError(f"Answer with one letter, 'a', 'b', 'c' or 'd'; got {answer!r}.")
    if letter == "b":
        return correct(
            "-log D(G(z)): gradient -(1 - D(G(z))) w.r.t. the logit, close to -1 when D(G(z)) ~ 0."
        )
    raise WrongAnswer(hints[letter])


# ---------------------------------------------------------------- numbers


@checker(value_answer=True)
def check_d_star(
    value: Any,
    x: float,
    mu_data: float = 0.0,
    sigma_data: float = 1.0,
    mu_g: float = 2.0,
    sigma_g: float = 1.0,
) -> None:
    """Exercise (03): the optimal discriminator's output D*(x) for two Gaussians."""
    v = as_float(value, "D*(x)")
    pd, pg = float(gaussian_pdf(x, mu_data, sigma_data)), float(gaussian_pdf(x, mu_g, sigma_g))
    right = pd / (pd + pg)
    if close_typed(v, right):  # a computed value, or one typed to three decimals
        return correct(f"D*({x}) = p_data/(p_data + p_g) = {right:.4f}.")
    if close(v, pg / (pd + pg)):
        raise WrongAnswer(
            "Upside down: that is p_g/(p_data + p_g) = 1 - D*(x), the probability of 'fake'. "
            "D outputs the probability of 'real'."
        )
    if close(v, pd / pg):
        raise WrongAnswer(
            "That is the density ratio p_data/p_g, which is not a probability. Divide by the SUM: p_data/(p_data + p_g)."
        )
    if close(v, pd):
        raise WrongAnswer("That is p_data(x) alone. D* weighs it against p_g(x): D* = p_data/(p_data + p_g).")
    # Mistakes in the Gaussian density itself; they cancel (and so hide) when sigma_data == sigma_g.
    gauss = {
        "no_sigma_norm": lambda m, s: math.exp(-((x - m) ** 2) / (2 * s**2)),  # 1/(sigma sqrt(2 pi)) dropped
        "variance_as_sigma": lambda m, s: math.exp(-((x - m) ** 2) / (2 * s)) / (s * math.sqrt(2 * math.pi)),
        "same_sigma": lambda m, s: math.exp(-((x - m) ** 2) / 2) / math.sqrt(2 * math.pi),
    }
    gauss_hints = {
        "no_sigma_norm": "Your Gaussian densities lack the normaliser 1/(sigma * sqrt(2 pi)). It cancels in "
        "the ratio only when both sigmas are equal; here they differ, so keep the 1/sigma.",
        "variance_as_sigma": "The exponent divides by 2 * sigma; it should divide by 2 * sigma**2 (the variance).",
        "same_sigma": f"You used sigma = 1 for both Gaussians; here sigma_data = {sigma_data} and sigma_g = {sigma_g}.",
    }
    for name, density in gauss.items():
        qd, qg = density(mu_data, sigma_data), density(mu_g, sigma_g)
        if not close(qd / (qd + qg), right) and close(v, qd / (qd + qg)):
            raise WrongAnswer(gauss_hints[name])
    if close(v, 0.5):
        raise WrongAnswer(
            "D* = 1/2 only where p_data(x) = p_g(x) (everywhere, once G is perfect). Here the densities differ."
        )
    if not 0 <= v <= 1:
        raise WrongAnswer(f"D*(x) is a probability, between 0 and 1; you gave {v:.4g}.")
    raise WrongAnswer(
        f"Not quite: you gave {v:.4f}. Evaluate both Gaussian densities at x = {x} and form p_data/(p_data + p_g)."
    )


@checker(value_answer=True)
def check_value_at_equilibrium(value: Any) -> None:
    """Exercise (03): V(D*, G) when p_g = p_data (natural logs)."""
    v = as_float(value, "V(D*, G)")
    if close_typed(v, -LOG4):  # -1.386 typed by hand, or computed
        return correct("V(D*, G) = log(1/2) + log(1/2) = -log 4 ~ -1.386, its global minimum over G.")
    if close(v, LOG4):
        raise WrongAnswer("Sign: log(1/2) is negative. V = E[log D*] + E[log(1 - D*)] = 2 log(1/2) = -log 4.")
    if close(v, 0.0):
        raise WrongAnswer(
            "0 is the JSD at p_g = p_data. V(D*, G) = -log 4 + 2 JSD, so at equilibrium V = -log 4."
        )
    if close(v, -math.log(2)):
        raise WrongAnswer(
            "That is one of the two terms (E[log 1/2] = -log 2). V has two: -log 2 - log 2 = -log 4."
        )
    if close(v, 0.5):
        raise WrongAnswer(
            "1/2 is D*(x) at equilibrium, not V. Plug D* = 1/2 into V = E[log D] + E[log(1 - D)]."
        )
    if close(v, -math.log10(4)) or close(v, -2.0):
        raise WrongAnswer("Use natural logs (np.log, torch.log), as the GAN paper does: -log 4 ~ -1.386.")
    raise WrongAnswer(f"Not quite: you gave {v:.4f}. At equilibrium D* = 1/2 everywhere; plug that into V.")


__all__ = [
    "D_LOSS_HINTS",
    "D_LOSS_VARIANTS",
    "G_LOSS_HINTS",
    "G_LOSS_VARIANTS",
    "check_d_loss",
    "check_d_star",
    "check_g_loss",
    "check_loss_choice",
    "check_value_at_equilibrium",
]
