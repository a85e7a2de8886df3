# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Toy GAN playground
#
# GAN Lab (Kahng et al. 2019) made GAN training visible: 2-D data, a generator you can watch
# fold its latent space onto the data, and a discriminator whose opinion is painted on the plane.
# This chapter brings that experience into the notebook, on top of the course's own PyTorch code.
# Afterwards you will be able to **run a GAN step by step and read what you see**: the
# discriminator's heatmap, the generator's samples and manifold, the gradient arrows and the loss
# curves; **change the game while it runs** (loss, learning rates, D steps per G step); and
# **recognise three behaviours** the rest of the course keeps meeting: the non-saturating loss
# covering the modes of a ring, a too-strong discriminator stalling the saturating loss, and
# mode hopping. Each behaviour is also run headless, with fixed seeds, in a cell that asserts it.
#
# <!-- full-mode-time: 30 s -->

# %% [markdown]
# <!-- nav:top -->
# [← 03 The loss, the maths](03_loss_math.ipynb) | [Index](00_index.ipynb) | [05 DCGAN on MNIST →](05_dcgan_mnist.ipynb)

# %%
from pathlib import Path

import numpy as np
import torch
from IPython.display import Image, display

from gan_lessons import (
    LOSSES,
    PRESETS,
    QUICK,
    PlaygroundFigure,
    ToyGAN,
    load_points,
    load_shipped_snapshot,
    make_data,
    modes_reached,
    parse_points,
    playground,
    plot_toy_runs,
    setup_chapter,
)
from gan_lessons.checks import DIAGNOSES, check_diagnosis, check_lsgan_d_loss, check_modes_reached

chapter = setup_chapter("04_toy_gan_playground", seed=0, device="cpu")  # tiny networks: the CPU is fastest
device = chapter.device

# %% [markdown]
# ## 1. The data: points in the plane
#
# Each preset is a distribution of 2-D points, with its **modes**: the places a good generator
# must put samples. The *ring* is eight Gaussians on a circle of radius 2 (the test bed of
# Metz et al. 2017), the *grid* 25 Gaussians, the *spiral* and *two moons* are curves, on which
# we mark evenly spaced points as modes. `make_data("custom", points=[...])` draws data around
# points of your own, the notebook's version of GAN Lab's "draw your own distribution".

# %%
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 5, figsize=(15, 3.2))
for ax, name in zip(axes, PRESETS):
    data = make_data(name, points=[(-1, -1), (0, 1.5), (1.5, -0.5)] if name == "custom" else None)
    x = data.sample(1000, generator=torch.Generator().manual_seed(0)).numpy()
    ax.scatter(x[:, 0], x[:, 1], s=2, c="#1a9641")
    ax.scatter(data.modes[:, 0], data.modes[:, 1], s=40, facecolors="none", edgecolors="k", lw=0.8)
    ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", title=f"{name}: {len(data.modes)} modes")
    # the real data reaches all of its own modes: the share reached is 1
    assert modes_reached(x, data.modes, data.mode_radius) == 1.0, name
plt.tight_layout()
plt.show()

# %% [markdown]
# **Modes reached** is the share of the modes that have fakes near them: within `mode_radius`
# (three standard deviations plus a margin for the Gaussians), and at least 20% of a fair share
# of the fakes, so that a few points passing by do not count. A generator that collapsed onto one
# mode of the ring scores 1/8, whatever its samples look like. (Chapters 05 and 06 count something
# else on digits, the *class coverage*: how many of the 10 digits hold at least 5% of the samples.)

# %%
ring = make_data("ring")
collapsed = np.repeat(ring.modes[:1], 200, axis=0)  # every fake on mode 0
assert modes_reached(collapsed, ring.modes, ring.mode_radius) == 1 / 8
assert modes_reached(ring.modes.repeat(25, axis=0), ring.modes, ring.mode_radius) == 1.0

