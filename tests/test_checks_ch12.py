"""gan_lessons.checks.ch12 (12_where_gans_stand): a right answer passes in two forms; each typical wrong
answer gets its own hint, as WrongAnswer."""

import numpy as np
import pytest
import torch

from gan_lessons.checks import WrongAnswer, check_add_noise


def right(x0, abar, noise):
    return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def right_numpy(x0, abar, noise):  # another form: NumPy, the square roots written as powers
    a = abar.numpy()
    return np.power(a, 0.5) * x0.numpy() + np.power(1 - a, 0.5) * noise.numpy()


@pytest.mark.parametrize("fn", [right, right_numpy])
def test_right_answers_pass(fn, capsys):
    check_add_noise(fn)
    assert "Correct!" in capsys.readouterr().out


WRONG = [
    (lambda x0, a, n: a * x0 + (1 - a) * n, "square roots"),
    (lambda x0, a, n: (1 - a).sqrt() * x0 + a.sqrt() * n, "roles are swapped"),
    (lambda x0, a, n: a.sqrt() * x0, "noise term is missing"),
    (lambda x0, a, n: a.sqrt() * x0 - (1 - a).sqrt() * n, "added, not subtracted"),
    (lambda x0, a, n: x0 + (1 - a).sqrt() * n, "weight is sqrt\\(abar\\), not 1"),
    (lambda x0, a, n: a.sqrt() * x0 + a.sqrt() * n, "sqrt\\(1 - abar\\), not sqrt\\(abar\\)"),
    (lambda x0, a, n: a[0].sqrt() * x0 + (1 - a[0]).sqrt() * n, "not one value for the whole batch"),
    (lambda x0, a, n: a.mean().sqrt() * x0 + (1 - a.mean()).sqrt() * n, "not its mean over the batch"),
    (lambda x0, a, n: (a.sqrt() * x0 + (1 - a).sqrt() * n).mean(0), "shape"),
    (lambda x0, a, n: None, "return"),
    (lambda x0, a, n: x0.sqrtt(), "raised AttributeError"),
    (lambda x0, a, n: right(x0, a, n) + 0.1, "does not match"),
]


@pytest.mark.parametrize("fn, hint", WRONG)
def test_wrong_answers_get_their_hint(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_add_noise(fn)


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_add_noise(torch.zeros(3))
