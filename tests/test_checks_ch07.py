"""gan_lessons.checks.ch07 (07_bug_hunt): check_bug_hunt accepts the four bug lines in any iterable form, rejects
typical wrong answers with counts only (never which line), and check_fixed_step accepts the fixed step in two
forms and rejects each typical mistake with its own hint."""

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer
from gan_lessons.checks.ch07 import BUG_HUNT_LISTING, BUGS

from runs import accepted

RIGHT = {6, 10, 16, 17}


def test_bug_hunt_right_answers():
    assert accepted(lambda: checks.check_bug_hunt(RIGHT))
    assert accepted(lambda: checks.check_bug_hunt([17, 6, 16, 10, 6]))  # a list, any order, duplicates
    assert accepted(lambda: checks.check_bug_hunt(np.array(sorted(RIGHT))))  # NumPy integers
    assert accepted(lambda: checks.check_bug_hunt(lambda: RIGHT))  # the exercise's form


def test_bug_lines_are_the_lines_they_describe():
    lines = BUG_HUNT_LISTING.splitlines()
    assert "nn.Sigmoid()" in lines[6 - 1] and "BCEWithLogitsLoss" in lines[7 - 1]
    assert lines[10 - 1] == "G.eval()" and not any("G.train()" in line for line in lines)
    assert lines[16 - 1].strip() == "ones, zeros = torch.ones(batch_size, 1), torch.ones(batch_size, 1)"
    assert "eps = torch.ones" in lines[17 - 1]
    assert set(BUGS) == RIGHT


@pytest.mark.parametrize(
    "found, hint",
    [
        (set(), "The set is empty: the listing has 4 bugs"),
        ({5, 9, 15, 16}, "off by one: the listing counts its lines from 1"),
        ({7, 11, 17, 18}, "off by one"),
        (RIGHT | {12}, r"^1 of your lines is not a bug\.$"),
        (RIGHT | {7, 21}, r"^2 of your lines are not a bug\.$"),
        ({6, 10, 16}, r"^1 bug is still hidden\.$"),
        ({6, 7}, r"^1 of your lines is not a bug; 3 bugs are still hidden\.$"),
        (RIGHT | {40}, "lines 1 to 28"),
    ],
)
def test_bug_hunt_wrong_answers_say_how_many_not_which(found, hint):
    with pytest.raises(WrongAnswer, match=hint) as err:
        checks.check_bug_hunt(found)
    assert "line 6" not in str(err.value) and "Sigmoid" not in str(err.value)  # never which


@pytest.mark.parametrize("bad", ["6, 10", None, {6.0, 10}, {True}])
def test_bug_hunt_unusable_calls(bad):
    with pytest.raises(ValueError, match="integers|Line numbers"):
        checks.check_bug_hunt(bad)


def fixed_step(G, D, opt_g, opt_d, x_real, z, eps, **wrong):
    sigmoid, train, fake_label = (
        wrong.get("sigmoid", False),
        wrong.get("train", True),
        wrong.get("fake_label", 0.0),
    )
    at_reals, detach_g, skip_g_step = (
        wrong.get("at_reals", False),
        wrong.get("detach_g", False),
        wrong.get("skip_g_step", False),
    )
    if train:
        G.train()
    bce = nn.BCEWithLogitsLoss()
    judge = (lambda x: torch.sigmoid(D(x))) if sigmoid else D
    x_fake = G(z)
    ones, zeros = torch.ones(len(z), 1), torch.full((len(z), 1), fake_label)
    e = torch.ones_like(eps) if at_reals else eps
    x_hat = (e * x_real + (1 - e) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(judge(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss_d = bce(judge(x_real), ones) + bce(judge(x_fake.detach()), zeros) + 10 * penalty
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = bce(judge(x_fake.detach() if detach_g else x_fake), ones)
    opt_g.zero_grad()
    loss_g.backward()
    if not skip_g_step:
        opt_g.step()
    return loss_d, loss_g


def test_fixed_step_right_answers():
    assert accepted(lambda: checks.check_fixed_step(fixed_step))

    # Another form: plain floats returned, and labels built with *_like.
    def as_floats(*args):
        loss_d, loss_g = fixed_step(*args)
        return np.float64(loss_d.item()), loss_g.item()

    assert accepted(lambda: checks.check_fixed_step(as_floats))


@pytest.mark.parametrize(
    "variant, hint",
    [
        (dict(sigmoid=True), "BCEWithLogitsLoss applies the sigmoid itself"),
        (dict(train=False), "still in eval mode"),
        (dict(fake_label=1.0), "fakes must be labelled 0"),
        (dict(at_reals=True), "not at the reals"),
        (dict(detach_g=True), r"not x_fake\.detach\(\)"),
        (dict(skip_g_step=True), "G did not move"),
    ],
)
def test_fixed_step_wrong_answers(variant, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_fixed_step(lambda *args: fixed_step(*args, **variant))


def test_fixed_step_bad_returns():
    with pytest.raises(WrongAnswer, match="Return the pair"):
        checks.check_fixed_step(lambda *args: 1.0)
    with pytest.raises(ValueError, match="Pass your function"):
        checks.check_fixed_step(3)
