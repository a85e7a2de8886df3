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