# %% [markdown]
# ## 2. The players and the step
#
# G maps a latent vector z (2-D by default, drawn from N(0, I)) to a point; D maps a point to a
# logit. Both are small MLPs with two hidden layers. One **iteration** is Algorithm 1 of
# Goodfellow et al. (2014): `d_steps` updates of D on fresh real and fake batches, then one
# update of G. `ToyGAN` keeps the count of each.

# %%
gan = ToyGAN("ring", loss="nonsaturating", d_steps=2, seed=0)
assert gan.G(torch.randn(5, 2)).shape == (5, 2)  # z (N, 2) -> points (N, 2)
assert gan.D(torch.randn(5, 2)).shape == (5,)  # points (N, 2) -> logits (N,)
gan.step(3)
assert (gan.d_step_count, gan.g_step_count) == (6, 3)  # 3 iterations = 6 D updates + 3 G updates
print(gan.G)

# %% [markdown]
# The losses on offer are the families of the course's one loss registry, `LOSSES`
# (`gan_lessons.losses`): the toy stepper, the playground's menu and the trainer of later chapters
# all read it. The first two are the BCE losses of chapter 03; the others change what D's output
# means:
#
# | loss | D minimises | G minimises | D's output |
# |---|---|---|---|
# | minimax (saturating) | −E log D(x) − E log(1 − D(G(z))) | E log(1 − D(G(z))) | probability |
# | non-saturating | same | −E log D(G(z)) | probability |
# | least squares (Mao et al. 2017) | ½E(D(x) − 1)² + ½E D(G(z))² | ½E(D(G(z)) − 1)² | raw score |
# | WGAN-GP (Gulrajani et al. 2017) | E f(G(z)) − E f(x) + λ·GP | −E f(G(z)) | critic score |
# | hinge (Lim & Ye 2017) | E max(0, 1 − D(x)) + E max(0, 1 + D(G(z))) | −E D(G(z)) | raw score |
#
# On 2-D points WGAN-GP's penalty weight λ is 0.1 (the WGAN-GP authors' toy setting; `gp_weight=`
# changes it).

# %%
for loss in LOSSES:
    g = ToyGAN("ring", loss=loss, batch_size=64, seed=0)
    g.step(5)
    assert np.isfinite(g.history["d_loss"]).all() and np.isfinite(g.history["g_loss"]).all(), loss

# %% [markdown]
# ## 3. The playground
#
# Run the next cell and press **Play**. What you see:
#
# - **left**: the plane. The background is D's output, blue where D says "real", red where it
#   says "fake" (for the score losses, least squares, WGAN-GP and hinge: D's raw score, scaled
#   from low to high). Green
#   dots are real data, purple dots are G's samples, and the thin purple mesh is **G's manifold**:
#   the image of a grid in latent space, so you see how G stretches and folds the plane of z.
#   Tick **G's gradient arrows** to see where G's loss pushes each sample: up D's slope.
# - **right**: D's and G's losses. Below: the iteration counter and the modes reached.
# - **controls**: play, pause, one D update, one G update, one iteration, reset; the data, the
#   loss and the optimizer; the learning rates of D and G; D steps per G step and G steps per D
#   step; latent size and hidden units; the speed. Loss, learning rates and step counts change the
#   running game at once; data, optimizer, latent size and hidden units restart it. Above the view, the
#   model overview lights up what the last control changed (more on each below).
#
# Training runs in a background thread, so the notebook stays free while it plays: you can move
# the sliders, or run other cells. *Instructors*: press play, then lower G's learning rate, or
# switch to the saturating loss while the class watches; `pg.pause()` from a cell works too.

# %%
pg = playground("ring", seed=0)
pg

# %% [markdown]
# The same dashboard can be driven from code, which is how the tests and the cell below use it:
# set a control's `.value`, call `pg.run(n)` to train n iterations here and redraw.

# %%
pg.show_grads.value = True
frames, before = pg.frames, pg.image.value
pg.run(100 if QUICK else 1000)
assert pg.gan.iteration == (100 if QUICK else 1000) and pg.frames == frames + 1
assert pg.image.value != before  # the view was redrawn in place
pg.lr_g.value = 5e-4  # a live change: training goes on with the new rate
assert pg.gan.opt_g.param_groups[0]["lr"] == 5e-4 and pg.gan.iteration > 0

