"""gan_lessons.checks.ch07 (07_bug_hunt): check_bug_hunt accepts the three bug lines in any iterable
form and rejects typical wrong answers, each with its own hint."""

import numpy as np
import pytest

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer
from gan_lessons.checks.ch07 import BUG_HUNT_LISTING, BUGS

from runs import accepted


def test_bug_hunt_right_answers():
    assert accepted(lambda: checks.check_bug_hunt({9, 19, 22}))
    assert accepted(lambda: checks.check_bug_hunt([22, 9, 19, 9]))  # a list, in any order, duplicates allowed
    assert accepted(lambda: checks.check_bug_hunt((9, 19, 22)))
    assert accepted(lambda: checks.check_bug_hunt(np.array([9, 19, 22])))  # NumPy integers
    assert accepted(
        lambda: checks.check_bug_hunt(lambda: {9, 19, 22})
    )  # the exercise's form: a function that returns the set


def test_bug_lines_are_the_lines_they_describe():
    lines = BUG_HUNT_LISTING.splitlines()
    assert "opt_g" in lines[9 - 1] and "D.parameters()" in lines[9 - 1]
    assert lines[19 - 1].strip() == "loss_d.backward()" and "zero_grad" not in lines[18 - 1]
    assert "loss_g" in lines[22 - 1] and "detach" in lines[22 - 1]
    assert set(BUGS) == {9, 19, 22}


@pytest.mark.parametrize(
    "found, hint",
    [
        (set(), "The set is empty: the listing has 3 bugs"),
        ({8, 18, 21}, "one less than the bugs' lines: the listing counts its lines from 1"),
        ({10, 20, 23}, "one more than the bugs' lines"),
        ({9, 19, 22, 12}, "Line 12 is not a bug: it is empty"),
        ({9, 19, 22, 13}, "Line 13 is not a bug: the loop"),
        ({9, 19, 22, 10, 16}, "(?s)Line 10 is not a bug: opt_d.*Line 16 is not a bug: x_fake"),
        ({9, 19, 22, 30}, "lines 1 to 24"),
        ({9, 19, 22, 18}, "Line 18 is not a bug: D's loss has both terms"),
        ({9, 19, 22, 6}, "Line 6 is not a bug: G ends in Tanh"),
        ({9, 19, 22, 20}, "Line 20 is not a bug: .*before the backward pass"),
        ({19, 22}, "optimizer holds the wrong model's parameters"),
        ({9, 22}, "gradients are never cleared"),
        ({9, 19}, "cannot reach the network that should learn"),
        ({9}, "You found 1 of 3"),
    ],
)
def test_bug_hunt_wrong_answers(found, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_bug_hunt(found)


@pytest.mark.parametrize("bad", ["9, 19, 22", None, {9.0, 19}, {True}])
def test_bug_hunt_unusable_calls(bad):
    with pytest.raises(ValueError, match="integers|Line numbers"):
        checks.check_bug_hunt(bad)
