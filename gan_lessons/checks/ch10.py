"""Checkers for 10_conditional_gan: one-hot label planes, and the conditional discriminator's input."""

from __future__ import annotations

import re
from collections.abc import Callable

import torch

from ..layers import one_hot_channels
from .core import WrongAnswer, as_tensor, call_student, checker, close, correct, require_callable

_LABELS = torch.tensor([3, 0, 9, 7])  # distinct, with both ends, so an off-by-one or a wrong size shows
# No 9 here: F.one_hot(y) without num_classes makes max(y) + 1 = 8 planes, and one_hot(y, 9) does not fail.
_LABELS_NO_NINE = torch.tensor([3, 0, 5, 7])


def _wrong_size_hint(what: str, planes: int, y: torch.Tensor) -> str:
    if planes == int(y.max()) + 1:
        return (
            f"{what} has {planes} label planes, the largest label in this batch + 1: F.one_hot(y) without "
            "num_classes counts only up to the largest label it sees. Pass num_classes=10: one_hot(y, 10)."
        )
    return (
        f"{what} has {planes} label planes: a one-hot of the wrong size. There are 10 digits, 0..9, "
        "so num_classes=10 planes: one_hot(y, 10)."
    )


def _planes_verdict(out: torch.Tensor, y: torch.Tensor, size: int, what: str) -> None:
    n = len(y)
    if out.dim() == 2 and out.shape == (n, 10):
        raise WrongAnswer(
            f"{what} is a flat one-hot (N, 10): that is what G takes. D sees images, so each label must "
            f"become 10 planes of {size}x{size} pixels: reshape to (N, 10, 1, 1) and .expand(-1, -1, {size}, {size})."
        )
    if out.dim() == 4 and out.shape[0] == n and out.shape[1] not in (1, 10) and out.shape[2:] == (size, size):
        raise WrongAnswer(_wrong_size_hint(what, out.shape[1], y))
    if out.shape == (n, 10, 1, 1):
        raise WrongAnswer(
            f"{what} has shape (N, 10, 1, 1): one pixel per plane. Each plane must cover the image: "
            f".expand(-1, -1, {size}, {size})."
        )
    if out.dim() == 4 and out.shape[:2] == (n, 10) and out.shape[2] == out.shape[3] != size:
        raise WrongAnswer(
            f"{what} has planes of {out.shape[2]}x{out.shape[3]} pixels; use the size argument ({size} here), "
            "not a fixed number."
        )
    if out.shape == (n, size, size, 10):
        raise WrongAnswer(
            f"{what} is channels last, (N, {size}, {size}, 10): PyTorch puts the channels on dim 1, "
            f"(N, 10, {size}, {size}). F.one_hot puts the classes last: index it as [:, :, None, None] before .expand."
        )
    if out.dim() == 4 and out.shape[:2] == (n, 1):
        raise WrongAnswer(
            f"{what} has one label plane holding the digit's value: D would have to learn that 7 is 'near' 8. "
            "Use 10 one-hot planes, plane y all ones and the rest zeros."
        )
    if out.shape != (n, 10, size, size):
        raise WrongAnswer(f"{what} should have shape {(n, 10, size, size)}; got {tuple(out.shape)}.")
    right = one_hot_channels(y, 10, size)
    if close(out, right):
        return
    shifted = one_hot_channels((y + 1) % 10, 10, size)
    if close(out, shifted) or close(out, one_hot_channels((y - 1) % 10, 10, size)):
        raise WrongAnswer(
            "The ones are in the plane next to the label's: plane y (0-based) must be on, y = 0 is plane 0."
        )
    if close(out, 1 - right):
        raise WrongAnswer("Inverted: plane y must be all ones and the other nine all zeros.")
    raise WrongAnswer(
        f"For labels {y.tolist()} plane y should be all ones and every other plane zeros; it is not."
    )


