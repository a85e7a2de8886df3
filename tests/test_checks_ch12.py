"""gan_lessons.checks.ch12 (12_where_gans_stand): a right answer passes in two forms; each typical wrong
answer gets its own hint, as WrongAnswer."""

import numpy as np
import pytest
import torch

from gan_lessons import flow_matching_pair
from gan_lessons.checks import WrongAnswer, check_flow_matching_pair


def right(x0, noise, t):
    tt = t[:, None, None, None]
    return (1 - tt) * x0 + tt * noise, noise - x0


def right_numpy(x0, noise, t):  # another form: NumPy, as a list, x_t written as x0 + t * velocity
    v = noise.numpy() - x0.numpy()
    return [x0.numpy() + t.numpy().reshape(-1, 1, 1, 1) * v, v]


@pytest.mark.parametrize("fn", [right, right_numpy, flow_matching_pair])
def test_right_answers_pass(fn, capsys):
    check_flow_matching_pair(fn)
    assert "Correct!" in capsys.readouterr().out


def T(t):
    return t.view(-1, 1, 1, 1)


WRONG = [
    (lambda x0, n, t: (right(x0, n, t)[0], x0 - n), "not x0 - noise"),
    (lambda x0, n, t: (right(x0, n, t)[0], n), "diffusion model's target"),
    (lambda x0, n, t: (right(x0, n, t)[0], x0), "not the clean digit"),
    (lambda x0, n, t: (right(x0, n, t)[0], T(t) * (n - x0)), "does not depend on t"),
    (lambda x0, n, t: (T(t) * x0 + (1 - T(t)) * n, n - x0), "not the other way round"),
    (lambda x0, n, t: ((1 - T(t)).sqrt() * x0 + T(t).sqrt() * n, n - x0), "square roots"),
    (lambda x0, n, t: ((1 - t.mean()) * x0 + t.mean() * n, n - x0), "own t"),
    (lambda x0, n, t: right(x0, n, t)[0], "Return two things"),
    (lambda x0, n, t: (right(x0, n, t)[0], (n - x0).mean(0)), "shape"),
    (lambda x0, n, t: (right(x0, n, t)[0], 2 * (n - x0)), "target is not the velocity"),
    (lambda x0, n, t: (x0 + 0.1, n - x0), "not the point at time t"),
    (lambda x0, n, t: None, "Return two things"),
]


@pytest.mark.parametrize("fn, hint", WRONG)
def test_wrong_answers_get_their_hint(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_flow_matching_pair(fn)


def test_the_package_pair_trains_towards_the_data():
    # one Euler step with the exact velocity from t = 1 lands on the digit: the pair is consistent
    x0, noise = torch.rand(3, 1, 28, 28), torch.randn(3, 1, 28, 28)
    x1, v = flow_matching_pair(x0, noise, torch.ones(3))
    assert torch.allclose(x1 - v, x0, atol=1e-6) and np.isclose(float((x1 - noise).abs().max()), 0)


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_flow_matching_pair(torch.zeros(3))
