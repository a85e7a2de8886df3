"""Tests for gan_lessons.losses: every family's values on hand-checked inputs, the registry, the
gradient penalty on points and on images, and the errors."""

import dataclasses
import math

import pytest
import torch
from torch import nn

from gan_lessons import losses
from gan_lessons.losses import (
    LOSSES,
    LossFamily,
    d_loss_bce,
    d_loss_hinge,
    d_loss_least_squares,
    d_loss_relativistic,
    d_loss_wasserstein,
    g_loss_hinge,
    g_loss_least_squares,
    g_loss_minimax,
    g_loss_nonsaturating,
    g_loss_relativistic,
    g_loss_wasserstein,
    get_loss,
    gradient_penalty,
    r1_penalty,
    r2_penalty,
)


def test_losses_match_hand_computed_values():
    # D(x) = sigmoid(logit); logit 0 -> 0.5, logit log(3) -> 0.75
    real = torch.tensor([0.0, math.log(3.0)])
    fake = torch.tensor([0.0, -math.log(3.0)])  # D(G(z)) = 0.5, 0.25
    expected_d = -(math.log(0.5) + math.log(0.75)) / 2 - (math.log(0.5) + math.log(0.75)) / 2
    assert d_loss_bce(real, fake).item() == pytest.approx(expected_d, rel=1e-6)
    assert g_loss_nonsaturating(fake).item() == pytest.approx(-(math.log(0.5) + math.log(0.25)) / 2, rel=1e-6)
    assert g_loss_minimax(fake).item() == pytest.approx((math.log(0.5) + math.log(0.75)) / 2, rel=1e-6)


def test_d_loss_at_equilibrium_is_2_log_2():
    zeros = torch.zeros(10)
    assert d_loss_bce(zeros, zeros).item() == pytest.approx(2 * math.log(2))


def test_losses_are_stable_for_extreme_logits():
    big = torch.tensor([200.0, -200.0])
    for value in (d_loss_bce(big, big), g_loss_minimax(big), g_loss_nonsaturating(big)):
        assert torch.isfinite(value)


def test_saturating_loss_has_vanishing_gradient_when_d_rejects_fakes():
    logit = torch.tensor([-8.0], requires_grad=True)  # D(G(z)) ~ 3e-4
    g_loss_minimax(logit).backward()
    sat = logit.grad.abs().item()
    logit.grad = None
    g_loss_nonsaturating(logit).backward()
    assert sat < 1e-3 < logit.grad.abs().item()


def test_loss_rejects_non_tensors():
    with pytest.raises(ValueError, match="real_logits must be a float tensor"):
        d_loss_bce([0.1], torch.zeros(1))


# -- score families, on hand-checked inputs -------------------------------------------------------


def test_least_squares_values():
    r, f = torch.tensor([1.0, 1.0]), torch.tensor([0.0, 0.0])
    assert d_loss_least_squares(r, f).item() == 0  # a perfect D
    assert d_loss_least_squares(f, r).item() == pytest.approx(1.0)  # everything wrong: 1/2 + 1/2
    assert g_loss_least_squares(r).item() == 0 and g_loss_least_squares(f).item() == pytest.approx(0.5)
    # mean, not sum: unequal batch sizes weigh each side equally
    assert d_loss_least_squares(torch.tensor([3.0]), torch.zeros(5)).item() == pytest.approx(2.0)


def test_wasserstein_values():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([-1.0, 0.0, 1.0, -4.0])
    assert d_loss_wasserstein(real, fake).item() == pytest.approx(-1.0 - 3.0)
    assert g_loss_wasserstein(fake).item() == pytest.approx(1.0)


def test_hinge_values():
    # reals above +1 and fakes below -1 cost nothing; inside the margin the cost is linear
    assert d_loss_hinge(torch.tensor([1.5, 3.0]), torch.tensor([-2.0, -1.0])).item() == 0
    assert d_loss_hinge(torch.tensor([0.0, 0.5]), torch.tensor([0.0])).item() == pytest.approx(0.75 + 1.0)
    assert d_loss_hinge(torch.tensor([-1.0]), torch.tensor([2.0])).item() == pytest.approx(2.0 + 3.0)
    assert g_loss_hinge(torch.tensor([0.5, -1.5])).item() == pytest.approx(0.5)


def test_hinge_gradient_stops_outside_the_margin():
    real = torch.tensor([2.0, 0.5], requires_grad=True)
    d_loss_hinge(real, torch.tensor([-3.0])).backward()
    assert real.grad.tolist() == [0.0, -0.5]


# -- the registry ---------------------------------------------------------------------------------


