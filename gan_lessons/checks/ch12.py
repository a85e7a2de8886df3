"""Checker for 12_where_gans_stand: the training pair of flow matching / rectified flow (Lipman et al. 2023;
Liu, Gong and Liu 2023), the point x_t on the straight line from a digit x0 (t = 0) to noise (t = 1) and the
velocity the network learns there. It runs a student's function on known cases and, when it is wrong,
recognises the usual mistakes and says which one it is."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable


def _right(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    tt = t.view(-1, 1, 1, 1)
    return (1 - tt) * x0 + tt * noise, noise - x0


def _t(t: torch.Tensor) -> torch.Tensor:
    return t.view(-1, 1, 1, 1)


# (hint, wrong x_t or None when x_t is right, wrong target or None when the target is right)
_MISTAKES: list[tuple[str, Callable | None, Callable | None]] = [
    (
        "The velocity points from the digit to the noise, the way t grows: noise - x0, not x0 - noise.",
        None,
        lambda x0, n, t: x0 - n,
    ),
    (
        "The target is the velocity along the line (how x_t changes with t), not the noise: that is the "
        "diffusion model's target.",
        None,
        lambda x0, n, t: n,
    ),
    (
        "The target is the velocity along the line, not the clean digit.",
        None,
        lambda x0, n, t: x0,
    ),
    (
        "The velocity of a straight line does not depend on t: it is the same difference at every point.",
        None,
        lambda x0, n, t: _t(t) * (n - x0),
    ),
    (
        "t = 0 is the digit and t = 1 the noise: x_t = (1 - t) * x0 + t * noise, not the other way round.",
        lambda x0, n, t: _t(t) * x0 + (1 - _t(t)) * n,
        None,
    ),
    (
        "A straight line mixes with weights 1 - t and t, not with square roots (that is the diffusion "
        "schedule's variance-preserving mix).",
        lambda x0, n, t: (1 - _t(t)).sqrt() * x0 + _t(t).sqrt() * n,
        None,
    ),
    (
        "Each image has its own t: reshape t (N,) to (N, 1, 1, 1) so it multiplies that image's pixels, not "
        "its mean over the batch.",
        lambda x0, n, t: (1 - t.mean()) * x0 + t.mean() * n,
        None,
    ),
]


def _cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(12)
    x0 = torch.rand((4, 1, 28, 28), generator=gen) * 2 - 1
    noise = torch.randn((4, 1, 28, 28), generator=gen)
    t = torch.tensor([0.9, 0.3, 0.65, 0.12])  # far from 0, 1/2 and 1 so that no mistake coincides
    return [(x0, noise, t), (x0[:2] * 0.5, noise[:2], t[:2].flip(0))]


@checker
def check_flow_matching_pair(fn: Callable) -> None:
    """Exercise (12): fn(x0 (N, 1, 28, 28), noise (N, 1, 28, 28), t (N,)) -> (x_t, target velocity)."""
    require_callable(fn, "check_flow_matching_pair(flow_pair)")
    for x0, noise, t in _cases():
        got = call_student(
            fn,
            x0.clone(),
            noise.clone(),
            t.clone(),
            about="It gets tensors: x0 (N, 1, 28, 28), noise (N, 1, 28, 28) and t (N,).",
        )
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise WrongAnswer(
                "Return two things: the point x_t and the target velocity, as `return x_t, target`."
            )
        x_t = as_tensor(got[0], "x_t, shape (N, 1, 28, 28)", torch.float64)
        target = as_tensor(got[1], "the target velocity, shape (N, 1, 28, 28)", torch.float64)
        for name, value in (("x_t", x_t), ("the target", target)):
            if tuple(value.shape) != tuple(x0.shape):
                raise WrongAnswer(
                    f"{name} has the shape of the images, {tuple(x0.shape)}; yours has shape {tuple(value.shape)}."
                )
        right_x, right_v = _right(x0, noise, t)
        if close(x_t, right_x, atol=1e-5) and close(target, right_v, atol=1e-5):
            continue
        for hint, wrong_x, wrong_v in _MISTAKES:
            want_x = right_x if wrong_x is None else wrong_x(x0, noise, t)
            want_v = right_v if wrong_v is None else wrong_v(x0, noise, t)
            if close(x_t, want_x, atol=1e-5) and (wrong_x is not None or close(target, want_v, atol=1e-5)):
                raise WrongAnswer(hint)
        if close(x_t, right_x, atol=1e-5):
            raise WrongAnswer("x_t is right; the target is not the velocity of x_t as t grows.")
        raise WrongAnswer(
            "x_t is not the point at time t on the straight line from the digit (t = 0) to the noise (t = 1)."
        )
    return correct(
        "Your pair is rectified flow's: a straight path, and a velocity the network can learn by regression."
    )
