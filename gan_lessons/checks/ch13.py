"""Checker for 13_faq: Odena, Dumoulin and Olah's (2016) checkerboard-free upsampler, nearest-neighbour
resizing by 2 followed by a 3x3 convolution that keeps the size. It runs a student's function on known cases
and, when it is wrong, recognises the usual mistakes and says which one it is. The hints name the idea, not the code."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable


def _right(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w, padding=1)


_MISTAKES: list[tuple[str, Callable]] = [
    (
        "The resize repeats each pixel into a 2x2 block (nearest neighbour); averaging neighbouring pixels "
        "(bilinear) is another resize.",
        lambda x, w: F.conv2d(
            F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False), w, padding=1
        ),
    ),
    (
        "Resize first, then convolve: convolving at the small size and resizing afterwards makes blocky 2x2 "
        "outputs, with a quarter of the detail.",
        lambda x, w: F.interpolate(F.conv2d(x, w, padding=1), scale_factor=2, mode="nearest"),
    ),
    (
        "That is a transposed convolution, the layer that makes checkerboards; the exercise replaces it by "
        "a resize and an ordinary convolution.",
        lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1), stride=2, padding=1, output_padding=1),
    ),
    (
        "Upsampling by inserting zeros between the pixels is what a transposed convolution does, and it brings "
        "the checkerboard back; repeat each pixel (nearest neighbour) instead.",
        lambda x, w: F.conv2d(
            torch.zeros(x.shape[0], x.shape[1], 2 * x.shape[2], 2 * x.shape[3]).index_put_(
                (
                    torch.arange(x.shape[0])[:, None, None, None],
                    torch.arange(x.shape[1])[None, :, None, None],
                    2 * torch.arange(x.shape[2])[None, None, :, None],
                    2 * torch.arange(x.shape[3])[None, None, None, :],
                ),
                x,
            ),
            w,
            padding=1,
        ),
    ),
    (
        "The convolution is missing: after resizing, convolve with `weight`, keeping the size.",
        lambda x, w: F.interpolate(x, scale_factor=2, mode="nearest"),
    ),
    (
        "The kernel is flipped: a deep-learning convolution uses its weights as they are (a cross-correlation); "
        "do not flip them.",
        lambda x, w: F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w.flip(2, 3), padding=1),
    ),
]


def _cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(13)
    x = torch.randn((2, 3, 5, 6), generator=gen)
    w = torch.randn((4, 3, 3, 3), generator=gen)
    return [(x, w), (x[:1, :1, :4, :4] * 0.5, w[:2, :1])]


@checker
def check_resize_conv(fn: Callable) -> None:
    """Exercise (13): fn(x (N, C, H, W), weight (C_out, C, 3, 3)) -> (N, C_out, 2H, 2W)."""
    require_callable(fn, "check_resize_conv(resize_then_convolve)")
    for x, w in _cases():
        got = call_student(
            fn, x.clone(), w.clone(), about="It gets tensors: x (N, C, H, W) and weight (C_out, C, 3, 3)."
        )
        got = as_tensor(got, "the upsampled images, shape (N, C_out, 2H, 2W)", torch.float64)
        want_shape = (x.shape[0], w.shape[0], 2 * x.shape[2], 2 * x.shape[3])
        if tuple(got.shape) != want_shape:
            hint = (
                " The convolution must keep the size: pad the border by one pixel."
                if tuple(got.shape) == (want_shape[0], want_shape[1], want_shape[2] - 2, want_shape[3] - 2)
                else ""
            )
            raise WrongAnswer(
                f"For x of shape {tuple(x.shape)} the output has shape {want_shape}; yours has shape "
                f"{tuple(got.shape)}.{hint}"
            )
        if close(got, _right(x, w), atol=1e-5):
            continue
        for hint, mistake in _MISTAKES:
            if close(got, mistake(x, w), atol=1e-5):
                raise WrongAnswer(hint)
        raise WrongAnswer(
            "The output does not match a nearest-neighbour resize by 2 followed by a 3x3 convolution with "
            "`weight` and padding 1 (no bias)."
        )
    return correct(
        "Your upsampler uses every weight for every output pixel, so a flat input stays flat: no checkerboard."
    )
