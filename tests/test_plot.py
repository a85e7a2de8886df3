"""gan_lessons.plot: image grids and training plots (05), the toy GAN's live view and GIF (04), and the
blit renderer and PNG encoder that every live widget shares."""

import io
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from gan_lessons import (
    PlaygroundFigure,
    ToyGAN,
    image_grid,
    plot_history,
    save_gif,
    show_images,
    show_sample_progress,
)
from gan_lessons.losses import LOSSES
from gan_lessons.plot import BlitFigure, png_bytes


def test_image_grid_accepts_floats_uint8_and_numpy():
    floats = torch.full((6, 1, 28, 28), -1.0)
    floats[0] = 1.0
    grid = image_grid(floats, nrow=3)
    assert grid.shape == (2 * 30 + 2, 3 * 30 + 2)  # 2 rows x 3 columns of 28 px with 2-px padding
    assert grid.min() == 0.0 and grid.max() == 1.0
    assert np.allclose(image_grid(np.zeros((4, 28, 28), dtype=np.uint8), nrow=2)[2:30, 2:30], 0)
    with pytest.raises(ValueError, match=r"shape \(N, 1, H, W\) or \(N, H, W\); got \(784,\)"):
        image_grid(torch.zeros(784))


def _history(with_fid: bool) -> dict:
    n = 50
    h = {
        "step": list(range(1, n + 1)),
        "d_loss": [1.0] * n,
        "g_loss": [2.0] * n,
        "d_real": [0.7] * n,
        "d_fake": [0.3] * n,
        "sample_steps": [0, 25, 50],
        "samples": [torch.zeros(16, 1, 28, 28, dtype=torch.uint8)] * 3,
    }
    if with_fid:
        h |= {"evals": {"step": [25, 50], "fid": [300.0, 200.0]}}
    return h


@pytest.mark.parametrize("with_fid, panels", [(False, 2), (True, 3)])
def test_plot_history_panels(with_fid, panels):
    fig = plot_history(_history(with_fid))
    assert len(fig.axes) == panels
    assert fig.axes[1].get_ylim() == (0, 1)
    plt.close(fig)


def test_plot_history_reads_a_score_family_as_scores():
    # RpGAN (the default loss) has raw scores: no [0, 1] axis; its undecided D's loss is log 2, not BCE's 2 log 2
    fig = plot_history(_history(False), loss="rpgan")
    assert fig.axes[1].get_ylim() != (0, 1) and "score" in fig.axes[1].get_ylabel()
    levels = [line.get_ydata()[0] for line in fig.axes[0].get_lines() if len(set(line.get_ydata())) == 1]
    assert any(abs(v - math.log(2)) < 1e-6 for v in levels) and not any(
        abs(v - 2 * math.log(2)) < 1e-6 for v in levels
    )
    plt.close(fig)
    fig = plot_history(_history(False), loss="nonsaturating")
    assert fig.axes[1].get_ylim() == (0, 1)
    plt.close(fig)


def test_sample_progress_and_show_images():
    fig = show_sample_progress(_history(False), max_grids=2)
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 50"]
    plt.close(fig)
    fig = show_images(torch.zeros(8, 1, 28, 28), title="t")
    assert fig.axes[0].get_title() == "t"
    plt.close(fig)


def test_empty_history_is_explained():
    empty = {k: [] for k in ("step", "d_loss", "g_loss", "d_real", "d_fake", "sample_steps", "samples")}
    with pytest.raises(ValueError, match="train for at least one step"):
        plot_history(empty)
    with pytest.raises(ValueError, match="No samples"):
        show_sample_progress(empty)


# -- png_bytes and BlitFigure: the one renderer of the live widgets ------------------------------


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im)


