"""gan_lessons.checks.ch12 (12_where_gans_stand): a right answer passes in two forms; each typical wrong
answer gets its own hint, as WrongAnswer; no hint gives the code away."""

import math

import numpy as np
import pytest
import torch

from gan_lessons import ddim_step
from gan_lessons.checks import WrongAnswer, check_ddim_step
from gan_lessons.checks.ch12 import _MISTAKES


def right(x, eps, a, a_next):
    x0 = (x - torch.sqrt(1 - a) * eps) / torch.sqrt(a)
    return torch.sqrt(a_next) * x0 + torch.sqrt(1 - a_next) * eps


def right_numpy(
    x, eps, a, a_next
):  # another form: NumPy, math.sqrt on the 0-d tensors, the clamp of the package
    a, a_next = float(a), float(a_next)
    x0 = np.clip((x.numpy() - math.sqrt(1 - a) * eps.numpy()) / math.sqrt(a), -1, 1)
    return a_next**0.5 * x0 + (1 - a_next) ** 0.5 * eps.numpy()


@pytest.mark.parametrize("fn", [right, right_numpy, ddim_step])
def test_right_answers_pass(fn, capsys):
    check_ddim_step(fn)
    assert "Correct!" in capsys.readouterr().out


def x0_of(x, e, a):
    return (x - (1 - a).sqrt() * e) / a.sqrt()


WRONG = [
    (lambda x, e, a, an: x0_of(x, e, a), "clean digit, the end of the whole path"),
    (lambda x, e, a, an: x.clone(), "lands where it started"),
    (lambda x, e, a, an: an * ((x - (1 - a) * e) / a) + (1 - an) * e, "undo that same mix"),
    (lambda x, e, a, an: an * x0_of(x, e, a) + (1 - an) * e, "re-noising too"),
    (
        lambda x, e, a, an: (1 - an).sqrt() * ((x - a.sqrt() * e) / (1 - a).sqrt()) + an.sqrt() * e,
        "swapped weights",
    ),
    (
        lambda x, e, a, an: an.sqrt() * ((x + (1 - a).sqrt() * e) / a.sqrt()) + (1 - an).sqrt() * e,
        "mind the sign",
    ),
    (lambda x, e, a, an: x - (1 - a).sqrt() * e + (1 - an).sqrt() * e, "digit's share must change too"),
    (lambda x, e, a, an: an.sqrt() * x0_of(x, e, a), "fresh noise, or none"),
    (lambda x, e, a, an: right(x, e, a, an) + 0.1, "not the point at the earlier level"),
    (lambda x, e, a, an: right(x, e, a, an).mean(0), "input's shape"),
    (lambda x, e, a, an: None, "return"),
]


@pytest.mark.parametrize("fn, hint", WRONG)
def test_wrong_answers_get_their_hint(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_ddim_step(fn)


def test_the_hints_name_the_idea_not_the_code():
    for hint, _ in _MISTAKES:
        for code in ("sqrt(", "x0 =", "abar_next.sqrt", "* eps", "(1 - a"):
            assert code not in hint, (code, hint)


def test_the_package_step_lands_on_the_digit_with_the_true_noise():
    # with the noise that made x, a step to abar = 1 returns the digit itself: the step is consistent
    x0, eps = torch.rand(2, 1, 28, 28) * 1.8 - 0.9, torch.randn(2, 1, 28, 28)
    a = torch.tensor(0.4)
    x = a.sqrt() * x0 + (1 - a).sqrt() * eps
    assert torch.allclose(ddim_step(x, eps, a, torch.tensor(1.0)), x0, atol=1e-5)


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_ddim_step(torch.zeros(3))
