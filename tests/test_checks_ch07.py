"""gan_lessons.checks.ch07 (07_bug_hunt): check_bug_hunt accepts the four bug lines in any iterable form, rejects
typical wrong answers with counts only (never which line), and check_fixed_step accepts the fixed step in two
forms and rejects each typical mistake with its own hint."""

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer, ch07
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
        (RIGHT | {12}, r"has 4 bugs; your set has 5 lines"),
        ({6}, r"has 4 bugs; your set has 1 line\."),  # the review's probe: one line says nothing about line 6
        ({1}, r"has 4 bugs; your set has 1 line\."),  # ... the same answer as a line that is no bug
        ({6, 10, 16, 18}, r"^Not yet: that is not the set of bug lines"),
        ({1, 2, 3, 4}, r"^Not yet: that is not the set of bug lines"),
        (RIGHT | {40}, "lines 1 to 28"),
    ],
)
def test_bug_hunt_wrong_answers_say_neither_how_many_nor_which(found, hint):
    with pytest.raises(WrongAnswer, match=hint) as err:
        checks.check_bug_hunt(found)
    text = str(err.value)
    assert "line 6" not in text and "Sigmoid" not in text and "still hidden" not in text  # never which


def test_bug_hunt_answers_do_not_depend_on_which_lines_are_bugs():
    """Every one-line and every four-line probe that is wrong gets the same words: no probe tells a bug line."""
    answers = set()
    for n in range(1, 29):
        for probe in ({n}, {n, 1, 2, 3} if n > 3 else {n, 25, 26, 27}):
            with pytest.raises(WrongAnswer) as err:
                checks.check_bug_hunt(probe)
            answers.add(str(err.value))
    assert answers == {
        "The listing has 4 bugs; your set has 1 line. Give one line per bug.",
        "Not yet: that is not the set of bug lines. Run the listing in your head through the probes of the "
        "summary table, and read each line against what it claims to do.",
    }


@pytest.mark.parametrize("bad", ["6, 10", None, {6.0, 10}, {True}])
def test_bug_hunt_unusable_calls(bad):
    with pytest.raises(ValueError, match="integers|Line numbers"):
        checks.check_bug_hunt(bad)


def fixed_step(G, D, opt_g, opt_d, x_real, z, **wrong):
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
    e = torch.ones(len(z), 1, 1, 1) if at_reals else torch.rand(len(z), 1, 1, 1)
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


@pytest.fixture
def bugs_found(monkeypatch):
    """Exercise 1 solved: Exercise 2's hints name the mistake."""
    monkeypatch.setitem(ch07._STATE, "bugs_found", True)


@pytest.fixture
def bugs_not_found(monkeypatch):
    monkeypatch.setitem(ch07._STATE, "bugs_found", False)


def test_fixed_step_right_answers(bugs_not_found):
    assert accepted(lambda: checks.check_fixed_step(fixed_step))

    # Another form: plain floats returned, labels built with *_like, eps drawn with rand_like.
    def as_floats(G, D, opt_g, opt_d, x_real, z):
        G.train()
        bce = nn.BCEWithLogitsLoss()
        x_fake = G(z)
        scores_real = D(x_real)
        ones, zeros = torch.ones_like(scores_real), torch.zeros_like(scores_real)
        eps = torch.rand_like(x_real[:, :1, :1, :1])
        x_hat = eps * x_real + (1 - eps) * x_fake.detach()
        x_hat.requires_grad_(True)
        grad = torch.autograd.grad(D(x_hat), x_hat, torch.ones_like(scores_real), create_graph=True)[0]
        penalty = (grad.pow(2).sum(dim=(1, 2, 3)).sqrt() - 1).pow(2).mean()
        loss_d = bce(scores_real, ones) + bce(D(x_fake.detach()), zeros) + 10 * penalty
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(D(x_fake), ones)
        loss_g.backward()
        opt_g.step()
        return np.float64(loss_d.item()), loss_g.item()

    assert accepted(lambda: checks.check_fixed_step(as_floats))


def test_bug_hunt_unlocks_the_named_hints(bugs_not_found):
    with pytest.raises(WrongAnswer, match="Solve Exercise 1 first") as err:
        checks.check_fixed_step(lambda *args: fixed_step(*args, sigmoid=True))
    assert "sigmoid" not in str(err.value).lower() and "eval" not in str(err.value)
    assert accepted(lambda: checks.check_bug_hunt(RIGHT))
    with pytest.raises(WrongAnswer, match="BCEWithLogitsLoss applies the sigmoid itself"):
        checks.check_fixed_step(lambda *args: fixed_step(*args, sigmoid=True))


@pytest.mark.parametrize(
    "variant, hint",
    [
        (dict(sigmoid=True), "BCEWithLogitsLoss applies the sigmoid itself"),
        (dict(train=False), "still in eval mode"),
        (dict(fake_label=1.0), "fakes must be labelled 0"),
        (dict(at_reals=True), "not at the reals"),
        (dict(fake_label=0.1), "Expected losses"),
        (dict(detach_g=True), r"not x_fake\.detach\(\)"),
        (dict(skip_g_step=True), "G did not move"),
    ],
)
def test_fixed_step_wrong_answers(variant, hint, bugs_found):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_fixed_step(lambda *args: fixed_step(*args, **variant))


def test_fixed_step_bad_returns():
    with pytest.raises(WrongAnswer, match="Return the pair"):
        checks.check_fixed_step(lambda *args: 1.0)
    with pytest.raises(ValueError, match="Pass your function"):
        checks.check_fixed_step(3)
