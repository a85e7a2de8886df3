"""Chapter 09's pairing section: the toy measurement and its committed table."""

import json

import pytest

from gan_lessons import remedies


def test_pairing_modes_reached_is_reproducible_and_depends_on_the_loss():
    a = remedies.pairing_modes_reached("rpgan", seed=0, steps=150, hidden=16)
    assert a == remedies.pairing_modes_reached("rpgan", seed=0, steps=150, hidden=16)  # same seed, same toy
    assert 0.0 <= a <= 1.0
    with pytest.raises(ValueError, match="loss"):
        remedies.pairing_modes_reached("relativistic", seed=0, steps=1)


def test_committed_ring_pairing_table_has_every_setting_loss_and_seed():
    table = remedies.load_ring_pairing()
    assert set(table["modes_reached"]) == set(remedies.PAIRING_SETTINGS)
    for by_loss in table["modes_reached"].values():
        assert set(by_loss) == {"nonsaturating", "rpgan"}
        assert all(len(shares) == len(table["seeds"]) for shares in by_loss.values())


def test_load_ring_pairing_explains_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="ring_pairing.py --write"):
        remedies.load_ring_pairing(tmp_path / "absent.json")
    foreign = tmp_path / "other.json"
    foreign.write_text(json.dumps({"rows": []}))
    with pytest.raises(ValueError, match="not a ring-pairing table"):
        remedies.load_ring_pairing(foreign)
