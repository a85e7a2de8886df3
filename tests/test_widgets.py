"""gan_lessons.widgets, driven headless: set `.value` on controls, click buttons, and assert on the
state (ipywidgets swallows callback exceptions). The 1-D explorer of 03_loss_math, the toy GAN
playground of 04_toy_gan_playground, the latent explorer of 05_dcgan_mnist."""

import datetime
import math
import time

import ipywidgets as W
import numpy as np
import pytest

from gan_lessons import losses, theory
from gan_lessons.losses import LossFamily
from gan_lessons.toy2d import SHIPPED_SNAPSHOT_RECIPES
from gan_lessons.widgets import gaussian_explorer, model_overview_html, playground

# -- gaussian_explorer (03_loss_math) --------------------------------------------------------------


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


# -- playground (04_toy_gan_playground) ------------------------------------------------------------


def wait_for(predicate, timeout=30.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def pg():
    box = playground(seed=0)
    yield box
    box.pause()


def test_builder_returns_an_undisplayed_widget_with_its_controls(pg):
    assert isinstance(pg, W.VBox)
    assert isinstance(pg.image, W.Image) and pg.image.value[:4] == b"\x89PNG"
    for name in (
        "play_button",
        "pause_button",
        "step_d_button",
        "step_g_button",
        "step_button",
        "reset_button",
    ):
        assert isinstance(getattr(pg, name), W.Button)
    assert list(pg.loss.options) == [(f.label, name) for name, f in losses.LOSSES.items()]
    assert {
        ("minimax (saturating)", "minimax"),
        ("non-saturating", "nonsaturating"),
        ("least squares (LSGAN)", "least_squares"),
        ("WGAN-GP", "wgan_gp"),
        ("hinge", "hinge"),
    } <= set(pg.loss.options)
    assert [key for _, key in pg.preset.options] == ["ring", "grid", "spiral", "moons"]
    assert "iteration <b class='gl-iteration'>0</b>" in pg.counter.value
    assert "0/8" in pg.modes_label.value
    with pytest.raises(AttributeError):
        _ = pg.no_such_control


def test_step_buttons_advance_the_right_network(pg):
    pg.d_steps.value = 2
    pg.step_d_button.click()
    assert (pg.gan.d_step_count, pg.gan.g_step_count) == (1, 0)
    pg.step_g_button.click()
    assert (pg.gan.d_step_count, pg.gan.g_step_count) == (1, 1)
    before = pg.image.value
    pg.step_button.click()  # d_steps D updates, then one G update
    assert (pg.gan.d_step_count, pg.gan.g_step_count) == (3, 2)
    assert "iteration <b class='gl-iteration'>2</b>" in pg.counter.value
    assert pg.image.value != before, "the view redraws after a step"


def test_live_controls_change_the_running_game(pg):
    pg.run(5)
    pg.loss.value = "least_squares"
    pg.lr_d.value = 3e-3
    pg.lr_g.value = 1e-4
    pg.d_steps.value = 3
    s = pg.gan.settings
    assert (s.loss, s.d_steps) == ("least_squares", 3)
    assert pg.gan.opt_d.param_groups[0]["lr"] == pytest.approx(3e-3)
    assert pg.gan.opt_g.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert pg.gan.iteration == 5, "live settings do not restart training"
    assert "least squares" in pg.figure.title.get_text()


def test_restart_controls_rebuild_the_networks(pg):
    pg.run(5)
    pg.latent_dim.value = 3
    assert pg.gan.iteration == 0 and pg.gan.G.latent_dim == 3
    pg.hidden.value = 16
    assert pg.gan.settings.hidden == 16
    pg.preset.value = "grid"
    assert pg.gan.data.name == "grid" and "/25" in pg.modes_label.value
    pg.optimizer.value = "sgd"
    assert type(pg.gan.opt_g).__name__ == "SGD"
    pg.run(3)
    pg.reset_button.click()
    assert pg.gan.iteration == 0 and pg.gan.settings.preset == "grid"


def test_view_toggles(pg):
    pg.show_grads.value = True
    assert pg.figure.show_grads and pg.figure.quiver.get_visible()
    pg.show_manifold.value = False
    assert all(len(line.get_xdata()) == 0 for line in pg.figure.manifold_lines)
    pg.show_manifold.value = True
    assert any(len(line.get_xdata()) > 0 for line in pg.figure.manifold_lines)


def test_play_trains_in_the_background_and_controls_work_meanwhile(pg):
    frames = pg.frames
    pg.play_button.click()
    assert pg.is_playing
    wait_for(lambda: pg.gan.iteration >= 20 and pg.frames >= frames + 2, what="20 iterations and 2 frames")
    pg.loss.value = "minimax"  # changed while the loop runs
    pg.lr_g.value = 2e-3
    wait_for(
        lambda: pg.gan.history["step"][-1] > 0 and pg.gan.settings.loss == "minimax", what="the loss change"
    )
    seen = pg.gan.iteration
    wait_for(lambda: pg.gan.iteration > seen + 5, what="training to go on after the change")
    pg.pause_button.click()
    assert not pg.is_playing and pg.error is None
    stopped = pg.gan.iteration
    time.sleep(0.3)
    assert pg.gan.iteration == stopped, "pause stops training"
    assert f"<b class='gl-iteration'>{stopped}</b>" in pg.counter.value
    assert pg.gan.opt_g.param_groups[0]["lr"] == pytest.approx(2e-3)
    pg.play_button.click()
    pg.play_button.click()  # a second play while playing is a no-op, not a second thread
    wait_for(lambda: pg.gan.iteration > stopped, what="play after pause")
    pg.pause()
    assert pg.error is None


def test_the_loss_dropdown_lists_every_registry_family(monkeypatch):
    """A family added to gan_lessons.losses.LOSSES shows up in a fresh playground, and trains, with no other change."""
    fake = LossFamily(
        "fake_family", "a fake family", "score", losses.d_loss_hinge, losses.g_loss_hinge, paper="none"
    )
    monkeypatch.setitem(losses.LOSSES, "fake_family", fake)
    box = playground(seed=0)
    try:
        assert box.loss.options == tuple((f.label, name) for name, f in losses.LOSSES.items())
        assert ("a fake family", "fake_family") in box.loss.options
        box.loss.value = "fake_family"
        assert box.error is None and box.gan.family is fake
        box.run(3)
        assert box.gan.iteration == 3 and "a fake family" in box.figure.title.get_text()
    finally:
        box.pause()


def test_hinge_from_the_dropdown(pg):
    pg.loss.value = "hinge"
    pg.run(5)
    assert pg.error is None and pg.gan.settings.loss == "hinge" and "hinge" in pg.figure.title.get_text()
    assert np.isfinite(pg.gan.history["d_loss"]).all()


def test_bad_values_are_reported_not_raised():
    pg = playground(points=[(0, 0), (1, 1)], preset="custom")
    assert pg.preset.value == "custom" and pg.gan.data.name == "custom"
    pg.lr_d.value = 1.0  # the slider's maximum is allowed
    assert pg.error is None
    with pytest.raises(ValueError, match="pause\\(\\) it before calling run"):
        pg.play()
        try:
            pg.run(1)
        finally:
            pg.pause()


def test_an_error_while_playing_stops_the_loop_and_is_shown(pg):
    def diverge(n=1):
        raise FloatingPointError("D's loss became nan at D step 7: lower the learning rates and reset.")

    pg.gan.step = diverge
    pg.play()
    wait_for(lambda: not pg.is_playing, what="the loop to stop")
    assert isinstance(pg.error, FloatingPointError)
    assert "lower the learning rates" in pg.status.value


def test_playground_rejects_bad_settings():
    with pytest.raises(ValueError, match="Unknown data preset"):
        playground("triangle")
    with pytest.raises(ValueError, match="pass points="):
        playground("custom")


def test_save_gif_from_the_dashboard(pg, tmp_path):
    from PIL import Image

    pg.play()
    path = pg.save_gif(tmp_path / "run.gif", frames=3, steps_per_frame=4)
    assert not pg.is_playing, "save_gif pauses first"
    with Image.open(path) as im:
        assert im.n_frames == 3
        first = np.asarray(im.convert("RGB"))
        im.seek(2)
        last = np.asarray(im.convert("RGB"))
    assert first.shape == last.shape and (first != last).any()


# -- latent_explorer (used in 05_dcgan_mnist) ------------------------------------------------------


def test_interpolate_latents_ends_and_norms():
    import torch

    from gan_lessons.widgets import interpolate_latents

    a, b = (
        torch.randn(64, generator=torch.Generator().manual_seed(0)),
        torch.randn(64, generator=torch.Generator().manual_seed(1)),
    )
    for spherical in (True, False):
        torch.testing.assert_close(interpolate_latents(a, b, 0, spherical), a)
        torch.testing.assert_close(interpolate_latents(a, b, 1, spherical), b)
    mid_slerp, mid_lerp = interpolate_latents(a, b, 0.5), interpolate_latents(a, b, 0.5, spherical=False)
    # slerp keeps the norm near that of the ends; the straight line's midpoint is shorter
    assert mid_lerp.norm() < 0.85 * min(a.norm(), b.norm()) < mid_slerp.norm()
    with pytest.raises(ValueError, match="t must be between 0"):
        interpolate_latents(a, b, 1.5)
    with pytest.raises(ValueError, match="same shape"):
        interpolate_latents(a, b[:3], 0.5)


def test_latent_explorer_redraws_from_its_controls():
    import torch

    from gan_lessons import Generator
    from gan_lessons.widgets import latent_explorer

    torch.manual_seed(0)
    G = Generator(latent_dim=8, width=8)
    G.train()
    box = latent_explorer(G, seed_a=0, seed_b=1, dims=(0, 5))
    assert isinstance(box, W.VBox) and len(box.sliders) == 2 and box.image.value[:4] == b"\x89PNG"
    z_a = box.state["z"].clone()
    torch.testing.assert_close(z_a, torch.randn(8, generator=torch.Generator().manual_seed(0)))
    first = box.state["image"].copy()
    box.t.value = 1.0
    torch.testing.assert_close(box.state["z"], torch.randn(8, generator=torch.Generator().manual_seed(1)))
    assert not np.allclose(box.state["image"], first)
    box.t.value = 0.0
    box.sliders[1].value = 2.0  # along z[5]
    expected = z_a.clone()
    expected[5] += 2.0
    torch.testing.assert_close(box.state["z"], expected)
    box.seed_a.value = 7
    assert not torch.allclose(box.state["z"][:5], z_a[:5])
    assert G.training, "the explorer restores the generator's mode"
    assert len(box.redraw_ms) == 5 and all(ms > 0 for ms in box.redraw_ms)


def test_latent_explorer_rejects_bad_input():
    import torch

    from gan_lessons import Generator
    from gan_lessons.widgets import latent_explorer

    G = Generator(latent_dim=8, width=8)
    with pytest.raises(ValueError, match="expects a generator with a `latent_dim`"):
        latent_explorer(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="dims must be latent indices between 0 and 7; got \\[9\\]"):
        latent_explorer(G, dims=[9])
    with pytest.raises(ValueError, match=r"directions must be a \(k, 8\) array"):
        latent_explorer(G, directions=np.ones((2, 3)))
    box = latent_explorer(G, directions=np.ones((1, 8)) / np.sqrt(8))
    assert [s.description for s in box.sliders] == ["dir 0"]


# -- conditional_explorer (used in 10_conditional_gan) ------------------------------------------------


def test_conditional_explorer_redraws_from_its_controls():
    import torch

    from gan_lessons.conditional import ConditionalGenerator
    from gan_lessons.widgets import conditional_explorer

    torch.manual_seed(0)
    G = ConditionalGenerator(latent_dim=8, width=8)
    G.train()
    box = conditional_explorer(G, digit=7, dims=(0, 5))
    assert (
        box.image.value[:4] == b"\x89PNG"
        and box.state["label"] == 7
        and box.state["row"].shape == (10, 28, 28)
    )
    first, z_a = box.state["image"].copy(), box.state["z"].clone()
    torch.testing.assert_close(z_a, torch.randn(8, generator=torch.Generator().manual_seed(0)))
    box.digit.value = 3  # same z, another digit: another image
    assert box.state["label"] == 3 and not np.allclose(box.state["image"], first)
    torch.testing.assert_close(box.state["z"], z_a)
    np.testing.assert_allclose(box.state["image"], box.state["row"][3], atol=1e-6)  # the row shows the same z
    box.sliders[1].value = 2.0
    expected = z_a.clone()
    expected[5] += 2.0
    torch.testing.assert_close(box.state["z"], expected)
    box.t.value = 1.0
    assert not torch.allclose(box.state["z"], expected)
    assert G.training, "the explorer restores the generator's mode"
    assert len(box.redraw_ms) == 4


def test_conditional_explorer_rejects_bad_input():
    from gan_lessons import Generator
    from gan_lessons.conditional import ConditionalGenerator
    from gan_lessons.widgets import conditional_explorer

    with pytest.raises(ValueError, match="class-conditional generator"):
        conditional_explorer(Generator(latent_dim=8, width=8))
    with pytest.raises(ValueError, match="Unknown label 10"):
        conditional_explorer(ConditionalGenerator(latent_dim=8, width=8), digit=10)


# -- issue 25: G steps, the speed menu, the model overview, your own data, snapshots ---------------


def lit(pg) -> set:
    """The parts of the model overview that are lit."""
    return {k for k in "zGxD" if f"gl-node-{k} gl-active" in pg.overview.value}


def test_g_steps_slider_is_live_and_the_step_button_uses_it(pg):
    pg.g_steps.value = 3
    assert pg.gan.settings.g_steps == 3
    pg.step_button.click()
    assert (pg.gan.d_step_count, pg.gan.g_step_count) == (1, 3)
    assert "1 D update(s), then 3 G update(s)" in pg.overview.value


def test_the_overview_lights_the_network_each_step_and_control_changes(pg):
    pg.step_d_button.click()
    assert lit(pg) == {"x", "D"}
    pg.step_g_button.click()
    assert lit(pg) == {"z", "G", "D"}
    pg.lr_d.value = 3e-3
    assert lit(pg) == {"D"}
    pg.g_steps.value = 2
    assert lit(pg) == {"G"}
    pg.preset.value = "grid"
    assert lit(pg) == {"x"} and "fresh networks" in pg.overview.value
    with pytest.raises(ValueError, match="Unknown parts"):
        model_overview_html({"E"})


def test_speed_menu_sets_the_pace_and_slow_mode_is_slow(pg):
    assert pg.pace() == (0, 0.0)
    pg.speed.value = "10"
    assert pg.pace()[0] == 10
    pg.speed.value = "slow"
    assert pg.pace() == (1, 0.5)
    pg.play()
    time.sleep(1.6)
    pg.pause()
    assert 1 <= pg.gan.iteration <= 5  # 2 frames/s, one iteration each (auto mode does hundreds)


def test_a_drawing_becomes_the_data_in_the_menu(pg):
    pts = np.stack([np.linspace(-1, 1, 15), np.linspace(-1, 1, 15) ** 2], 1).round(3)
    pg.draw_points.value = "\n".join(f"{x}, {y}" for x, y in pts)
    assert pg.preset.value == "drawing" and ("your drawing (15 points)", "drawing") in pg.preset.options
    assert pg.gan.settings.preset == "custom"
    np.testing.assert_allclose(pg.gan.data.centers, pts)
    pg.step_button.click()  # and it trains on it
    assert pg.gan.iteration == 1
    pg.preset.value = "ring"  # the presets are still there
    assert pg.gan.data.name == "ring"
    pg.preset.value = "drawing"  # and so is the drawing
    np.testing.assert_allclose(pg.gan.data.centers, pts)


def test_a_bad_drawing_is_shown_and_the_data_kept(pg):
    pg.draw_points.value = "0.1, 0.2\n0.3, 0.4"
    assert "only 2 point(s)" in pg.data_message.value and "gl-data-error" in pg.data_message.value
    assert pg.gan.data.name == "ring"


def _upload(pg, name: str, content: bytes) -> None:
    pg.upload.value = (
        {
            "name": name,
            "type": "",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 12, 6),
        },
    )


