"""gan_lessons.latent (05_dcgan_mnist, 10_conditional_gan): truncation, vector arithmetic, class swap at fixed
z and inversion, on tiny untrained networks (fast) and, where a claim needs a trained G, the shipped one."""

import pytest
import torch

from gan_lessons import latent
from gan_lessons.conditional import ConditionalGenerator
from gan_lessons.dcgan import Generator, load_pretrained_generator


@pytest.fixture(scope="module")
def tiny_G():
    torch.manual_seed(0)
    return Generator(latent_dim=8, width=4).eval()


def test_truncate_scales_towards_the_mean_latent():
    z = torch.randn(10, 4)
    assert torch.equal(latent.truncate(z, 1.0), z)
    torch.testing.assert_close(latent.truncate(z, 0.5), z / 2)
    assert torch.count_nonzero(latent.truncate(z, 0.0)) == 0
    for bad in (-0.1, 2.5, float("nan"), "0.5"):
        with pytest.raises(ValueError, match="psi"):
            latent.truncate(z, bad)


def test_ink_is_the_share_of_inked_pixels():
    x = -torch.ones(3, 1, 28, 28)
    x[1, :, :14] = 1  # half the pixels inked
    x[2, :, :, :7] = 1  # a quarter
    torch.testing.assert_close(latent.ink(x), torch.tensor([0.0, 0.5, 0.25], dtype=torch.float64))


class FirstCoordinateG(torch.nn.Module):
    """A stand-in generator whose ink grows with z[:, 0] alone: every pixel is tanh(z_0)."""

    latent_dim = 8

    def forward(self, z):
        return torch.tanh(z[:, :1, None, None]).expand(-1, 1, 28, 28)


def test_attribute_direction_points_to_more_of_the_measure():
    G = FirstCoordinateG()
    d = latent.attribute_direction(G, latent.ink, n=2000, by_class=False)
    assert d[0] > 2 and d[1:].abs().max() < 0.2  # along z_0 only: top minus bottom quarter of a N(0, 1)
    flipped = latent.attribute_direction(G, lambda x: -latent.ink(x), n=2000, by_class=False)
    torch.testing.assert_close(flipped, -d)  # the opposite measure, the opposite direction
    z = torch.zeros(5, 8)
    less, same, more = latent.edit(G, z, d, [-0.5, 0, 0.5])
    assert latent.ink(less).mean() < latent.ink(same).mean() < latent.ink(more).mean()
    with pytest.raises(ValueError, match="one number per image"):
        latent.attribute_direction(G, lambda x: x.mean(), n=50, by_class=False)


def test_class_swap_holds_z_and_changes_the_label():
    torch.manual_seed(0)
    G = ConditionalGenerator(latent_dim=8, width=4).eval()
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(2))
    grid = latent.class_swap(G, z)
    assert grid.shape == (3, 10, 1, 28, 28)
    with torch.no_grad():  # row i, column c is G(z_i, c): the same z along a row, the label along a column
        torch.testing.assert_close(grid[1, 7], G(z[1:2], torch.tensor([7]))[0])
        torch.testing.assert_close(grid[2, 0], G(z[2:3], torch.tensor([0]))[0])
    assert not torch.allclose(grid[0, 3], grid[0, 4])  # the label changes the image
    assert not torch.allclose(grid[0, 3], grid[1, 3])  # and so does z
    some = latent.class_swap(G, z, classes=[4, 2])
    torch.testing.assert_close(some[:, 0], grid[:, 4])
    torch.testing.assert_close(some[:, 1], grid[:, 2])


def test_class_swap_refuses_what_it_cannot_use(tiny_G):
    torch.manual_seed(0)
    G = ConditionalGenerator(latent_dim=8, width=4)
    with pytest.raises(ValueError, match="needs a conditional generator"):
        latent.class_swap(tiny_G, torch.randn(2, 8))
    with pytest.raises(ValueError, match="labels in 0..9"):
        latent.class_swap(G, torch.randn(2, 8), classes=[3, 10])
    with pytest.raises(ValueError, match=r"shape \(N, 8\)"):
        latent.class_swap(G, torch.randn(2, 5))