# %% [markdown]
# ## 4. A guided tour
#
# Three things to see in the playground. For each, the cell runs the same setting headless with a
# fixed seed and asserts the outcome; then try it live.
#
# ### 4.1 The non-saturating loss spreads G around the ring
#
# With the defaults (non-saturating loss, Adam, learning rates 1e-3), G starts as a small blob
# near the origin, touching at most one mode. It stretches towards the modes D marks as "real",
# and within 1,500 iterations it wraps around the ring. Three measurements back the words, each
# asserted:
#
# - **modes reached** ≥ 0.75: at least 6 of the 8 modes have at least a fifth of their fair share of
#   the samples (N/8) within `mode_radius`;
# - **no mode left out**: every mode is the *nearest* mode of at least 5% of the samples (a fair
#   share is 12.5%); a G that covered only an arc of the ring would leave some modes near 0%;
# - **spread around the circle**: the samples' angles average out. Their mean resultant length
#   |mean(exp(iθ))| is 0 for angles spread evenly around the circle and 1 for a single clump.
#
# Measured over seeds 0–4 (one CPU): 4 seeds reach all 8 modes and one reaches 7; the smallest
# nearest-mode share is 6.6%–11.8% (9.6% for seed 0); the mean resultant length is at most 0.08.

# %%
N_COVER = 1500  # the same in quick and full mode: the claim is about this many iterations
gan = ToyGAN("ring", loss="nonsaturating", seed=0)
start = gan.modes_reached()
gan.step(N_COVER)
nearest = gan.nearest_mode_shares()
angles = np.arctan2(gan.eval_fakes()[:, 1], gan.eval_fakes()[:, 0])
resultant = float(np.abs(np.exp(1j * angles).mean()))  # 0: spread around the circle; 1: one clump
print(f"modes reached: {start:.3f} at the start, {gan.modes_reached():.3f} after {N_COVER} iterations")
print(f"share of samples nearest to each mode: {np.round(nearest, 3).tolist()}")
print(f"mean resultant length of the angles: {resultant:.3f}")
assert start <= 1 / 8 and gan.modes_reached() >= 0.75
assert nearest.min() >= 0.05  # no mode left out: an arc of the ring, or a clump, fails here
assert resultant < 0.2  # spread around the circle: half the ring gives about 0.6, one clump about 1
display(Image(PlaygroundFigure(gan).render(gan)))
healthy = gan  # kept for the "diagnose a run" exercise

# %% [markdown]
# ### 4.2 A too-strong D stalls the saturating loss
#
# Let D get far ahead: 400 updates of D alone, at a high learning rate, before G moves. D now
# rejects G's samples with near certainty, D(G(z)) ≈ 3·10⁻⁴. The saturating loss
# log(1 − D(G(z))) is flat there: its gradient is proportional to D(G(z)) (chapter 03), so G gets
# almost nothing. The non-saturating loss −log D(G(z)) is steepest exactly there.
#
# We use plain gradient descent (`optimizer="sgd"`, as GAN Lab does; Goodfellow et al. 2014 used SGD
# with momentum), where
# the step is the gradient times the learning rate, so a vanishing gradient is a vanishing step.


# %%
def strong_d_then_train(loss, optimizer="sgd", iterations=300, seed=0):
    """Pretrain D alone (a too-strong D), then train as usual; return how far G's samples moved
    and the mean D(G(z)) before and after, and the run itself."""
    lr = 0.05 if optimizer == "sgd" else 1e-3
    g = ToyGAN(
        "ring", loss=loss, optimizer=optimizer, lr_d=0.5 if optimizer == "sgd" else 0.05, lr_g=lr, seed=seed
    )
    for _ in range(400):
        g.step_d()
    g.set(lr_d=lr)
    before = g.samples().copy()
    with torch.no_grad():
        p_before = torch.sigmoid(g.D(g.G(g.z_eval))).mean().item()
    g.step(iterations)
    with torch.no_grad():
        p_after = torch.sigmoid(g.D(g.G(g.z_eval))).mean().item()
    return float(np.abs(g.samples() - before).mean()), p_before, p_after, g


