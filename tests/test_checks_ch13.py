"""gan_lessons.checks.ch13 (13_faq): a right answer passes in two forms; each typical wrong answer gets its own
hint, as WrongAnswer."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons.checks import WrongAnswer, check_resize_conv
from gan_lessons.checks.ch13 import _MISTAKES


def right(x, w):
    return F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), w, padding=1)


def right_repeat(x, w):  # another form: repeat_interleave for the resize, a Conv2d module, NumPy out
    up = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    conv = torch.nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(w)
        return conv(up).numpy().astype(np.float64)


@pytest.mark.parametrize("fn", [right, right_repeat])
def test_right_answers_pass(fn, capsys):
    check_resize_conv(fn)
    assert "Correct!" in capsys.readouterr().out


def zeros_inserted(x, w):
    up = torch.zeros(x.shape[0], x.shape[1], 2 * x.shape[2], 2 * x.shape[3])
    up[:, :, ::2, ::2] = x
    return F.conv2d(up, w, padding=1)


WRONG = [
    (lambda x, w: F.conv2d(F.interpolate(x, scale_factor=2, mode="bilinear"), w, padding=1), "bilinear"),
    (lambda x, w: F.interpolate(F.conv2d(x, w, padding=1), scale_factor=2), "Resize first"),
    (
        lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1), stride=2, padding=1, output_padding=1),
        "transposed convolution",
    ),
    (zeros_inserted, "inserting zeros"),
    (
        lambda x, w: F.interpolate(x, scale_factor=2).repeat(1, w.shape[0] // x.shape[1] + 1, 1, 1)[
            :, : w.shape[0]
        ],
        "does not match",
    ),
    (lambda x, w: F.conv2d(F.interpolate(x, scale_factor=2), w.flip(2, 3), padding=1), "flipped"),
    (lambda x, w: F.conv2d(F.interpolate(x, scale_factor=2), w), "pad the border"),
    (lambda x, w: F.conv2d(x, w, padding=1), "shape"),
    (lambda x, w: right(x, w) + 0.1, "does not match"),
    (lambda x, w: None, "return"),
]


@pytest.mark.parametrize("fn, hint", WRONG)
def test_wrong_answers_get_their_hint(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_resize_conv(fn)


def test_the_missing_convolution_is_named():
    # with as many output channels as input channels, the resize alone has the right shape
    def resize_only(x, w):
        return F.interpolate(x, scale_factor=2).expand(-1, w.shape[0], -1, -1) if x.shape[1] == 1 else None

    with pytest.raises(WrongAnswer):
        check_resize_conv(resize_only)


def test_the_hints_name_the_idea_not_the_code():
    for hint, _ in _MISTAKES:
        for code in ("F.", "interpolate", "conv2d", "padding=", "mode="):
            assert code not in hint, (code, hint)


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_resize_conv(torch.zeros(3))