def test_png_bytes_encodes_arrays_and_figures():
    grey = np.array([[0.0, 0.5], [1.0, 2.0]])  # floats in [0, 1], clipped
    data = png_bytes(grey, scale=3)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _decode(data)
    assert pixels.shape == (6, 6) and pixels[0, 0] == 0 and pixels[5, 5] == 255 and pixels[0, 3] == 127
    rgba = np.zeros((4, 5, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    assert _decode(png_bytes(rgba)).shape == (4, 5, 3), "the alpha channel is dropped"
    assert png_bytes(rgba, fmt="jpeg")[:2] == b"\xff\xd8"
    fig = Figure(figsize=(1, 1), dpi=50)
    fig.add_subplot().plot([0, 1])
    assert _decode(png_bytes(fig)).shape == (50, 50, 3)
    with pytest.raises(ValueError, match="fmt must be 'png' or 'jpeg'"):
        png_bytes(rgba, fmt="gif")
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        png_bytes(np.zeros(3))
    with pytest.raises(ValueError, match="scale must be a positive integer"):
        png_bytes(grey, scale=0)


def test_blit_figure_draws_the_background_once_and_the_moving_artists_each_frame():
    fig = Figure(figsize=(2, 2), dpi=40)
    ax = fig.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    (line,) = ax.plot([0.2, 0.8], [0.3, 0.3], lw=4, color="red")  # away from spines and ticks
    blit = BlitFigure(fig, [line])
    assert line.get_animated()
    first = blit.to_array()
    line.set_ydata([0.6, 0.6])
    second = blit.to_array()
    assert blit.full_draws == 1, "the static parts are drawn once"
    assert (first != second).any()
    # the same picture as a full draw of the figure with the line in its new place
    line.set_animated(False)
    np.testing.assert_array_equal(_decode(png_bytes(fig)), second[..., :3])
    line.set_animated(True)
    blit.draw(key="new limits")  # a new key redraws the cached background
    assert blit.full_draws == 2
    blit.invalidate()
    assert _decode(blit.png("new limits")).shape == (80, 80, 3) and blit.full_draws == 3


# -- the toy GAN's live view and GIF (04_toy_gan_playground) ------------------------------------


def test_figure_updates_in_place_and_renders_png():
    gan = ToyGAN(batch_size=64)
    fig = PlaygroundFigure(gan)
    artists = (fig.heat, fig.fake, fig.d_line, fig.quiver)
    png1 = fig.render(gan)
    gan.step(20)
    fig.show_grads = True
    png2 = fig.render(gan)
    assert png1[:8] == b"\x89PNG\r\n\x1a\n" and png1 != png2
    assert (fig.heat, fig.fake, fig.d_line, fig.quiver) == artists, "no new artists per frame"
    assert len(fig.ax.images) == 1 and len(fig.fig.axes) == 4  # three panels and the colour bar
    np.testing.assert_allclose(fig.fake.get_offsets(), gan.samples())
    assert "iteration 20" in fig.title.get_text()
    assert fig.full_draws <= 2, "the background is cached between frames"
    gan.reset(latent_dim=1, preset="moons", loss="wgan_gp")
    fig.render(gan)
    assert len(fig.fig.axes) == 4 and "WGAN-GP" in fig.title.get_text()
    assert fig.render(gan, fmt="jpeg")[:2] == b"\xff\xd8"
    with pytest.raises(ValueError, match="fmt must be"):
        fig.render(gan, fmt="bmp")


def test_divergence_panel_plots_the_recorded_kl_and_js():
    gan = ToyGAN(batch_size=64)
    fig = PlaygroundFigure(gan)
    fig.render(gan)
    assert len(fig.kl_line.get_xdata()) == 0  # nothing recorded yet
    for _ in range(3):
        gan.step(10)
        gan.record_divergences()
    fig.render(gan)
    np.testing.assert_array_equal(fig.kl_line.get_xdata(), [10, 20, 30])
    np.testing.assert_allclose(fig.js_line.get_ydata(), gan.divergence_history["js"])
    kl, js = gan.divergence_history["kl"][-1], gan.divergence_history["js"][-1]
    assert f"KL {kl:.2f}, JS {js:.2f}" in fig.div_title.get_text()
    assert fig.ax_div.get_ylim()[1] >= max(gan.divergence_history["kl"])  # every point is in view


@pytest.mark.parametrize("loss", LOSSES)
def test_figure_follows_the_loss_family(loss):
    """The heatmap is D's probability for a logit family and the scaled raw score otherwise; the
    title is the registry's label: a new family needs no change here."""
    gan = ToyGAN(loss=loss, batch_size=32)
    gan.step(3)
    fig = PlaygroundFigure(gan)
    fig.render(gan)
    family = LOSSES[loss]
    assert family.label in fig.title.get_text()
    label = fig.cbar.ax.get_ylabel()
    values = np.asarray(fig.heat.get_array())
    assert values.min() >= 0 and values.max() <= 1
    if family.d_output == "logit":
        assert label == "D(x) = P(real)"
        np.testing.assert_allclose(values, gan.d_grid(fig.res)[2])
    else:
        assert "scaled" in label and values.min() == 0 and values.max() == 1


def test_save_gif(tmp_path):
    gan = ToyGAN(batch_size=64)
    path = save_gif(gan, tmp_path / "run.gif", frames=4, steps_per_frame=5)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 4
    assert gan.iteration == 15
    with pytest.raises(ValueError, match="ending in .gif"):
        save_gif(gan, tmp_path / "run.png", frames=2)
    with pytest.raises(ValueError, match="frames must be an integer between 1 and 2000; got 0"):
        save_gif(gan, tmp_path / "run.gif", frames=0)


def test_plot_diagnostics_draws_what_is_recorded():
    from gan_lessons import plot_diagnostics

    h = {"step": [1, 2, 3], "d_real": [0.5, 0.6, 0.7], "d_fake": [0.5, 0.4, 0.3]}
    fig = plot_diagnostics(h)
    assert len(fig.axes) == 4 and len(fig.axes[0].lines) == 2
    assert "not recorded" in [t.get_text() for t in fig.axes[2].texts]
    h |= {
        "g_grad_norm": [1.0, 0.5, 0.1],
        "evals": {"step": [3], "fid": [20.0], "num_covered": [9], "recall": [0.5]},
    }
    fig = plot_diagnostics(h)
    assert all(ax.lines for ax in fig.axes)
    # A FIDTracker's table (FID only, no coverage) on the same figure: the coverage panel says so.
    fig = plot_diagnostics({**h, "evals": {"step": [3, 6], "fid": [20.0, 15.0]}})
    assert fig.axes[2].lines and "not recorded" in [t.get_text() for t in fig.axes[3].texts]


def test_plot_toy_runs_draws_two_panels_per_run():
    import matplotlib.pyplot as plt

    from gan_lessons import ToyGAN, plot_toy_runs

    runs = {"A": ToyGAN("ring", seed=0), "B": ToyGAN("ring", seed=1)}
    for gan in runs.values():
        gan.step(10)
    fig = plot_toy_runs(runs)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(fig.axes) == 4 and titles[0].startswith("Run A") and titles[3].startswith("Run B")
    plt.close(fig)


def test_the_loss_title_says_not_started_before_the_first_step():
    """Before the first step the stepper's last losses are NaN: the title says "not started", not "D nan"."""
    gan = ToyGAN(batch_size=32)
    fig = PlaygroundFigure(gan)
    fig.render(gan)
    assert fig.loss_title.get_text() == "losses: not started"
    gan.step(2)
    fig.render(gan)
    text = fig.loss_title.get_text()
    assert text.startswith("losses (D ") and "nan" not in text, text
    gan.reset()
    fig.render(gan)
    assert fig.loss_title.get_text() == "losses: not started", "and again after a reset"


def test_each_figure_helper_returns_its_figure_and_leaves_none_open():
    """One display per figure: a helper returns the Figure it made and closes it in pyplot. Left open, the
    inline backend shows it when the cell ends, and the cell shows the returned Figure again (chapter 05's
    grids were drawn twice)."""
    from gan_lessons import ToyGAN, nearest_neighbours, plot_diagnostics, plot_toy_runs

    gan = ToyGAN("ring", seed=0)
    gan.step(3)
    images = torch.zeros(8, 1, 28, 28)
    calls = {
        "show_images": lambda: show_images(images, title="t"),
        "plot_history": lambda: plot_history(_history(True)),
        "plot_diagnostics": lambda: plot_diagnostics(_history(False)),
        "plot_toy_runs": lambda: plot_toy_runs({"A": gan}),
        "show_sample_progress": lambda: show_sample_progress(_history(False)),
        "NearestNeighbours.plot": lambda: nearest_neighbours(images[:2], images, k=2).plot(),
    }
    plt.close("all")
    for name, call in calls.items():
        fig = call()
        assert isinstance(fig, Figure) and fig.axes, f"{name} returns its Figure"
        assert plt.get_fignums() == [], f"{name} leaves its figure open in pyplot: it would show twice"
        assert _decode(png_bytes(fig)).ndim == 3, f"{name}'s figure still draws after it is closed"
    # Drawing into the caller's axes: the caller's figure shows it, the helper returns nothing to display.
    fig, ax = plt.subplots()
    assert show_images(images, ax=ax) is None and ax.images
    plt.close(fig)
