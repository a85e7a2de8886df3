"""gan_lessons.checks.ch05 (05_dcgan_mnist): check_scale_images accepts the right scaling in its
equivalent forms and rejects typical wrong ones, each with its own hint, as WrongAnswer."""

import pytest
import torch

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer


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


def test_scale_images_more_forms_and_failures():
    assert checks.check_scale_images(lambda x: (x.numpy() / 127.5 - 1).astype("float32"))  # NumPy is fine
    assert checks.check_scale_images(lambda x: x.to(torch.float64) / 127.5 - 1)
    with pytest.raises(WrongAnswer, match="raised TypeError: .* It receives a uint8 tensor"):
        checks.check_scale_images(lambda x: x.float(1))
    with pytest.raises(WrongAnswer, match="is a `return` statement missing"):
        checks.check_scale_images(lambda x: None)
    with pytest.raises(ValueError, match="check_scale_images\\(scale\\)"):
        checks.check_scale_images("scale")
