"""ipywidgets dashboards: the 1-D explorer (03), the toy GAN playground (04), the latent explorer (05),
the conditional explorer (10).

Each builder returns the widget without displaying it, so tests can drive its controls by setting
`.value`; the logic lives in plain functions of other modules, and the pictures in
gan_lessons.plot (`BlitFigure` redraws a live figure, `png_bytes` encodes it). ipywidgets itself
is imported only when a dashboard is built.

Imports: widgets -> plot, playground_html, toy2d, points2d, theory, losses, config; nothing imports widgets but
gan_lessons/__init__. The playground's model overview and drawing canvas (HTML and script): playground_html.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import numpy as np

from .config import single_thread
from .losses import LOSSES
from .playground_html import CONTROL_TARGETS, canvas_html, model_overview_html
from .plot import BlitFigure, PlaygroundFigure, image_grid, png_bytes, save_gif
from .points2d import PRESETS, load_points, modes_reached, parse_points
from .toy2d import OPTIMIZERS, SHIPPED_SNAPSHOT_RECIPES, ToyGAN, load_shipped_snapshot

if TYPE_CHECKING:
    import torch

#: The speed menu: key -> (label, iterations per frame (0: as many as fit a frame), shortest frame in seconds).
SPEEDS = {
    "auto": ("fastest (auto)", 0, 0.0),
    "100": ("100 iterations per frame", 100, 0.0),
    "10": ("10 iterations per frame", 10, 0.1),
    "1": ("1 iteration per frame", 1, 0.1),
    "slow": ("slow: 1 iteration, 2 frames/s", 1, 0.5),
}


def _widgets():
    import ipywidgets

    return ipywidgets


def _slider(kind: str, description: str, value, **options):
    """An ipywidgets slider: `kind` names its class (FloatSlider, FloatLogSlider, IntSlider)."""
    return getattr(_widgets(), kind)(value=value, description=description, **options)


def _latent_controls(seed_a: int, seed_b: int, names) -> tuple:
    """The latent explorers' shared controls: seed A, seed B, t (A -> B), spherical, one slider per direction."""
    W = _widgets()
    seeds = [
        W.BoundedIntText(value=seed, min=0, max=2**31 - 1, description=label, layout=W.Layout(width="160px"))
        for seed, label in ((seed_a, "seed A"), (seed_b, "seed B"))
    ]
    t = _slider("FloatSlider", "A → B", 0.0, min=0.0, max=1.0, step=0.05)
    spherical = W.Checkbox(value=True, description="spherical (slerp)", indent=False)
    sliders = [_slider("FloatSlider", n, 0.0, min=-3.0, max=3.0, step=0.1) for n in names]
    return (*seeds, t, spherical, sliders)


def gaussian_explorer(mu_data: float = 0.0, sigma_data: float = 1.0):
    """1-D explorer: sliders move p_g's mean and std; D*, V(D*, G) and JSD redraw in place. Introduced in 03_loss_math.

    Returns a VBox with `.mu_g`, `.sigma_g` (sliders), `.state` (dict: mu_g, sigma_g, x, d_star, value, jsd),
    `.figure` (one matplotlib Figure, redrawn into one Image widget) and `.redraw_ms` (time of each redraw).
    """
    from matplotlib.figure import Figure

    from .theory import LOG4, density_grid, gaussian_game

    W = _widgets()

    x = density_grid(-25.0, 25.0, 2501)  # wide enough for every slider position: tails beyond are < 1e-11
    mu_g = _slider("FloatSlider", "mean of p_g", 2.0, min=-4.0, max=4.0, step=0.1, continuous_update=True)
    sigma_g = _slider("FloatSlider", "std of p_g", 1.0, min=0.2, max=3.0, step=0.05, continuous_update=True)
    fig = Figure(figsize=(7, 3.2), dpi=72)
    ax = fig.add_subplot()
    game = gaussian_game(mu_g.value, sigma_g.value, mu_data, sigma_data, x)
    (l_data,) = ax.plot(x, game.p_data, color="C0", label="p_data")
    (l_g,) = ax.plot(x, game.p_g, color="C1", label="p_g")
    (l_d,) = ax.plot(x, game.d_star, color="k", ls="--", label="D*(x)")
    ax.axhline(0.5, color="gray", lw=0.8, ls=":")
    ax.set(xlim=(-8, 8), ylim=(0, 2.1), xlabel="x")
    ax.legend(loc="upper left", fontsize=8)
    title = ax.set_title("V(D*, G) = -0.0000    JSD = 0.0000", fontsize=10)
    fig.tight_layout()
    blit = BlitFigure(fig, [l_g, l_d, title])  # static parts drawn once; per move the curves and title
    image = W.Image(format="png")
    readout = W.HTML()
    box = W.VBox([W.HBox([mu_g, sigma_g]), image, readout])
    box.mu_g, box.sigma_g, box.figure, box.redraw_ms, box.state = mu_g, sigma_g, fig, [], {}

    def redraw(_change=None) -> None:
        start = time.perf_counter()
        game = gaussian_game(mu_g.value, sigma_g.value, mu_data, sigma_data, x)
        box.state.update(
            mu_g=mu_g.value, sigma_g=sigma_g.value, x=x, d_star=game.d_star, value=game.value, jsd=game.jsd
        )
        l_g.set_ydata(game.p_g)
        l_d.set_ydata(game.d_star)
        title.set_text(
            f"V(D*, G) = {game.value:.4f}    JSD = {game.jsd:.4f}    -log 4 + 2 JSD = {-LOG4 + 2 * game.jsd:.4f}"
        )
        image.value = blit.png()
        readout.value = (
            f"JSD(p_data || p_g) = <b>{game.jsd:.4f}</b> nats (0 when p_g = p_data, at most log 2 = 0.6931); "
            f"V(D*, G) = <b>{game.value:.4f}</b> (minimum -log 4 = {-LOG4:.4f})."
        )
        box.redraw_ms.append(1000 * (time.perf_counter() - start))

    mu_g.observe(redraw, names="value")
    sigma_g.observe(redraw, names="value")
    redraw()
    return box


