"""Checker for 12_where_gans_stand: the forward (noising) step of a diffusion model,
x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. It runs a student's function on known cases and,
when it is wrong, recognises the usual mistakes and says which one it is."""

from __future__ import annotations

from collections.abc import Callable

import torch

from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable

_MISTAKES: list[tuple[str, Callable]] = [
    (
        "The weights are square roots: sqrt(abar) * x0 + sqrt(1 - abar) * noise. Without them the "
        "variance of x_t is not 1 and the noisiest steps are not pure noise.",
        lambda x0, abar, noise: abar * x0 + (1 - abar) * noise,
    ),
    (
        "The roles are swapped: abar (near 1 at the first steps) weighs the digit x0, and 1 - abar the noise.",
        lambda x0, abar, noise: (1 - abar).sqrt() * x0 + abar.sqrt() * noise,
    ),
    (
        "The noise term is missing: x_t = sqrt(abar) * x0 + sqrt(1 - abar) * noise.",
        lambda x0, abar, noise: abar.sqrt() * x0,
    ),
    (
        "The noise is added, not subtracted: + sqrt(1 - abar) * noise.",
        lambda x0, abar, noise: abar.sqrt() * x0 - (1 - abar).sqrt() * noise,
    ),
    (
        "The digit's weight is sqrt(abar), not 1: the signal fades as the noise grows.",
        lambda x0, abar, noise: x0 + (1 - abar).sqrt() * noise,
    ),
    (
        "The noise's weight is sqrt(1 - abar), not sqrt(abar).",
        lambda x0, abar, noise: abar.sqrt() * x0 + abar.sqrt() * noise,
    ),
    (
        "Each image has its own noise level: abar has shape (N, 1, 1, 1), one value per image. Use it as "
        "given (it broadcasts over the pixels), not one value for the whole batch.",
        lambda x0, abar, noise: abar[:1].sqrt() * x0 + (1 - abar[:1]).sqrt() * noise,
    ),
    (
        "Each image has its own noise level: abar has shape (N, 1, 1, 1), one value per image. Use it as "
        "given (it broadcasts over the pixels), not its mean over the batch.",
        lambda x0, abar, noise: abar.mean().sqrt() * x0 + (1 - abar.mean()).sqrt() * noise,
    ),
]


def _cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(12)
    x0 = torch.rand((4, 1, 28, 28), generator=gen) * 2 - 1
    noise = torch.randn((4, 1, 28, 28), generator=gen)
    # one abar per image, of shape (N, 1, 1, 1), far from 0, 1/2 and 1 so that no mistake coincides
    abar = torch.tensor([0.9, 0.3, 0.65, 0.12]).view(4, 1, 1, 1)
    return [(x0, abar, noise), (x0[:2] * 0.5, abar[:2].flip(0), noise[:2])]


@checker
def check_add_noise(fn: Callable) -> None:
    """Exercise (12): fn(x0, abar, noise) -> x_t, with abar of shape (N, 1, 1, 1)."""
    require_callable(fn, "check_add_noise(my_add_noise)")
    for x0, abar, noise in _cases():
        got = call_student(
            fn,
            x0.clone(),
            abar.clone(),
            noise.clone(),
            about="It gets tensors: x0 (N, 1, 28, 28), abar (N, 1, 1, 1) and noise (N, 1, 28, 28).",
        )
        got = as_tensor(got, "the noisy images x_t, shape (N, 1, 28, 28)", torch.float64)
        if tuple(got.shape) != tuple(x0.shape):
            raise WrongAnswer(
                f"x_t has the shape of the images, {tuple(x0.shape)}; yours has shape {tuple(got.shape)}."
            )
        expected = abar.sqrt() * x0 + (1 - abar).sqrt() * noise
        if close(got, expected, atol=1e-5):
            continue
        for hint, mistake in _MISTAKES:
            if close(got, mistake(x0, abar, noise), atol=1e-5):
                raise WrongAnswer(hint)
        raise WrongAnswer(
            "x_t does not match sqrt(abar) * x0 + sqrt(1 - abar) * noise; use torch.sqrt (or .sqrt()) on "
            "abar and on 1 - abar, and multiply element by element."
        )
    return correct("Your forward step matches the DDPM formula: one line takes a digit to any noise level.")
