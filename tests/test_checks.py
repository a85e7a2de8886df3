"""Every checker accepts the right answer (in its equivalent forms) and rejects typical wrong ones with a specific hint."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer
from gan_lessons.losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating


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
    assert checks.check_d_loss(fn) is True
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
    assert checks.check_g_loss(fn)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (g_loss_minimax, "saturating"),
        (lambda d: torch.log(1 - d).mean(), "saturating"),
        (lambda d: -torch.log(1 - d).mean(), "MORE fake"),
        (lambda d: torch.log(d).mean(), "Sign error"),
        (lambda d: -d.mean(), "vanishes"),
    ],
)
def test_g_loss_rejects(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_g_loss(fn)


def test_loss_choice():
    assert checks.check_loss_choice("b") and checks.check_loss_choice(" (B) ")
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
    assert checks.check_d_star(pd / (pd + pg), x)
    assert checks.check_d_star(torch.tensor(pd / (pd + pg)), x)
    assert checks.check_d_star(np.array([pd / (pd + pg)]), x)


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


# ---- check_value_at_equilibrium
def test_value_at_equilibrium():
    assert checks.check_value_at_equilibrium(-math.log(4))
    assert checks.check_value_at_equilibrium(torch.tensor(2 * math.log(0.5)))
    for wrong, hint in [
        (math.log(4), "Sign"),
        (0.0, "JSD"),
        (-math.log(2), "two terms"),
        (0.5, "D\\*\\(x\\)"),
        (-math.log10(4), "natural logs"),
        (-3.0, "Not quite"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_value_at_equilibrium(wrong)


# ---- check_output_shape
def test_output_shape_transposed():
    layer = nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1)
    assert checks.check_output_shape((16, 32, 14, 14), layer, (16, 64, 7, 7))
    assert checks.check_output_shape(torch.Size([16, 32, 14, 14]), layer, (16, 64, 7, 7))
    for wrong, hint in [
        ((32, 14, 14), "batch dimension"),
        ((16, 64, 14, 14), "in_channels"),
        ((16, 32, 3, 3), "Conv2d formula"),
        ((16, 32, 14), "4 dimensions"),
        ((8, 32, 14, 14), "batch size"),
        ((16, 32, 15, 15), "Height/width"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_output_shape(wrong, layer, (16, 64, 7, 7))


def test_output_shape_conv():
    layer = nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1)
    assert checks.check_output_shape([8, 32, 14, 14], layer, (8, 1, 28, 28))
    with pytest.raises(WrongAnswer, match="transposed-convolution formula"):
        checks.check_output_shape((8, 32, 56, 56), layer, (8, 1, 28, 28))
    with pytest.raises(ValueError, match="tuple of integers"):
        checks.check_output_shape("8x32x14x14", layer, (8, 1, 28, 28))
    with pytest.raises(ValueError, match="does not accept"):
        checks.check_output_shape((8, 32, 14, 14), layer, (8, 3, 28, 28))


# ---- check_parameter_count
def test_parameter_count():
    conv = nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1)
    assert checks.check_parameter_count(32 * 1 * 16 + 32, conv)
    for wrong, hint in [(32 * 16, "only the weights"), (32 + 32, "k\\*k"), (999, "Not quite")]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_parameter_count(wrong, conv)
    block = nn.Sequential(nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8))
    right = 8 * 9 + 8 + 16
    assert checks.check_parameter_count(right, block)
    with pytest.raises(WrongAnswer, match="buffers"):
        checks.check_parameter_count(right + 16, block)
    with pytest.raises(ValueError, match="integer"):
        checks.check_parameter_count(3.5, conv)


# ---- check_model_kinds
def test_model_kinds():
    right = {k: kind for k, (kind, _) in checks.MODEL_KINDS.items()}
    assert checks.check_model_kinds(right)
    assert checks.check_model_kinds({k: v[0].upper() for k, v in right.items()})
    for key, hint in [
        ("segmentation U-Net", "GIVEN an image"),
        ("VAE", "decoder"),
        ("GAN discriminator", "binary classifier"),
    ]:
        wrong = dict(right)
        wrong[key] = "generative" if right[key] == "discriminative" else "discriminative"
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_model_kinds(wrong)
    with pytest.raises(WrongAnswer, match="missing"):
        checks.check_model_kinds({"VAE": "generative"})
    with pytest.raises(ValueError, match="'generative' or 'discriminative'"):
        checks.check_model_kinds({**right, "VAE": "maybe"})


# ---- check_prob_real
def test_prob_real():
    assert checks.check_prob_real(torch.sigmoid)
    assert checks.check_prob_real(lambda a: 1 / (1 + torch.exp(-a)))
    for wrong, hint in [
        (lambda a: torch.exp(a) / (1 + torch.exp(a)), "overflows"),
        (lambda a: torch.sigmoid(-a), "Upside down"),
        (torch.exp, "not a probability"),
        (torch.tanh, "range"),
        (lambda a: a.clamp(0, 1), "Not sigmoid"),
        (lambda a: a[:2], "one probability per logit"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_prob_real(wrong)


# ---- check_scale_images (chapter 05)
def test_scale_images():
    assert checks.check_scale_images(lambda x: x.float() / 127.5 - 1)
    assert checks.check_scale_images(lambda x: (x.float() - 127.5) / 127.5)
    assert checks.check_scale_images(lambda x: x.float().div(255).mul(2).sub(1))
    for wrong, hint in [
        (lambda x: x.float() / 255, r"\[0, 1\], what ToTensor"),
        (lambda x: x.float() / 127.5, r"\[0, 2\]"),
        (lambda x: 1 - x.float() / 127.5, "Upside down"),
        (lambda x: (x.float() - 127.5) / 255, r"\[-0.5, 0.5\]"),
        (lambda x: x // 127 - 1, "integer tensor"),
        (lambda x: x.float().flatten(), "Keep the shape"),
        (lambda x: x.float() / 100 - 1, "expected"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_scale_images(wrong)
    with pytest.raises(ValueError):
        checks.check_scale_images(3)