def playground(preset: str = "ring", **settings):
    """GAN Lab in a notebook: a live 2-D GAN with play/pause/step, loss and learning-rate controls.
    Introduced in 04_toy_gan_playground.

    Returns the dashboard (a VBox, not displayed) that also forwards to its controller
    (`Playground`): `.play()`, `.pause()`, `.run(n)`, `.save_gif(path)`, the controls
    (`.loss`, `.lr_d`, `.lr_g`, `.d_steps`, `.preset`, ...), and the stepper `.gan`. Settings: `show_grads`,
    and ToyGAN's (loss, lr_d, lr_g, d_steps, latent_dim, hidden, optimizer, seed, points, ...).
    """
    return Playground(preset, **settings).widget


def interpolate_latents(z_a, z_b, t: float, spherical: bool = True):
    """The latent point a fraction t of the way from z_a to z_b. Introduced in 05_dcgan_mnist.

    spherical=True follows the great circle (slerp, White 2016), which keeps the norm typical of
    Gaussian latents; False is the straight line, whose midpoints have a smaller norm than either end."""
    import torch

    z_a, z_b = torch.as_tensor(z_a, dtype=torch.float32), torch.as_tensor(z_b, dtype=torch.float32)
    if z_a.shape != z_b.shape:
        raise ValueError(
            f"z_a and z_b must have the same shape; got {tuple(z_a.shape)} and {tuple(z_b.shape)}."
        )
    if not 0 <= float(t) <= 1:
        raise ValueError(f"t must be between 0 (z_a) and 1 (z_b); got {t!r}.")
    if not spherical:
        return (1 - t) * z_a + t * z_b
    a, b = z_a.flatten(), z_b.flatten()
    cos = torch.clamp((a @ b) / (a.norm() * b.norm() + 1e-12), -1.0, 1.0)
    omega = torch.arccos(cos)
    if float(omega) < 1e-6:
        return (1 - t) * z_a + t * z_b
    s = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / s) * z_a + (torch.sin(t * omega) / s) * z_b


def _latent_path(latent_dim: int, controls: tuple, directions, ts) -> torch.Tensor:
    """The latent explorers' points: for each t in `ts`, the point t of the way from seed A's z to seed B's
    (spherical or straight, as the checkbox says), moved along `directions` by the sliders; (len(ts), latent_dim).
    `controls` are the widgets of `_latent_controls`: seed A, seed B, the spherical checkbox and the sliders."""
    import torch

    seed_a, seed_b, spherical, sliders = controls
    z_a, z_b = (
        torch.randn(latent_dim, generator=torch.Generator().manual_seed(int(w.value)))
        for w in (seed_a, seed_b)
    )
    offset = sum(s.value * d for s, d in zip(sliders, directions))
    return torch.stack([interpolate_latents(z_a, z_b, u, spherical.value) + offset for u in ts])


def _eval_images(G, *inputs) -> torch.Tensor:
    """G's images for `inputs`, in eval mode (its mode restored afterwards), without gradients, on the CPU."""
    import torch

    was_training = G.training
    G.eval()
    try:
        with torch.no_grad(), single_thread():  # 10-20 small images: one thread is faster on a busy CPU
            return G(*inputs).cpu()
    finally:
        G.train(was_training)


