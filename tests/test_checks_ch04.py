"""gan_lessons.checks.ch04 (04_toy_gan_playground): the LSGAN discriminator loss and the share of modes reached
checkers accept the right answer in two forms and reject typical wrong ones, each with its own hint,
as WrongAnswer."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons.checks import WrongAnswer, check_lsgan_d_loss, check_modes_reached
from gan_lessons.losses import d_loss_least_squares
from gan_lessons.toy2d import modes_reached

from runs import accepted


# ---- check_lsgan_d_loss
def test_check_lsgan_d_loss_accepts_the_right_answer(capsys):
    check_lsgan_d_loss(lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * (f**2).mean())
    assert "Correct" in capsys.readouterr().out
    assert accepted(lambda: check_lsgan_d_loss(d_loss_least_squares))
    assert accepted(lambda: check_lsgan_d_loss(lambda r, f: (((r - 1) ** 2).mean() + (f**2).mean()) / 2))
    assert accepted(
        lambda: check_lsgan_d_loss(
            lambda r, f: 0.5 * F.mse_loss(r, torch.ones_like(r)) + 0.5 * F.mse_loss(f, torch.zeros_like(f))
        )
    )
    assert accepted(
        lambda: check_lsgan_d_loss(lambda r, f: d_loss_least_squares(r.double(), f.double()).reshape(1))
    )


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda r, f: 0.5 * (r**2).mean() + 0.5 * ((f - 1) ** 2).mean(), "targets are swapped"),
        (lambda r, f: ((r - 1) ** 2).mean() + (f**2).mean(), "factor of 2"),
        (
            lambda r, f: 0.5 * ((r.sigmoid() - 1) ** 2).mean() + 0.5 * (f.sigmoid() ** 2).mean(),
            "do not apply a sigmoid",
        ),
        (lambda r, f: 0.5 * ((r - 1) ** 2).sum() + 0.5 * (f**2).sum(), r"\.mean\(\), not \.sum\(\)"),
        (lambda r, f: 0.5 * ((r - 1) ** 2).mean(), "ignores the fakes"),
        (lambda r, f: 0.5 * (f**2).mean(), "ignores the real points"),
        (lambda r, f: 0.5 * (r - 1).abs().mean() + 0.5 * f.abs().mean(), "squared errors"),
        (lambda r, f: f.mean() - r.mean(), "should be"),
        (lambda r, f: (r - f).mean(), "raised RuntimeError: The size of tensor a"),
        (lambda r, f: [0.0], "Return one number"),
        (lambda r, f: 0.5 * (r - 1) ** 2, r"one value per example.*\.mean\(\)"),
        (lambda r, f: torch.tensor(d_loss_least_squares(r, f).item()), "cut off from the autograd graph"),
        (lambda r, f: d_loss_least_squares(r, f).detach(), "cut off from the autograd graph"),
        (lambda r, f: d_loss_least_squares(r, f).item(), "cut off from the autograd graph"),
        (lambda r, f: 0.5 * ((r - 1) ** 2 + f**2).mean(), "example by example"),
        (lambda r, f: torch.cat([(r - 1) ** 2, f**2]).mean(), "real and fake outputs together"),
        (lambda r, f: 0.5 * torch.cat([(r - 1) ** 2, f**2]).mean(), "real and fake outputs together"),
        (lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean(), "fake target is 0"),
        (lambda r, f: 0.5 * ((f - 1) ** 2).mean(), "That is G's loss"),
        (lambda r, f: 0.5 * (r.mean() - 1) ** 2 + 0.5 * f.mean() ** 2, "Square each output's error first"),
        (lambda r, f: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_check_lsgan_d_loss_rejects_wrong_answers_with_hints(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_lsgan_d_loss(wrong)


def test_each_lsgan_mistake_has_its_own_value():
    """On the first batch (8 real, 24 fake) no mistake gives the right value or another mistake's value."""
    from gan_lessons.checks.ch04 import LSGAN_HINTS, _lsgan_batches, _lsgan_variants

    values = [round(float(v), 6) for v in _lsgan_variants(*_lsgan_batches()[0]).values()]
    assert len(set(values)) == len(values)
    assert set(LSGAN_HINTS) >= {k for k in _lsgan_variants(*_lsgan_batches()[0]) if k != "right"}


def test_checkers_need_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_lsgan_d_loss(3.0)
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_modes_reached("coverage")


# ---- check_modes_reached
def _right_modes_reached(fakes, modes, radius):
    d = np.linalg.norm(fakes[:, None] - modes[None], axis=-1)
    return (d <= radius).any(axis=0).mean()