def test_invert_finds_a_z_that_g_can_reach(tiny_G):
    z_true = torch.randn(4, 8, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        x = tiny_G(z_true)
    start = latent.invert(tiny_G, x, steps=1, lr=0.05, seed=0)
    found = latent.invert(tiny_G, x, steps=300, lr=0.05, seed=0)
    assert (found.errors < start.errors / 5).all()  # the search works for every digit
    torch.testing.assert_close(found.errors, ((found.images - x) ** 2).mean(dim=(1, 2, 3)).double())
    assert all(p.requires_grad for p in tiny_G.parameters())  # G is unfrozen again afterwards
    best2 = latent.invert(tiny_G, x, steps=20, lr=0.05, seed=0, restarts=3)
    once = latent.invert(tiny_G, x, steps=20, lr=0.05, seed=0)
    assert (best2.errors <= once.errors).all()  # the first restart is the single run; more only help


def test_invert_is_deterministic_for_a_seed(tiny_G):
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    a, b = (latent.invert(tiny_G, x, steps=5, seed=7) for _ in range(2))
    assert torch.equal(a.z, b.z)
    assert not torch.equal(a.z, latent.invert(tiny_G, x, steps=5, seed=8).z)


def test_the_encoder_learns_to_invert_gs_own_samples(tiny_G):
    E = latent.train_encoder(tiny_G, steps=150, batch_size=32, seed=0)
    untrained = latent.Encoder(8).eval()
    z = torch.randn(64, 8, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        x = tiny_G(z)
        assert ((E(x) - z) ** 2).mean() < 0.8 * ((untrained(x) - z) ** 2).mean()
    result = latent.encode_invert(E, tiny_G, x)
    assert result.z.shape == (64, 8) and result.errors.shape == (64,)
    with pytest.raises(ValueError, match="Encoder for this G"):
        latent.encode_invert(latent.Encoder(4), tiny_G, x)


def test_errors_on_bad_arguments(tiny_G):
    with pytest.raises(ValueError, match="Expected a generator"):
        latent.invert("G", torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError, match="lr must be"):
        latent.invert(tiny_G, torch.zeros(1, 1, 28, 28), lr=0)
    with pytest.raises(ValueError, match="share must be"):
        latent.attribute_direction(tiny_G, share=0.9)


def test_truncation_trades_recall_for_precision_on_the_shipped_generator():
    G = load_pretrained_generator()
    from gan_lessons import load_mnist

    real = load_mnist("test", source="subset", verbose=False).images_uint8[:500]
    rows = latent.truncation_sweep(G, real, psis=(1.0, 0.4), n=500, seed=0)
    assert [r.psi for r in rows] == [1.0, 0.4]
    assert rows[1].recall < rows[0].recall - 0.1  # far fewer kinds of digit
    assert "| 0.4 |" in latent.format_truncation_table(rows)
    assert 7.5 < rows[0].median_norm < 8.5  # the shell, sqrt(64) = 8
    assert rows[1].median_norm == pytest.approx(0.4 * rows[0].median_norm, rel=1e-5)


def test_invert_with_a_prior_finds_smaller_z(tiny_G):
    x = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    free = latent.invert(tiny_G, x, steps=40, lr=0.1, seed=0)
    pulled = latent.invert(tiny_G, x, steps=40, lr=0.1, seed=0, prior=0.05)
    assert pulled.z.norm(dim=1).median() < 0.8 * free.z.norm(dim=1).median()
    with pytest.raises(ValueError, match="prior"):
        latent.invert(tiny_G, x, steps=1, prior=-1)


def test_invert_restores_the_callers_requires_grad_flags(tiny_G):
    params = list(tiny_G.parameters())
    params[0].requires_grad_(False)  # a caller that froze one layer
    latent.invert(tiny_G, torch.zeros(2, 1, 28, 28), steps=2, seed=0)
    assert not params[0].requires_grad and all(p.requires_grad for p in params[1:])
    params[0].requires_grad_(True)


def test_nearest_errors_is_zero_for_a_member_and_the_min_over_the_reference():
    ref = torch.rand(7, 1, 28, 28, generator=torch.Generator().manual_seed(2)) * 2 - 1
    x = torch.cat([ref[3:4], ref[:1] * 0.5])
    got = latent.nearest_errors(x, ref, batch=1)
    brute = ((x[:, None] - ref[None]) ** 2).mean(dim=(2, 3, 4)).min(dim=1).values
    assert got[0] < 1e-12 and torch.allclose(got, brute.double(), atol=1e-9)
