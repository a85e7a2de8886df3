"""Checkers for 10_conditional_gan: the projection discriminator's logit (Miyato & Koyama 2018, with the paper's
global sum pooling) and the auxiliary classifier's class terms for D and G (AC-GAN, Odena et al. 2017, as the
chapter's recipe uses them: D's classifier learns from the real digits only)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .core import WrongAnswer, as_float, as_tensor, call_student, checker, close, correct, require_callable


def _projection_case(seed: int, n: int = 5, c: int = 6):
    gen = torch.Generator().manual_seed(seed)
    phi = torch.randn((n, c, 7, 7), generator=gen)
    y = torch.tensor([3, 0, 9, 7, 3][:n])
    psi = torch.nn.Linear(c, 1)
    embed = torch.nn.Embedding(10, c)
    with torch.no_grad():
        for p in (psi.weight, psi.bias, embed.weight):
            p.copy_(torch.randn(p.shape, generator=gen))
    return phi, y, psi, embed


def _pooled(phi: torch.Tensor) -> torch.Tensor:
    return phi.sum((2, 3))


_PROJECTION_MISTAKES: list[tuple[str, Callable]] = [
    (
        "The projection term is missing: add <embed(y), pooled features>, the part that asks 'does it look like "
        "a y?'.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten(),
    ),
    (
        "The unconditional term psi(pooled features) is missing: the paper's logit is psi(phi) + <embed(y), phi>.",
        lambda phi, y, psi, e: (e(y) * _pooled(phi)).sum(1),
    ),
    (
        "The paper pools by a sum over the 7x7 positions (global sum pooling), not a mean.",
        lambda phi, y, psi, e: psi(phi.mean((2, 3))).flatten() + (e(y) * phi.mean((2, 3))).sum(1),
    ),
    (
        "The projection is an inner product, one number per image: sum the element-wise product over the "
        "feature channels, do not sum over the batch.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten() + (e(y) * _pooled(phi)).sum(),
    ),
    (
        "Use each image's own label: embed(y) gives one row per image, dotted with that image's features.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten() + (e.weight.sum(0) * _pooled(phi)).sum(1),
    ),
    (
        "The label's embedding is dotted with the features; adding it to them (or to the logit) is not a projection.",
        lambda phi, y, psi, e: psi(_pooled(phi) + e(y)).flatten(),
    ),
]


@checker
def check_projection_logits(fn: Callable) -> None:
    """Exercise (10): fn(phi (N, C, 7, 7), y (N,), psi: Linear(C, 1), embed: Embedding(10, C)) -> logits (N,)."""
    require_callable(fn, "check_projection_logits(projection_logits)")
    for seed in (10, 11):
        phi, y, psi, embed = _projection_case(seed)
        with torch.no_grad():
            got = call_student(
                fn,
                phi.clone(),
                y.clone(),
                psi,
                embed,
                about="It gets phi (N, C, 7, 7), labels y (N,), psi = nn.Linear(C, 1) and embed = nn.Embedding(10, C).",
            )
            got = as_tensor(got, "the logits, one per image, shape (N,)", torch.float64)
            right = psi(_pooled(phi)).flatten() + (embed(y) * _pooled(phi)).sum(1)
            if got.numel() == len(y) and got.dim() == 2:
                raise WrongAnswer(
                    f"Return one logit per image, shape ({len(y)},): flatten psi's (N, 1) output."
                )
            if tuple(got.shape) != (len(y),):
                raise WrongAnswer(
                    f"The logits have shape ({len(y)},), one per image; yours have shape {tuple(got.shape)}."
                )
            if close(got, right, atol=1e-4):
                continue
            for hint, mistake in _PROJECTION_MISTAKES:
                if close(got, mistake(phi, y, psi, embed), atol=1e-4):
                    raise WrongAnswer(hint)
        raise WrongAnswer(
            "The logits do not match psi(pooled) + <embed(y), pooled>, with pooled = phi summed over its 7x7 positions."
        )
    return correct(
        "Your logit is Miyato & Koyama's projection: 'a real digit?' plus 'a real y?', one vector per class."
    )


_AC_MISTAKES: list[tuple[str, Callable]] = [
    (
        "In the recipe D's classifier learns from the real digits only: its term is the cross-entropy of the real "
        "images' class logits against their labels (the chapter measured adding the fakes, as Odena et al. do, "
        "and kept the reals only).",
        lambda r, f, y: (F.cross_entropy(r, y) + F.cross_entropy(f, y), F.cross_entropy(f, y)),
    ),
    (
        "D and G are swapped: D learns to read the *real* digits, and G is paid when D reads its *fakes* as the "
        "label they were drawn for.",
        lambda r, f, y: (F.cross_entropy(f, y), F.cross_entropy(r, y)),
    ),
    (
        "G wants D to read its fake as the asked-for digit, so G *minimises* the cross-entropy of its fakes; "
        "with a minus sign G would push its digits away from their labels.",
        lambda r, f, y: (F.cross_entropy(r, y), -F.cross_entropy(f, y)),
    ),
    (
        "Cross-entropy takes the class logits as they are (F.cross_entropy applies log-softmax itself); "
        "a softmax first squashes them twice.",
        lambda r, f, y: (
            F.cross_entropy(torch.softmax(r, 1), y),
            F.cross_entropy(torch.softmax(f, 1), y),
        ),
    ),
    (
        "Average over the batch (the mean cross-entropy), as every loss in the course does; a sum grows with "
        "the batch size.",
        lambda r, f, y: (F.cross_entropy(r, y, reduction="sum"), F.cross_entropy(f, y, reduction="sum")),
    ),
    (
        "The targets are the labels the digits were drawn for (or, for reals, their true labels), not the digit "
        "the classifier currently prefers (argmax): that target teaches nothing.",
        lambda r, f, y: (F.cross_entropy(r, r.argmax(1)), F.cross_entropy(f, f.argmax(1))),
    ),
]


@checker
def check_ac_terms(fn: Callable) -> None:
    """Exercise (10): fn(real_class_logits (N, 10), fake_class_logits (N, 10), y (N,)) -> (D's term, G's term)."""
    require_callable(fn, "check_ac_terms(ac_terms)")
    for seed in (20, 21):
        gen = torch.Generator().manual_seed(seed)
        r, f = torch.randn((6, 10), generator=gen) * 2, torch.randn((6, 10), generator=gen) * 2
        y = torch.tensor([3, 0, 9, 7, 1, 5])
        got = call_student(
            fn,
            r.clone(),
            f.clone(),
            y.clone(),
            about="It gets class logits (N, 10) for reals and fakes, and y (N,).",
        )
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise WrongAnswer(
                "Return two numbers: D's class term and G's class term, as `return d_term, g_term`."
            )
        d_term = as_float(got[0], "D's class term")
        g_term = as_float(got[1], "G's class term")
        right = (F.cross_entropy(r, y).item(), F.cross_entropy(f, y).item())
        if close(d_term, right[0]) and close(g_term, right[1]):
            continue
        for hint, mistake in _AC_MISTAKES:
            want = [float(v) for v in mistake(r, f, y)]
            if close(d_term, want[0]) and close(g_term, want[1]):
                raise WrongAnswer(hint)
        which = "D's" if not close(d_term, right[0]) else "G's"
        raise WrongAnswer(
            f"{which} class term is not the mean cross-entropy of the right class logits against y."
        )
    return correct(
        "Your class terms are the recipe's: D learns to read real digits, G is paid when D reads its fakes as asked."
    )
