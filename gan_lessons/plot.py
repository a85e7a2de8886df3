"""Plots: image grids, loss curves, D-output curves, samples over training (introduced in
05_dcgan_mnist); the toy GAN's live view and its GIF export (04_toy_gan_playground); and the
fast redraw that every live widget uses (`BlitFigure`, `png_bytes`).

Imports: plot -> config, trackers (the history's evaluation table), validate; toy2d only for type hints.
gan_lessons.widgets builds its dashboards on top of this module.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torchvision.utils import make_grid

from .config import single_thread
from .losses import get_loss
from .trackers import eval_table
from .validate import int_in_range, positive_int

if TYPE_CHECKING:
    from .toy2d import ToyGAN


def image_grid(images: torch.Tensor | np.ndarray, nrow: int = 8) -> np.ndarray:
    """A (H, W) array in [0, 1] tiling images given as (N, 1, 28, 28) or (N, 28, 28), float in [-1, 1] or uint8."""
    x = torch.as_tensor(np.asarray(images) if isinstance(images, np.ndarray) else images).detach().cpu()
    if x.dim() == 3:
        x = x.unsqueeze(1)
    if x.dim() != 4:
        raise ValueError(
            f"image_grid expects images of shape (N, 1, H, W) or (N, H, W); got {tuple(x.shape)}."
        )
    x = x.float() / 255.0 if x.dtype == torch.uint8 else (x.float() + 1) / 2
    grid = make_grid(x.clamp(0, 1), nrow=nrow, padding=2, pad_value=1.0)
    return grid[0].numpy()


def _detached(fig: Figure) -> Figure:
    """`fig`, closed in pyplot: the figure helpers' one contract. A helper that makes a figure returns it and
    does not also leave it open in pyplot, where the notebook's inline backend would show it a second time
    when the cell ends (chapter 05's grids were drawn twice). The cell shows it once: as its last
    expression, or with `display(fig)` in the middle of a cell; a script calls `fig.savefig(...)`."""
    plt.close(fig)
    return fig


def show_images(images, nrow: int = 8, title: str | None = None, ax=None) -> Figure | None:
    """Draw a grid of digits. Without `ax`: a new Figure, returned (and closed in pyplot, so a cell shows it
    once). With `ax`: drawn into your axes, whose figure you show; returns None."""
    fig = None
    if ax is None:
        n = len(images)
        rows = int(np.ceil(n / nrow))
        fig, ax = plt.subplots(figsize=(min(nrow, n) * 0.6 + 0.4, rows * 0.6 + 0.6))
    ax.imshow(image_grid(images, nrow), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return None if fig is None else _detached(fig)


def _smooth(values, window: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_history(history: dict, smooth: int = 20, loss: str | None = None):
    """Loss curves, mean D(x) and D(G(z)), and FID when the history has it, against the step; returns the Figure
    (closed in pyplot: the cell shows it once). `loss` (the run's loss family, `run.config.loss`) sets the
    reading of D's panel: a probability in [0, 1] for the logit families, a raw score for the others (such as
    the default, RpGAN); None: a logit family (the probability)."""
    steps = np.asarray(history["step"])
    if len(steps) == 0:
        raise ValueError("The history is empty: train for at least one step before plotting it.")
    window = min(smooth, max(1, len(steps) // 5))
    x = steps[window - 1 :] if window > 1 else steps
    evals = eval_table(history)
    fid_rows = [(s, v) for s, v in zip(evals["step"], evals.get("fid", [])) if np.isfinite(v)]
    has_fid = bool(fid_rows)
    fig, axes = plt.subplots(1, 3 if has_fid else 2, figsize=(16 if has_fid else 11, 3.5))
    ax_loss, ax_d = axes[0], axes[1]
    ax_loss.plot(x, _smooth(history["d_loss"], window), label="D loss")
    ax_loss.plot(x, _smooth(history["g_loss"], window), label="G loss")
    family = get_loss(loss) if loss is not None else None
    if family is None or family.d_output == "logit":
        ax_loss.axhline(2 * np.log(2), color="gray", ls=":", lw=1, label="D loss at D = 1/2 (2 log 2)")
    else:  # the D loss of a D that scores every image 0, so cannot tell real from fake (RpGAN: log 2)
        undecided = float(family.d_loss(torch.zeros(2), torch.zeros(2)))
        ax_loss.axhline(
            undecided, color="gray", ls=":", lw=1, label=f"D loss of an undecided D ({undecided:.2f})"
        )
    ax_loss.set(xlabel="step", ylabel="loss", title="Losses (moving average)")
    ax_loss.legend(fontsize=8)
    probability = family is None or family.d_output == "logit"
    what = "D(x)" if probability else "score"
    ax_d.plot(x, _smooth(history["d_real"], window), label=f"mean {what}, real")
    ax_d.plot(x, _smooth(history["d_fake"], window), label=f"mean {what}, fake")
    if probability:
        ax_d.axhline(0.5, color="gray", ls=":", lw=1)
        ax_d.set(ylabel="D output", ylim=(0, 1))
    else:
        ax_d.set(ylabel=f"D's raw score ({family.label})")
    ax_d.set(xlabel="step", title="What D says")
    ax_d.legend(fontsize=8)
    if has_fid:
        axes[2].plot(*zip(*fid_rows), "o-")
        axes[2].set(xlabel="step", ylabel="FID (LeNet features)", yscale="log", title="FID (lower is better)")
    fig.tight_layout()
    return _detached(fig)


def plot_diagnostics(history: dict):
    """The figure of `trackers.diagnose` (08_training_pitfalls): D(x) and D(G(z)), G's gradient norm, FID,
    and class coverage/recall over training, from any history; panels without data say so."""
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.2))
    steps = history.get("step", [])
    ax = axes[0]
    ax.plot(steps, history.get("d_real", []), label="D(x)")
    ax.plot(steps, history.get("d_fake", []), label="D(G(z))")
    ax.set(title="D's outputs", xlabel="step")
    ax.legend()
    g = history.get("g_grad_norm") or []
    axes[1].semilogy(range(1, len(g) + 1), np.maximum(np.asarray(g, dtype=float), 1e-12)) if g else None
    axes[1].set(title="G's gradient norm", xlabel="step")
    evals = eval_table(history)
    ev = np.asarray(evals["step"])

    def column(name: str) -> np.ndarray:  # NaN where a row did not measure it: matplotlib leaves a gap
        return np.asarray(evals.get(name, [np.nan] * len(ev)), dtype=float)

    if np.isfinite(column("fid")).any():
        axes[2].plot(ev, column("fid"), "o-")
    axes[2].set(title="FID (LeNet features)", xlabel="step")
    if np.isfinite(column("num_covered")).any():
        axes[3].plot(ev, column("num_covered"), "o-", label="digits covered (of 10)")
        axes[3].plot(ev, 10 * column("recall"), "s--", label="recall x 10")
        axes[3].legend()
    axes[3].set(title="coverage and recall", xlabel="step")
    for a in axes[1:]:
        if not a.lines:
            a.text(0.5, 0.5, "not recorded", ha="center", va="center", transform=a.transAxes)
    fig.tight_layout()
    return _detached(fig)


def plot_toy_runs(runs: dict, window: int = 25):
    """For each toy run (label -> ToyGAN): its losses against the G step, and its samples over the real
    data; one row per run. Chapter 04's "diagnose a run" exercise. Returns the Figure."""
    fig, axes = plt.subplots(len(runs), 2, figsize=(10, 3.2 * len(runs)), squeeze=False)
    for (label, gan), (ax_loss, ax_pts) in zip(runs.items(), axes):
        h = gan.history
        w = min(window, max(1, len(h["step"]) // 5))
        x = np.asarray(h["step"])[w - 1 :] if w > 1 else np.asarray(h["step"])
        ax_loss.plot(x, _smooth(h["d_loss"], w), label="D loss")
        ax_loss.plot(x, _smooth(h["g_loss"], w), label="G loss")
        ax_loss.set(xlabel="G step", ylabel="loss", title=f"Run {label}: losses (moving average)")
        ax_loss.legend(fontsize=8)
        real, fake = gan.real_samples(), gan.samples()
        ax_pts.scatter(real[:, 0], real[:, 1], s=3, c="tab:green", alpha=0.4, label="real")
        ax_pts.scatter(fake[:, 0], fake[:, 1], s=3, c="tab:purple", alpha=0.6, label="G's samples")
        ax_pts.set(title=f"Run {label}: samples at the end", aspect="equal", xlim=(-3, 3), ylim=(-3, 3))
        ax_pts.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return _detached(fig)


def show_sample_progress(history: dict, max_grids: int = 6, n: int = 16):
    """The fixed-noise samples at up to `max_grids` points of training, side by side; returns the Figure."""
    steps, samples = history["sample_steps"], history["samples"]
    if not samples:
        raise ValueError("No samples in the history yet: train first.")
    picks = np.unique(np.linspace(0, len(samples) - 1, min(max_grids, len(samples))).round().astype(int))
    fig, axes = plt.subplots(1, len(picks), figsize=(2.2 * len(picks), 2.5), squeeze=False)
    for ax, i in zip(axes[0], picks):
        show_images(samples[i][:n], nrow=int(np.sqrt(n)), title=f"step {steps[i]}", ax=ax)
    fig.tight_layout()
    return _detached(fig)


# ----------------------------------------------------------------------------------------------
# Live figures: PNG encoding and blitting, shared by every widget
# ----------------------------------------------------------------------------------------------


def png_bytes(image, fmt: str = "png", scale: int = 1) -> bytes:
    """Encode an image as PNG (or JPEG) bytes, for an ipywidgets.Image or a file.

    `image` is an array, (H, W) grey or (H, W, 3|4) colour, uint8 or floats in [0, 1], or a
    matplotlib Figure (drawn in full on an Agg canvas). `scale` repeats each pixel scale x scale
    times (crisp enlargement of small digits). The alpha channel is dropped: the figures are opaque.
    PNG uses zlib level 1: a live view's frame compresses several times faster than at the default."""
    if isinstance(image, Figure):
        canvas = image.canvas if isinstance(image.canvas, FigureCanvasAgg) else FigureCanvasAgg(image)
        canvas.draw()
        image = np.asarray(canvas.buffer_rgba())
    pixels = np.asarray(image)
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (3, 4)):
        raise ValueError(
            f"png_bytes expects an (H, W), (H, W, 3) or (H, W, 4) image or a Figure; got shape {pixels.shape}."
        )
    if pixels.dtype != np.uint8:
        pixels = (np.clip(pixels, 0, 1) * 255).astype(np.uint8)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[..., :3]
    positive_int("scale", scale)
    if scale > 1:
        pixels = pixels.repeat(scale, 0).repeat(scale, 1)
    from PIL import Image

    buf = io.BytesIO()
    if fmt == "png":
        Image.fromarray(pixels).save(buf, format="png", compress_level=1)
    elif fmt in ("jpeg", "jpg"):
        Image.fromarray(pixels).save(buf, format="jpeg", quality=90)
    else:
        raise ValueError(f"fmt must be 'png' or 'jpeg'; got {fmt!r}.")
    return buf.getvalue()


class BlitFigure:
    """A matplotlib Figure on an Agg canvas, redrawn fast by blitting.

    The static parts (axes, ticks, labels, legends that do not move) are drawn once and cached;
    each frame restores that background and draws only the `animated` artists on top. The cache
    is redrawn when `draw(key)` gets a new key: pass what the static parts depend on (axis limits,
    labels), or call `invalidate()`.

        blit = BlitFigure(fig, [line, title])   # marks them animated
        line.set_ydata(y); image.value = blit.png()
    """

    def __init__(self, fig: Figure, animated: Iterable = ()):
        self.fig = fig
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self.animated: list = []
        self.set_animated(animated)
        self._background = None
        self._key = None
        self.full_draws = 0  # how often the cached background had to be redrawn

    def set_animated(self, artists: Iterable) -> None:
        """The artists redrawn each frame (in this order); the cache is redrawn next frame."""
        self.animated = list(artists)
        for artist in self.animated:
            artist.set_animated(True)
        self.invalidate()

    def invalidate(self) -> None:
        self._background = None

    def draw(self, key=None) -> None:
        """Draw a frame on the canvas: the cached background, then the visible animated artists."""
        if self._background is None or key != self._key:
            self.canvas.draw()  # everything but the animated artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._key = key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def to_array(self, key=None) -> np.ndarray:
        """Draw a frame and return it as an (H, W, 4) uint8 RGBA array (a copy)."""
        self.draw(key)
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def png(self, key=None, fmt: str = "png") -> bytes:
        """Draw a frame and return it as PNG (or JPEG) bytes."""
        self.draw(key)
        return png_bytes(np.asarray(self.canvas.buffer_rgba()), fmt=fmt)


# ----------------------------------------------------------------------------------------------
# The toy GAN's live view (04_toy_gan_playground): one figure, updated in place
# ----------------------------------------------------------------------------------------------


def _loss_title(history: dict, state: dict) -> str:
    """The playground's loss-panel title: "losses: not started" before the first step (the stepper's last
    losses are NaN then), else "losses (D 0.693, G 0.693)". A NaN after a step is shown: the run diverged."""
    if not history["step"]:
        return "losses: not started"
    return f"losses (D {state['d_loss']:.3f}, G {state['g_loss']:.3f})"


class PlaygroundFigure:
    """The playground's picture, one matplotlib figure whose artists are updated in place.

    Left: D's output as a heatmap, real points, fakes, G's manifold (the image of a latent grid)
    and optionally the arrows along which G's loss pushes each fake. Right: the loss curves, and below
    them KL and JS between real and fake points on a grid (`ToyGAN.divergence_history`).
    `render(gan)` returns PNG bytes (for an ipywidgets.Image or a GIF frame). The heatmap and the
    titles follow the loss family (gan_lessons.losses.LOSSES): D's probability for a logit family,
    the raw score, scaled, for a score family.

    Speed: axes, ticks and labels are drawn once and cached (`BlitFigure`); each frame redraws only
    the moving artists. The cache is redrawn when the loss plot's limits change, which they do in
    steps (x every 250 iterations, y only when a loss leaves the range).
    """

    def __init__(self, gan: ToyGAN, dpi: int = 72, res: int = 48, manifold_res: int = 13):
        self.res, self.manifold_res = res, manifold_res
        self.fig = Figure(figsize=(9.6, 4.4), dpi=dpi)
        self.blit = BlitFigure(self.fig)
        grid = self.fig.add_gridspec(2, 2, width_ratios=[1.15, 1], height_ratios=[1.3, 1])
        self.ax = self.fig.add_subplot(grid[:, 0])
        self.ax_loss = self.fig.add_subplot(grid[0, 1])
        self.ax_div = self.fig.add_subplot(grid[1, 1], sharex=self.ax_loss)
        self.fig.subplots_adjust(left=0.05, right=0.98, top=0.93, bottom=0.1, wspace=0.22, hspace=0.45)
        self.cbar = None
        self.show_grads = False
        self.show_manifold = True
        self._layout_for = None
        self.update(gan)

    @property
    def full_draws(self) -> int:
        """How often the cached background had to be redrawn."""
        return self.blit.full_draws

    def _layout_key(self, gan: ToyGAN):
        return (gan.data.name, gan.settings.latent_dim, round(float(gan.data.extent), 3), id(gan.data))

    def _build_artists(self, gan: ToyGAN) -> None:
        ax, e = self.ax, gan.data.extent
        ax.clear()
        self.heat = ax.imshow(
            np.zeros((self.res, self.res)),
            extent=(-e, e, -e, e),
            origin="lower",
            cmap="RdBu",
            vmin=0,
            vmax=1,
            interpolation="bilinear",
            alpha=0.9,
            animated=True,
        )
        if self.cbar is None:
            self.cbar = self.fig.colorbar(self.heat, ax=ax, fraction=0.046, pad=0.02)
        else:
            self.cbar.update_normal(self.heat)
        self.real = ax.scatter([], [], s=5, c="#1a9641", label="real", zorder=3, linewidths=0, animated=True)
        self.fake = ax.scatter(
            [], [], s=5, c="#7b3294", label="fake G(z)", zorder=4, linewidths=0, animated=True
        )
        self.manifold_lines = ax.plot(
            np.full((2, 2 * self.manifold_res), np.nan),
            np.full((2, 2 * self.manifold_res), np.nan),
            color="#7b3294",
            lw=0.5,
            alpha=0.45,
            zorder=2,
            animated=True,
        )
        pts, dirs = np.zeros((64, 2)), np.zeros((64, 2))
        self.quiver = ax.quiver(
            pts[:, 0],
            pts[:, 1],
            dirs[:, 0],
            dirs[:, 1],
            color="black",
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.004,
            zorder=5,
            animated=True,
        )
        ax.set(xlim=(-e, e), ylim=(-e, e), aspect="equal")
        ax.tick_params(labelsize=7)
        self.legend = ax.legend(
            handles=[self.real, self.fake], loc="upper right", fontsize=7, markerscale=2.5, framealpha=0.7
        )
        self.title = ax.set_title("", fontsize=9)
        axl = self.ax_loss
        axl.clear()
        (self.d_line,) = axl.plot([], [], lw=1, label="D loss", animated=True)
        (self.g_line,) = axl.plot([], [], lw=1, label="G loss", animated=True)
        axl.tick_params(labelsize=7)
        axl.legend(loc="upper right", fontsize=7)
        self.loss_title = axl.set_title("losses", fontsize=9)
        self._ylim = None
        axd = self.ax_div
        axd.clear()
        (self.kl_line,) = axd.plot([], [], lw=1, color="C2", label="KL(p_data ‖ p_g)", animated=True)
        (self.js_line,) = axd.plot([], [], lw=1, color="C3", label="JS", animated=True)
        axd.axhline(np.log(2), color="C3", lw=0.6, ls=":")  # JS's ceiling: disjoint supports
        axd.set_xlabel("iteration", fontsize=8)
        axd.tick_params(labelsize=7)
        axd.legend(loc="upper right", fontsize=7)
        self.div_title = axd.set_title("divergences on a 20 x 20 grid (nats)", fontsize=9)
        self._div_ylim = None
        self.blit.set_animated(  # the legend too: it is drawn above the heatmap, redrawn each frame
            [
                self.heat,
                *self.manifold_lines,
                self.real,
                self.fake,
                self.quiver,
                self.legend,
                self.title,
                self.d_line,
                self.g_line,
                self.loss_title,
                self.kl_line,
                self.js_line,
                self.div_title,
            ]
        )
        self._layout_for = self._layout_key(gan)

    def update(self, gan: ToyGAN) -> None:
        """Refresh every artist from the stepper's current state (no new artists)."""
        with single_thread():
            self._update(gan)

    def _update(self, gan: ToyGAN) -> None:
        if self._layout_key(gan) != self._layout_for:
            self._build_artists(gan)
        self.real.set_offsets(gan.real_samples())
        family = gan.family
        _, _, values = gan.d_grid(self.res)  # D's probability for a logit family, else its raw score
        if family.d_output == "logit":
            label = "D(x) = P(real)"
        else:  # raw scores: scaled to [0, 1] for the colours
            lo, hi = float(values.min()), float(values.max())
            values = (values - lo) / (hi - lo if hi > lo else 1.0)
            label = "D's score, scaled: low → high"
        self.heat.set_data(values)
        if self.cbar.ax.get_ylabel() != label:
            self.cbar.set_label(label, fontsize=8)
        self.fake.set_offsets(gan.samples())
        if self.show_manifold:
            m = gan.manifold(self.manifold_res)
            lines = [m[i] for i in range(m.shape[0])] + (
                [m[:, j] for j in range(m.shape[1])] if m.shape[0] > 1 else []
            )
        else:
            lines = []
        for i, line in enumerate(self.manifold_lines):
            if i < len(lines):
                line.set_data(lines[i][:, 0], lines[i][:, 1])
            else:
                line.set_data([], [])
        if self.show_grads:
            pts, dirs = gan.gradient_field(64)
            norms = np.linalg.norm(dirs, axis=1, keepdims=True)
            scale = 0.25 * gan.data.extent / max(float(norms.max()), 1e-12)  # longest arrow: 1/8 of the view
            self.quiver.set_offsets(pts)
            self.quiver.set_UVC(dirs[:, 0] * scale, dirs[:, 1] * scale)
            self.quiver.set_visible(True)
        else:
            self.quiver.set_visible(False)
        st = gan.state()
        self.title.set_text(f"{gan.data.name} · {family.label} · iteration {st['iteration']}")
        h = gan.history
        steps = np.asarray(h["step"])
        self.d_line.set_data(steps, h["d_loss"])
        self.g_line.set_data(steps, h["g_loss"])
        last = int(steps[-1]) if len(steps) else 0
        xmax = max(250, int(np.ceil(last / 250)) * 250)
        self.ax_loss.set_xlim(max(0, xmax - 2000), xmax)
        if len(steps):
            window = steps > xmax - 2000
            ys = np.concatenate([np.asarray(h["d_loss"])[window], np.asarray(h["g_loss"])[window]])
            ys = ys[np.isfinite(ys)]
            if len(ys):
                lo, hi = float(ys.min()), float(ys.max())
                if self._ylim is None or lo < self._ylim[0] or hi > self._ylim[1]:
                    pad = 0.15 * (hi - lo) + 0.05
                    cur = self._ylim or (lo, hi)
                    self._ylim = (min(cur[0], lo) - pad, max(cur[1], hi) + pad)
                    self.ax_loss.set_ylim(*self._ylim)
        self.loss_title.set_text(_loss_title(h, st))
        dh = gan.divergence_history
        self.kl_line.set_data(dh["step"], dh["kl"])
        self.js_line.set_data(dh["step"], dh["js"])
        if dh["step"]:
            top = max(np.log(2), max(dh["kl"][-200:]))
            if self._div_ylim is None or top > self._div_ylim[1] or top < self._div_ylim[1] / 3:
                self._div_ylim = (0.0, 1.15 * top)  # grows at once, shrinks in steps of 3x (few full redraws)
                self.ax_div.set_ylim(*self._div_ylim)
            self.div_title.set_text(
                f"divergences on a 20 x 20 grid (KL {dh['kl'][-1]:.2f}, JS {dh['js'][-1]:.2f} nats)"
            )

    def _background_key(self):
        """What the cached background depends on: the layout, the plots' limits, the colour bar's label."""
        return (
            self._layout_for,
            self.ax_loss.get_xlim(),
            self.ax_loss.get_ylim(),
            self.ax_div.get_ylim(),
            self.cbar.ax.get_ylabel(),
        )

    def render(self, gan: ToyGAN | None = None, fmt: str = "png") -> bytes:
        """Update (when given the stepper) and return the figure as PNG (or JPEG) bytes."""
        if fmt not in ("png", "jpeg", "jpg"):
            raise ValueError(f"fmt must be 'png' or 'jpeg'; got {fmt!r}.")
        return png_bytes(self.to_array(gan), fmt=fmt)

    def to_array(self, gan: ToyGAN | None = None) -> np.ndarray:
        """The figure as an (H, W, 4) uint8 RGBA array."""
        if gan is not None:
            self.update(gan)
        with single_thread():
            return self.blit.to_array(self._background_key())


def save_gif(
    gan: ToyGAN,
    path,
    frames: int = 30,
    steps_per_frame: int = 20,
    fps: int = 8,
    figure: PlaygroundFigure | None = None,
    show_grads: bool = False,
):
    """Train `gan` for frames x steps_per_frame iterations and save the views as an animated GIF.

    Returns the path. Uses Pillow, which ships with matplotlib."""
    from pathlib import Path

    from PIL import Image

    int_in_range("frames", frames, 1, 2000)
    int_in_range("steps_per_frame", steps_per_frame, 0, 10**6)
    int_in_range("fps", fps, 1, 60)
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"save_gif writes a .gif file; got {str(path)!r}. Use a name ending in .gif.")
    fig = figure or PlaygroundFigure(gan)
    old = fig.show_grads
    fig.show_grads = show_grads or old
    images = []
    try:
        for i in range(frames):
            if i and steps_per_frame:
                gan.step(steps_per_frame)
            rgba = fig.to_array(gan)
            images.append(
                Image.fromarray(rgba[..., :3]).convert("P", palette=Image.Palette.ADAPTIVE, colors=128)
            )
    finally:
        fig.show_grads = old
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return path


__all__ = [
    "image_grid",
    "show_images",
    "plot_history",
    "plot_diagnostics",
    "plot_toy_runs",
    "show_sample_progress",
    "PlaygroundFigure",
    "save_gif",
]
