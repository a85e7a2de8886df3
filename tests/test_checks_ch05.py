"""gan_lessons.checks.ch05 (05_dcgan_mnist): check_scale_images accepts the right scaling in its
equivalent forms and rejects typical wrong ones, each with its own hint, as WrongAnswer."""

import pytest
import torch

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer

from runs import accepted


def test_scale_images():
    assert accepted(lambda: checks.check_scale_images(lambda x: x.float() / 127.5 - 1))
    assert accepted(lambda: checks.check_scale_images(lambda x: (x.float() - 127.5) / 127.5))
    assert accepted(lambda: checks.check_scale_images(lambda x: x.float().div(255).mul(2).sub(1)))
    for wrong, hint in [
        (lambda x: x.float() / 255, r"\[0, 1\], what ToTensor"),
        (lambda x: x.float() / 127.5, r"\[0, 2\]"),
        (lambda x: 1 - x.float() / 127.5, "Upside down"),
        (lambda x: (x.float() - 127.5) / 255, r"\[-0.5, 0.5\]"),
        (lambda x: x // 127 - 1, "integer tensor"),
        (lambda x: x.float().flatten(), "Keep the shape"),
        (lambda x: x.float() / 100 - 1, "expected"),
        (lambda x: (x.float() / 255 - 0.1307) / 0.3081, "MNIST Normalize"),
        (lambda x: x * 2 / 255 - 1, "wraps around at 256"),
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_scale_images(wrong)
    with pytest.raises(ValueError):
        checks.check_scale_images(3)


def test_scale_images_more_forms_and_failures():
    assert accepted(
        lambda: checks.check_scale_images(lambda x: (x.numpy() / 127.5 - 1).astype("float32"))
    )  # NumPy is fine
    assert accepted(lambda: checks.check_scale_images(lambda x: x.to(torch.float64) / 127.5 - 1))
    with pytest.raises(WrongAnswer, match="raised TypeError: .* It receives a uint8 tensor"):
        checks.check_scale_images(lambda x: x.float(1))
    with pytest.raises(WrongAnswer, match="is a `return` statement missing"):
        checks.check_scale_images(lambda x: None)
    with pytest.raises(ValueError, match="check_scale_images\\(scale\\)"):
        checks.check_scale_images("scale")


# ---- check_training_loop: the loop written by hand against update_D/update_G from the same seed
def _loop(mistake=""):
    """A training loop for one epoch, right or with one typical mistake."""
    from gan_lessons.losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating

    F = torch.nn.functional

    def epoch(G, D, opt_g, opt_d, loader, noise_gen):
        for x_real, _ in loader:
            z = torch.randn(
                len(x_real), G.latent_dim, generator=None if mistake == "global_rng" else noise_gen
            )
            x_fake = G(z)

            def d_step(fakes, x_real=x_real):
                if mistake == "real_only":
                    loss_d = F.binary_cross_entropy_with_logits(D(x_real), torch.ones(len(x_real)))
                elif mistake == "probabilities":
                    pr, pf = torch.sigmoid(D(x_real)), torch.sigmoid(D(fakes.detach()))
                    loss_d = -(torch.log(pr).mean() + torch.log(1 - pf).mean())
                else:
                    loss_d = d_loss_bce(D(x_real), D(fakes if mistake == "no_detach" else fakes.detach()))
                if mistake != "no_zero_grad":
                    opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()

            def g_step(fakes):
                out = D(fakes.detach() if mistake == "g_detached" else fakes)
                if mistake == "minimax":
                    loss_g = g_loss_minimax(out)
                elif mistake == "probabilities":
                    loss_g = -torch.log(torch.sigmoid(out)).mean()
                else:
                    loss_g = g_loss_nonsaturating(out)
                if mistake != "no_zero_grad":
                    opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()

            if mistake == "g_first":
                g_step(x_fake)
                d_step(G(z))
                continue
            d_step(x_fake)
            if mistake == "fresh_fakes":
                x_fake = G(torch.randn(len(x_real), G.latent_dim, generator=noise_gen))
            g_step(x_fake)

    return epoch


def test_training_loop_accepts_the_loop_on_logits_and_on_probabilities(capsys):
    assert accepted(lambda: checks.check_training_loop(_loop()))
    checks.check_training_loop(_loop("probabilities"))
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mistake, hint",
    [
        ("no_detach", r"x_fake\.detach\(\)\), so that step never reaches G"),
        ("g_detached", "G's weights did not move"),
        ("g_first", "You update G before D"),
        ("no_zero_grad", "gradients pile up"),
        ("real_only", "only the real term"),
        ("fresh_fakes", "You draw new noise for the G step"),
        ("minimax", "saturating"),
        ("global_rng", "differ from the reference.*generator=noise_gen"),
    ],
)
def test_training_loop_rejects_typical_mistakes_each_with_its_hint(mistake, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_training_loop(_loop(mistake))


# -- check_inversion (section 9): the inversion loop against latent.invert from the same seed ---------------


def _invert_loop(
    loss="per_digit", start="random", zero_grad=True, frozen=True, detach_result=True, prior_form="sq"
):
    """A student's inversion loop with the prior term, right by default; each argument makes one typical mistake."""

    def my_invert(G, x, steps, lr, generator, prior):
        z = torch.randn(len(x), G.latent_dim, generator=generator)
        if start == "zeros":
            z = torch.zeros_like(z)
        z.requires_grad_(True)
        opt = torch.optim.Adam([z] if frozen else G.parameters(), lr=lr)
        for _ in range(steps):
            diff = G(z) - x
            penalty = {
                "sq": prior * (z**2).sum(dim=1),
                "none": torch.zeros(len(x)),
                "minus": -prior * (z**2).sum(dim=1),
                "norm": prior * z.norm(dim=1),
            }[prior_form]
            value = {
                "per_digit": ((diff**2).mean(dim=(1, 2, 3)) + penalty).sum(),
                "mse": torch.nn.functional.mse_loss(G(z), x) + penalty.mean(),  # the same loss over N
                "prior_only": penalty.sum(),
            }[loss]
            if zero_grad:
                opt.zero_grad()
            value.backward()
            opt.step()
        return z.detach() if detach_result else z

    return my_invert


def test_check_inversion_accepts_the_right_loop_in_its_forms():
    assert accepted(lambda: checks.check_inversion(_invert_loop()))
    assert accepted(lambda: checks.check_inversion(_invert_loop(loss="mse")))  # Adam ignores the loss's scale
    assert accepted(lambda: checks.check_inversion(_invert_loop(detach_result=False)))
    numpy_answer = _invert_loop()
    assert accepted(lambda: checks.check_inversion(lambda *a: numpy_answer(*a).numpy()))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_invert_loop(prior_form="none"), "the prior term has no effect"),
        (_invert_loop(prior_form="minus"), "pushes the wrong way"),
        (_invert_loop(prior_form="norm"), "check the power of the norm"),
        (_invert_loop(loss="prior_only"), "the pixel error is missing"),
        (_invert_loop(start="zeros"), "Every z starts at 0"),
        (_invert_loop(zero_grad=False), "The gradients pile up"),
        (_invert_loop(frozen=False), "G's weights changed"),
        (
            lambda G, x, steps, lr, gen, prior: torch.randn(len(x), G.latent_dim, generator=gen),
            "z never moved",
        ),
        (
            lambda G, x, steps, lr, gen, prior: torch.zeros(len(x), 3),
            "Return one z per digit, shape \\(5, 8\\)",
        ),
        (
            lambda G, x, steps, lr, gen, prior: _invert_loop()(G, x, steps - 1, lr, gen, prior),
            "Your z differs from invert",
        ),
        (lambda G, x, steps, lr, gen, prior: None, "it returned None"),
    ],
)
def test_check_inversion_rejects_typical_mistakes(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        checks.check_inversion(wrong)


def test_check_inversion_hints_never_show_code():
    from gan_lessons.checks.ch05 import _INVERSION_HINTS

    for hint in _INVERSION_HINTS.values():
        assert not any(code in hint for code in ("torch.", "requires_grad", "Adam(", "zero_grad()", "**"))


def test_check_inversion_needs_a_function():
    with pytest.raises(ValueError, match="check_inversion"):
        checks.check_inversion(3)
