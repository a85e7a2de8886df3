"""Checkers for 04_toy_gan_playground: the least-squares discriminator loss and mode coverage.

Each runs the student's function on test inputs and recognises the typical wrong answers by
comparing with them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..losses import d_loss_least_squares
from ..toy import mode_coverage
from .core import WrongAnswer, as_float, call_student, close, correct, require_callable

# -- Exercise 1: the least-squares discriminator loss -----------------------------------------


def _lsgan_variants(r: torch.Tensor, f: torch.Tensor) -> dict:
    ref = d_loss_least_squares(r, f)
    return {
        "right": ref,
        "swapped": 0.5 * (r**2).mean() + 0.5 * ((f - 1) ** 2).mean(),
        "no_half": 2 * ref,
        "sigmoid": 0.5 * ((torch.sigmoid(r) - 1) ** 2).mean() + 0.5 * (torch.sigmoid(f) ** 2).mean(),
        "abs": 0.5 * (r - 1).abs().mean() + 0.5 * f.abs().mean(),
        "sum": 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f**2).sum(),
        "no_fake": 0.5 * ((r - 1) ** 2).mean(),
        "no_real": 0.5 * (f**2).mean(),
    }


LSGAN_HINTS = {
    "swapped": "The targets are swapped: D should push its outputs on REAL points towards 1 and on FAKES towards 0.",
    "no_half": "Off by a factor of 2: each of the two terms carries a factor 1/2 (Mao et al. 2017, eq. 2).",
    "sigmoid": "LSGAN's discriminator gives raw scores: do not apply a sigmoid before squaring.",
    "abs": "Use squared errors (x - target) ** 2, not absolute values.",
    "sum": "Average over the batch with .mean(), not .sum(): the loss must not grow with the batch size.",
    "no_fake": "Your loss ignores the fakes: add the term 1/2 E[D(G(z))^2] that pushes fake outputs towards 0.",
    "no_real": "Your loss ignores the real points: add the term 1/2 E[(D(x) - 1)^2].",
}


def check_lsgan_d_loss(fn: Callable) -> bool:
    """Exercise (04): fn(real_out, fake_out) -> the least-squares D loss 1/2 E[(D(x)-1)^2] + 1/2 E[D(G(z))^2]."""
    require_callable(fn, "check_lsgan_d_loss(my_lsgan_d_loss)")
    gen = torch.Generator().manual_seed(4)
    for n_real, n_fake in ((16, 16), (8, 24)):
        r = torch.randn(n_real, generator=gen) * 1.5 + 0.3
        f = torch.randn(n_fake, generator=gen) * 1.2 - 0.4
        got = call_student(fn, r.clone(), f.clone())
        if not isinstance(got, torch.Tensor) or got.numel() != 1:  # a loss must be a tensor to backpropagate
            raise WrongAnswer(
                f"Return a scalar tensor (one number); got {type(got).__name__} "
                f"{tuple(got.shape) if isinstance(got, torch.Tensor) else ''}."
            )
        got = as_float(got, "the loss", returned=True)
        variants = {name: float(value) for name, value in _lsgan_variants(r, f).items()}
        if close(got, variants["right"], rtol=1e-5, atol=1e-5):
            continue
        for name, value in variants.items():
            if name != "right" and close(got, value, rtol=1e-5, atol=1e-5):
                raise WrongAnswer(LSGAN_HINTS[name])
        raise WrongAnswer(
            f"Not yet: for these outputs the loss should be {variants['right']:.4f}, "
            f"yours gives {got:.4f}. Write it as 0.5 * mean((real_out - 1)^2) + 0.5 * mean(fake_out^2)."
        )
    return correct("D pulls real outputs to 1 and fake outputs to 0 with squared errors.")


# -- Exercise 2: mode coverage ----------------------------------------------------------------


def _coverage_case():
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


def _coverage_case_2():
    modes = np.array([[1.0, 1.0], [-1.0, -1.0], [3.0, 3.0]])
    fakes = np.array([[1.0, 1.8], [-1.0, -1.0], [-1.1, -0.9], [0.0, 0.0]])
    return fakes, modes, 0.9  # modes 0 and 1 covered, mode 2 not: coverage 2/3


def _coverage_variants(fakes, modes, radius) -> dict:
    dist = np.linalg.norm(fakes[:, None] - modes[None], axis=-1)
    near = dist <= radius
    nearest = np.argmin(dist, axis=1)
    return {
        "right": mode_coverage(fakes, modes, radius, min_share=0),  # any fake within radius covers a mode
        "count": float(near.any(axis=0).sum()),
        "quality": near.any(axis=1).mean(),
        "no_radius": len(np.unique(nearest)) / len(modes),
        "squared": (dist**2 <= radius).any(axis=0).mean(),
        "share_of_fakes_per_mode": near.mean(axis=0).mean(),
    }


COVERAGE_HINTS = {
    "count": "Return a share between 0 and 1: divide the number of covered modes by the number of modes.",
    "quality": "You computed the share of FAKES that lie near some mode (how clean the samples are). Coverage is "
    "the share of MODES that have at least one fake near them: reduce over the fakes axis.",
    "no_radius": "A fake far from every mode covers nothing: a mode is covered only if a fake lies within `radius` "
    "of it, not just because it is some fake's nearest mode.",
    "squared": "Compare the distance itself with radius (np.linalg.norm), not the squared distance.",
    "share_of_fakes_per_mode": "Count each mode once, as covered or not (any fake within radius), instead of "
    "averaging how many fakes each mode has.",
}


def check_mode_coverage(fn: Callable) -> bool:
    """Exercise (04): fn(fakes (N, 2), modes (K, 2), radius) -> share of modes with at least one fake within radius."""
    require_callable(fn, "check_mode_coverage(my_coverage)")
    for case in (_coverage_case, _coverage_case_2):
        fakes, modes, radius = case()
        got = call_student(fn, fakes.copy(), modes.copy(), radius)
        got = as_float(got, "a share between 0 and 1", returned=True)
        variants = _coverage_variants(fakes, modes, radius)
        if close(got, variants["right"], rtol=0, atol=1e-9):
            continue
        for name, value in variants.items():
            if name != "right" and close(got, value, rtol=0, atol=1e-9):
                raise WrongAnswer(COVERAGE_HINTS[name])
        raise WrongAnswer(
            f"Not yet: here {round(variants['right'] * len(modes))} of the {len(modes)} modes have a "
            f"fake within {radius}, so the coverage is {variants['right']:.3f}; yours gives {got:.3f}."
        )
    return correct("Coverage counts the modes that have at least one fake within the radius.")


__all__ = ["COVERAGE_HINTS", "LSGAN_HINTS", "check_lsgan_d_loss", "check_mode_coverage"]