moved_sat, p0_sat, p1_sat, stalled = strong_d_then_train("minimax")
moved_ns, p0_ns, p1_ns, _ = strong_d_then_train("nonsaturating")
print(f"saturating:     G's samples moved {moved_sat:.3f}; mean D(G(z)) {p0_sat:.1e} -> {p1_sat:.1e}")
print(f"non-saturating: G's samples moved {moved_ns:.3f}; mean D(G(z)) {p0_ns:.1e} -> {p1_ns:.1e}")
assert p0_sat < 1e-3 and p0_ns < 1e-3  # D is too strong at the start of both runs
assert moved_sat < 0.1 and p1_sat < 1e-3  # saturating: G stalls, D keeps winning
assert moved_ns > 0.5 and p1_ns > 0.1  # non-saturating: G escapes and fools D again

# %% [markdown]
# Adam partly hides this. It divides each step by a running estimate of the gradient's size,
# so a gradient 10⁴ times smaller still gives a step of about the learning rate: with Adam, the
# saturating loss escapes the same trap (until the gradient sinks below Adam's ε = 10⁻⁸, which a
# long-trained D can also reach). The failure is real; the optimizer decides how much you see.

# %%
moved_adam, p0_adam, p1_adam, _ = strong_d_then_train("minimax", optimizer="adam")
print(
    f"saturating with Adam: G's samples moved {moved_adam:.3f}; mean D(G(z)) {p0_adam:.1e} -> {p1_adam:.1e}"
)
assert p0_adam < 1e-3 and moved_adam > 0.5

# %% [markdown]
# *Try it live*: in the playground, choose optimizer `sgd`, loss `minimax (saturating)`, lr D
# 0.5, lr G 0.05, D steps 5, then play. The purple blob barely moves while the background turns
# deep red around it. Switch the loss to non-saturating while it plays.
#
# ### 4.3 Mode hopping
#
# Give G a learning rate five times D's. G collapses onto one mode; D learns to reject that
# place; G, fast, jumps to another mode as a whole, and the chase goes round the ring instead of
# spreading out. We record, every 50 iterations, the mode nearest to most of G's samples.

# %%
gan = ToyGAN("ring", loss="nonsaturating", lr_g=5e-3, lr_d=1e-3, seed=1)
dominant, top_share, reached = [], [], []
for _ in range(10):
    gan.step(50)
    shares = gan.nearest_mode_shares()
    dominant.append(int(shares.argmax()))
    top_share.append(float(shares.max()))
    reached.append(gan.modes_reached())
print("mode holding most samples:", dominant)
print("its share of the samples: ", np.round(top_share, 2).tolist())
print("share of modes reached:   ", reached)
assert len(set(dominant)) >= 3  # G's mass visits at least three different modes...
assert np.median(top_share) >= 0.5  # ...mostly as one clump...
assert max(reached) <= 3 / 8  # ...and never reaches more than 3 of the 8 modes meanwhile
hopping = gan

# %% [markdown]
# *Try it live*: reset the playground with lr G 5e-3 and watch the purple clump jump from
# mode to mode, while D's red patch chases it. Then set lr G back to 1e-3, or D steps to 2.
#
# ## 5. Export a run as a GIF
#
# `pg.save_gif(path)` trains on for `(frames − 1) × steps_per_frame` iterations (the first frame is the
# view before any of them) and writes the views
# as an animated GIF (with Pillow, which ships with matplotlib): handy for slides.

# %%
from PIL import Image as PILImage

gif_pg = playground("ring", seed=0)
frames = 12 if QUICK else 60
path = gif_pg.save_gif(Path("runs") / "toy_ring.gif", frames=frames, steps_per_frame=25)
with PILImage.open(path) as im:
    assert im.format == "GIF" and im.n_frames == frames
