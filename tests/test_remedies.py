"""gan_lessons.remedies (09_stabilizing): the remedies table is measured, row by row, from the registry's
options, at a fixed budget of G steps that makes it reproducible; image-only remedies have no ring number; bad
budgets get a clear error; the shipped 3-seed table is sha256-checked and holds today's remedies."""

import math

import pytest

from gan_lessons import (
    BASE,
    PLAIN_RECIPE,
    REMEDIES,
    TrainConfig,
    compare_remedies,
    evaluate,
    format_seed_summary,
    format_table,
    load_stabilizing_table,
    ring_modes_reached,
)
from gan_lessons.data import MNISTDigits, load_mnist


def test_every_remedy_is_a_valid_config():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no remedy trips the WGAN-Adam warning: the table follows the papers
        for options in REMEDIES.values():
            TrainConfig(**{**PLAIN_RECIPE, **options}).validate()
    # The WGAN rows run as their papers did: RMSProp and 5 critic steps; layer norm, Adam(0, 0.9) and 5 steps.
    wgan = TrainConfig(**REMEDIES["WGAN (clip 0.01, RMSProp 5e-5, n_critic 5)"]).validate()
    assert (wgan.optimizer, wgan.lr, wgan.n_critic, wgan.loss) == ("rmsprop", 5e-5, 5, "wgan")
    gp = TrainConfig(**REMEDIES["WGAN-GP (layer norm, n_critic 5)"]).validate()
    assert (gp.resolved_d_norm(), gp.n_critic, gp.beta1, gp.beta2, gp.lr) == ("layer", 5, 0.0, 0.9, 1e-4)
    assert "EMA of G (0.99)" in REMEDIES and "n_critic 5 (non-saturating)" in REMEDIES


def test_rows_add_one_remedy_to_the_plain_recipe_not_to_trainconfigs_defaults():
    """TrainConfig's defaults are R3GAN's loss with lazy R1 + R2 (issue 24); each row still trains the plain
    non-saturating recipe plus its remedy, with which the shipped table was built. A world in which the rows
    took TrainConfig's defaults (the pin lost) fails here, as would chapter 09's full-mode retraining check."""
    from gan_lessons.remedies import _row_config

    course = TrainConfig()
    assert any(getattr(course, k) != v for k, v in PLAIN_RECIPE.items())  # else this test would prove nothing
    for name, options in REMEDIES.items():
        config = _row_config(options, seed=2)
        for key, value in {**PLAIN_RECIPE, **BASE, **options, "seed": 2}.items():
            assert getattr(config, key) == value, (name, key)
    assert (_row_config({}).loss, _row_config({}).r1, _row_config({}).beta1) == ("nonsaturating", 0.0, 0.5)
    assert "loss" not in BASE and load_stabilizing_table()["recipe"]["base"] == BASE  # the shipped record


def test_n_critic_rows_count_g_optimizer_steps():
    train_split = load_mnist("train", verbose=False)
    digits = MNISTDigits(train_split.images_uint8[::8], train_split.labels[::8], source="subset")
    remedies = {"n_critic 5 (non-saturating)": REMEDIES["n_critic 5 (non-saturating)"]}
    (row,) = compare_remedies(
        digits, load_mnist("test", verbose=False), remedies, g_steps=3, n_eval=50, ring_steps=3
    )
    assert (row["steps"], row["g_steps"]) == (15, 3)  # equal G steps: five critic steps for each


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
    test = load_mnist("test", verbose=False)
    rows = compare_remedies(digits, test, remedies, g_steps=2, n_eval=50, ring_steps=3)
    assert [r["remedy"] for r in rows] == list(remedies)
    for r in rows:
        assert r["steps"] == r["g_steps"] == 2 and math.isfinite(r["fid"]) and 0 <= r["classes"] <= 10
    # A step budget on one thread: the same call gives the same numbers, bit for bit (not so the timings).
    again = compare_remedies(digits, test, remedies, g_steps=2, n_eval=50, ring_steps=3)
    for a, b in zip(rows, again):
        assert {k: v for k, v in a.items() if k not in ("wall_s", "peak_mb")} == {
            k: v for k, v in b.items() if k not in ("wall_s", "peak_mb")
        }
    # ... and another seed does not (a world in which the seed were ignored fails here)
    other = compare_remedies(digits, test, remedies, g_steps=2, seed=1, n_eval=50, ring_steps=3)
    assert other[0]["fid"] != rows[0]["fid"]
    table = format_table(rows)
    assert table.count("\n") == 3 and "n/a (not in the toy)" in table and "| non-saturating |" in table


@pytest.mark.parametrize("bad", [0, -1, "30", 2.5, True])
def test_compare_rejects_a_bad_budget(bad):
    with pytest.raises(ValueError, match="g_steps .* must be an integer >= 1"):
        compare_remedies(None, None, g_steps=bad)


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
        full, test, {"non-saturating": REMEDIES["non-saturating"]}, g_steps=1, n_eval=20, ring_steps=2
    )
    assert len(seen) == 1 and seen[0] is test


def test_the_shipped_table_holds_todays_remedies_over_three_seeds():
    table = load_stabilizing_table()
    assert sorted(table["rows"]) == ["0", "1", "2"] and table["remedies"] == REMEDIES
    for rows in table["rows"].values():
        assert [r["remedy"] for r in rows] == list(REMEDIES)
        for r in rows:  # equal G steps; the n_critic rows took five D steps each
            assert r["g_steps"] == table["recipe"]["g_steps"]
            assert r["steps"] == r["g_steps"] * REMEDIES[r["remedy"]].get("n_critic", 1)
    summary = format_seed_summary(table)
    assert summary.count("\n") == len(REMEDIES) + 1 and "| RpGAN + R1 + R2 (R3GAN's loss) |" in summary


def test_a_changed_table_is_refused(tmp_path, monkeypatch):
    from gan_lessons.shipped import SHIPPED, STABILIZING_TABLE_FILE

    changed = tmp_path / STABILIZING_TABLE_FILE
    changed.write_text(SHIPPED[STABILIZING_TABLE_FILE].path.read_text().replace('"fid": 1', '"fid": 2', 1))
    monkeypatch.setattr(
        type(SHIPPED[STABILIZING_TABLE_FILE]), "path", property(lambda self: tmp_path / self.name)
    )
    with pytest.raises(ValueError, match="remedies table .* corrupt or was changed"):
        load_stabilizing_table()
    changed.unlink()
    with pytest.raises(FileNotFoundError, match="git checkout -- data/stabilizing_table.json"):
        load_stabilizing_table()
