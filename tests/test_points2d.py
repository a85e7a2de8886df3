"""gan_lessons.points2d (04_toy_gan_playground): the toy's readouts (modes reached, mode shares, divergences on a
grid) and your own points (parse_points, load_points), with their error messages. The toy that reads them:
tests/test_toy2d.py."""

import numpy as np
import pytest

from gan_lessons.points2d import (
    grid_divergences,
    load_points,
    make_data,
    mode_shares,
    modes_reached,
    nearest_mode_shares,
    parse_points,
)

# -- modes reached ---------------------------------------------------------------------------------


def test_modes_reached_counts_modes_with_enough_fakes():
    modes = make_data("ring").modes
    on_all = np.repeat(modes, 10, axis=0)
    assert modes_reached(on_all, modes, 0.2) == 1.0
    on_one = np.repeat(modes[:1], 80, axis=0)
    assert modes_reached(on_one, modes, 0.2) == 1 / 8
    np.testing.assert_allclose(mode_shares(on_one, modes, 0.2), [1] + [0] * 7)
    # one stray fake near mode 1 among 200 on mode 0: below 20% of a fair share, so not covered...
    stray = np.concatenate([np.repeat(modes[:1], 199, axis=0), modes[1:2]])
    assert modes_reached(stray, modes, 0.2) == 1 / 8
    # ...unless any single fake counts
    assert modes_reached(stray, modes, 0.2, min_share=0) == 2 / 8
    assert modes_reached(np.full((50, 2), 10.0), modes, 0.2) == 0.0


def test_nearest_mode_shares_ignore_distance():
    modes = make_data("ring").modes
    far_out = 3 * modes[[2, 2, 2, 5]]  # far beyond the ring, but nearest to modes 2 and 5
    np.testing.assert_allclose(nearest_mode_shares(far_out, modes), [0, 0, 0.75, 0, 0, 0.25, 0, 0])
    assert modes_reached(far_out, modes, 0.25) == 0.0
    with pytest.raises(ValueError, match=r"fakes must be an \(N, 2\) array"):
        nearest_mode_shares(np.zeros((0, 2)), modes)


def test_modes_reached_errors():
    modes = make_data("ring").modes
    with pytest.raises(ValueError, match=r"fakes must be an \(N, 2\) array"):
        modes_reached(np.zeros((5, 3)), modes, 0.2)
    with pytest.raises(ValueError, match=r"modes must be a \(K, 2\) array"):
        modes_reached(np.zeros((5, 2)), np.zeros(3), 0.2)
    with pytest.raises(ValueError, match="radius must be a number > 0"):
        modes_reached(np.zeros((5, 2)), modes, -1)
    with pytest.raises(ValueError, match="min_share must be in"):
        modes_reached(np.zeros((5, 2)), modes, 0.2, min_share=2)


# -- divergences on a grid ------------------------------------------------------------------------


def _clusters(centres, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.asarray(centres, dtype=float)
    return centres[rng.integers(len(centres), size=n)] + 0.05 * rng.standard_normal((n, 2))


def test_grid_divergences_are_zero_for_the_same_cloud_and_log2_for_disjoint_ones():
    a = _clusters([(-1, -1), (1, 1)])
    kl, js = grid_divergences(a, a, 3.0)
    assert js == pytest.approx(0.0, abs=1e-12) and 0 <= kl < 0.01  # only the pseudo-counts' bias
    kl, js = grid_divergences(a, a + 4.0, 3.0)  # fakes all outside: clipped into the far corner bins
    assert js == pytest.approx(np.log(2), abs=1e-3) and kl > 3


def test_kl_is_the_forward_one_it_punishes_missed_modes_more_than_extra_ones():
    two, one = _clusters([(-1, -1), (1, 1)]), _clusters([(1, 1)], seed=1)
    kl_missed, js_missed = grid_divergences(two, one, 3.0)  # G misses a data mode
    kl_extra, js_extra = grid_divergences(one, two, 3.0)  # G adds a mode the data lacks
    assert kl_missed > 2 * kl_extra  # KL(p_data || p_g): a missed mode costs far more
    assert js_missed == pytest.approx(js_extra, abs=0.02)  # JS is symmetric
    assert 0.1 < js_missed < np.log(2) - 0.1


# -- your own points ------------------------------------------------------------------------------


GOOD_POINTS = "x,y\n" + "\n".join(f"{np.cos(t):.3f}, {np.sin(t):.3f}" for t in np.linspace(0, 6, 12))


def test_parse_points_reads_csv_and_whitespace_with_a_header_and_comments():
    pts = parse_points(GOOD_POINTS)
    assert pts.shape == (12, 2) and pts[0, 0] == pytest.approx(1.0)
    same = parse_points("# my ring\n" + GOOD_POINTS.split("\n", 1)[1].replace(",", " "))
    np.testing.assert_array_equal(pts, same)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "1, 2, 3\n" * 12,
            r"Your points: expected one point per row, two numbers each \(x, y\), an \(N, 2\) array; got shape \(12, 3\)",
        ),
        ("1, 2\n3\n" * 6, r"the rows hold \[1, 2\] numbers"),
        ("1, 2\n" * 11 + "nan, 1\n", r"1 row\(s\) hold NaN or infinite values \(rows 12, counting from 1\)"),
        ("1, 2\n" * 3, r"only 3 point\(s\); the playground needs at least 10"),
        ("100, 2\n" * 12, r"coordinates reach 100, .* within ±10; divide your points by 40"),
        ("1, 2\nfoo, bar\n", r"line 2 \('foo, bar'\) is not numbers"),
    ],
)
def test_bad_points_get_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_points(text)


def test_load_points_from_csv_and_npy(tmp_path):
    (tmp_path / "ring.csv").write_text(GOOD_POINTS)
    np.save(tmp_path / "ring.npy", parse_points(GOOD_POINTS).astype(np.float32))
    np.testing.assert_allclose(
        load_points(tmp_path / "ring.csv"), load_points(tmp_path / "ring.npy"), atol=1e-6
    )


def test_load_points_errors_name_the_file_and_the_fix(tmp_path):
    np.save(tmp_path / "three.npy", np.zeros((20, 3)))
    np.save(tmp_path / "words.npy", np.array(["a", "b"]))
    (tmp_path / "pickled.npy").write_bytes(b"not a numpy file at all")
    (tmp_path / "latin.csv").write_bytes(b"\xff\xfe\x00garbage")
    cases = {
        "three.npy": r"The file 'three.npy': expected one point per row.*got shape \(20, 3\)",
        "words.npy": r"The file 'words.npy': holds <U1 values; it needs an \(N, 2\) array of real numbers",
        "pickled.npy": r"Could not read points from 'pickled.npy': it is not a NumPy .npy array of numbers\. Save",
        "latin.csv": r"Could not read points from 'latin.csv': it is not a text file",
        "missing.csv": r"Could not read points from 'missing.csv': there is no such file",
        "points.json": r"The file 'points.json' is not a .csv, .txt or .npy file",
    }
    for name, message in cases.items():
        with pytest.raises(ValueError, match=message):
            load_points(tmp_path / name)


def test_the_names_that_moved_from_toy2d_still_import_from_there():
    """The wrong world: code written before this module (`from gan_lessons.toy2d import parse_points`) breaks."""
    from gan_lessons import toy2d

    for fn in (parse_points, load_points, modes_reached, mode_shares, nearest_mode_shares, grid_divergences):
        assert getattr(toy2d, fn.__name__) is fn