def test_check_modes_reached_accepts_the_right_answer():
    assert accepted(lambda: check_modes_reached(_right_modes_reached))
    assert accepted(lambda: check_modes_reached(lambda f, m, r: modes_reached(f, m, r, min_share=0)))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda f, m, r: (np.linalg.norm(f[:, None] - m[None], axis=-1) <= r).any(axis=0).sum(),
            "divide the number",
        ),
        (
            lambda f, m, r: (np.linalg.norm(f[:, None] - m[None], axis=-1) <= r).any(axis=1).mean(),
            "share of FAKES",
        ),
        (
            lambda f, m, r: len(np.unique(np.linalg.norm(f[:, None] - m[None], axis=-1).argmin(1))) / len(m),
            "covers nothing",
        ),
        (
            lambda f, m, r: (((f[:, None] - m[None]) ** 2).sum(-1) <= r).any(axis=0).mean(),
            "not the squared distance",
        ),
        (lambda f, m, r: (np.linalg.norm(f[:, None] - m[None], axis=-1) <= r).mean(), "Count each mode once"),
        (
            lambda f, m, r: (np.abs(f[:, None] - m[None]).sum(-1) <= r).any(axis=0).mean(),
            "Manhattan distance",
        ),
        (
            lambda f, m, r: (np.abs(f[:, None] - m[None]).max(-1) <= r).any(axis=0).mean(),
            "a square around the mode",
        ),
        (
            lambda f, m, r: (np.abs(f[:, None] - m[None]) <= r).any(-1).any(axis=0).mean(),
            "in both coordinates at once",
        ),
        (lambda f, m, r: 0.3, "so the share reached is 0.400"),
        (lambda f, m, r: "all", "Return one number"),
        (
            lambda f, m, r: (np.linalg.norm(f[:, None] - m[None], axis=-1) <= r).any(axis=0),
            "it returned an array of shape \\(5,\\)",
        ),
    ],
)
def test_check_modes_reached_rejects_wrong_answers_with_hints(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_modes_reached(wrong)


# ---- check_diagnosis
RIGHT_DIAGNOSIS = {"A": "mode hopping", "B": "converging", "C": "vanishing gradient"}


def test_check_diagnosis_accepts_the_right_answer_in_two_forms():
    from gan_lessons.checks import check_diagnosis

    assert accepted(lambda: check_diagnosis(RIGHT_DIAGNOSIS))
    assert accepted(
        lambda: check_diagnosis(lambda: {"A": "Mode-hopping", "B": " converging ", "C": "vanishing_gradient"})
    )


@pytest.mark.parametrize(
    "run, answer, hint",
    [
        ("A", "mode collapse", "A collapse that keeps moving is mode hopping"),
        ("A", "converging", "Run A reaches at most three of the eight modes"),
        ("A", "vanishing gradient", "Run A's G moves a lot"),
        ("B", "mode collapse", "Run B's samples spread all around the ring.*nothing collapsed"),
        ("B", "mode hopping", "its losses settle"),
        ("B", "vanishing gradient", "gradient enough"),
        ("C", "mode collapse", "never reached any mode"),
        ("C", "converging", "D wins every time"),
        ("C", "mode hopping", "nothing hops"),
    ],
)
def test_check_diagnosis_gives_each_wrong_label_its_own_hint(run, answer, hint):
    from gan_lessons.checks import check_diagnosis

    with pytest.raises(WrongAnswer, match=hint):
        check_diagnosis({**RIGHT_DIAGNOSIS, run: answer})


def test_check_diagnosis_needs_every_run_and_a_known_label():
    from gan_lessons.checks import check_diagnosis

    with pytest.raises(WrongAnswer, match="missing"):
        check_diagnosis({"A": "mode hopping"})
    with pytest.raises(ValueError, match="one of"):
        check_diagnosis({**RIGHT_DIAGNOSIS, "A": "broken"})


def test_each_modes_reached_mistake_has_its_own_hint():
    """The off-axis case gives every mistake a value of its own, so no two mistakes share a hint."""
    from gan_lessons.checks.ch04 import MODES_REACHED_HINTS, _reach_case_off_axes, _reach_variants

    values = {k: round(float(v), 9) for k, v in _reach_variants(*_reach_case_off_axes()).items()}
    mistakes = {k: v for k, v in values.items() if k not in ("right", "squared")}
    assert len(set(mistakes.values())) == len(mistakes) and values["right"] not in mistakes.values()
    assert len(set(MODES_REACHED_HINTS.values())) == len(MODES_REACHED_HINTS)
