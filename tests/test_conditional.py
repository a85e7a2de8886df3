"""Conditional-generator metrics (gan_lessons.conditional): real digits with their true labels stand in
for a perfect conditional G, and the same digits with shifted labels for a G that ignores its label."""

from __future__ import annotations

import numpy as np
import pytest

from gan_lessons import load_mnist
from gan_lessons.conditional import conditioning_accuracy, fid_per_class


@pytest.fixture(scope="module")
def real():
    return load_mnist("test", verbose=False)


def test_conditioning_accuracy_on_real_digits(real):
    right = conditioning_accuracy(real, real.labels)
    assert right.accuracy > 0.95 and right.per_class.min() > 0.85
    assert right.counts.sum() == len(real) and right.confusion.sum() == len(real)
    wrong = conditioning_accuracy(real, (real.labels + 1) % 10)  # every label shifted: a G that ignores y
    assert wrong.accuracy < 0.05
    with pytest.raises(ValueError, match="labels"):
        conditioning_accuracy(real, real.labels[:5])
    with pytest.raises(ValueError, match="digits 0..9; got 10"):
        conditioning_accuracy(real.images[:2], [3, 10])


def test_fid_per_class_is_small_for_the_right_class_and_large_for_a_shifted_one(real):
    train = load_mnist("train", verbose=False)
    pick = np.arange(0, len(train), 4)  # 1,000 training digits, 100 per class, against the test split's
    right = fid_per_class(train.images[pick], train.labels[pick], real)
    shifted = fid_per_class(train.images[pick], (train.labels[pick] + 1) % 10, real)
    assert right.shape == (10,) and np.isfinite(right).all()
    assert (shifted > 3 * right).all(), (right, shifted)  # each class compared with its own real digits


def test_fid_per_class_names_its_input_errors(real):
    with pytest.raises(ValueError, match="one label per generated image"):
        fid_per_class(real.images[:10], real.labels[:9], real)
    with pytest.raises(ValueError, match="labelled data set"):
        fid_per_class(real.images[:10], real.labels[:10], real.images)


def test_a_class_with_fewer_than_two_samples_gets_nan(real):
    labels = np.zeros(20, dtype=np.int64)
    labels[0] = 7  # one sample of digit 7, none of 1..6, 8, 9
    out = fid_per_class(real.images[:20], labels, real)
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()


def test_recall_per_class_is_high_for_the_class_and_low_for_one_kind_of_digit(real):
    from gan_lessons.conditional import recall_per_class

    train = load_mnist("train", verbose=False)
    pick = np.concatenate([np.flatnonzero(train.labels.numpy() == d)[:60] for d in range(10)])
    x, y = train.images[pick], train.labels[pick]
    precision, recall = recall_per_class(x, y, real)
    assert recall.mean() > 0.6 and precision.mean() > 0.6, (recall, precision)
    # a "G" that draws the same digit for every z of a class: one real image repeated per class
    one_each = np.concatenate(
        [np.repeat(np.flatnonzero(train.labels.numpy() == d)[:1], 60) for d in range(10)]
    )
    _, collapsed = recall_per_class(train.images[one_each], train.labels[one_each], real)
    assert collapsed.max() < 0.1 and collapsed.mean() < recall.mean() / 5, collapsed
    with pytest.raises(ValueError, match="one label per generated image"):
        recall_per_class(x, y[:-1], real)
    with pytest.raises(ValueError, match="labelled data set"):
        recall_per_class(x, y, real.images)


def test_the_pooled_projection_is_the_papers():
    import torch

    from gan_lessons import ConditionalDiscriminator

    torch.manual_seed(0)
    D = ConditionalDiscriminator(width=8, conditioning="projection_pooled").eval()
    x, y = torch.rand(5, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 3, 9])
    with torch.no_grad():
        h = x
        for layer in D.net[:-1]:
            h = layer(h)
        pooled = h.sum((2, 3))
        assert D.embed.weight.shape == (10, 16)  # 2w numbers per class, not 2w * 49
        expected = D.psi(pooled).flatten() + (D.embed(y) * pooled).sum(1)
        assert torch.allclose(D(x, y), expected, atol=1e-5)
        assert not torch.allclose(D(x, y), D(x, (y + 1) % 10))
    D_linear = ConditionalDiscriminator(width=8, conditioning="projection")
    assert D_linear.embed.weight.shape == (10, 16 * 7 * 7)  # the recipe's class-specific linear last layer
