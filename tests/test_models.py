"""Tests for gan_lessons.models: shapes, clear errors on wrong inputs, determinism, the shape tracer."""

import pytest
import torch

from gan_lessons import Discriminator, Generator, count_parameters, trace_shapes
from gan_lessons.config import set_seed


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


def test_seed_gives_same_samples():
    set_seed(3)
    a = Generator(8, 4)(torch.randn(2, 8))
    set_seed(3)
    b = Generator(8, 4)(torch.randn(2, 8))
    assert torch.equal(a, b)


def test_trace_shapes_prints_and_returns_every_layer(capsys):
    G = Generator(latent_dim=8, width=4)
    z = torch.randn(2, 8)
    out, shapes = trace_shapes(G.net, z.view(2, 8, 1, 1))
    assert shapes[0] == (2, 8, 7, 7) and shapes[3] == (2, 4, 14, 14) and shapes[-1] == (2, 1, 28, 28)
    assert len(shapes) == len(G.net)
    with torch.no_grad():
        assert torch.equal(out, G(z))
    assert "0: ConvTranspose2d" in capsys.readouterr().out


# --- conditional models, U-Net, PatchGAN ---------------------------------------------------------
from gan_lessons.models import (  # noqa: E402
    ConditionalDiscriminator,
    ConditionalGenerator,
    PatchDiscriminator,
    UNet,
    one_hot_channels,
)


def test_conditional_shapes_and_the_label_matters():
    set_seed(0)
    G, D = ConditionalGenerator(latent_dim=8, width=8), ConditionalDiscriminator(width=8)
    G.eval()
    z = torch.randn(4, 8)
    x3, x7 = G(z, torch.full((4,), 3)), G(z, 7)
    assert x3.shape == (4, 1, 28, 28) and not torch.allclose(x3, x7)
    D.eval()
    assert D(x3, [3, 3, 3, 3]).shape == (4,)
    assert not torch.allclose(
        D(x3, 3 * torch.ones(4, dtype=torch.long)), D(x3, 7 * torch.ones(4, dtype=torch.long))
    )


def test_one_hot_channels():
    planes = one_hot_channels(torch.tensor([0, 9]), 10, 5)
    assert planes.shape == (2, 10, 5, 5)
    assert planes[0, 0].eq(1).all() and planes[1, 9].eq(1).all() and planes.sum() == 2 * 25


@pytest.mark.parametrize("label", [10, -1])
def test_unknown_labels_are_rejected(label):
    G, D = ConditionalGenerator(latent_dim=8, width=8), ConditionalDiscriminator(width=8)
    with pytest.raises(ValueError, match=f"Unknown label {label}.*0..9"):
        G(torch.randn(2, 8), torch.tensor([1, label]))
    with pytest.raises(ValueError, match="Unknown label"):
        D(torch.zeros(2, 1, 28, 28), torch.tensor([label, 1]))


def test_label_count_and_dtype_errors():
    G = ConditionalGenerator(latent_dim=8, width=8)
    with pytest.raises(ValueError, match="3 images or latent vectors but 2 labels"):
        G(torch.randn(3, 8), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="integer class labels"):
        G(torch.randn(2, 8), torch.tensor([1.0, 2.0]))


def test_unet_and_patchgan_shapes():
    x = torch.randn(2, 1, 64, 64)
    assert UNet(width=4)(x).shape == (2, 1, 64, 64)
    assert PatchDiscriminator(width=4)(torch.cat([x, x], 1)).shape == (2, 1, 14, 14)
    assert UNet(width=4)(torch.randn(1, 1, 32, 32)).shape == (1, 1, 32, 32)
    with pytest.raises(ValueError, match=r"\(N, 2, H, W\)"):
        PatchDiscriminator(width=4)(x)
    with pytest.raises(ValueError, match="divisible by 8"):
        UNet(width=4)(torch.randn(1, 1, 60, 60))