def test_registry_holds_every_family_with_its_output_kind():
    assert set(LOSSES) == {
        "minimax", "nonsaturating", "nonsaturating_smooth", "least_squares", "wgan", "wgan_gp", "hinge", "rpgan"
    }  # fmt: skip
    kinds = {name: family.d_output for name, family in LOSSES.items()}
    assert kinds == {
        "minimax": "logit",
        "nonsaturating": "logit",
        "nonsaturating_smooth": "logit",
        "least_squares": "score",
        "wgan": "score",
        "wgan_gp": "score",
        "hinge": "score",
        "rpgan": "score",
    }
    for name, family in LOSSES.items():
        assert family.name == name and family.label and family.paper
    assert LOSSES["wgan_gp"].gp_weight == 10.0
    assert all(f.gp_weight == 0 for n, f in LOSSES.items() if n != "wgan_gp")
    assert LOSSES["wgan"].clip == 0.01
    assert all(f.clip == 0 for n, f in LOSSES.items() if n != "wgan")


def test_registry_entries_point_at_the_module_functions():
    assert LOSSES["nonsaturating"].d_loss is d_loss_bce and LOSSES["minimax"].d_loss is d_loss_bce
    assert LOSSES["nonsaturating"].g_loss is g_loss_nonsaturating
    assert LOSSES["minimax"].g_loss is g_loss_minimax
    assert LOSSES["hinge"].d_loss is d_loss_hinge and LOSSES["hinge"].g_loss is g_loss_hinge
    assert LOSSES["wgan_gp"].d_loss is d_loss_wasserstein


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_family_gives_finite_losses_and_gradients_on_extreme_outputs(name):
    family = LOSSES[name]
    out = torch.tensor([-200.0, -30.0, 0.0, 30.0, 200.0], requires_grad=True)
    g_args = (out, out.flip(0)) if family.paired else (out,)
    loss = family.d_loss(out, out.flip(0)) + family.g_loss(*g_args)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(out.grad).all()


def test_d_probability_is_sigmoid_only_for_logit_families():
    out = torch.tensor([-2.0, 0.0, 3.0])
    assert torch.equal(LOSSES["nonsaturating"].d_probability(out), torch.sigmoid(out))
    assert torch.equal(LOSSES["hinge"].d_probability(out), out)


def test_get_loss_accepts_spellings_and_families():
    assert get_loss("wgan-gp") is LOSSES["wgan_gp"]
    assert get_loss(" Hinge ") is LOSSES["hinge"]
    assert get_loss(LOSSES["minimax"]) is LOSSES["minimax"]


@pytest.mark.parametrize("bad", ["wasserstein_clip", "", "bce", 3, None])
def test_get_loss_rejects_unknown_names_and_lists_the_choices(bad):
    with pytest.raises(ValueError, match=r"Unknown loss .*choose one of minimax, nonsaturating"):
        get_loss(bad)


def test_a_new_family_is_one_entry(monkeypatch):
    """Adding a family is one registry entry: get_loss finds it with no other change."""
    family = LossFamily("mine", "my loss", "score", d_loss_hinge, g_loss_hinge, paper="-")
    monkeypatch.setitem(losses.LOSSES, "mine", family)
    assert get_loss("mine") is family
    with pytest.raises(dataclasses.FrozenInstanceError):
        family.gp_weight = 1.0


@pytest.mark.parametrize("fn", [d_loss_hinge, d_loss_least_squares, d_loss_wasserstein])
def test_score_losses_reject_non_tensors(fn):
    with pytest.raises(ValueError, match="float tensor of discriminator outputs"):
        fn([1.0], torch.zeros(1))
    with pytest.raises(ValueError, match="float tensor"):
        fn(torch.zeros(1, dtype=torch.long), torch.zeros(1))


# -- gradient penalty -----------------------------------------------------------------------------


