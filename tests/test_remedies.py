"""gan_lessons.remedies (09_stabilizing): the remedies table is measured, row by row, from the registry's
options; image-only remedies have no ring number; bad budgets get a clear error."""

import math

import pytest

from gan_lessons import REMEDIES, TrainConfig, compare_remedies, evaluate, format_table, ring_modes_reached
from gan_lessons.data import MNISTDigits, load_mnist


def test_every_remedy_is_a_valid_config():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no remedy trips the WGAN-Adam warning: the table follows the papers
        for options in REMEDIES.values():
            TrainConfig(**options).validate()
    assert len(REMEDIES) == 11


def test_ring_modes_reached_is_a_share_or_nan_for_image_only_remedies():
    assert math.isnan(ring_modes_reached(dict(augment="translation"), 5))
    assert math.isnan(ring_modes_reached(dict(minibatch_std=True), 5))
    for options in (dict(loss="wgan", beta1=0.0), dict(spectral_norm=True, loss="hinge"), dict(r1=1.0)):
        value = ring_modes_reached(options, 5)
        assert 0 <= value <= 1


def test_compare_two_remedies_tiny_budget():
    train_split = load_mnist("train", verbose=False)  # scored against the test split below
    digits = MNISTDigits(train_split.images_uint8[::8], train_split.labels[::8], source="subset")
    remedies = {"non-saturating": REMEDIES["non-saturating"], "DiffAugment": REMEDIES["DiffAugment"]}
    rows = compare_remedies(
        digits, load_mnist("test", verbose=False), remedies, seconds=0.2, n_eval=50, ring_steps=3
    )
    assert [r["remedy"] for r in rows] == list(remedies)
    for r in rows:
        assert (
            r["steps"] >= 1 and math.isfinite(r["fid"]) and 0 <= r["recall"] <= 1 and 0 <= r["classes"] <= 10
        )
    table = format_table(rows)
    assert table.count("\n") == 3 and "n/a (images only)" in table and "| non-saturating |" in table


@pytest.mark.parametrize("bad", [0, -1, "30"])
def test_compare_rejects_a_bad_budget(bad):
    with pytest.raises(ValueError, match="seconds .* must be > 0"):
        compare_remedies(None, None, seconds=bad)


def test_compare_measures_against_the_held_out_digits_it_is_given(monkeypatch):
    """The table's real reference is the `real` argument (the test split), not the first rows of the
    training data (which, in the class-sorted subset, are only zeros and ones)."""
    import gan_lessons.remedies as compare

    seen = []

    def spy(fake, real, **kwargs):
        seen.append(real)
        return evaluate(fake, real, **kwargs)

    monkeypatch.setattr(compare, "evaluate", spy)
    full = load_mnist("train", verbose=False)
    test = load_mnist("test", verbose=False)
    compare_remedies(
        full, test, {"non-saturating": REMEDIES["non-saturating"]}, seconds=0.1, n_eval=20, ring_steps=2
    )
    assert len(seen) == 1 and seen[0] is test
