import math

import pytest
import torch

from gan_lessons import (
    Discriminator,
    Generator,
    count_parameters,
    d_loss_bce,
    g_loss_minimax,
    g_loss_nonsaturating,
    trace_shapes,
)
from gan_lessons.config import get_device, set_seed


def test_shapes():
    G, D = Generator(latent_dim=16, width=8), Discriminator(width=8)
    z = torch.randn(5, 16)
    x = G(z)
    assert x.shape == (5, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (5,)
    assert G(z.view(5, 16, 1, 1)).shape == (5, 1, 28, 28)
    assert count_parameters(G) > 0


@pytest.mark.parametrize(
    "shape, hint",
    [
        ((4, 3, 28, 28), "did a layer output 3 channels"),
        ((4, 1, 64, 64), "28x28"),
        ((4, 28, 28), "unsqueeze"),
        ((4, 784), "view"),
    ],
)
def test_discriminator_rejects_wrong_images(shape, hint):
    D = Discriminator(width=8)
    with pytest.raises(ValueError, match=r"expects images of shape \(N, 1, 28, 28\); got") as err:
        D(torch.zeros(shape))
    assert hint in str(err.value)


def test_discriminator_rejects_uint8():
    with pytest.raises(ValueError, match="float images"):
        Discriminator(width=8)(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))


def test_generator_rejects_wrong_latent_size():
    G = Generator(latent_dim=100, width=8)
    with pytest.raises(ValueError, match=r"latent vectors of shape \(N, 100\); got \(100, 64\)"):
        G(torch.randn(100, 64))
    with pytest.raises(ValueError, match="latent"):
        G(torch.randn(3, 100, 2, 2))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_sizes(bad):
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        Generator(latent_dim=bad)


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
    with pytest.raises(ValueError, match="logits"):
        d_loss_bce([0.1], torch.zeros(1))


def test_seed_gives_same_samples():
    set_seed(3)
    a = Generator(8, 4)(torch.randn(2, 8))
    set_seed(3)
    b = Generator(8, 4)(torch.randn(2, 8))
    assert torch.equal(a, b)


def test_devices():
    assert get_device("cpu").type == "cpu"
    assert get_device("auto").type in ("cpu", "cuda")
    with pytest.raises(ValueError, match="Unknown device 'gpu0'"):
        get_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU"):
            get_device("cuda")
    with pytest.raises(ValueError, match="seed must be"):
        set_seed(-1)


def test_trace_shapes_prints_and_returns_every_layer(capsys):
    G = Generator(latent_dim=8, width=4)
    z = torch.randn(2, 8)
    out, shapes = trace_shapes(G.net, z.view(2, 8, 1, 1))
    assert shapes[0] == (2, 8, 7, 7) and shapes[3] == (2, 4, 14, 14) and shapes[-1] == (2, 1, 28, 28)
    assert len(shapes) == len(G.net)
    with torch.no_grad():
        assert torch.equal(out, G(z))
    assert "0: ConvTranspose2d" in capsys.readouterr().out