class Linear2D(nn.Module):
    """D(x) = w . x: its gradient is w everywhere, so the penalty is (|w| - 1)^2 exactly."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x):
        return x.flatten(1) @ self.w


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    x_real, x_fake = torch.randn(64, 2), torch.randn(64, 2)
    assert gradient_penalty(Linear2D([0.6, 0.8]), x_real, x_fake).item() == pytest.approx(0, abs=1e-10)
    assert gradient_penalty(Linear2D([1.8, 2.4]), x_real, x_fake).item() == pytest.approx(4, rel=1e-5)


def test_gradient_penalty_on_images_takes_the_norm_over_every_pixel():
    w = torch.zeros(784)
    w[:4] = 0.5  # |w| = 1 over the whole image, but 0.5 per pixel
    x_real, x_fake = torch.randn(8, 1, 28, 28), torch.randn(8, 1, 28, 28)
    assert gradient_penalty(Linear2D(w.tolist()), x_real, x_fake).item() == pytest.approx(0, abs=1e-10)
    w[:4] = 1.0  # |w| = 2
    assert gradient_penalty(Linear2D(w.tolist()), x_real, x_fake).item() == pytest.approx(1, rel=1e-5)


def test_gradient_penalty_matches_the_two_d_formula_and_reaches_d():
    """Same eps draws as eps = rand(N, 1) for points, and the penalty has a gradient w.r.t. D."""
    D = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    x_real, x_fake = torch.randn(32, 2), torch.randn(32, 2)
    gp = gradient_penalty(D, x_real, x_fake, torch.Generator().manual_seed(5))
    eps = torch.rand(32, 1, generator=torch.Generator().manual_seed(5))
    x_hat = (eps * x_real + (1 - eps) * x_fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat)
    assert gp.item() == pytest.approx(((grad.norm(dim=1) - 1) ** 2).mean().item(), rel=1e-6)
    gp.backward()
    assert D[0].weight.grad is not None and D[0].weight.grad.abs().sum() > 0


def test_gradient_penalty_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"shapes must match; got \(4, 2\) and \(3, 2\)"):
        gradient_penalty(Linear2D([1.0, 0.0]), torch.zeros(4, 2), torch.zeros(3, 2))


# -- 09_stabilizing: label smoothing, R1, weight clipping --------------------------------------------


def test_smoothed_d_loss_by_hand():
    real, fake = torch.tensor([0.0, 2.0]), torch.tensor([0.0, -1.0])
    sp = lambda t: math.log1p(math.exp(t))  # noqa: E731  softplus
    # BCE(a, y) = softplus(a) - y a; reals with target 0.9, fakes with target 0
    by_hand = ((sp(0) - 0) + (sp(2) - 0.9 * 2)) / 2 + (sp(0) + sp(-1)) / 2
    assert losses.d_loss_bce_smoothed(real, fake).item() == pytest.approx(by_hand, rel=1e-6)
    assert losses.d_loss_bce_smoothed(real, fake, real_label=1.0).item() == pytest.approx(
        d_loss_bce(real, fake).item(), rel=1e-6
    )
    # one-sided: the real logit's optimum is finite (logit(0.9)), not +infinity
    a = torch.tensor([math.log(9.0)], requires_grad=True)
    losses.d_loss_bce_smoothed(a, torch.tensor([-50.0])).backward()
    assert abs(a.grad.item()) < 1e-6
    assert LOSSES["nonsaturating_smooth"].d_loss is losses.d_loss_bce_smoothed


def test_r1_penalty_values_for_linear_critics_on_points_and_images():
    x = torch.randn(16, 2)
    assert losses.r1_penalty(Linear2D([0.6, 0.8]), x).item() == pytest.approx(1.0, rel=1e-6)
    assert losses.r1_penalty(Linear2D([3.0, 4.0]), x).item() == pytest.approx(25.0, rel=1e-6)  # squared norm
    w = torch.zeros(784)
    w[:4] = 1.0
    assert losses.r1_penalty(Linear2D(w.tolist()), torch.randn(4, 1, 28, 28)).item() == pytest.approx(4.0)


def test_r1_penalty_is_on_reals_only_and_reaches_d():
    class Square(nn.Module):  # D(x) = a * sum(x^2): gradient 2 a x depends on where it is taken
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter(torch.tensor(1.0))

        def forward(self, x):
            return self.a * (x**2).flatten(1).sum(1)

    D, x = Square(), torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    r1 = losses.r1_penalty(D, x)
    assert r1.item() == pytest.approx((4 + 16) / 2)  # ||2x||^2 averaged
    r1.backward()
    assert D.a.grad.item() == pytest.approx(2 * 10)  # d/da of a^2 * 10
    with pytest.raises(ValueError, match="float tensor"):
        losses.r1_penalty(D, [1, 2])


def test_clip_weights_clamps_every_parameter_and_rejects_bad_values():
    D = nn.Linear(3, 2)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[0.5, -0.5, 0.001], [2.0, -0.005, 0.0]]))
    losses.clip_weights_(D, 0.01)
    assert D.weight.abs().max().item() == pytest.approx(0.01)
    assert D.weight[0, 2].item() == pytest.approx(0.001) and D.weight[1, 1].item() == pytest.approx(-0.005)
    assert D.bias.abs().max().item() <= 0.01
    for bad in (0, -0.01, True, "0.01"):
        with pytest.raises(ValueError, match="clipping value must be a number > 0"):
            losses.clip_weights_(D, bad)


# --- AC-GAN's class term (10_conditional_gan) ------------------------------------------------------


def test_auxiliary_class_loss_is_the_cross_entropy_of_the_labels():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    labels = torch.tensor([0, 2])
    by_hand = -(torch.log_softmax(logits, 1)[[0, 1], [0, 2]]).mean()
    assert torch.allclose(losses.auxiliary_class_loss(logits, labels), by_hand)
    confident = torch.tensor([[20.0, 0.0, 0.0]])
    assert losses.auxiliary_class_loss(confident, [0]) < 1e-6 < losses.auxiliary_class_loss(confident, [1])


def test_auxiliary_class_loss_errors():
    with pytest.raises(ValueError, match="pass the batch's labels"):
        losses.auxiliary_class_loss(torch.zeros(2, 10), None)
    with pytest.raises(ValueError, match=r"class logits \(N, K\) and N labels; got \(2, 10\) and 3 labels"):
        losses.auxiliary_class_loss(torch.zeros(2, 10), torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="class_logits must be a float tensor"):
        losses.auxiliary_class_loss([[0.0, 1.0]], [1])


# -- the relativistic pairing loss (RpGAN) and R2 ---------------------------------------------------


def test_relativistic_values_match_the_formula():
    # L_D = mean softplus(D(fake_i) - D(real_i)),  L_G = mean softplus(D(real_i) - D(fake_i))
    real, fake = torch.tensor([2.0, 0.0, -1.0]), torch.tensor([0.0, 0.0, 1.0])
    expected_d = (math.log1p(math.exp(-2.0)) + math.log(2.0) + math.log1p(math.exp(2.0))) / 3
    expected_g = (math.log1p(math.exp(2.0)) + math.log(2.0) + math.log1p(math.exp(-2.0))) / 3
    assert d_loss_relativistic(real, fake).item() == pytest.approx(expected_d, rel=1e-6)
    assert g_loss_relativistic(fake, real).item() == pytest.approx(expected_g, rel=1e-6)
    # the same as -log sigmoid of the paired difference
    assert d_loss_relativistic(real, fake).item() == pytest.approx(
        -torch.log(torch.sigmoid(real - fake)).mean().item(), rel=1e-6
    )


def test_relativistic_loss_reads_only_differences_and_pairs_in_order():
    # Shifting every output by the same constant changes nothing (the standard loss does change)...
    real, fake = torch.tensor([1.0, -0.5, 2.0]), torch.tensor([0.3, 0.2, -1.0])
    assert d_loss_relativistic(real + 5, fake + 5).item() == pytest.approx(
        d_loss_relativistic(real, fake).item()
    )
    assert d_loss_bce(real + 5, fake + 5).item() != pytest.approx(d_loss_bce(real, fake).item())
    # ...but the pairing matters: it is not a comparison of the two batches' means
    assert d_loss_relativistic(real, fake.flip(0)).item() != pytest.approx(
        d_loss_relativistic(real, fake).item()
    )


def test_relativistic_loss_needs_pairs():
    with pytest.raises(ValueError, match="pairs each real sample with one fake"):
        d_loss_relativistic(torch.zeros(4), torch.zeros(3))
    with pytest.raises(ValueError, match="pairs each real sample with one fake"):
        g_loss_relativistic(torch.zeros(3), torch.zeros(4))
    assert LOSSES["rpgan"].paired and not any(f.paired for n, f in LOSSES.items() if n != "rpgan")
    assert LOSSES["rpgan"].d_loss is d_loss_relativistic and LOSSES["rpgan"].g_loss is g_loss_relativistic


class _HalfSquaredNorm(nn.Module):
    # D(x) = ||x||^2 / 2, so grad_x D = x and the zero-centred penalty at x is ||x||^2.
    def forward(self, x):
        return 0.5 * x.flatten(1).pow(2).sum(1)


def test_r2_is_the_zero_centred_penalty_on_the_fakes():
    D = _HalfSquaredNorm()
    real, fake = torch.full((4, 2), 1.0), torch.full((4, 2), 3.0)
    assert r2_penalty(D, fake).item() == pytest.approx(18.0)  # ||(3, 3)||^2
    assert r1_penalty(D, real).item() == pytest.approx(2.0)  # R1 reads the reals: a different number
    with pytest.raises(ValueError, match="r2_penalty needs x_fake"):
        r2_penalty(D, [1.0, 2.0])
