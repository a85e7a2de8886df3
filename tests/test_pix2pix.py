"""gan_lessons.pix2pix: the segmentation set (same ink for target and clutter, exact masks, fixed splits), the
U-Net and PatchGAN, the straight-through mask D sees, the three methods' steps and the shipped segmenters."""

import pytest
import torch

from gan_lessons.config import set_seed
from gan_lessons.pix2pix import (
    INK,
    PatchDiscriminator,
    SegmenterConfig,
    UNet,
    fit_segmenter,
    frozen,
    load_segmenter,
    make_segmentation_set,
    mask_for_D,
    new_segmenter,
    predict_masks,
    segmentation_splits,
    semi_g_loss,
    semi_g_step,
    train_segmenter,
    update_G_paired,
)
from gan_lessons.segmentation import check_masks, iou


def test_segmentation_set_is_deterministic_and_seeded():
    a, b = make_segmentation_set(64, seed=3), make_segmentation_set(64, seed=3)
    assert torch.equal(a.images, b.images) and torch.equal(a.masks, b.masks)
    assert not torch.equal(a.images, make_segmentation_set(64, seed=4).images)
    x, m = a[0]
    assert x.shape == m.shape == (1, 32, 32)
    assert a.images.min() >= -1 and a.images.max() <= 1
    assert set(a.masks.unique().tolist()) == {0.0, 1.0}


def test_masks_are_the_target_and_clutter_has_the_targets_ink():
    clean, cluttered = make_segmentation_set(200, seed=1, clutter=False), make_segmentation_set(200, seed=1)
    assert torch.equal(clean.masks, cluttered.masks)  # the same targets, placed the same way
    assert torch.equal(clean.masks, (clean.alpha > 0.5).float())
    # clutter adds ink outside the mask, as bright as the target's: brightness cannot tell them apart
    ink = (cluttered.images + 1) / 2
    target_ink = ink[(cluttered.masks == 1) & (ink > 0.6)]  # the same rule on both sides of the mask
    clutter_ink = ink[(cluttered.masks == 0) & (ink > 0.6)]
    assert len(clutter_ink) > 0.3 * len(target_ink)
    assert abs(float(target_ink.median()) - float(clutter_ink.median())) < 0.05
    assert float(target_ink.max()) <= INK[1] + 1e-5 and float(clutter_ink.max()) <= INK[1] + 1e-5


def test_segmentation_splits_are_fixed_and_disjoint():
    s1, s2 = segmentation_splits(200, seed=0), segmentation_splits(200, seed=0)
    assert {k: len(v) for k, v in s1.items()} == {"train": 160, "val": 20, "test": 20}
    for k in s1:
        assert torch.equal(s1[k].images, s2[k].images)
    rows = lambda d: {bytes(x.numpy().tobytes()) for x in d.images}  # noqa: E731
    assert not rows(s1["train"]) & rows(s1["test"]) and not rows(s1["val"]) & rows(s1["test"])


@pytest.mark.parametrize(
    "masks, n, message",
    [
        (torch.zeros(4, 32, 32), None, "unsqueeze"),
        (torch.zeros(4, 3, 32, 32), None, "one channel"),
        (torch.full((4, 1, 8, 8), 0.5), None, "only 0 and 1"),
        (torch.zeros(4, 1, 8, 8), 5, "5 images but 4 masks"),
    ],
)
def test_bad_masks_get_clear_errors(masks, n, message):
    with pytest.raises(ValueError, match=message):
        check_masks(masks, n)


def test_bad_segmentation_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        make_segmentation_set(0)
    with pytest.raises(ValueError, match="seed"):
        make_segmentation_set(10, seed=-1)
    with pytest.raises(ValueError, match="three positive shares"):
        segmentation_splits(100, fractions=(0.5, 0.5))
    with pytest.raises(ValueError, match="method must be one of"):
        SegmenterConfig(method="cyclegan")
    with pytest.raises(ValueError, match=r"lr \(learning rate\) must be a number > 0"):
        SegmenterConfig(lr=float("nan"))
    with pytest.raises(ValueError, match="lam must be a number >= 0"):
        SegmenterConfig(lam=-1)
    with pytest.raises(ValueError, match="method must be one of"):
        load_segmenter("gan")


def test_unet_and_patchgan_shapes():
    x = torch.randn(2, 1, 32, 32)
    assert UNet(width=4)(x).shape == (2, 1, 32, 32)
    assert PatchDiscriminator(width=4)(torch.cat([x, x], 1)).shape == (2, 1, 6, 6)
    assert PatchDiscriminator(in_channels=1, width=4, norm=False)(x).shape == (2, 1, 6, 6)
    with pytest.raises(ValueError, match=r"\(N, 2, H, W\)"):
        PatchDiscriminator(width=4)(x)
    with pytest.raises(ValueError, match="divisible by 8"):
        UNet(width=4)(torch.randn(1, 1, 28, 28))


def test_mask_for_D_is_binary_forward_and_sigmoid_backward():
    logits = torch.tensor([-2.0, -0.1, 0.3, 4.0], requires_grad=True)
    hard = mask_for_D(logits)
    assert hard.tolist() == [0.0, 0.0, 1.0, 1.0]  # no value tells it from a real mask
    hard.sum().backward()
    s = torch.sigmoid(logits.detach())
    assert torch.allclose(logits.grad, s * (1 - s))  # the straight-through gradient is the sigmoid's
    soft = mask_for_D(logits.detach(), hard=False)
    assert torch.allclose(soft, s) and ((soft > 0) & (soft < 1)).all()  # the shortcut: every value fractional