assert gif_pg.gan.iteration == (frames - 1) * 25
print(f"{path}: {frames} frames, {path.stat().st_size / 1e3:.0f} kB")
display(Image(filename=str(path)))

# %% [markdown]
# ## 6. Beyond GAN Lab: your own data, divergences, speed and snapshots
#
# The dashboard above has more below its view:
#
# - **G steps per D step**, next to D steps per G step: one iteration is `d_steps` D updates, then
#   `g_steps` G updates.
# - **The model overview** above the view, `z → G → G(z) → D ← x`, lights up what the last button or
#   control changed: Step D lights D and the data it reads, Step G lights G, lr D lights D alone, a new
#   data set lights x.
# - **KL and JS**, under the losses: real points and G's samples binned on a 20 × 20 grid over the view,
#   KL(p_data ‖ p_g) and the Jensen–Shannon divergence in nats, recorded each frame. Neither is
#   simply "what the game minimises". Chapter 03's theory says the *minimax* loss with the best D
#   minimises JS; the default non-saturating loss instead minimises KL(p_g ‖ p_data) − 2 JS (Arjovsky &
#   Bottou 2017, section 2.2.2); and KL(p_data ‖ p_g), the maximum-likelihood direction shown here, is
#   minimised by no GAN loss of this chapter: it is shown because it grows when G drops modes. Both are
#   measured coarsely: a grid hides what is finer than a bin, 2,000 points per histogram leave a floor
#   of about 0.1 nats even for two samples of the same distribution, and KL adds a pseudo-count of 0.05
#   points to every bin of G's histogram so it stays finite where G puts no mass, which also caps it:
#   its scale is set by that choice, so compare KL values between runs, not with a theoretical number.
# - **speed**: fastest (as many iterations per frame as fit in about 0.15 s), a fixed 100, 10 or 1
#   iterations per frame, and **slow**, one iteration and two frames per second, to watch each update.
# - **Your own data**: draw on the canvas (press and drag; each stroke adds points), or load a `.csv`
#   (one `x, y` per line) or `.npy` (an `(N, 2)` array) file. Either becomes an entry of the data menu,
#   "your drawing" or "your file", and training restarts on it. A bad file is refused with a message
#   that says what is wrong, and the playground keeps its data.
# - **Snapshots**: Save and Load write and read the whole game (both networks, both optimisers, the
#   data, the step, the noise generator) to a `.pt` file, and the menu beside them starts from one of two
#   shipped snapshots.
#
# Everything can be driven from code as well. A drawing arrives as text, one point per line (that is
# how the canvas hands it over):

# %%
own = playground("ring", seed=0)
angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
heart = np.stack([16 * np.sin(angles) ** 3, 13 * np.cos(angles) - 5 * np.cos(2 * angles)], 1) / 8
# What three strokes would send; the drawing itself is tested in a browser (tests/test_browser.py).
own.draw_points.value = "\n".join(f"{x:.3f}, {y:.3f}" for x, y in heart)
assert own.preset.value == "drawing" and own.gan.settings.preset == "custom"
np.testing.assert_allclose(own.gan.data.centers, heart.round(3))
own.run(50)
print(own.data_message.value, "| data menu:", [label for label, _ in own.preset.options])

# %% [markdown]
# And a file of points. Every way a file can be wrong gets its own message (these are the ones a
# student meets; the tests check each):

# %%
Path("runs").mkdir(exist_ok=True)
np.savetxt("runs/my_points.csv", heart, delimiter=",", header="x,y", comments="")
assert load_points("runs/my_points.csv").shape == (40, 2)
np.save("runs/three_columns.npy", np.zeros((20, 3)))
Path("runs/not_numbers.csv").write_text("x,y\n1,2\none,two\n")
bad_inputs = {
    "wrong shape": lambda: load_points("runs/three_columns.npy"),
    "NaN": lambda: parse_points("0, 0\n" * 11 + "nan, 1\n"),
    "too few points": lambda: parse_points("0, 0\n1, 1\n"),
    "too far out": lambda: parse_points("500, 0\n" * 12),
    "not numbers": lambda: load_points("runs/not_numbers.csv"),
    "unreadable": lambda: load_points("runs/no_such_file.csv"),
    "wrong kind of file": lambda: load_points("runs/points.json"),
}
for problem, attempt in bad_inputs.items():
    try:
        attempt()
    except ValueError as err:
        print(f"{problem:>18}: {err}")
    else:
        raise AssertionError(f"{problem}: accepted")

