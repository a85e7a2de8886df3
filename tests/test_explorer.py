"""The 1-D explorer of chapter 03, driven without a display: move the sliders, check D* and JSD."""

import math

import numpy as np
import pytest

from gan_lessons import theory
from gan_lessons.widgets import gaussian_explorer


@pytest.fixture(scope="module")
def explorer():
    return gaussian_explorer()


@pytest.mark.parametrize("mu_g, sigma_g", [(0.0, 1.0), (2.0, 1.0), (-3.5, 0.4), (1.0, 2.5)])
def test_sliders_recompute_d_star_and_jsd(explorer, mu_g, sigma_g):
    explorer.mu_g.value = mu_g
    explorer.sigma_g.value = sigma_g
    state = explorer.state
    assert (state["mu_g"], state["sigma_g"]) == (mu_g, sigma_g)
    ref = theory.gaussian_game(mu_g, sigma_g)  # its own grid, chosen for these Gaussians
    assert state["jsd"] == pytest.approx(ref.jsd, abs=1e-6)
    assert state["value"] == pytest.approx(-math.log(4) + 2 * state["jsd"], abs=1e-9)
    for x0 in (-1.0, 0.0, 1.5):  # D*(x0) from the densities, by hand
        pd = math.exp(-(x0**2) / 2) / math.sqrt(2 * math.pi)
        pg = math.exp(-(((x0 - mu_g) / sigma_g) ** 2) / 2) / (sigma_g * math.sqrt(2 * math.pi))
        assert np.interp(x0, state["x"], state["d_star"]) == pytest.approx(pd / (pd + pg), abs=1e-3)


def test_equal_distributions_give_half_and_zero(explorer):
    explorer.mu_g.value, explorer.sigma_g.value = 0.0, 1.0
    assert np.allclose(explorer.state["d_star"], 0.5)
    assert explorer.state["jsd"] == pytest.approx(0.0, abs=1e-12)
    assert "0.0000" in explorer.children[2].value


def test_redraws_in_place(explorer):
    fig, image = explorer.figure, explorer.children[1]
    n_lines = len(fig.axes[0].lines)
    before = image.value
    explorer.mu_g.value = 3.0
    assert explorer.figure is fig and len(fig.axes) == 1 and len(fig.axes[0].lines) == n_lines
    assert image.value != before and image.value[:8] == b"\x89PNG\r\n\x1a\n"
    line_g = fig.axes[0].lines[1]
    assert np.argmax(line_g.get_ydata()) == np.argmin(np.abs(explorer.state["x"] - 3.0))


def test_builder_does_not_display(capsys):
    w = gaussian_explorer(mu_data=1.0, sigma_data=0.5)
    assert capsys.readouterr().out == ""
    assert w.state["jsd"] == pytest.approx(theory.gaussian_game(2.0, 1.0, 1.0, 0.5).jsd, abs=1e-6)
