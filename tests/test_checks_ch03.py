"""gan_lessons.checks.ch03 (03_loss_math): each checker accepts the right answer in its equivalent forms
(a loss on logits or on probabilities, a float, an array or a tensor) and rejects typical wrong ones,
each with its own hint, as WrongAnswer."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer, ch03
from gan_lessons.losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating

from runs import accepted


# ---- check_d_loss: on logits or on probabilities
def d_loss_probs(d_real, d_fake):
    return -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())


def d_loss_bce_probs(d_real, d_fake):
    return F.binary_cross_entropy(d_real, torch.ones_like(d_real)) + F.binary_cross_entropy(
        d_fake, torch.zeros_like(d_fake)
    )


@pytest.mark.parametrize(
    "fn",
    [d_loss_bce, d_loss_probs, d_loss_bce_probs, lambda r, f: 0.5 * d_loss_bce(r, f)],
    ids=["package-logits", "log-probs", "bce-probs", "half"],
)
def test_d_loss_accepts_equivalent_forms(fn, capsys):
    checks.check_d_loss(fn)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda r, f: -torch.log(r).mean() + torch.log(1 - f).mean(), "wrong sign"),  # the article's L_D
        (lambda r, f: torch.log(r).mean() + torch.log(1 - f).mean(), "MAXIMISES"),
        (lambda r, f: -torch.log(r).mean(), "Only the real term"),
        (lambda r, f: d_loss_bce(f, r), "labels are swapped"),
        (lambda r, f: -(torch.log(r).sum() + torch.log(1 - f).sum()), "batch mean"),
        (lambda r, f: -torch.log(r).mean() - torch.log(f).mean(), "GENERATOR"),
        (lambda r, f: -(torch.log(r) + torch.log(1 - f)), r"\.mean\(\)"),
        (lambda r, f: r.mean() - f.mean(), "expected"),
        (lambda r, f: 1 / 0, "failed or returned NaN/inf"),
    ],
)
def test_d_loss_rejects_typical_mistakes(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_d_loss(fn)


def test_d_loss_needs_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        checks.check_d_loss(1.23)


# ---- check_g_loss and check_loss_choice
@pytest.mark.parametrize(
    "fn", [g_loss_nonsaturating, lambda d: -torch.log(d).mean()], ids=["logits", "probs"]
)
def test_g_loss_accepts(fn):
    assert accepted(lambda: checks.check_g_loss(fn))


@pytest.mark.parametrize(
    "fn, hint",
    [
        (g_loss_minimax, "saturating"),
        (lambda d: torch.log(1 - d).mean(), "saturating"),
        (lambda d: -torch.log(1 - d).mean(), "MORE fake"),
        (lambda d: torch.log(d).mean(), "Sign error"),
        (lambda d: -d.mean(), "vanishes"),
        (lambda d: -torch.log(d).sum(), "batch mean"),
        (lambda d: -torch.log(d), r"\.mean\(\)"),
        (lambda d: d.mean() ** 2, "Not the non-saturating generator loss"),
        (lambda d: 1 / 0, "failed or returned NaN/inf"),
    ],
)
def test_g_loss_rejects(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_g_loss(fn)


def test_loss_choice():
    assert accepted(lambda: checks.check_loss_choice("b")) and accepted(
        lambda: checks.check_loss_choice(" (B) ")
    )
    for letter, hint in [("a", "saturating"), ("c", "vanishes"), ("d", "MORE fake")]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_loss_choice(letter)
    for bad in ("ab", "", 2):
        with pytest.raises(ValueError, match="one letter"):
            checks.check_loss_choice(bad)


# ---- check_d_star
def _densities(x, mu_g=2.0):
    pd = math.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
    pg = math.exp(-((x - mu_g) ** 2) / 2) / math.sqrt(2 * math.pi)
    return pd, pg


@pytest.mark.parametrize("x", [-1.0, 0.5, 3.0])
def test_d_star_accepts_float_tensor_array(x):
    pd, pg = _densities(x)
    assert accepted(lambda: checks.check_d_star(pd / (pd + pg), x))
    assert accepted(lambda: checks.check_d_star(torch.tensor(pd / (pd + pg)), x))
    assert accepted(lambda: checks.check_d_star(np.array([pd / (pd + pg)]), x))


def test_d_star_rejects():
    x = 0.5
    pd, pg = _densities(x)
    for wrong, hint in [
        (pg / (pd + pg), "Upside down"),
        (pd / pg, "density ratio"),
        (pd, "p_data\\(x\\) alone"),
        (1.7, "between 0 and 1"),
        (0.123, "Not quite"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_d_star(wrong, x)
    with pytest.raises(WrongAnswer, match="only where"):
        checks.check_d_star(0.5, 0.0)  # D*(0) = 0.88 for N(0,1) vs N(2,1)
    with pytest.raises(ValueError, match="should be a number"):
        checks.check_d_star("0.5", x)
    with pytest.raises(WrongAnswer, match="should be one number; you gave a tensor of shape \\(2,\\)"):
        checks.check_d_star(torch.tensor([pd, pg]), x)


# ---- check_value_at_equilibrium
def test_value_at_equilibrium():
    assert accepted(lambda: checks.check_value_at_equilibrium(-math.log(4)))
    assert accepted(lambda: checks.check_value_at_equilibrium(torch.tensor(2 * math.log(0.5))))
    assert accepted(lambda: checks.check_value_at_equilibrium(np.float32(-1.3863)))
    for wrong, hint in [
        (math.log(4), "Sign"),
        (0.0, "JSD"),
        (-math.log(2), "two terms"),
        (0.5, "D\\*\\(x\\)"),
        (-math.log10(4), "natural logs"),
        (-2.0, "natural logs"),  # log base 2
        (-3.0, "Not quite"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_value_at_equilibrium(wrong)
    with pytest.raises(ValueError, match="V\\(D\\*, G\\) should be a number"):
        checks.check_value_at_equilibrium("-log 4")


# ---- inputs that separate the mistakes: confident logits, batches of different sizes, the graph
def _log_sigmoid_naive(a):
    return torch.log(torch.sigmoid(a))  # -inf once sigmoid(a) rounds to 0 (a < -88 in float32)


@pytest.mark.parametrize(
    "fn, hint",
    [
        # right on moderate logits; -inf (or clamped at -100) on logits of +-30 and +-200
        (
            lambda r, f: -(_log_sigmoid_naive(r).mean() + torch.log(1 - torch.sigmoid(f)).mean()),
            "confident ones",
        ),
        (
            lambda r, f: (
                F.binary_cross_entropy(torch.sigmoid(r), torch.ones_like(r))
                + F.binary_cross_entropy(torch.sigmoid(f), torch.zeros_like(f))
            ),
            "clamps it to -100",
        ),
        # one mean over both batches: half the loss only when the batches have the same size
        (lambda r, f: -torch.cat([torch.log(r), torch.log(1 - f)]).mean(), "averaged over the real and fake"),
        # real and fake paired example by example: fails on batches of 16 and 12
        (lambda r, f: -(torch.log(r) + torch.log(1 - f)).mean(), "example by example"),
        # right value, but no graph to backpropagate through
        (lambda r, f: d_loss_bce(r, f).item(), "cut off from the autograd graph"),
    ],
    ids=["log-sigmoid", "bce-on-sigmoid", "pooled-mean", "paired", "item"],
)
def test_d_loss_rejects_mistakes_that_moderate_equal_batches_hide(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_d_loss(fn)


def test_d_loss_hints_differ_per_mistake():
    assert len(set(ch03.D_LOSS_HINTS.values())) == len(ch03.D_LOSS_HINTS)


def test_d_loss_logsigmoid_form_is_right_on_confident_logits():
    assert accepted(
        lambda: checks.check_d_loss(lambda r, f: -(F.logsigmoid(r).mean() + F.logsigmoid(-f).mean()))
    )


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda f: -_log_sigmoid_naive(f).mean(), "confident ones"),
        (lambda f: g_loss_nonsaturating(f).item(), "cut off from the autograd graph"),
        (lambda f: torch.tensor(g_loss_nonsaturating(f).item()), "cut off from the autograd graph"),
    ],
    ids=["log-sigmoid", "item", "rewrapped"],
)
def test_g_loss_rejects_mistakes_that_moderate_logits_hide(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_g_loss(fn)


def test_g_loss_hints_differ_per_mistake():
    assert len(set(ch03.G_LOSS_HINTS.values())) == len(ch03.G_LOSS_HINTS)


# ---- check_d_star with unequal sigmas: the chapter's exercise, N(0, 1) against N(2, 1.5^2)
def _pdf(x, mu, sigma):
    return math.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi))


def test_d_star_unequal_sigmas_accepts_float_tensor_and_three_decimals():
    pd, pg = _pdf(0.5, 0, 1), _pdf(0.5, 2, 1.5)
    right = pd / (pd + pg)  # 0.68578
    assert accepted(lambda: checks.check_d_star(right, 0.5, sigma_g=1.5))
    assert accepted(lambda: checks.check_d_star(torch.tensor(right, dtype=torch.float64), 0.5, sigma_g=1.5))
    assert accepted(lambda: checks.check_d_star(0.686, 0.5, sigma_g=1.5))  # typed to three decimals
    assert accepted(lambda: checks.check_d_star(lambda: np.float32(right), 0.5, sigma_g=1.5))


def test_d_star_unequal_sigmas_names_each_density_mistake():
    x = 0.5

    def d_star_with(density):
        qd, qg = density(0.0, 1.0), density(2.0, 1.5)
        return qd / (qd + qg)

    cases = [
        (lambda m, s: math.exp(-((x - m) ** 2) / (2 * s**2)), "lack the normaliser"),
        (
            lambda m, s: math.exp(-((x - m) ** 2) / (2 * s)) / (s * math.sqrt(2 * math.pi)),
            "2 \\* sigma\\*\\*2",
        ),
        (lambda m, s: _pdf(x, m, 1.0), "sigma = 1 for both"),
    ]
    hints = set()
    for density, hint in cases:
        with pytest.raises(WrongAnswer, match=hint) as err:
            checks.check_d_star(d_star_with(density), x, sigma_g=1.5)
        hints.add(str(err.value))
    pd, pg = _pdf(x, 0, 1), _pdf(x, 2, 1.5)
    for wrong, hint in [(pg / (pd + pg), "Upside down"), (pd / pg, "density ratio"), (pd, "alone")]:
        with pytest.raises(WrongAnswer, match=hint) as err:
            checks.check_d_star(wrong, x, sigma_g=1.5)
        hints.add(str(err.value))
    assert len(hints) == 6
    # with equal sigmas the missing normaliser cancels: the same formula is then right
    assert accepted(lambda: checks.check_d_star(d_star_with(lambda m, s: math.exp(-((x - m) ** 2) / 2)), x))


def test_value_at_equilibrium_typed_to_three_decimals():
    assert accepted(lambda: checks.check_value_at_equilibrium(-1.386))
    assert accepted(
        lambda: checks.check_value_at_equilibrium(lambda: torch.tensor(-1.3863, dtype=torch.float64))
    )
    with pytest.raises(WrongAnswer, match="Not quite"):
        checks.check_value_at_equilibrium(-1.38)  # two decimals, 0.006 off: not the value
