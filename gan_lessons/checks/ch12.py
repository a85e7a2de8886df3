"""Checker for 12_where_gans_stand: one deterministic DDIM step (Song, Meng and Ermon, ICLR 2021), from a noisy
digit at the level abar_t to the less noisy level abar_next, given the noise the network predicted. It runs a
student's function on known cases and, when it is wrong, recognises the usual mistakes and says which one it is.
The hints name the idea, not the code."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable


def _right(x: torch.Tensor, eps: torch.Tensor, a: torch.Tensor, a_next: torch.Tensor) -> torch.Tensor:
    x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
    return a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps


def _x0(x, eps, a):
    return (x - (1 - a).sqrt() * eps) / a.sqrt()


# (hint, the wrong answer's formula), most specific first
_MISTAKES: list[tuple[str, Callable]] = [
    (
        "That is the model's guess of the clean digit, the end of the whole path. One step stops at the earlier "
        "level: the clean guess goes back under that level's share of the same noise.",
        lambda x, e, a, an: _x0(x, e, a),
    ),
    (
        "That lands where it started: the step must end at the earlier, less noisy level (abar_next), not at "
        "the current one.",
        lambda x, e, a, an: a.sqrt() * _x0(x, e, a) + (1 - a).sqrt() * e,
    ),
    (
        "The noising mixes the digit and the noise by the square roots of abar and 1 - abar (so that the "
        "variance stays 1): undo that same mix, not one by abar and 1 - abar themselves.",
        lambda x, e, a, an: an * ((x - (1 - a) * e) / a) + (1 - an) * e,
    ),
    (
        "The square roots belong to the re-noising too: put the digit back with the same kind of mix the "
        "noising used, at the earlier level.",
        lambda x, e, a, an: an * _x0(x, e, a) + (1 - an) * e,
    ),
    (
        "The digit and the noise have swapped weights: when abar is close to 1 the noisy image is almost the "
        "clean digit, so abar weighs the digit.",
        lambda x, e, a, an: (1 - an).sqrt() * ((x - a.sqrt() * e) / (1 - a).sqrt()) + an.sqrt() * e,
    ),
    (
        "The noise was added to the digit; recovering the digit takes it away (mind the sign).",
        lambda x, e, a, an: an.sqrt() * ((x + (1 - a).sqrt() * e) / a.sqrt()) + (1 - an).sqrt() * e,
    ),
    (
        "Only the noise's share changed: the digit's share must change too. Scale the recovered digit from "
        "the current level's weight to the earlier level's.",
        lambda x, e, a, an: x - (1 - a).sqrt() * e + (1 - an).sqrt() * e,
    ),
    (
        "The step keeps the direction of the noise the network predicted; fresh noise, or none, is a "
        "different sampler (DDPM's ancestral step adds fresh noise, and DDIM with eta = 0 adds none).",
        lambda x, e, a, an: an.sqrt() * _x0(x, e, a),
    ),
]


def _cases() -> list[tuple[torch.Tensor, ...]]:
    """Noisy digits made from known digits in [-0.9, 0.9] and the true noise, so that the clean estimate stays
    inside [-1, 1] (clamping it, as gan_lessons.ddim_step does, or not, gives the same answer)."""
    gen = torch.Generator().manual_seed(12)
    x0 = torch.rand((3, 1, 28, 28), generator=gen) * 1.8 - 0.9
    eps = torch.randn((3, 1, 28, 28), generator=gen)
    cases = []
    for a, a_next in ((0.3, 0.62), (0.05, 0.2), (0.81, 0.97)):  # no level 1/2 or 1: no mistake coincides
        a, a_next = torch.tensor(a, dtype=torch.float64), torch.tensor(a_next, dtype=torch.float64)
        x = (a.sqrt() * x0 + (1 - a).sqrt() * eps).float()
        cases.append((x, eps, a.float(), a_next.float()))
    return cases


@checker
def check_ddim_step(fn: Callable) -> None:
    """Exercise (12): fn(x (N, 1, 28, 28), eps (N, 1, 28, 28), abar_t, abar_next (0-d tensors)) -> x at the
    level abar_next, one deterministic DDIM step (eta = 0)."""
    require_callable(fn, "check_ddim_step(ddim_update)")
    for x, eps, a, a_next in _cases():
        got = call_student(
            fn,
            x.clone(),
            eps.clone(),
            a.clone(),
            a_next.clone(),
            about="It gets tensors: x and eps (N, 1, 28, 28), and abar_t and abar_next (0-d tensors).",
        )
        got = as_tensor(got, "the less noisy images, shape (N, 1, 28, 28)", torch.float64)
        if tuple(got.shape) != tuple(x.shape):
            raise WrongAnswer(
                f"The step returns images of the input's shape, {tuple(x.shape)}; yours has shape {tuple(got.shape)}."
            )
        if close(got, _right(x, eps, a, a_next), atol=1e-4):
            continue
        for hint, mistake in _MISTAKES:
            if close(got, mistake(x, eps, a, a_next), atol=1e-4):
                raise WrongAnswer(hint)
        raise WrongAnswer(
            "That is not the point at the earlier level: DDIM first asks which clean digit, under this level's "
            "mix, would give x with the predicted noise, then mixes that digit and the same noise at the "
            "earlier level."
        )
    return correct(
        "Your step is DDIM's: the model's clean guess, re-noised with its own noise at the earlier level. No "
        "fresh randomness enters, so the sampler can skip most of the schedule's steps."
    )
