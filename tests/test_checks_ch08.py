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


# ---- check_alternating_invariant
def alt_step(x, y, lr):
    x = x - lr * y
    return x, y + lr * x


def test_alternating_invariant_right_answers():
    assert accepted(
        lambda: checks.check_alternating_invariant(alt_step, lambda x, y, lr: x * x + y * y - lr * x * y)
    )
    # any function of it, returned as NumPy or a tensor
    assert accepted(
        lambda: checks.check_alternating_invariant(
            lambda x, y, lr: (np.float64(x - lr * y), torch.tensor(y + lr * (x - lr * y))),
            lambda x, y, lr: np.sqrt(x * x + y * y - lr * x * y) * 3,
        )
    )
    # with a constant added: still a function of the invariant, and its drift is far below the orbits' gap
    assert accepted(
        lambda: checks.check_alternating_invariant(
            alt_step, lambda x, y, lr: 5.0 + 2 * (x * x + y * y - lr * x * y)
        )
    )


@pytest.mark.parametrize(
    "step, invariant, hint",
    [
        (lambda x, y, lr: (x - lr * y, y + lr * x), lambda x, y, lr: x * x + y * y, "simultaneous step"),
        (lambda x, y, lr: (x - lr * (y + lr * x), y + lr * x), lambda x, y, lr: 0.0, "moves y first"),
        (alt_step, lambda x, y, lr: x * x + y * y, "needs a cross term"),
        (alt_step, lambda x, y, lr: x * x + y * y + lr * x * y, "not conserved"),
        (alt_step, lambda x, y, lr: 1.0, "a constant is kept by every step"),
        (alt_step, lambda x, y, lr: x * y, "not conserved"),
        # the review's counterexample: a drift hidden under a large constant (relative spread ~1e-10)
        (alt_step, lambda x, y, lr: 1e9 + x * x + y * y, "needs a cross term"),
        (alt_step, lambda x, y, lr: 1e9 * (1 + 1e-12 * (x * x + y * y)), "not conserved"),
        (alt_step, lambda x, y, lr: x * x + y * y - 0.1 * x * y, "not conserved"),  # lr fixed at 0.1
        (alt_step, lambda x, y, lr: x * x + y * y - x * y, "not conserved"),  # weight 1, not lr
        (lambda x, y, lr: (x + lr * y, y - lr * x), lambda x, y, lr: 0.0, "expected the step to give"),
    ],
)
def test_alternating_invariant_wrong_answers(step, invariant, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_alternating_invariant(step, invariant)