# %% [markdown]
# ### A snapshot just before a collapse
#
# The first shipped snapshot is a ring that G covers well (8 of 8 modes, no mode holding more than a
# sixth of the samples), saved right after G's learning rate was raised tenfold, to 1e-2. Load it in
# the playground's menu ("ring, covered, G's lr just raised...") and press Play in slow mode, or run it here:

# %%
ring = load_shipped_snapshot("toy_ring_before_collapse.pt")  # sha256-checked, torch.load(weights_only=True)
assert ring.settings.lr_g == 1e-2 and ring.settings.lr_d == 1e-3
before_modes, before_top = ring.modes_reached(), ring.nearest_mode_shares().max()
kl_before, js_before = ring.divergences()
ring.step(25)
after_modes, after_top = ring.modes_reached(), ring.nearest_mode_shares().max()
kl_after, js_after = ring.divergences()
print(
    f"iteration 1500: {before_modes:.0%} of the modes reached, at most {before_top:.0%} of the samples on one mode, "
    f"KL {kl_before:.2f}, JS {js_before:.2f}"
)
print(
    f"iteration 1525: {after_modes:.0%} of the modes reached, {after_top:.0%} of the samples on one mode, "
    f"KL {kl_after:.2f}, JS {js_after:.2f}"
)
assert before_modes == 1.0 and before_top < 0.2
assert after_modes <= 0.5 and after_top > 0.35, "25 fast G steps pile the samples onto a few modes"
assert js_after > js_before and kl_after > kl_before, "and both divergences show it"

# %% [markdown]
# A snapshot goes on exactly where its run was: save this game, run on, load it, run on the same
# number of iterations, and the samples are the same, bit for bit (the optimisers' moments and the
# noise generator are in the file too).

# %%
path = ring.save("runs/ring_1525.pt")
ring.step(30)
again = ToyGAN.load(path)
again.step(30)
assert np.array_equal(again.samples(), ring.samples()) and again.iteration == ring.iteration == 1555
print(f"{path}: {path.stat().st_size / 1e3:.0f} kB")

# %% [markdown]
# ## Summary
#
# - A GAN on 2-D points shows everything at once: D's opinion as a heatmap, G's samples and the
#   manifold G folds the latent plane into, the gradients that move the samples, the losses.
# - `ToyGAN` is the stepper (`d_steps` D updates, then `g_steps` G updates); `playground()` is the dashboard
#   around it, with training in a background thread so that you can change the game while it runs.
# - With the non-saturating loss and Adam, G spreads around the 8-mode ring within 1,500
#   iterations: at least 6 of the 8 modes reached, every mode the nearest of at least 5% of the
#   samples, and angles spread around the circle (all asserted).
# - A discriminator that gets far ahead makes the saturating loss's gradient vanish: with plain
#   gradient descent G stops (moved < 0.1), while the non-saturating loss escapes. Adam's
#   rescaling hides much of this.
# - A generator much faster than D hops from mode to mode as one clump instead of spreading out.
# - The share of modes reached, not the loss curves, tells these runs apart; chapter 08 measures
#   the same failure on digits with the class coverage. KL and JS on a grid tell them apart too.
# - Your own data (drawn or from a file) becomes a data set of the menu; bad files get clear errors.
# - A snapshot holds the whole game and goes on exactly where it was: a ring saved just after G's
#   learning rate was raised collapses into one clump within 25 iterations each time it is loaded
#   (a bit-exact replay of one trajectory, not a measure of how often that happens).
#
# ## Exercises
#
# **1. The least-squares discriminator loss.** Write D's loss for LSGAN on D's raw outputs:
# ½E[(D(x) − 1)²] + ½E[D(G(z))²]. `check_lsgan_d_loss` tests it and names the mistake if any.


