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
    # The WGAN rows run as their papers did: RMSProp and 5 critic steps; layer norm, Adam(0, 0.9) and 5 steps.
    wgan = TrainConfig(**REMEDIES["WGAN (clip 0.01, RMSProp 5e-5, n_critic 5)"]).validate()
    assert (wgan.optimizer, wgan.lr, wgan.n_critic, wgan.loss) == ("rmsprop", 5e-5, 5, "wgan")
    gp = TrainConfig(**REMEDIES["WGAN-GP (layer norm, n_critic 5)"]).validate()
    assert (gp.resolved_d_norm(), gp.n_critic, gp.beta1, gp.beta2, gp.lr) == ("layer", 5, 0.0, 0.9, 1e-4)
    assert "EMA of G (0.99)" in REMEDIES and "n_critic 5 (non-saturating)" in REMEDIES


def test_n_critic_rows_count_g_optimizer_steps():
    train_split = load_mnist("train", verbose=False)
    digits = MNISTDigits(train_split.images_uint8[::8], train_split.labels[::8], source="subset")
    remedies = {"n_critic 5 (non-saturating)": REMEDIES["n_critic 5 (non-saturating)"]}
    (row,) = compare_remedies(
        digits, load_mnist("test", verbose=False), remedies, seconds=0.5, n_eval=50, ring_steps=3
    )
    assert row["steps"] >= 5 and row["g_steps"] == row["steps"] // 5  # G's optimizer stepped every fifth step


def test_ring_modes_reached_is_a_share_or_nan_for_image_only_remedies():
    assert math.isnan(ring_modes_reached(dict(augment="translation"), 5))
    assert math.isnan(ring_modes_reached(dict(minibatch_std=True), 5))
    assert math.isnan(ring_modes_reached(dict(ema=0.99), 5))  # the toy has no EMA...
    assert math.isnan(ring_modes_reached(dict(loss="wgan", optimizer="rmsprop"), 5))  # ...and no RMSProp
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
    assert table.count("\n") == 3 and "n/a (not in the toy)" in table and "| non-saturating |" in table


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
