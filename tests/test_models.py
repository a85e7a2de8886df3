"""The networks of gan_lessons.layers, dcgan, conditional and pix2pix: shapes, clear errors on wrong inputs, determinism, the shape tracer."""

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


# -- 09_stabilizing: spectral norm, minibatch std-dev, DiffAugment -----------------------------------
from gan_lessons import AugmentedDiscriminator, MinibatchStdDev, diff_augment, init_dcgan_weights  # noqa: E402


def test_spectral_norm_discriminator_has_unit_spectral_norm_layers_and_no_batchnorm():
    torch.manual_seed(0)
    D = Discriminator(8, spectral_norm=True)
    D.apply(init_dcgan_weights)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())
    x = torch.randn(4, 1, 28, 28)
    for _ in range(20):  # power iteration converges in train mode
        D(x)
    D.eval()
    convs = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 3
    for conv in convs:
        assert torch.nn.utils.parametrize.is_parametrized(conv, "weight")
        sigma = torch.linalg.matrix_norm(conv.weight.flatten(1), ord=2).item()
        assert sigma == pytest.approx(1.0, rel=0.05)
    assert D(x).shape == (4,)


def test_dcgan_init_reaches_the_raw_weight_of_a_spectral_norm_layer():
    torch.manual_seed(0)
    D = Discriminator(8, spectral_norm=True)
    D.apply(init_dcgan_weights)
    raw = D.net[0].parametrizations.weight.original
    assert raw.std().item() == pytest.approx(0.02, rel=0.3)


def test_minibatch_std_by_hand_and_in_d():
    x = torch.zeros(2, 3, 2, 2)
    x[1] = 2.0  # every feature: values 0 and 2, std 1 (biased)
    out = MinibatchStdDev()(x)
    assert out.shape == (2, 4, 2, 2) and torch.allclose(out[:, 3], torch.ones(2, 2, 2), atol=1e-4)
    same = MinibatchStdDev()(torch.ones(5, 3, 2, 2))  # identical samples (a collapsed G): std 0
    assert same[:, 3].abs().max().item() < 1e-3
    with pytest.raises(ValueError, match="at least 2"):
        MinibatchStdDev()(torch.ones(1, 3, 2, 2))
    D = Discriminator(8, minibatch_std=True)
    assert D(torch.randn(4, 1, 28, 28)).shape == (4,)
    assert D.net[-1][-1].in_channels == 2 * 8 + 1


def test_default_discriminator_is_unchanged():
    assert count_parameters(Discriminator(8)) == count_parameters(Discriminator(8, False, False))
    keys = list(Discriminator(8).state_dict())  # the same names as before 09, so old checkpoints load
    assert keys[:2] == ["net.0.weight", "net.0.bias"] and keys[-2:] == ["net.5.weight", "net.5.bias"]


def test_diff_augment_translation_cutout_color_by_hand():
    x = torch.full((1, 1, 28, 28), -1.0)
    x[0, 0, 10, 10] = 1.0
    gen = torch.Generator().manual_seed(1)
    t = diff_augment(x, "translation", gen)
    (pos,) = (t == 1).nonzero().tolist()
    dy, dx = pos[2] - 10, pos[3] - 10
    assert (dy, dx) != (0, 0) and abs(dy) <= 4 and abs(dx) <= 4  # shifted by at most int(28 / 8 + 0.5)
    many = torch.full((400, 1, 28, 28), -1.0)
    many[:, 0, 14, 14] = 1.0
    moved = (diff_augment(many, "translation", torch.Generator().manual_seed(0)) == 1).nonzero()
    shifts = set((moved[:, 2] - 14).tolist()) | set((moved[:, 3] - 14).tolist())
    assert shifts == set(range(-4, 5))  # the reference's range: -4..4 on 28 pixels, every value reached
    assert (t == -1).sum().item() == 28 * 28 - 1  # filled with background
    c = diff_augment(torch.ones(3, 1, 28, 28), "cutout", torch.Generator().manual_seed(0))
    assert ((c == -1) | (c == 1)).all()  # the hole is filled with the background
    big = diff_augment(torch.ones(400, 1, 28, 28), "cutout", torch.Generator().manual_seed(0))
    holes = (
        (big == -1).flatten(1).sum(1)
    )  # a 14x14 hole centred anywhere, clipped at the edges (the reference's)
    assert ((holes > 0) & (holes <= 14 * 14)).all() and (holes == 14 * 14).any() and (holes < 14 * 14).any()
    col = diff_augment(torch.zeros(64, 1, 28, 28), "color", torch.Generator().manual_seed(0))
    assert col.flatten(1).std(1).max().item() < 1e-6  # brightness shifts each image as a whole
    assert 0.35 < col[:, 0, 0, 0].abs().max().item() <= 0.5  # the reference's brightness, +-0.5
    assert torch.equal(diff_augment(x, ""), x)