# %% tags=["exercise"]
def my_lsgan_d_loss(real_out, fake_out):
    ### BEGIN SOLUTION
    # Task: return 0.5 * mean((D(x) - 1)^2) + 0.5 * mean(D(G(z))^2), one number, on D's raw outputs.
    return 0.5 * ((real_out - 1) ** 2).mean() + 0.5 * (fake_out**2).mean()
    ### END SOLUTION


check_lsgan_d_loss(my_lsgan_d_loss)

# %% [markdown]
# **2. Modes reached.** Write `my_modes_reached(fakes, modes, radius)`: the share of modes that have
# at least one fake within `radius` (fakes and modes are NumPy arrays of shape (N, 2) and (K, 2)).


# %% tags=["exercise"]
def my_modes_reached(fakes, modes, radius):
    ### BEGIN SOLUTION
    # Task: return the share of the K modes that have at least one fake within `radius`, a number in [0, 1].
    distances = np.linalg.norm(fakes[:, None, :] - modes[None, :, :], axis=-1)  # (N, K)
    return (distances <= radius).any(axis=0).mean()
    ### END SOLUTION


check_modes_reached(my_modes_reached)

# %% [markdown]
# **3. Diagnose a run.** Here are three runs of this chapter, shuffled: for each, its losses and
# where its samples ended. Name what each run shows, one of `DIAGNOSES`: "converging",
# "vanishing gradient", "mode hopping" or "mode collapse". Look at both panels: the samples
# alone do not tell every case apart.

# %%
print(DIAGNOSES)
# What backs the answer key (asserted in sections 4.1-4.3 too): B reaches most modes, C none.
assert healthy.modes_reached() >= 0.75 and stalled.modes_reached() == 0 and hopping.modes_reached() <= 3 / 8
plot_toy_runs({"A": hopping, "B": healthy, "C": stalled})


# %% tags=["exercise"]
def my_diagnosis():
    ### BEGIN SOLUTION
    # Task: return a dict {"A": ..., "B": ..., "C": ...}, each value one of DIAGNOSES.
    return {"A": "mode hopping", "B": "converging", "C": "vanishing gradient"}
    ### END SOLUTION


check_diagnosis(my_diagnosis)

# %% [markdown]
# **4. In the playground.** Pick the *grid* preset (25 modes). Which loss and learning rates reach
# the highest share of modes in 2,000 iterations? Try least squares, WGAN-GP and hinge, and D steps 1
# against 5. Then draw a distribution of your own on the canvas (or load a `.csv`/`.npy` file): which
# shapes are hard for a 2-D latent space?
#
# ## Further reading
#
# - M. Kahng, N. Thorat, D. H. Chau, F. B. Viégas, M. Wattenberg. *GAN Lab: Understanding Complex
#   Deep Generative Models using Interactive Visual Experimentation.* IEEE Transactions on
#   Visualization and Computer Graphics 25(1), 2019 (IEEE VIS 2018). The original playground.
# - I. Goodfellow et al. *Generative Adversarial Nets.* NeurIPS 2014: Algorithm 1 and the
#   non-saturating loss (section 3).
# - M. Arjovsky, L. Bottou. *Towards Principled Methods for Training Generative Adversarial
#   Networks.* ICLR 2017: why a near-perfect D makes G's gradients vanish.
# - L. Metz, B. Poole, D. Pfau, J. Sohl-Dickstein. *Unrolled Generative Adversarial Networks.*
#   ICLR 2017: the ring of Gaussians and mode hopping.
# - X. Mao et al. *Least Squares Generative Adversarial Networks.* ICCV 2017.
# - I. Gulrajani et al. *Improved Training of Wasserstein GANs.* NeurIPS 2017 (WGAN-GP).

# %% [markdown]
# <!-- nav:bottom -->
# [← 03 The loss, the maths](03_loss_math.ipynb) | [Index](00_index.ipynb) | [05 DCGAN on MNIST →](05_dcgan_mnist.ipynb)
