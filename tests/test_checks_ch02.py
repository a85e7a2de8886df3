"""gan_lessons.checks.ch02 (02_core_concepts): each checker accepts the right answer in its equivalent
forms and rejects typical wrong ones, each with its own hint, as WrongAnswer."""

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer

from runs import accepted


# ---- check_output_shape
def test_output_shape_transposed():
    layer = nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1)
    assert accepted(lambda: checks.check_output_shape((16, 32, 14, 14), layer, (16, 64, 7, 7)))
    assert accepted(lambda: checks.check_output_shape(torch.Size([16, 32, 14, 14]), layer, (16, 64, 7, 7)))
    for wrong, hint in [
        ((32, 14, 14), "batch dimension"),
        ((16, 64, 14, 14), "in_channels"),
        ((16, 32, 3, 3), "Conv2d formula"),
        ((16, 32, 14), "4 dimensions"),
        ((8, 32, 14, 14), "batch size"),
        ((16, 32, 15, 15), "Height/width"),
        ((16, 32, 16, 16), "left out the padding"),  # (7 - 1) * 2 + 4
        ((16, 32, 8, 8), "left out the stride"),  # (7 - 1) - 2 + 4
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_output_shape(wrong, layer, (16, 64, 7, 7))


def test_output_shape_conv():
    layer = nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1)
    assert accepted(lambda: checks.check_output_shape([8, 32, 14, 14], layer, (8, 1, 28, 28)))
    with pytest.raises(WrongAnswer, match="transposed-convolution formula"):
        checks.check_output_shape((8, 32, 56, 56), layer, (8, 1, 28, 28))
    with pytest.raises(WrongAnswer, match="left out the padding"):
        checks.check_output_shape((8, 32, 13, 13), layer, (8, 1, 28, 28))  # (28 - 4) // 2 + 1
    with pytest.raises(WrongAnswer, match="left out the stride"):
        checks.check_output_shape((8, 32, 27, 27), layer, (8, 1, 28, 28))  # 28 + 2 - 4 + 1
    with pytest.raises(WrongAnswer, match="out_channels = 32 channels\\.$"):
        checks.check_output_shape((8, 16, 14, 14), layer, (8, 1, 28, 28))
    with pytest.raises(ValueError, match="tuple of integers"):
        checks.check_output_shape("8x32x14x14", layer, (8, 1, 28, 28))
    with pytest.raises(ValueError, match="does not accept"):
        checks.check_output_shape((8, 32, 14, 14), layer, (8, 3, 28, 28))
    with pytest.raises(ValueError, match="must be the layer"):
        checks.check_output_shape((8, 32, 14, 14), "conv", (8, 1, 28, 28))


# ---- check_parameter_count
def test_parameter_count():
    conv = nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1)
    assert accepted(lambda: checks.check_parameter_count(32 * 1 * 16 + 32, conv))
    for wrong, hint in [(32 * 16, "only the weights"), (32 + 32, "k\\*k"), (999, "Not quite")]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_parameter_count(wrong, conv)
    block = nn.Sequential(nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8))
    right = 8 * 9 + 8 + 16
    assert accepted(lambda: checks.check_parameter_count(right, block))
    with pytest.raises(WrongAnswer, match="buffers"):
        checks.check_parameter_count(right + 16, block)
    with pytest.raises(WrongAnswer, match="whole number"):
        checks.check_parameter_count(3.5, conv)
    with pytest.raises(ValueError, match="should be a number"):
        checks.check_parameter_count("544", conv)