@checker
def check_label_planes(fn: Callable) -> None:
    """Exercise (10): fn(y, size) turns labels (N,) into one-hot planes (N, 10, size, size)."""
    require_callable(fn, "check_label_planes(label_planes)")
    for y, size in ((_LABELS_NO_NINE, 28), (_LABELS, 5)):
        out = call_student(fn, y.clone(), size, about="It receives labels (N,) (a long tensor) and a size.")
        out = as_tensor(out, "the label planes", torch.float32)
        _planes_verdict(out, y, size, "Your result")
    return correct("ten planes, one lit per image: D can now check the digit against the label.")


def _call_d_input(fn: Callable, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """fn(x, y) as a float tensor; a torch.cat that fails on sizes gets a hint about what to join how."""
    try:
        out = call_student(
            fn, x.clone(), y.clone(), about="It receives images (N, 1, 28, 28) and labels (N,)."
        )
    except WrongAnswer as err:
        cat = re.search(r"Sizes of tensors must match except in dimension (\d+)", str(err.__cause__))
        if cat and cat.group(1) != "1":
            raise WrongAnswer(
                "torch.cat joins along one dim and the others must match: the images (N, 1, 28, 28) and their "
                "planes (N, 10, 28, 28) differ in the channels, so join them with dim=1."
            ) from err
        if cat:
            raise WrongAnswer(
                "Your label planes do not have the images' size: make them (N, 10, 28, 28) with "
                ".expand(-1, -1, 28, 28) before torch.cat."
            ) from err
        raise
    return as_tensor(out, "D's input", torch.float32)


@checker
def check_d_input(fn: Callable) -> None:
    """Exercise (10): fn(x, y) builds the conditional D's input, the image stacked with its label planes
    (N, 1 + 10, 28, 28), image first (as gan_lessons.ConditionalDiscriminator does)."""
    require_callable(fn, "check_d_input(d_input)")
    gen = torch.Generator().manual_seed(0)
    for y in (_LABELS_NO_NINE, _LABELS):
        x = torch.rand(len(y), 1, 28, 28, generator=gen) * 2 - 1
        _d_input_verdict(_call_d_input(fn, x, y), x, y)
    return correct("D now judges the pair (image, label): a good 3 shown with the label 7 counts as fake.")


def _d_input_verdict(out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> None:
    n = len(y)
    if out.shape == x.shape and close(out, x):
        raise WrongAnswer(
            "That is the image alone: the label goes to G but not to D. Then D only asks 'is this a real digit?', "
            "and G is free to draw a 3 when asked for a 7. Stack the label planes onto the image (torch.cat, dim=1)."
        )
    if out.shape == (n, 28 * 28 + 10):
        raise WrongAnswer(
            "You flattened the image and appended the flat one-hot, (N, 794): an MLP's input. This D is "
            "convolutional: keep the image (N, 1, 28, 28) and add 10 label planes along dim=1."
        )
    image_first = out.dim() == 4 and out.shape[0] == n and out.shape[2:] == (28, 28) and close(out[:, :1], x)
    if image_first and out.shape[1] not in (2, 11):
        raise WrongAnswer("The image is there, but: " + _wrong_size_hint("it", out.shape[1] - 1, y))
    if out.dim() == 4 and out.shape[:2] == (n, 10):
        raise WrongAnswer(
            "Those are the label planes alone: D also needs the image. Stack both with torch.cat(..., dim=1)."
        )
    if out.dim() == 4 and out.shape == (n, 2, 28, 28):
        raise WrongAnswer(
            "One plane holding the label's value is not one-hot: use 10 planes, plane y all ones."
        )
    if out.shape != (n, 11, 28, 28):
        raise WrongAnswer(
            f"D's input should have shape {(n, 11, 28, 28)} (1 image + 10 label planes); got {tuple(out.shape)}."
        )
    if close(out[:, -1:], x) and not close(out[:, :1], x):
        raise WrongAnswer(
            "The planes come first and the image last: put the image first, as ConditionalDiscriminator does."
        )
    if not close(out[:, :1], x):
        raise WrongAnswer("Channel 0 should be the image itself, unchanged (already in [-1, 1]).")
    _planes_verdict(out[:, 1:], y, 28, "The label part (channels 1..10)")


__all__ = ["check_d_input", "check_label_planes"]