def test_diff_augment_is_differentiable_and_reproducible():
    x = torch.randn(4, 1, 28, 28, requires_grad=True)
    y = diff_augment(x, "translation,cutout,color", torch.Generator().manual_seed(3))
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    a = diff_augment(x.detach(), "translation,cutout", torch.Generator().manual_seed(3))
    b = diff_augment(x.detach(), "translation,cutout", torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


@pytest.mark.parametrize("bad", ["flip", "translation,rotate", None, 3])
def test_diff_augment_rejects_unknown_policies(bad):
    with pytest.raises(ValueError, match="augmentation policy"):
        diff_augment(torch.zeros(2, 1, 28, 28), bad)
    with pytest.raises(ValueError, match="augmentation policy"):
        AugmentedDiscriminator(Discriminator(8), bad)


def test_augmented_discriminator_checks_its_input():
    D = AugmentedDiscriminator(Discriminator(8), "translation")
    assert D(torch.randn(3, 1, 28, 28)).shape == (3,)
    with pytest.raises(ValueError, match="3 channels"):
        D(torch.randn(3, 3, 28, 28))


# --- conditional models (the U-Net and PatchGAN: tests/test_pix2pix.py) -----------------------
from gan_lessons.conditional import ConditionalDiscriminator, ConditionalGenerator  # noqa: E402
from gan_lessons.layers import one_hot_channels  # noqa: E402


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


# --- the conditional D's options (10_conditional_gan): projection, auxiliary classifier ----------------


def test_projection_and_auxiliary_classifier_shapes():
    set_seed(0)
    x, y = torch.randn(4, 1, 28, 28), torch.tensor([0, 3, 7, 9])
    D = ConditionalDiscriminator(width=8, conditioning="projection").eval()
    assert D(x, y).shape == (4,)
    assert (
        not hasattr(D, "classifier") and D.net[0].in_channels == 1
    )  # no label planes: the label is projected
    # The projection term is the only place the label enters: another label, another logit.
    assert not torch.allclose(D(x, y), D(x, (y + 1) % 10))
    ac = ConditionalDiscriminator(width=8, conditioning="none", aux_classifier=True).eval()
    logits, classes = ac(x, y)
    assert logits.shape == (4,) and classes.shape == (4, 10)
    assert torch.equal(ac(x, (y + 1) % 10)[0], logits)  # "none": D's real/fake logit ignores the label
    both = ConditionalDiscriminator(width=8, conditioning="concat", aux_classifier=True).eval()
    assert [t.shape for t in both(x, y)] == [(4,), (4, 10)] and both.net[0].in_channels == 11


def test_projection_is_psi_plus_the_embedding_dotted_with_the_features():
    set_seed(0)
    D = ConditionalDiscriminator(width=4, conditioning="projection").eval()
    x, y = torch.randn(3, 1, 28, 28), torch.tensor([1, 5, 5])
    phi = D.net[:-1](x).flatten(1)  # (3, 2w * 7 * 7)
    psi = D.net[-1](D.net[:-1](x)).flatten()
    assert torch.allclose(D(x, y), psi + (D.embed.weight[y] * phi).sum(1), atol=1e-6)


def test_conditional_discriminator_rejects_bad_options():
    with pytest.raises(
        ValueError, match="Unknown conditioning 'onehot'.*concat, projection, projection_pooled, none"
    ):
        ConditionalDiscriminator(width=8, conditioning="onehot")
    with pytest.raises(ValueError, match="never uses the label"):
        ConditionalDiscriminator(width=8, conditioning="none")
    ac = ConditionalDiscriminator(width=8, conditioning="none", aux_classifier=True)
    with pytest.raises(ValueError, match="Unknown label 10"):
        ac(torch.zeros(2, 1, 28, 28), torch.tensor([1, 10]))


# ---------------------------------------------------------------- pooling
from gan_lessons.layers import MaxPool2x2  # noqa: E402


@pytest.mark.parametrize("shape", [(3, 4, 28, 28), (2, 5, 7, 7), (1, 1, 14, 9), (6, 2, 2)])
def test_maxpool2x2_gives_max_pool2d_values_without_a_gradient(shape):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    x[..., :4, :4] = 0.5  # ties, as a digit's flat background gives them
    ours = MaxPool2x2()(x)  # no gradient needed: the elementwise-maximum path
    theirs = torch.nn.functional.max_pool2d(x, 2)
    assert ours.shape == theirs.shape  # odd sizes drop their last row/column, as max_pool2d does
    assert torch.equal(ours, theirs)


def test_maxpool2x2_gives_max_pool2d_gradients_on_ties():
    """On a tie max_pool2d sends the whole gradient to one input; torch.maximum would split it."""
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    x[..., :4, :4] = 0.5  # four windows of equal values
    x.requires_grad_(True)
    (g_ours,) = torch.autograd.grad(MaxPool2x2()(x).square().sum(), x)
    (g_theirs,) = torch.autograd.grad(torch.nn.functional.max_pool2d(x, 2).square().sum(), x)
    assert torch.equal(g_ours, g_theirs)
    assert torch.equal(
        (g_ours[..., :4, :4] != 0).sum((-1, -2)), torch.full((2, 3), 4)
    )  # one input per window


def test_lenet_trains_as_with_torchs_max_pool():
    """One Adam step of LeNet on real digits (whose backgrounds tie in many windows) gives the same weights
    with MaxPool2x2 as with nn.MaxPool2d: swapping the layer changed no classifier the course trains."""
    from gan_lessons import LeNet, load_mnist

    x, y = load_mnist("train", verbose=False).tensors
    batch = torch.arange(0, len(x), len(x) // 64)[:64]
    weights = []
    for pool in (MaxPool2x2, lambda: torch.nn.MaxPool2d(2)):
        torch.manual_seed(0)
        net = LeNet(feature_dim=64)
        net.body[2], net.body[5] = pool(), pool()
        opt = torch.optim.Adam(net.parameters(), lr=2e-3)
        torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
        opt.step()
        weights.append(torch.cat([p.detach().flatten() for p in net.parameters()]))
    assert torch.equal(weights[0], weights[1])


def test_maxpool2x2_propagates_nan_like_max_pool2d():
    x = torch.zeros(1, 1, 4, 4)
    x[0, 0, 1, 2] = float("nan")
    y = MaxPool2x2()(x)
    assert torch.equal(y.isnan(), torch.nn.functional.max_pool2d(x, 2).isnan())
    assert y.isnan().sum() == 1


def test_conv_operator_norm_matches_the_svd_of_the_convolution_matrix():
    from gan_lessons import conv_operator_norm

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 3, kernel_size=4, stride=2, padding=1)
    shape = (2, 6, 6)
    eye = torch.eye(2 * 6 * 6).reshape(-1, *shape)
    with torch.no_grad():
        matrix = torch.nn.functional.conv2d(eye, conv.weight, None, 2, 1).flatten(1)  # rows: the basis images
    exact = torch.linalg.matrix_norm(matrix, ord=2).item()
    assert abs(conv_operator_norm(conv, shape, iters=500) - exact) < 1e-3 * exact
    kernel = torch.linalg.matrix_norm(conv.weight.flatten(1), ord=2).item()
    assert exact > 1.05 * kernel  # the convolution stretches more than its reshaped kernel
    with pytest.raises(ValueError, match="iters"):
        conv_operator_norm(conv, shape, iters=0)


def test_discriminator_norm_choice():
    kinds = lambda D: {type(m).__name__ for m in D.modules()}  # noqa: E731
    assert "BatchNorm2d" in kinds(Discriminator(8)) and "GroupNorm" in kinds(Discriminator(8, norm="layer"))
    assert not {"BatchNorm2d", "GroupNorm"} & kinds(Discriminator(8, norm="none"))
    assert not {"BatchNorm2d", "GroupNorm"} & kinds(Discriminator(8, spectral_norm=True))
    with pytest.raises(ValueError, match="D's norm must be one of batch, layer, none"):
        Discriminator(8, norm="group")


def test_ada_adjust_moves_p_towards_more_augmentation_when_d_is_sure():
    from gan_lessons import ada_adjust

    sure, unsure = torch.full((64,), 3.0), torch.tensor([1.0, -1.0] * 32)
    p, r_t = ada_adjust(0.5, sure, images_to_full=6400)
    assert r_t == 1.0 and abs(p - 0.51) < 1e-12  # up by 64 / 6400
    p, r_t = ada_adjust(0.5, unsure, images_to_full=6400)
    assert r_t == 0.0 and abs(p - 0.49) < 1e-12
    assert ada_adjust(1.0, sure)[0] == 1.0 and ada_adjust(0.0, unsure)[0] == 0.0  # clipped to [0, 1]
    with pytest.raises(ValueError, match="0 <= p <= 1"):
        ada_adjust(1.5, sure)
    with pytest.raises(ValueError, match="non-empty"):
        ada_adjust(0.5, torch.tensor([]))
