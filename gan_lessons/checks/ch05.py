"""Checkers for 05_dcgan_mnist: scaling uint8 pixels to the range of G's tanh. (Chapter 05 also
uses `check_output_shape` from ch02 and `check_g_loss` from ch03.)"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .core import WrongAnswer, as_tensor, call_student, close, correct, require_callable


def check_scale_images(fn: Callable) -> bool:
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
    raise WrongAnswer(
        f"For pixels {x.tolist()[0]} expected {[round(v, 3) for v in right.tolist()[0]]}; "
        f"got {[round(v, 3) for v in out.float().tolist()[0]]}."
    )


__all__ = ["check_scale_images"]
