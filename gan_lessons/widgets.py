"""ipywidgets dashboards. Each builder returns the widget without displaying it, so tests can
drive its controls by setting `.value`; the logic lives in plain functions of other modules."""

from __future__ import annotations


def gaussian_explorer(mu_data: float = 0.0, sigma_data: float = 1.0):
    """1-D explorer: sliders move p_g's mean and std; D*, V(D*, G) and JSD redraw in place. Introduced in 03_loss_math.

    Returns a VBox with `.mu_g`, `.sigma_g` (sliders), `.state` (dict: mu_g, sigma_g, x, d_star, value, jsd),
    `.figure` (one matplotlib Figure, redrawn into one Image widget) and `.redraw_ms` (time of each redraw).
    """
    import io
    import time

    import ipywidgets as W
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from .theory import LOG4, density_grid, gaussian_game

    x = density_grid(-25.0, 25.0, 2501)  # wide enough for every slider position: tails beyond are < 1e-11
    mu_g = W.FloatSlider(
        value=2.0, min=-4.0, max=4.0, step=0.1, description="mean of p_g", continuous_update=True
    )
    sigma_g = W.FloatSlider(
        value=1.0, min=0.2, max=3.0, step=0.05, description="std of p_g", continuous_update=True
    )
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
    # Blitting: draw the static parts once, then per move only the two moving curves and the title.
    canvas = FigureCanvasAgg(fig)
    for artist in (l_g, l_d, title):
        artist.set_animated(True)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
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
        canvas.restore_region(background)
        for artist in (l_g, l_d, title):
            ax.draw_artist(artist)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        image.value = buf.getvalue()
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
    (gan_lessons.toy.Playground): `.play()`, `.pause()`, `.run(n)`, `.save_gif(path)`, the controls
    (`.loss`, `.lr_d`, `.lr_g`, `.d_steps`, `.preset`, ...), and the stepper `.gan`. Settings: see
    gan_lessons.toy.Playground (loss, lr_d, lr_g, d_steps, latent_dim, hidden, optimizer, seed, points).
    """
    from .toy import Playground

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
    import io
    import time

    import ipywidgets as W
    import numpy as np
    import torch
    from PIL import Image

    from .plot import image_grid
    from .toy import single_thread

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

    seed_a_w = W.BoundedIntText(
        value=seed_a, min=0, max=2**31 - 1, description="seed A", layout=W.Layout(width="160px")
    )
    seed_b_w = W.BoundedIntText(
        value=seed_b, min=0, max=2**31 - 1, description="seed B", layout=W.Layout(width="160px")
    )
    t = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="A → B")
    spherical = W.Checkbox(value=True, description="spherical (slerp)", indent=False)
    sliders = [W.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.1, description=n) for n in names]
    image, strip, readout = W.Image(format="png"), W.Image(format="png"), W.HTML()
    box = W.VBox(
        [W.HBox([seed_a_w, seed_b_w, spherical]), t, W.HBox([image, W.VBox(sliders)]), strip, readout]
    )
    box.add_class("gl-latent-explorer")
    box.seed_a, box.seed_b, box.t, box.spherical, box.sliders = seed_a_w, seed_b_w, t, spherical, sliders
    box.image, box.strip, box.state, box.redraw_ms = image, strip, {}, []

    def z_of(seed: int) -> torch.Tensor:
        return torch.randn(latent_dim, generator=torch.Generator().manual_seed(int(seed)))

    def png(grid: np.ndarray, up: int) -> bytes:
        pixels = (np.clip(grid, 0, 1) * 255).astype(np.uint8).repeat(up, 0).repeat(up, 1)
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def redraw(_change=None) -> None:
        start = time.perf_counter()
        z_a, z_b = z_of(seed_a_w.value), z_of(seed_b_w.value)
        offset = sum(s.value * d for s, d in zip(sliders, directions))
        ts = [float(t.value)] + list(np.linspace(0, 1, n_strip))
        z = torch.stack([interpolate_latents(z_a, z_b, u, spherical.value) + offset for u in ts])
        was_training = G.training
        G.eval()
        try:
            with torch.no_grad(), single_thread():  # 10 small images: one thread is faster on a busy CPU
                x = G(z.to(device)).cpu()
        finally:
            G.train(was_training)
        image.value = png(image_grid(x[:1], nrow=1), scale)
        strip.value = png(image_grid(x[1:], nrow=n_strip), max(1, scale // 2))
        box.state.update(z=z[0], image=x[0, 0].numpy())
        readout.value = f"|z| = {float(z[0].norm()):.2f} (typical for N(0, I): {latent_dim**0.5:.2f})"
        box.redraw_ms.append(1000 * (time.perf_counter() - start))

    for control in (seed_a_w, seed_b_w, t, spherical, *sliders):
        control.observe(redraw, names="value")
    redraw()
    return box
