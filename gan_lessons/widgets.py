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
    from matplotlib.figure import Figure

    from .theory import LOG4, gaussian_game, make_grid

    x = make_grid(-25.0, 25.0, 2501)  # wide enough for every slider position: tails beyond are < 1e-11
    mu_g = W.FloatSlider(value=2.0, min=-4.0, max=4.0, step=0.1, description="mean of p_g", continuous_update=True)
    sigma_g = W.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.05, description="std of p_g", continuous_update=True)
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
    image = W.Image(format="png")
    readout = W.HTML()
    box = W.VBox([W.HBox([mu_g, sigma_g]), image, readout])
    box.mu_g, box.sigma_g, box.figure, box.redraw_ms, box.state = mu_g, sigma_g, fig, [], {}

    def redraw(_change=None) -> None:
        start = time.perf_counter()
        game = gaussian_game(mu_g.value, sigma_g.value, mu_data, sigma_data, x)
        box.state.update(mu_g=mu_g.value, sigma_g=sigma_g.value, x=x, d_star=game.d_star, value=game.value, jsd=game.jsd)
        l_g.set_ydata(game.p_g)
        l_d.set_ydata(game.d_star)
        title.set_text(f"V(D*, G) = {game.value:.4f}    JSD = {game.jsd:.4f}    -log 4 + 2 JSD = {-LOG4 + 2 * game.jsd:.4f}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        image.value = buf.getvalue()
        readout.value = (f"JSD(p_data || p_g) = <b>{game.jsd:.4f}</b> nats (0 when p_g = p_data, at most log 2 = 0.6931); "
                         f"V(D*, G) = <b>{game.value:.4f}</b> (minimum -log 4 = {-LOG4:.4f}).")
        box.redraw_ms.append(1000 * (time.perf_counter() - start))

    mu_g.observe(redraw, names="value")
    sigma_g.observe(redraw, names="value")
    redraw()
    return box