def test_parameter_count_of_the_chapter_block():
    """Exercise 2 of chapter 02: D's middle block, a bias-free convolution then a BatchNorm."""
    block = nn.Sequential(nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64))
    weights, bn = 64 * 32 * 4 * 4, 2 * 64
    assert accepted(lambda: checks.check_parameter_count(weights + bn, block))
    assert accepted(
        lambda: checks.check_parameter_count(np.int64(weights + bn), block)
    )  # a NumPy integer is fine
    assert accepted(lambda: checks.check_parameter_count(float(weights + bn), block))  # so is 32896.0
    assert accepted(
        lambda: checks.check_parameter_count(torch.tensor(weights + bn), block)
    )  # and a one-element tensor
    for wrong, hint in [
        (weights + bn + 64, "bias=False"),  # a conv bias counted anyway
        (weights, "BatchNorm has trainable parameters too"),
        (weights + bn + 2 * 64, "running mean and variance are buffers"),
        (
            weights + 64,
            "only the weights.*\\(BatchNorm2d; a BatchNorm's bias is its shift\\)",
        ),  # BN's shift left out
        (64 * 32 + bn, "multiply by k\\*k"),
        (64 * 32 * 4 + bn, "not by k once"),
        (64 * 16 + bn, "spans ALL input channels"),
        (12345, "bias=False: none"),  # the fallback hint no longer tells anyone to add biases
    ]:
        with pytest.raises(WrongAnswer, match=hint):
            checks.check_parameter_count(wrong, block)


# ---- check_model_kinds
def test_model_kinds():
    right = {k: kind for k, (kind, _) in checks.MODEL_KINDS.items()}
    assert accepted(lambda: checks.check_model_kinds(right))
    assert accepted(lambda: checks.check_model_kinds({k: v[0].upper() for k, v in right.items()}))
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


@pytest.mark.parametrize(
    "key, hint",
    [
        ("CNN classifier", "cannot produce images"),
        ("GAN generator", "turns noise z into new images"),
        ("VAE", "decoder p\\(x \\| z\\)"),
        ("diffusion model", "denoises step by step"),
        ("object detector", "p\\(boxes \\| image\\)"),
        ("segmentation U-Net", "GIVEN an image"),
        ("GAN discriminator", "binary classifier"),
    ],
)
def test_model_kinds_each_wrong_label_has_its_own_reason(key, hint):
    right = {k: kind for k, (kind, _) in checks.MODEL_KINDS.items()}
    wrong = {**right, key: "G" if right[key] == "discriminative" else "D"}
    with pytest.raises(WrongAnswer, match=f"^{key} is {right[key]}: .*{hint}"):
        checks.check_model_kinds(wrong)
    with pytest.raises(ValueError, match="Answer with a dict"):
        checks.check_model_kinds(list(right))


# ---- check_prob_real
def test_prob_real():
    assert accepted(lambda: checks.check_prob_real(torch.sigmoid))
    assert accepted(lambda: checks.check_prob_real(lambda a: 1 / (1 + torch.exp(-a))))
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


def test_prob_real_more_forms_and_failures():
    assert accepted(
        lambda: checks.check_prob_real(lambda a: torch.sigmoid(a).numpy())
    )  # an array is fine too
    with pytest.raises(WrongAnswer, match="raised ZeroDivisionError"):
        checks.check_prob_real(lambda a: 1 / 0)
    with pytest.raises(WrongAnswer, match="it returned None: is a `return` statement missing"):
        checks.check_prob_real(lambda a: None)


def test_parameter_count_hints_differ_and_never_ask_for_missing_biases():
    """On the chapter's bias-free block, each mistake gets its own hint, and no hint names a Conv2d bias."""
    block = nn.Sequential(nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64))
    weights, bn = 64 * 32 * 4 * 4, 2 * 64
    hints = set()
    for wrong in (
        weights + bn + 64,
        weights,
        weights + bn + 2 * 64,
        weights + 64,
        64 * 32 + bn,
        64 * 16 + bn,
    ):
        with pytest.raises(WrongAnswer) as err:
            checks.check_parameter_count(wrong, block)
        hints.add(str(err.value))
        assert "Conv2d" not in str(err.value).split("bias=False")[0]
    assert len(hints) == 6