def test_semi_step_holds_D_fixed_and_moves_G():
    set_seed(0)
    G, D = UNet(width=4), PatchDiscriminator(in_channels=1, width=4, norm=False)
    before_D = [p.clone() for p in D.parameters()]
    before_G = [p.clone() for p in G.parameters()]
    x = torch.randn(4, 1, 32, 32)
    m = (torch.rand(4, 1, 32, 32) > 0.8).float()
    loss = semi_g_step(G, D, torch.optim.Adam(G.parameters(), 1e-3), x, m, torch.randn(4, 1, 32, 32))
    assert torch.isfinite(loss)
    assert all(torch.equal(a, b) for a, b in zip(before_D, D.parameters()))
    assert all(p.grad is None for p in D.parameters()) and all(p.requires_grad for p in D.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before_G, G.parameters()))
    with frozen(D):
        assert not any(p.requires_grad for p in D.parameters())
    assert all(p.requires_grad for p in D.parameters())


def test_semi_loss_keeps_the_batches_apart():
    # Regression: one train-mode pass over torch.cat([x_lab, x_unl]) let BatchNorm couple the two batches, and
    # the unlabelled half drifted to all-target. The labelled loss must not depend on which unlabelled images
    # come with it; it does when G sees both batches in one pass.
    set_seed(0)
    G, D = UNet(width=4).train(), PatchDiscriminator(in_channels=1, width=4, norm=False)
    x, m = torch.randn(4, 1, 32, 32), (torch.rand(4, 1, 32, 32) > 0.8).float()
    _, pix_a, _ = semi_g_loss(G, D, x, m, torch.randn(4, 1, 32, 32))
    _, pix_b, _ = semi_g_loss(G, D, x, m, torch.randn(4, 1, 32, 32) * 3 + 2)
    assert torch.allclose(pix_a, pix_b)


def test_semi_training_runs_G_on_one_batch_at_a_time():
    # The no-grad pass that makes D's fakes and the G step both run G on the labelled and the unlabelled
    # batch separately: no forward pass sees more than one batch.
    train = make_segmentation_set(64, seed=0)
    config = SegmenterConfig(method="semi", num_steps=2, batch_size=8, width=4)
    G, D = new_segmenter(config)
    sizes = []
    G.register_forward_hook(lambda mod, inp, out: sizes.append(len(inp[0])))
    train_segmenter(G, train, config, D=D, unlabelled=train.images, progress=False)
    assert sizes and max(sizes) == 8


@pytest.mark.parametrize("method", ["pixel", "pix2pix", "semi"])
def test_methods_start_alike_see_the_same_batches_and_learn(method):
    train = segmentation_splits(200, seed=0)["train"]
    base = SegmenterConfig(method="pixel", num_steps=8, width=4)
    config = SegmenterConfig(method=method, num_steps=8, width=4)
    G0, _ = new_segmenter(base)
    G1, D1 = new_segmenter(config)
    assert all(torch.equal(a, b) for a, b in zip(G0.state_dict().values(), G1.state_dict().values()))
    assert (D1 is None) == (method == "pixel")
    G, history = fit_segmenter(config, train, 32)
    assert len(history["pixel"]) == 8 and all(torch.isfinite(torch.tensor(history["pixel"])))
    if method != "pixel":
        assert len(history["d_loss"]) == 8
    masks = predict_masks(G, train.images[:8])
    assert set(masks.unique().tolist()) <= {0.0, 1.0} and 0 <= iou(masks, train.masks[:8]) <= 1
    G2, history2 = fit_segmenter(config, train, 32)  # the same seed: the same run
    assert history2["pixel"] == history["pixel"]


def test_trainer_errors():
    train = segmentation_splits(200, seed=0)["train"]
    G, _ = new_segmenter(SegmenterConfig(width=4))
    with pytest.raises(ValueError, match="needs its discriminator D"):
        train_segmenter(G, train, SegmenterConfig(method="pix2pix"))
    with pytest.raises(ValueError, match="needs unlabelled images"):
        train_segmenter(G, train, SegmenterConfig(method="semi"), D=PatchDiscriminator(1, 4, norm=False))
    with pytest.raises(ValueError, match="leaves no unlabelled images"):
        fit_segmenter(SegmenterConfig(width=4), train, len(train))


def test_shipped_segmenters_load_and_segment():
    test = segmentation_splits(3000, seed=0)["test"]
    scores = {
        m: iou(predict_masks(load_segmenter(m), test.images[:100]), test.masks[:100])
        for m in ("pixel", "semi")
    }
    assert scores["pixel"] > 0.5  # a trained U-Net; an untrained one scores about 0.1


def test_the_paired_g_step_refuses_a_paired_loss_family():
    # rpgan's G loss also reads D on the reals: pix2pix's step has none to give it, so it says so.
    G, D = UNet(width=4), PatchDiscriminator(width=4)
    x, m = torch.rand(2, 1, 32, 32), (torch.rand(2, 1, 32, 32) > 0.5).float()
    opt = torch.optim.Adam(G.parameters())
    with pytest.raises(ValueError, match="takes an unpaired loss family"):
        update_G_paired(lambda mk: D(torch.cat([x, mk], 1)), opt, G(x), m, "rpgan", lam=100.0)
    adv, pix = update_G_paired(lambda mk: D(torch.cat([x, mk], 1)), opt, G(x), m, "nonsaturating", lam=100.0)
    assert adv.item() > 0 and pix.item() > 0
