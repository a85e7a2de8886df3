"""gan_lessons.checks.ch08 (08_training_pitfalls): check_simultaneous_step accepts the simultaneous step
in several forms and rejects the typical wrong ones, each with its own hint."""

import numpy as np
import pytest
import torch

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer

from runs import accepted


def test_simultaneous_step_right_answers():
    assert accepted(lambda: checks.check_simultaneous_step(lambda x, y, lr: (x - lr * y, y + lr * x)))
    assert accepted(
        lambda: checks.check_simultaneous_step(
            lambda x, y, lr: [np.float64(x - lr * y), torch.tensor(y + lr * x)]
        )
    )

    def with_autograd(x, y, lr):
        xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        gx, gy = torch.autograd.grad(xt * yt, (xt, yt))
        return (xt - lr * gx).item(), (yt + lr * gy).item()

    assert accepted(lambda: checks.check_simultaneous_step(with_autograd))


def _alternating(x, y, lr):
    x = x - lr * y
    return x, y + lr * x


@pytest.mark.parametrize(
    "fn, hint",
    [
        (_alternating, "alternating step"),
        (lambda x, y, lr: (x + lr * y, y - lr * x), "Both signs are flipped"),
        (lambda x, y, lr: (x - lr * y, y - lr * x), "must go \\*up\\*"),
        (lambda x, y, lr: (x + lr * y, y + lr * x), "must go \\*down\\*"),
        (lambda x, y, lr: (x - lr * x, y + lr * y), "gradient of x\\*y with respect to x is y"),
        (lambda x, y, lr: x - lr * y, "Return the pair"),
        (lambda x, y, lr: (y + lr * x, x - lr * y), "wrong order"),
        (lambda x, y, lr: (x - lr * (y + lr * x), y + lr * x), "with y first"),
        (lambda x, y, lr: (x, y), "expected"),
        (lambda x, y: (x, y), "raised TypeError"),
    ],
)
def test_simultaneous_step_wrong_answers(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_simultaneous_step(fn)


def test_simultaneous_step_unusable_call():
    with pytest.raises(ValueError, match="check_simultaneous_step"):
        checks.check_simultaneous_step((1.0, 2.0))