def test_a_file_becomes_the_data_in_the_menu(pg):
    import io

    pts = np.stack([np.cos(np.arange(20)), np.sin(np.arange(20))], 1)
    buffer = io.BytesIO()
    np.save(buffer, pts)
    _upload(pg, "circle.npy", buffer.getvalue())
    assert pg.preset.value == "file" and pg.gan.settings.preset == "custom"
    np.testing.assert_allclose(pg.gan.data.centers, pts)
    assert "circle.npy: 20 points" in pg.data_message.value


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("few.csv", b"1,2\n3,4\n", "only 2 point(s)"),
        ("wide.csv", b"1,2,3\n" * 12, "got shape (12, 3)"),
        ("nan.csv", b"1,2\n" * 11 + b"nan,1\n", "hold NaN or infinite values"),
        ("junk.npy", b"junk", "Could not read points from 'junk.npy'"),
        ("points.json", b"[]", "is not a .csv, .txt or .npy file"),
    ],
)
def test_a_bad_file_is_shown_and_the_data_kept(pg, name, content, message):
    _upload(pg, name, content)
    assert message in pg.data_message.value
    assert pg.gan.data.name == "ring" and pg.error is None


def test_snapshot_buttons_save_and_load_the_game(pg, tmp_path):
    pg.g_steps.value = 2
    pg.run(5)
    pg.snapshot_path.value = str(tmp_path / "mine.pt")
    pg.save_button.click()
    assert "saved mine.pt at iteration 10" in pg.status.value
    pg.preset.value = "spiral"
    pg.g_steps.value = 1
    assert pg.gan.iteration == 0
    pg.load_button.click()
    assert pg.gan.iteration == 10 and pg.gan.data.name == "ring"
    assert (pg.preset.value, pg.g_steps.value) == ("ring", 2)  # the controls follow the snapshot
    assert lit(pg) == {"z", "G", "x", "D"}
    pg.snapshot_path.value = str(tmp_path / "none.pt")
    pg.load_button.click()
    assert "No playground snapshot" in pg.status.value and pg.gan.iteration == 10


def test_start_from_a_shipped_snapshot(pg):
    name = "toy_spiral_mid.pt"
    pg.start_from.value = name
    recipe = SHIPPED_SNAPSHOT_RECIPES[name]
    assert pg.error is None and pg.gan.iteration == recipe["iterations"]
    assert pg.preset.value == "spiral" and pg.start_from.value == ""
    pg.run(3)
    pg.start_from.value = name  # the same snapshot again: back to its iteration
    assert pg.gan.iteration == recipe["iterations"]
