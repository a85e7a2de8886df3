"""Checkers for 04_toy_gan_playground: the least-squares discriminator loss and the share of modes reached.

Each runs the student's function on test inputs and recognises the typical wrong answers by
comparing with them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..losses import d_loss_least_squares
from ..toy2d import modes_reached
from .core import (
    WrongAnswer,
    as_float,
    call_student,
    checker,
    close,
    correct,
    require_callable,
    require_graph,
)

# -- Exercise 1: the least-squares discriminator loss -----------------------------------------


def _lsgan_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """D's raw outputs on a real and a fake batch: first of different sizes (8 real, 24 fake), where
    a loss that pairs or pools the real and fake outputs gives its own value, then of equal sizes."""
    gen = torch.Generator().manual_seed(4)
    return [
        (torch.randn(n_real, generator=gen) * 1.5 + 0.3, torch.randn(n_fake, generator=gen) * 1.2 - 0.4)
        for n_real, n_fake in ((8, 24), (16, 16))
    ]


def _lsgan_variants(r: torch.Tensor, f: torch.Tensor) -> dict:
    ref = d_loss_least_squares(r, f)
    pooled = torch.cat([(r - 1) ** 2, f**2]).mean()
    return {
        "right": ref,
        "swapped": 0.5 * (r**2).mean() + 0.5 * ((f - 1) ** 2).mean(),
        "no_half": 2 * ref,
        "sigmoid": 0.5 * ((torch.sigmoid(r) - 1) ** 2).mean() + 0.5 * (torch.sigmoid(f) ** 2).mean(),
        "abs": 0.5 * (r - 1).abs().mean() + 0.5 * f.abs().mean(),
        "sum": 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f**2).sum(),
        "no_fake": 0.5 * ((r - 1) ** 2).mean(),
        "no_real": 0.5 * (f**2).mean(),
        "pooled": pooled,
        "pooled_half": 0.5 * pooled,
        "fake_minus_one": 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean(),
        "g_loss": 0.5 * ((f - 1) ** 2).mean(),
        "square_of_mean": 0.5 * (r.mean() - 1) ** 2 + 0.5 * f.mean() ** 2,
    }


_POOLED_HINT = (
    "You averaged over the real and fake outputs together (torch.cat(...).mean()). That matches only "
    "when both batches have the same size (here 8 real, 24 fake): take the mean of each term separately."
)
LSGAN_HINTS = {
    "swapped": "The targets are swapped: D should push its outputs on REAL points towards 1 and on FAKES towards 0.",
    "no_half": "Off by a factor of 2: each of the two terms carries a factor 1/2 (Mao et al. 2017, eq. 2).",
    "sigmoid": "LSGAN's discriminator gives raw scores: do not apply a sigmoid before squaring.",
    "abs": "Use squared errors (x - target) ** 2, not absolute values.",
    "sum": "Average over the batch with .mean(), not .sum(): the loss must not grow with the batch size.",
    "no_fake": "Your loss ignores the fakes: add the term 1/2 E[D(G(z))^2] that pushes fake outputs towards 0.",
    "no_real": "Your loss ignores the real points: add the term 1/2 E[(D(x) - 1)^2].",
    "pooled": _POOLED_HINT,
    "pooled_half": _POOLED_HINT,
    "fake_minus_one": "The fake target is 0 here, not -1: this exercise uses the 0/1 targets, "
    "1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2].",
    "g_loss": "That is G's loss, 1/2 E[(D(G(z)) - 1)^2]. D wants its outputs on fakes near 0 and on real points near 1.",
    "square_of_mean": "Square each output's error first, then average: mean((real_out - 1)**2), "
    "not (mean(real_out) - 1)**2.",
    "paired": "Your loss adds the real and fake terms example by example, which works only when both batches "
    "have the same size (here 8 real, 24 fake). They are two separate averages: "
    "0.5 * mean((real_out - 1)**2) + 0.5 * mean(fake_out**2).",
    "not_scalar": "Your loss returns one value per example: reduce each term to one number with .mean().",
}


def _lsgan_value(fn: Callable, r: torch.Tensor, f: torch.Tensor) -> float:
    """fn(r, f) as one number; WrongAnswer if it raises or returns anything else."""
    got = call_student(fn, r.clone(), f.clone())
    if isinstance(got, torch.Tensor) and got.numel() > 1:
        raise WrongAnswer(LSGAN_HINTS["not_scalar"])
    return as_float(got, "the loss", returned=True)


def _right_on_equal_sizes(fn: Callable) -> bool:
    """Does fn give the right loss when the real and fake batches have the same size?"""
    r, f = _lsgan_batches()[1]
    try:
        return close(_lsgan_value(fn, r, f), float(d_loss_least_squares(r, f)), rtol=1e-5, atol=1e-5)
    except WrongAnswer:
        return False


@checker
def check_lsgan_d_loss(fn: Callable) -> None:
    """Exercise (04): fn(real_out, fake_out) -> the least-squares D loss 1/2 E[(D(x)-1)^2] + 1/2 E[D(G(z))^2],
    a tensor still in the autograd graph."""
    require_callable(fn, "check_lsgan_d_loss(my_lsgan_d_loss)")
    for r, f in _lsgan_batches():
        unequal = len(r) != len(f)
        try:
            got = _lsgan_value(fn, r, f)
        except WrongAnswer:
            if unequal and _right_on_equal_sizes(fn):
                raise WrongAnswer(LSGAN_HINTS["paired"]) from None
            raise
        variants = {name: float(value) for name, value in _lsgan_variants(r, f).items()}
        if close(got, variants["right"], rtol=1e-5, atol=1e-5):
            continue
        for name, value in variants.items():
            if name != "right" and close(got, value, rtol=1e-5, atol=1e-5):
                raise WrongAnswer(LSGAN_HINTS[name])
        if unequal and _right_on_equal_sizes(fn):
            raise WrongAnswer(LSGAN_HINTS["paired"])
        raise WrongAnswer(
            f"Not yet: for these outputs the loss should be {variants['right']:.4f}, "
            f"yours gives {got:.4f}. Write it as 0.5 * mean((real_out - 1)^2) + 0.5 * mean(fake_out^2)."
        )
    r, f = (a.clone().requires_grad_(True) for a in _lsgan_batches()[0])
    out = call_student(fn, r, f, about="In training its inputs require grad: keep the computation in torch.")
    require_graph(out, reaches="D")
    return correct("D pulls real outputs to 1 and fake outputs to 0 with squared errors.")


# -- Exercise 2: modes reached ----------------------------------------------------------------


def _reach_case():
    modes = np.array([[2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]])
    fakes = np.array(
        [
            [2.05, 0.0],
            [1.9, 0.1],
            [2.0, -0.1],  # three fakes on mode 0
            [0.0, 1.7],  # 0.3 from mode 1: covers it
            [-1.45, 0.0],  # 0.55 from mode 2: outside radius 0.4 (but its squared distance 0.30 is below 0.4)
            [0.0, -5.0],
            [0.0, -6.0],  # far from everything (mode 3 is only their nearest mode)
        ]
    )
    return fakes, modes, 0.4


def _reach_case_2():
    modes = np.array([[1.0, 1.0], [-1.0, -1.0], [3.0, 3.0]])
    fakes = np.array([[1.0, 1.8], [-1.0, -1.0], [-1.1, -0.9], [0.0, 0.0]])
    return fakes, modes, 0.9  # modes 0 and 1 reached, mode 2 not: 2/3


def _reach_case_off_axes():
    """Fakes offset from their modes along both axes at once, where the Euclidean distance differs
    from the Manhattan (|dx| + |dy|) and Chebyshev (max(|dx|, |dy|)) distances and from a test on one
    coordinate: in the two cases above every offset lies along one axis, so those mistakes pass there."""
    modes = np.array([[1.0, 1.0], [-1.0, 1.0], [0.0, -1.5], [2.0, -2.0], [-2.5, -2.5]])
    fakes = np.array(
        [
            [1.35, 1.35],  # 0.49 from mode 0: reached (but |dx| + |dy| = 0.7 > 0.6)
            [-0.42, 0.42],  # 0.82 from mode 1: not reached (but max(|dx|, |dy|) = 0.58 <= 0.6)
            [0.55, -0.5],  # 1.14 from mode 2: not reached (but |dx| = 0.55 <= 0.6)
            [2.1, -2.2],  # 0.22 from mode 3: reached; mode 4 is no fake's nearest (but |dy| = 0.3 to it)
        ]
    )
    return fakes, modes, 0.6  # modes 0 and 3 reached: 2/5


def _reach_variants(fakes, modes, radius) -> dict:
    dist = np.linalg.norm(fakes[:, None] - modes[None], axis=-1)
    near = dist <= radius
    nearest = np.argmin(dist, axis=1)
    return {
        "right": modes_reached(fakes, modes, radius, min_share=0),  # any fake within radius covers a mode
        "count": float(near.any(axis=0).sum()),
        "quality": near.any(axis=1).mean(),
        "no_radius": len(np.unique(nearest)) / len(modes),
        "squared": (dist**2 <= radius).any(axis=0).mean(),
        "share_of_fakes_per_mode": near.mean(axis=0).mean(),
        "manhattan": (np.abs(fakes[:, None] - modes[None]).sum(-1) <= radius).any(axis=0).mean(),
        "chebyshev": (np.abs(fakes[:, None] - modes[None]).max(-1) <= radius).any(axis=0).mean(),
        "one_coordinate": (np.abs(fakes[:, None] - modes[None]) <= radius).any(-1).any(axis=0).mean(),
    }


MODES_REACHED_HINTS = {
    "count": "Return a share between 0 and 1: divide the number of covered modes by the number of modes.",
    "quality": "You computed the share of FAKES that lie near some mode (how clean the samples are). What is asked is "
    "the share of MODES that have at least one fake near them: reduce over the fakes axis.",
    "no_radius": "A fake far from every mode covers nothing: a mode is covered only if a fake lies within `radius` "
    "of it, not just because it is some fake's nearest mode.",
    "squared": "Compare the distance itself with radius (np.linalg.norm), not the squared distance.",
    "share_of_fakes_per_mode": "Count each mode once, as covered or not (any fake within radius), instead of "
    "averaging how many fakes each mode has.",
    "manhattan": "That is the Manhattan distance |dx| + |dy|. The radius is Euclidean: "
    "sqrt(dx**2 + dy**2), np.linalg.norm(..., axis=-1).",
    "chebyshev": "max(|dx|, |dy|) <= radius tests a square around the mode, not a disc: use the Euclidean "
    "distance, np.linalg.norm(..., axis=-1).",
    "one_coordinate": "A fake must be near the mode in both coordinates at once: you counted a fake whose x "
    "(or y) alone is within radius. Use the Euclidean distance of the 2-D difference.",
}


@checker
def check_modes_reached(fn: Callable) -> None:
    """Exercise (04): fn(fakes (N, 2), modes (K, 2), radius) -> share of modes with at least one fake within radius."""
    require_callable(fn, "check_modes_reached(my_modes_reached)")
    for case in (
        _reach_case_off_axes,
        _reach_case,
        _reach_case_2,
    ):  # each mistake first fails with its own value
        fakes, modes, radius = case()
        got = call_student(fn, fakes.copy(), modes.copy(), radius)
        got = as_float(got, "a share between 0 and 1", returned=True)
        variants = _reach_variants(fakes, modes, radius)
        if close(got, variants["right"], rtol=0, atol=1e-9):
            continue
        for name, value in variants.items():
            if name != "right" and close(got, value, rtol=0, atol=1e-9):
                raise WrongAnswer(MODES_REACHED_HINTS[name])
        raise WrongAnswer(
            f"Not yet: here {round(variants['right'] * len(modes))} of the {len(modes)} modes have a "
            f"fake within {radius}, so the share reached is {variants['right']:.3f}; yours gives {got:.3f}."
        )
    return correct(
        "The share of modes reached counts the modes that have at least one fake within the radius."
    )


DIAGNOSES = ("converging", "vanishing gradient", "mode hopping", "mode collapse")
# The runs of chapter 04's "diagnose a run" exercise: A is section 4.3's run (G five times faster than D),
# B is section 4.1's (the defaults), C is section 4.2's saturating run after D was trained alone.
_RUN_TRUTH = {"A": "mode hopping", "B": "converging", "C": "vanishing gradient"}
_DIAGNOSIS_HINTS = {
    (
        "A",
        "mode collapse",
    ): "Run A is collapsed at the end, but look at the losses: they swing as D learns to "
    "reject the clump and G moves all of it to another mode. A collapse that keeps moving is mode hopping.",
    ("A", "converging"): "Run A reaches at most three of the eight modes at a time: that is not the ring. "
    "Its losses swing instead of settling.",
    ("A", "vanishing gradient"): "Run A's G moves a lot (its losses swing): its gradient is not vanishing. "
    "It moves as one clump from mode to mode.",
    ("B", "mode collapse"): "Run B's samples spread all around the ring, near most of its eight modes: "
    "nothing collapsed.",
    ("B", "mode hopping"): "Run B's samples spread all around the ring, and its losses settle near the "
    "equilibrium: it is converging.",
    ("B", "vanishing gradient"): "Run B's G stretched from a blob at the origin all around the ring: it had "
    "gradient enough.",
    ("C", "mode collapse"): "Run C's samples never reached any mode: G barely moved from where it started. "
    "Look at the G loss: flat near 0, log(1 - D(G(z))) with D(G(z)) close to 0. Its gradient vanishes.",
    ("C", "converging"): "Run C's samples are far from the ring, and its D loss is near 0: D wins every "
    "time. That is not convergence.",
    ("C", "mode hopping"): "Run C's samples stay in one place; nothing hops. Its G loss is flat near 0: "
    "the saturating loss with a D that rejects every fake.",
}


@checker(value_answer=True)
def check_diagnosis(answers: dict) -> None:
    """Exercise (04): name the failure of runs A, B and C, each one of DIAGNOSES."""
    if not isinstance(answers, dict):
        raise ValueError('Answer with a dict, such as {"A": "converging", "B": ..., "C": ...}.')
    missing = [k for k in _RUN_TRUTH if k not in answers]
    if missing:
        raise WrongAnswer(f"Diagnose every run; missing: {missing}.")
    wrong = []
    for run, truth in _RUN_TRUTH.items():
        got = str(answers[run]).strip().lower().replace("-", " ").replace("_", " ")
        if got not in DIAGNOSES:
            raise ValueError(f"Run {run}: answer one of {DIAGNOSES}; got {answers[run]!r}.")
        if got != truth:
            wrong.append(_DIAGNOSIS_HINTS[(run, got)])
    if wrong:
        raise WrongAnswer("\n".join(wrong))
    return correct(
        "A hops (a clump that moves), B converges (spread around the ring, calm losses), C stalls (saturating loss, D far ahead)."
    )


__all__ = [
    "DIAGNOSES",
    "check_diagnosis",
    "MODES_REACHED_HINTS",
    "LSGAN_HINTS",
    "check_lsgan_d_loss",
    "check_modes_reached",
]