def latent_explorer(
    G, seed_a: int = 0, seed_b: int = 1, dims=(0, 1, 2, 3), directions=None, n_strip: int = 9, scale: int = 6
):
    """Explore a trained generator's latent space: interpolate between the latents of two seeds, and
    move sliders along chosen latent directions. Introduced in 05_dcgan_mnist.

    Returns a VBox (not displayed) with `.seed_a`, `.seed_b` (IntText), `.t` (0 = seed A, 1 = seed B),
    `.spherical` (Checkbox), `.sliders` (one per direction), `.image` (the current digit), `.strip`
    (the path from A to B with the same offsets), `.state` (dict: z, image) and `.redraw_ms`.
    `directions` is an optional (k, latent_dim) array; by default the unit vectors of `dims`.
    """
    import torch

    W = _widgets()
    latent_dim = getattr(G, "latent_dim", None)
    if not isinstance(G, torch.nn.Module) or not isinstance(latent_dim, int):
        raise ValueError(
            "latent_explorer expects a generator with a `latent_dim` attribute, such as "
            f"gan_lessons.Generator or run.G; got {type(G).__name__}."
        )
    if directions is None:
        dims = list(dims)
        bad = [d for d in dims if not isinstance(d, int) or not 0 <= d < latent_dim]
        if bad or not dims:
            raise ValueError(f"dims must be latent indices between 0 and {latent_dim - 1}; got {dims!r}.")
        directions = np.eye(latent_dim, dtype=np.float32)[dims]
        names = [f"z[{d}]" for d in dims]
    else:
        directions = np.asarray(directions, dtype=np.float32)
        if directions.ndim != 2 or directions.shape[1] != latent_dim or len(directions) == 0:
            raise ValueError(f"directions must be a (k, {latent_dim}) array; got shape {directions.shape}.")
        names = [f"dir {i}" for i in range(len(directions))]
    if not isinstance(n_strip, int) or n_strip < 2:
        raise ValueError(f"n_strip must be an integer >= 2; got {n_strip!r}.")
    directions = torch.from_numpy(directions)
    device = next(G.parameters()).device

    seed_a_w, seed_b_w, t, spherical, sliders = _latent_controls(seed_a, seed_b, names)
    image, strip, readout = W.Image(format="png"), W.Image(format="png"), W.HTML()
    box = W.VBox(
        [W.HBox([seed_a_w, seed_b_w, spherical]), t, W.HBox([image, W.VBox(sliders)]), strip, readout]
    )
    box.add_class("gl-latent-explorer")
    box.seed_a, box.seed_b, box.t, box.spherical, box.sliders = seed_a_w, seed_b_w, t, spherical, sliders
    box.image, box.strip, box.state, box.redraw_ms = image, strip, {}, []

    def redraw(_change=None) -> None:
        start = time.perf_counter()
        ts = [float(t.value)] + list(np.linspace(0, 1, n_strip))
        z = _latent_path(latent_dim, (seed_a_w, seed_b_w, spherical, sliders), directions, ts)
        x = _eval_images(G, z.to(device))
        image.value = png_bytes(image_grid(x[:1], nrow=1), scale=scale)
        strip.value = png_bytes(image_grid(x[1:], nrow=n_strip), scale=max(1, scale // 2))
        box.state.update(z=z[0], image=x[0, 0].numpy())
        readout.value = f"|z| = {float(z[0].norm()):.2f} (typical for N(0, I): {latent_dim**0.5:.2f})"
        box.redraw_ms.append(1000 * (time.perf_counter() - start))

    for control in (seed_a_w, seed_b_w, t, spherical, *sliders):
        control.observe(redraw, names="value")
    redraw()
    return box


def conditional_explorer(
    G, digit: int = 7, seed_a: int = 0, seed_b: int = 1, dims=(0, 1, 2, 3), n_strip: int = 9, scale: int = 6
):
    """Drive a class-conditional generator: pick the digit, two seeds and a point between them, and move
    sliders along latent directions; the label fixes *what* is drawn, z *how* (thickness, slant, style).
    Introduced in 10_conditional_gan.

    Returns a VBox (not displayed) with `.digit` (Dropdown 0..9), `.seed_a`, `.seed_b`, `.t`, `.spherical`,
    `.sliders`, `.image` (the current digit), `.row` (all ten digits with the same z), `.strip` (seed A -> B
    for the chosen digit), `.state` (dict: z, label, image, row) and `.redraw_ms`. Each redraw runs G once
    on 20 latents and updates the three PNGs in place.
    """
    import torch

    W = _widgets()
    latent_dim, num_classes = getattr(G, "latent_dim", None), getattr(G, "num_classes", None)
    if (
        not isinstance(G, torch.nn.Module)
        or not isinstance(latent_dim, int)
        or not isinstance(num_classes, int)
    ):
        raise ValueError(
            "conditional_explorer expects a class-conditional generator (with `latent_dim` and `num_classes`), such "
            f"as gan_lessons.ConditionalGenerator or run.G of a conditional run; got {type(G).__name__}."
        )
    if not isinstance(digit, int) or not 0 <= digit < num_classes:
        raise ValueError(f"Unknown label {digit!r}: pick a digit between 0 and {num_classes - 1}.")
    dims = list(dims)
    if not dims or any(not isinstance(d, int) or not 0 <= d < latent_dim for d in dims):
        raise ValueError(f"dims must be latent indices between 0 and {latent_dim - 1}; got {dims!r}.")
    if not isinstance(n_strip, int) or n_strip < 2:
        raise ValueError(f"n_strip must be an integer >= 2; got {n_strip!r}.")
    directions = torch.eye(latent_dim)[dims]
    device = next(G.parameters()).device

    digit_w = W.Dropdown(
        options=list(range(num_classes)), value=digit, description="digit", layout=W.Layout(width="160px")
    )
    seed_a_w, seed_b_w, t, spherical, sliders = _latent_controls(seed_a, seed_b, [f"z[{d}]" for d in dims])
    image, row, strip, readout = W.Image(format="png"), W.Image(format="png"), W.Image(format="png"), W.HTML()
    box = W.VBox(
        [
            W.HBox([digit_w, seed_a_w, seed_b_w, spherical]),
            t,
            W.HBox([image, W.VBox(sliders)]),
            W.HTML("all ten digits, same z:"),
            row,
            W.HTML("seed A → seed B, chosen digit:"),
            strip,
            readout,
        ]
    )
    box.add_class("gl-conditional-explorer")
    box.digit, box.seed_a, box.seed_b, box.t, box.spherical = digit_w, seed_a_w, seed_b_w, t, spherical
    box.sliders, box.image, box.row, box.strip, box.state, box.redraw_ms = sliders, image, row, strip, {}, []

    def redraw(_change=None) -> None:
        start = time.perf_counter()
        ts = [float(t.value)] + [float(u) for u in np.linspace(0, 1, n_strip)]
        path = _latent_path(latent_dim, (seed_a_w, seed_b_w, spherical, sliders), directions, ts)
        z_now = path[0]  # t's point, then the strip's
        z = torch.cat([z_now.expand(1 + num_classes, -1), path[1:]])
        y = torch.tensor([digit_w.value] + list(range(num_classes)) + [digit_w.value] * n_strip)
        x = _eval_images(G, z.to(device), y.to(device))
        image.value = png_bytes(image_grid(x[:1], nrow=1), scale=scale)
        row.value = png_bytes(image_grid(x[1 : 1 + num_classes], nrow=num_classes), scale=max(1, scale // 2))
        strip.value = png_bytes(image_grid(x[1 + num_classes :], nrow=n_strip), scale=max(1, scale // 2))
        box.state.update(
            z=z_now, label=digit_w.value, image=x[0, 0].numpy(), row=x[1 : 1 + num_classes, 0].numpy()
        )
        box.redraw_ms.append(1000 * (time.perf_counter() - start))
        readout.value = (
            f"digit {digit_w.value}, |z| = {float(z_now.norm()):.2f}; redrawn in {box.redraw_ms[-1]:.0f} ms"
        )

    for control in (digit_w, seed_a_w, seed_b_w, t, spherical, *sliders):
        control.observe(redraw, names="value")
    redraw()
    return box


# ----------------------------------------------------------------------------------------------
# The toy GAN playground (04_toy_gan_playground), built by playground()
# ----------------------------------------------------------------------------------------------

_BOX_CLASS = None


def _playground_box(children):
    """A VBox that forwards unknown attributes to its Playground, so the widget that
    `playground()` returns also has `.play()`, `.loss`, `.gan`, `.save_gif()`..."""
    global _BOX_CLASS
    if _BOX_CLASS is None:

        class PlaygroundBox(_widgets().VBox):
            def __getattr__(self, name):
                pg = self.__dict__.get("_playground")
                if pg is None or name.startswith("__"):
                    raise AttributeError(name)
                return getattr(pg, name)

        _BOX_CLASS = PlaygroundBox
    return _BOX_CLASS(children)


class Playground:
    """GAN Lab in a notebook: controls, a live view and the training loop. Introduced in 04_toy_gan_playground.

    `Playground(...).widget` is the dashboard (an ipywidgets.VBox); display it, or let
    `playground()` return it. The loss dropdown lists every family of gan_lessons.losses.LOSSES. Play runs the training loop in a background
    thread, so the notebook stays responsive: loss, learning rates and D steps change the running
    game at once; data preset, latent size, hidden size and optimizer restart it.

    Tests drive it without a display: set `.value` on a control, call `play()`/`pause()` or a
    button's `.click()`, and read `gan` (the ToyGAN), `frames` and `error`.
    """

    def __init__(self, preset: str = "ring", *, show_grads: bool = False, **settings):
        w = _widgets()
        self.gan = ToyGAN(
            preset, **settings
        )  # settings: ToyGAN's (loss, lr_d, lr_g, d_steps, seed, points...)
        self.figure = PlaygroundFigure(self.gan)
        self.figure.show_grads = bool(show_grads)
        self._render_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.frames = 0  # frames drawn so far
        self.error: BaseException | None = None
        self.steps_per_frame = 1

        def button(label, cls, tip, style="", icon=""):
            b = w.Button(
                description=label, tooltip=tip, button_style=style, icon=icon, layout=w.Layout(width="auto")
            )
            b.add_class(cls)
            return b

        self.play_button = button("Play", "gl-play", "train continuously", "success", "play")
        self.pause_button = button("Pause", "gl-pause", "stop training", "warning", "pause")
        self.step_d_button = button("Step D", "gl-step-d", "one discriminator update")
        self.step_g_button = button("Step G", "gl-step-g", "one generator update")
        self.step_button = button(
            "Step D+G", "gl-step", "one iteration: d_steps D updates, then one G update"
        )
        self.reset_button = button("Reset", "gl-reset", "fresh networks, same settings", "danger", "refresh")
        self.play_button.on_click(lambda _: self.play())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_d_button.on_click(lambda _: self._manual(self.gan.step_d, "step_d"))
        self.step_g_button.on_click(lambda _: self._manual(self.gan.step_g, "step_g"))
        self.step_button.on_click(lambda _: self._manual(self.gan.step, "step"))
        self.reset_button.on_click(lambda _: self.reset())

        s = self.gan.settings
        # the data menu: the presets, and the user's own points (drawn, or from a file) once there are some
        self.user_data: dict[str, np.ndarray] = {}
        if s.points is not None:
            self.user_data["custom"] = np.asarray(s.points, dtype=np.float64)
        wide, narrow = {"description_width": "initial"}, w.Layout(width="260px")
        self.preset = w.Dropdown(
            options=self._data_options(), value=s.preset, description="data", style=wide, layout=narrow
        )
        self.preset.add_class("gl-data")
        self.loss = w.Dropdown(
            options=[(f.label, name) for name, f in LOSSES.items()],  # every registry family
            value=self.gan.family.name,
            description="loss",
            style=wide,
            layout=narrow,
        )
        self.optimizer = w.Dropdown(
            options=list(OPTIMIZERS), value=s.optimizer, description="optimizer", style=wide, layout=narrow
        )
        log_lr = {"base": 10, "min": -5, "max": 0, "step": 0.1, "readout_format": ".1e", "style": wide}
        self.lr_d = _slider("FloatLogSlider", "lr D", s.lr_d, **log_lr)
        self.lr_g = _slider("FloatLogSlider", "lr G", s.lr_g, **log_lr)
        self.d_steps = _slider("IntSlider", "D steps per G step", s.d_steps, min=1, max=10, style=wide)
        self.g_steps = _slider("IntSlider", "G steps per D step", s.g_steps, min=1, max=10, style=wide)
        self.speed = w.Dropdown(
            options=[(label, key) for key, (label, _, _) in SPEEDS.items()],
            value="auto",
            description="speed",
            style=wide,
            layout=narrow,
        )
        self.speed.add_class("gl-speed")
        self.latent_dim = _slider("IntSlider", "latent dim", s.latent_dim, min=1, max=8, style=wide)
        self.hidden = w.Dropdown(
            options=[8, 16, 32, 64, 128, 256],
            value=s.hidden,
            description="hidden units",
            style=wide,
            layout=narrow,
        )
        self.show_grads = w.Checkbox(value=bool(show_grads), description="G's gradient arrows", indent=False)
        self.show_manifold = w.Checkbox(value=True, description="G's manifold", indent=False)
        for control in (self.loss, self.lr_d, self.lr_g, self.d_steps, self.g_steps):
            control.observe(self._on_live_setting, names="value")
        self.speed.observe(lambda change: self._light("speed", f"speed: {self.speed.label}"), names="value")
        for control in (self.preset, self.optimizer, self.latent_dim, self.hidden):
            control.observe(self._on_restart_setting, names="value")
        self.show_grads.observe(self._on_view_setting, names="value")
        self.show_manifold.observe(self._on_view_setting, names="value")

        self.image = w.Image(format="png", layout=w.Layout(width="auto", max_width="100%"))
        self.image.add_class("gl-playground-view")
        self.counter = w.HTML()
        self.counter.add_class("gl-step-counter")
        self.modes_label = w.HTML()
        self.modes_label.add_class("gl-modes")
        self.status = w.HTML()
        self.status.add_class("gl-status")
        self.overview = w.HTML(model_overview_html())
        self.overview.add_class("gl-model-overview")
        # your own data: a drawing canvas and a file
        self.draw_points = w.Textarea(
            placeholder="draw on the canvas, or paste one 'x, y' pair per line",
            continuous_update=False,
            layout=w.Layout(width="240px", height="80px"),
        )
        self.draw_points.add_class("gl-draw-points")
        self.draw_points.observe(self._on_drawing, names="value")
        self.canvas = w.HTML(canvas_html())
        self.draw_box = w.VBox(
            [
                w.HTML("<b>Draw your data</b> (press and drag; each stroke adds points)"),
                self.canvas,
                self.draw_points,
            ]
        )
        self.draw_box.add_class("gl-draw")
        self.upload = w.FileUpload(accept=".csv,.txt,.npy", multiple=False, description="Load points")
        self.upload.add_class("gl-upload")
        self.upload.observe(self._on_upload, names="value")
        self.data_message = w.HTML()
        self.data_message.add_class("gl-data-message")
        # snapshots: save, load, and the shipped ones
        self.snapshot_path = w.Text(value="playground_snapshot.pt", description="snapshot", style=wide)
        self.save_button = button("Save", "gl-save", "save both networks, optimisers, data and step")
        self.load_button = button("Load", "gl-load", "go back to the saved snapshot")
        self.save_button.on_click(lambda _: self.save_snapshot(self.snapshot_path.value))
        self.load_button.on_click(lambda _: self.load_snapshot(self.snapshot_path.value))
        self.start_from = w.Dropdown(
            options=[("start from a shipped snapshot...", "")]
            + [(v["label"], k) for k, v in SHIPPED_SNAPSHOT_RECIPES.items()],
            value="",
            layout=w.Layout(width="300px"),
        )
        self.start_from.add_class("gl-start-from")
        self.start_from.observe(self._on_start_from, names="value")
        self.widget = _playground_box(
            [
                w.HBox(
                    [
                        self.play_button,
                        self.pause_button,
                        self.step_d_button,
                        self.step_g_button,
                        self.step_button,
                        self.reset_button,
                    ]
                ),
                w.HBox([self.preset, self.loss, self.optimizer]),
                w.HBox([self.lr_d, self.lr_g, self.d_steps, self.g_steps]),
                w.HBox([self.latent_dim, self.hidden, self.speed, self.show_grads, self.show_manifold]),
                self.overview,
                self.image,
                w.HBox(
                    [self.counter, self.modes_label, self.status],
                    layout=w.Layout(justify_content="space-between"),
                ),
                w.HBox([self.snapshot_path, self.save_button, self.load_button, self.start_from]),
                w.HBox([self.draw_box, w.VBox([self.upload, self.data_message])]),
            ]
        )
        self.widget.add_class("gl-playground")
        self.widget._playground = self  # the widget forwards .play(), .loss, .gan... to this controller
        self.redraw()

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Render the current state into the image and refresh the readouts."""
        with self._render_lock:
            gan = self.gan
            fakes = gan.eval_fakes()  # once per frame, for both readouts
            if gan.history["step"]:
                gan.record_divergences(fakes)
            png = self.figure.render(gan)
            cov = modes_reached(fakes, gan.data.modes, gan.data.mode_radius)
        self.image.value = png
        self.frames += 1
        st = self.gan.state()
        self.counter.value = (
            f"iteration <b class='gl-iteration'>{st['iteration']}</b> · D updates {st['d_steps_done']}"
        )
        k = len(self.gan.data.modes)
        self.modes_label.value = f"modes reached <b>{round(cov * k)}/{k}</b> ({cov:.0%})"
        if self.error is None:
            self.status.value = "playing" if self.is_playing else "paused"

    # -- controls -----------------------------------------------------------------------------
    def _report(self, err: BaseException) -> None:
        self.error = err
        self.status.value = f"<span style='color:#b2182b'>{type(err).__name__}: {err}</span>"

    def _light(self, what: str, caption: str) -> None:
        """Light up, in the model overview, the parts that `what` (a step or a control) changes."""
        self.overview.value = model_overview_html(CONTROL_TARGETS.get(what, ()), caption)

    def _manual(self, action, what: str) -> None:
        s = self.gan.settings
        self._light(
            what,
            {
                "step_d": "Step D: D learns from real x and fake G(z); G is frozen",
                "step_g": "Step G: G learns through D's judgement; D is frozen",
                "step": f"Step D+G: {s.d_steps} D update(s), then {s.g_steps} G update(s)",
            }[what],
        )
        try:
            action()
        except (ValueError, FloatingPointError) as err:
            self._report(err)
            return
        if not self.is_playing:
            self.redraw()

    def _live_settings(self) -> dict:
        """The controls' values of the settings that change the running game (ToyGAN.set)."""
        return {
            "loss": self.loss.value,
            "lr_d": float(self.lr_d.value),
            "lr_g": float(self.lr_g.value),
            "d_steps": int(self.d_steps.value),
            "g_steps": int(self.g_steps.value),
        }

    def _apply(self, change_gan, **settings) -> None:
        """Give the controls' settings to the stepper (`gan.set` or `gan.reset`), show a refusal, redraw."""
        try:
            change_gan(**settings)
            self.error = None
        except ValueError as err:
            self._report(err)
        if not self.is_playing:
            self.redraw()

    def _on_live_setting(self, change) -> None:
        name = next(
            k for k in ("loss", "lr_d", "lr_g", "d_steps", "g_steps") if getattr(self, k) is change.owner
        )
        self._light(
            name, f"{change.owner.description} → {change.new:g}" if name != "loss" else f"loss → {change.new}"
        )
        self._apply(self.gan.set, **self._live_settings())

    def _on_restart_setting(self, change) -> None:
        name = next(
            k for k in ("preset", "optimizer", "latent_dim", "hidden") if getattr(self, k) is change.owner
        )
        self._light(name, f"{change.owner.description} → {change.new}: fresh networks")
        self.reset()

    # -- your own data --------------------------------------------------------------------------
    def _data_options(self) -> list:
        """The data menu: the presets, then the user's own point sets."""
        names = {"custom": "your points", "drawing": "your drawing", "file": "your file"}
        builtin = [(p, p) for p in PRESETS if p != "custom"]
        own = [(f"{names[k]} ({len(v)} points)", k) for k, v in self.user_data.items()]
        return builtin + own

    def _data_settings(self) -> dict:
        """The ToyGAN settings for the data menu's choice: a preset, or 'custom' with the user's points."""
        key = self.preset.value
        if key in self.user_data:
            return {"preset": "custom", "points": self.user_data[key].tolist()}
        return {"preset": key, "points": None}

    def use_points(self, points, name: str = "drawing") -> None:
        """Add (or replace) an entry `name` ('drawing' or 'file') in the data menu, and train on it."""
        if name not in ("drawing", "file", "custom"):
            raise ValueError(f"name must be 'drawing' or 'file'; got {name!r}.")
        self.user_data[name] = np.asarray(points, dtype=np.float64)
        self.preset.unobserve(self._on_restart_setting, names="value")
        try:
            self.preset.options = self._data_options()
            self.preset.value = name
        finally:
            self.preset.observe(self._on_restart_setting, names="value")
        self._light("preset", f"data → {self.preset.label}: fresh networks")
        self.reset()

    def _show_data_error(self, err: ValueError) -> None:
        self.data_message.value = f"<span class='gl-data-error' style='color:#b2182b'>{err}</span>"

    def _on_drawing(self, change) -> None:
        text = change.new.strip()
        if not text:
            self.data_message.value = "drawing cleared"
            return
        try:
            pts = parse_points(text, "Your drawing")
        except ValueError as err:
            self._show_data_error(err)
            return
        self.use_points(pts, "drawing")
        self.data_message.value = f"training on your drawing: {len(pts)} points"  # last: the view is redrawn

    def _on_upload(self, change) -> None:
        import tempfile
        from pathlib import Path

        if not change.new:
            return
        item = change.new[0]
        name = Path(str(item["name"])).name or "points.csv"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(bytes(item["content"]))
            try:
                pts = load_points(path)
            except ValueError as err:
                self._show_data_error(err)
                return
        self.use_points(pts, "file")
        self.data_message.value = f"training on {name}: {len(pts)} points"

    # -- snapshots ------------------------------------------------------------------------------
    def save_snapshot(self, path) -> None:
        """Save the game (networks, optimisers, data, step) to `path` (ToyGAN.save); errors are shown."""
        try:
            out = self.gan.save(path)
        except (ValueError, OSError) as err:
            self._report(err)
            return
        self.status.value = f"saved {out.name} at iteration {self.gan.iteration}"

    def load_snapshot(self, path, shipped: bool = False) -> None:
        """Replace the game by the snapshot at `path` (pauses first), or by the shipped snapshot of that name
        (`shipped=True`, sha256 checked); errors are shown."""
        was_playing = self.is_playing
        if was_playing:
            self.pause()
        try:
            gan = load_shipped_snapshot(path) if shipped else ToyGAN.load(path)
        except (ValueError, FileNotFoundError) as err:
            self._report(err)
            return
        self.gan.restore(gan.snapshot())
        self._sync_controls()
        self._light("snapshot", f"snapshot loaded: iteration {self.gan.iteration}")
        self.error = None
        self.redraw()
        if was_playing:
            self.play()

    def _on_start_from(self, change) -> None:
        if change.new:
            self.load_snapshot(change.new, shipped=True)
            self.start_from.value = ""  # back to the prompt, so the same snapshot can be chosen again

    def _sync_controls(self) -> None:
        """Set the controls to the game's settings without restarting it (after a snapshot is loaded)."""
        s = self.gan.settings
        if s.preset == "custom":
            self.user_data["custom"] = np.asarray(s.points, dtype=np.float64)
        controls = [self.loss, self.lr_d, self.lr_g, self.d_steps, self.g_steps]
        restart = [self.preset, self.optimizer, self.latent_dim, self.hidden]
        for c in controls:
            c.unobserve(self._on_live_setting, names="value")
        for c in restart:
            c.unobserve(self._on_restart_setting, names="value")
        try:
            self.preset.options = self._data_options()
            self.preset.value = s.preset
            self.loss.value, self.optimizer.value = s.loss, s.optimizer
            self.lr_d.value, self.lr_g.value = s.lr_d, s.lr_g
            self.d_steps.value, self.g_steps.value = s.d_steps, s.g_steps
            self.latent_dim.value, self.hidden.value = s.latent_dim, s.hidden
        finally:
            for c in controls:
                c.observe(self._on_live_setting, names="value")
            for c in restart:
                c.observe(self._on_restart_setting, names="value")

    def _on_view_setting(self, change) -> None:
        self.figure.show_grads = bool(self.show_grads.value)
        self.figure.show_manifold = bool(self.show_manifold.value)
        if not self.is_playing:
            self.redraw()

    def reset(self) -> None:
        """Fresh networks with the controls' settings (keeps playing if it was)."""
        self._apply(
            self.gan.reset,
            **self._data_settings(),
            optimizer=self.optimizer.value,
            latent_dim=int(self.latent_dim.value),
            hidden=int(self.hidden.value),
            **self._live_settings(),
        )

    # -- the loop -----------------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self) -> None:
        """Train continuously in a background thread; each frame trains for what ToyGAN.FRAME_TIME leaves after drawing."""
        if self.is_playing:
            return
        self.error = None
        self._stop.clear()
        s = self.gan.settings
        self._light("play", f"playing: {s.d_steps} D update(s), then {s.g_steps} G update(s), per iteration")
        self.status.value = "playing"  # before the thread starts, so that an error it reports stays shown
        self._thread = threading.Thread(target=self._loop, name="gan-lessons-playground", daemon=True)
        self._thread.start()

    def pause(self, timeout: float = 10.0) -> None:
        """Stop the loop after its current frame; waits for it (up to `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self.redraw()

    def _loop(self) -> None:
        try:
            for steps in self.gan.play_frames(
                self._stop, self.pace
            ):  # the frame timing lives with the stepper
                self.steps_per_frame = steps
                if self._stop.is_set():
                    break
                self.redraw()
        except BaseException as err:  # shown in the dashboard; training stops
            self._report(err)

    def pace(self) -> tuple[int, float]:
        """(iterations per frame, shortest frame in seconds) for the speed menu's choice (ToyGAN.play_frames)."""
        _, steps, seconds = SPEEDS[self.speed.value]
        return steps, seconds

    def run(self, n: int) -> None:
        """Train n iterations now (in this thread) and redraw: the headless way to play."""
        if self.is_playing:
            raise ValueError("The playground is playing: pause() it before calling run().")
        self.gan.step(n)
        self.redraw()

    def save_gif(self, path, frames: int = 30, steps_per_frame: int = 20, fps: int = 8):
        """Train on for frames x steps_per_frame iterations and save the view of each frame as a GIF."""
        if self.is_playing:
            self.pause()
        with self._render_lock:
            out = save_gif(
                self.gan, path, frames=frames, steps_per_frame=steps_per_frame, fps=fps, figure=self.figure
            )
        self.redraw()
        return out

    def _repr_mimebundle_(self, **kwargs):  # a notebook shows the dashboard itself
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = [
    "gaussian_explorer",
    "playground",
    "latent_explorer",
    "conditional_explorer",
]
