# %% [markdown]
# # 08 · Training pitfalls: collapse, oscillation, vanishing gradients, and what to watch
#
# The article names the challenges of GANs (mode collapse, instability) in one paragraph and shows
# none of them. Here each one is made to happen, with fixed seeds, and measured. By the end you
# will be able to:
#
# - produce mode collapse on real digits and measure it (class coverage, KL to uniform, recall: the
#   metrics of chapter 06), next to the 2-D ring where it can be seen;
# - explain why gradient steps circle around the equilibrium of a game instead of reaching it, tell that
#   circling apart from the jitter of fresh minibatches, and measure it;
# - show that the saturating loss loses its gradient when D wins;
# - tell two runs apart when their loss curves cannot, with one diagnostics call on any `history`.
#
# <!-- full-mode-time: 81 s -->

# %% [markdown]
# <!-- nav:top -->
# [← 07 Bug hunt](07_bug_hunt.ipynb) | [Index](00_index.ipynb) | [09 Stabilizing GANs →](09_stabilizing.ipynb)

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

from gan_lessons import (
    PLAIN_RECIPE,
    QUICK,
    DiagnosticsTracker,
    Discriminator,
    Generator,
    ToyGAN,
    TrainConfig,
    d_loss_bce,
    diagnose,
    g_loss_minimax,
    g_loss_nonsaturating,
    load_mnist,
    new_run,
    plot_diagnostics,
    set_seed,
    setup_chapter,
    show_images,
    theory,
    train,
)
from gan_lessons.checks import check_alternating_invariant

SEED = 0  # every run below starts from it; the claims were checked over seeds 0-4
# Small networks on a shared CPU: one thread is faster (see 07).
chapter = setup_chapter("08_training_pitfalls", seed=SEED, device="cpu", threads=1)
data = load_mnist("train")  # what the GANs train on
test = load_mnist("test")  # held out: coverage, KL, recall and FID are measured against these digits

# %% [markdown]
# ## 1. Mode collapse, first on the ring
#
# The 2-D ring has 8 modes. With G's learning rate far above D's (here 50×), G collapses onto a few modes at a
# time. Why is a hypothesis, not something this chapter measures: a G much faster than D may chase whatever D
# currently likes before D can learn to reject it. The two runs below differ in **both** rates: the collapsing one
# has D's rate 10× lower (1e-4 against 1e-3) and G's 5× higher (5e-3 against 1e-3), so what they show is the
# effect of the pair, not of G's rate alone or of the ratio alone. `modes_reached()` is the share of the 8 modes that
# hold at least a fifth of their fair share of samples. Measured with seeds 0 to 4 (on two CPUs): the fast
# G held at most 3 of the 8 modes at any checkpoint of 2,000 steps (at most 1 in 1,200 steps); the balanced
# G ended on 7 or 8 of 8 (before step 1,000 it too can look collapsed: seed 0 held 0 to 3 modes).

# %%
ring_steps = 1200 if QUICK else 2000  # balanced needs ~1,000 steps to spread over the ring (measured)
every = ring_steps // 10
ring = {}
for name, settings in {
    "collapse (lr_d = 1e-4, lr_g = 5e-3)": dict(lr_d=1e-4, lr_g=5e-3, seed=SEED),
    "balanced (both 1e-3)": dict(lr_d=1e-3, lr_g=1e-3, seed=SEED),
}.items():
    gan = ToyGAN(preset="ring", **settings)
    cov = []
    for _ in range(ring_steps // every):
        gan.step(every)
        cov.append(gan.modes_reached())
    ring[name] = (cov, gan.samples(), gan.real_samples())
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for name, (cov, _fake, _real) in ring.items():
    axes[0].plot(np.arange(1, len(cov) + 1) * every, cov, "o-", label=name)
axes[0].set(title="ring: share of the 8 modes reached", xlabel="step", ylim=(0, 1.05))
axes[0].legend()
for ax, (name, (cov, fake, real)) in zip(axes[1:], ring.items()):
    ax.scatter(real[:, 0], real[:, 1], s=3, c="0.7")
    ax.scatter(fake[:, 0], fake[:, 1], s=3, c="C3")
    ax.set(title=f"{name}: {cov[-1]:.0%} of modes", aspect="equal")
plt.show()
print({name: [round(c, 2) for c in cov] for name, (cov, _, _) in ring.items()})
collapse_cov, balanced_cov = (cov for cov, _, _ in ring.values())
assert max(collapse_cov) <= 0.5  # the fast G never holds more than half the modes at once (seeds: <= 3 of 8)
assert balanced_cov[-1] >= 0.75  # the balanced G ends on at least 6 of the 8

# %% [markdown]
# ## 2. Mode collapse on real digits
#
# The same failure on MNIST, with a setting that collapsed at every seed we tried (0 to 4): the plain recipe of
# chapter 05's loop (`PLAIN_RECIPE`: the non-saturating loss, no penalty), at a learning rate 10× the course's
# and with heavy momentum (Adam's beta1 = 0.9), against the same plain recipe at the course's settings. (The
# course's default recipe, R3GAN's loss with its penalties, comes from a paper that argues its loss has no
# mode-dropping equilibria; chapter 09 measures it.) The `DiagnosticsTracker` records,
# every few steps, class coverage (how many of the 10 digits hold at least 5 % of the samples, as
# seen by the shipped LeNet), KL to uniform and recall (the share of real digits near some sample),
# the measures that chapter 06 derives and checks.

# %%
num_epochs = 4  # 248 steps over the 4,000 training digits, in quick mode too: the claims below need them
small = dict(latent_dim=32, width=16, batch_size=64, ema=0.0, seed=SEED, device="cpu", **PLAIN_RECIPE)
n_eval = 1000  # the claims were measured with 1,000 samples; quick mode measures fewer checkpoints instead
tracker = DiagnosticsTracker(test, every=124 if QUICK else 40, n=n_eval)  # quick: 2 checkpoints + the end
runs = {}
for name, options in {"collapsing": dict(lr=2e-2, beta1=0.9), "plain": dict()}.items():
    run = new_run(TrainConfig(**{**small, **options}))  # options override the plain recipe's beta1
    train(run, data, num_epochs, progress=False, on_step=tracker)
    tracker.record(run)
    runs[name] = run
    h = run.history["evals"]  # the tracker's table: one row per measurement
    print(f"{name:10s}: digits covered over time {h['num_covered']}, last KL {h['kl_to_uniform'][-1]:.2f}, "
          f"recall {h['recall'][-1]:.2f}, FID {h['fid'][-1]:.1f}")  # fmt: skip

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4))
for name, run in runs.items():
    h = run.history["evals"]
    axes[0].plot(h["step"], h["num_covered"], "o-", label=name)
    axes[1].plot(h["step"], h["kl_to_uniform"], "o-", label=name)
    axes[2].plot(h["step"], h["recall"], "o-", label=name)
for ax, title in zip(axes, ["digits covered (of 10)", "KL to uniform (nats)", "recall"]):
    ax.set(title=title, xlabel="step")
    ax.legend()
plt.show()
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, (name, run) in zip(axes, runs.items()):
    show_images(run.sample()[:36], nrow=6, title=name, ax=ax)
plt.show()

# %%
collapsed, healthy = runs["collapsing"].history["evals"], runs["plain"].history["evals"]
# Measured with seeds 0 to 4 (full mode, 248 steps): the collapsing run ends on 1 to 5 digits, KL 0.66-2.30
# nats, recall 0.00 and FID 1,930-5,780; the plain one on 5 to 8 digits, KL 0.16-0.38, recall 0.10-0.14 and
# FID 750-970. Quick mode trains the same 248 steps (it only measures fewer checkpoints), so the same claims hold.
assert collapsed["kl_to_uniform"][-1] > healthy["kl_to_uniform"][-1] + 0.25  # a lopsided mix of digits
assert collapsed["fid"][-1] > 1.5 * healthy["fid"][-1]  # and far from the real digits
assert collapsed["num_covered"][-1] < healthy["num_covered"][-1]  # fewer digits
assert collapsed["recall"][-1] < healthy["recall"][-1]  # less of the real variety

# %% [markdown]
# ## 3. Oscillation: the bilinear game min_x max_y x·y
#
# The simplest game with an equilibrium: f(x, y) = x·y, x minimises, y maximises, and (0, 0) is the
# only equilibrium. Gradient steps, taken **simultaneously** from the same point, multiply the
# distance to (0, 0) by exactly sqrt(1 + lr²) at every step: they spiral outwards forever.
# **Alternating** steps (y moves after seeing the new x, as in GAN training) stay on a bounded orbit;
# they do not converge either.


# %%
def simultaneous(x, y, lr):
    return x - lr * y, y + lr * x


def alternating(x, y, lr):
    x = x - lr * y
    return x, y + lr * x


lr, n = 0.1, 200
paths = {}
for name, step in (("simultaneous", simultaneous), ("alternating", alternating)):
    xy = [(1.0, 1.0)]
    for _ in range(n):
        xy.append(step(*xy[-1], lr))
    paths[name] = np.array(xy)
dist = {name: np.linalg.norm(p, axis=1) for name, p in paths.items()}
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, p in paths.items():
    axes[0].plot(p[:, 0], p[:, 1], label=name)
    axes[1].plot(dist[name], label=name)
axes[0].plot(0, 0, "k*", ms=12)
axes[0].set(title="x, y over training", aspect="equal")
axes[1].set(title="distance to the equilibrium", xlabel="step")
axes[1].legend()
plt.show()
print(
    f"after {n} steps: simultaneous {dist['simultaneous'][-1]:.3f}, alternating {dist['alternating'][-1]:.3f}"
)
assert np.isclose(dist["simultaneous"][-1], math.sqrt(2) * (1 + lr**2) ** (n / 2))  # exact growth
assert dist["alternating"].max() < 2 * dist["alternating"][0]  # bounded
assert dist["alternating"][-1] > 0.5 * dist["alternating"][0]  # ... but not converging

# %% [markdown]
# ### The same in a GAN: the Dirac GAN, and the jitter of fresh minibatches
#
# Does a GAN's G keep moving because the game circles, or only because every step sees a fresh minibatch?
# Even at the equilibrium, a new batch gives a new gradient, so G **jitters**; a moving G proves nothing until
# it is compared with that jitter. The Dirac GAN (Mescheder, Geiger & Nowozin 2018, section 2.2) makes the
# comparison exact: the data is one point at 0, G puts all its mass at θ, and D(x) = ψ·x. The only
# equilibrium is (θ, ψ) = (0, 0). `theory.dirac_gan` runs gradient steps on it (D first, then G, as in our
# training loop), optionally with data spread N(0, σ²) drawn fresh at each step, like a minibatch.
#
# We measure three things over 2,000 steps (lr 0.1): the distance to the equilibrium over the last half, the
# number of turns the point makes around it (`theory.winding`), and the same distance for a run **started at
# the equilibrium** with minibatch noise, which is the equilibrium's own jitter.

# %%
steps = 2000
orbit = theory.dirac_gan(theta=1.0, psi=1.0, steps=steps, lr=0.1)  # the plain GAN, exact gradients
settled = theory.dirac_gan(theta=0.0, psi=0.0, steps=steps, lr=0.1, noise=0.3, seed=SEED)  # at equilibrium
noisy = theory.dirac_gan(theta=1.0, psi=1.0, steps=steps, lr=0.1, noise=0.3, seed=SEED)
late = slice(steps // 2, None)
dist_orbit = np.linalg.norm(orbit, axis=1)
jitter = np.linalg.norm(settled, axis=1)[late].mean()
turns = theory.winding(orbit[late])
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(orbit[:, 0], orbit[:, 1], lw=0.6, label="plain GAN from (1, 1)")
axes[0].plot(settled[:, 0], settled[:, 1], lw=0.6, label="from (0, 0), minibatch noise")
axes[0].plot(0, 0, "k*", ms=12)
axes[0].set(title="Dirac GAN: (θ, ψ) over training", xlabel="θ (G)", ylabel="ψ (D)", aspect="equal")
axes[0].legend(fontsize=8)
for name, path in (
    ("plain, exact", orbit),
    ("plain, noisy batches", noisy),
    ("at equilibrium, noisy", settled),
):
    axes[1].plot(np.linalg.norm(path, axis=1), label=name, lw=0.8)
axes[1].set(title="distance to the equilibrium", xlabel="step")
axes[1].legend(fontsize=8)
plt.show()
print(
    f"exact gradients: distance {dist_orbit[late].mean():.2f} (started at {dist_orbit[0]:.2f}), "
    f"{abs(turns):.1f} turns in the last {steps // 2} steps"
)
print(f"equilibrium's own jitter with noisy batches: mean distance {jitter:.3f}")  # fmt: skip
assert dist_orbit[late].min() > 0.9 * dist_orbit[0]  # it never comes closer: no convergence
assert abs(turns) > 3  # ...because it circles the equilibrium, turn after turn
assert dist_orbit[late].mean() > 5 * jitter  # and the orbit is far outside the jitter of fresh batches

# %% [markdown]
# With exact gradients the point circles the equilibrium at a constant distance: the orbit of the bilinear
# game, now with a sigmoid in it. With data spread out and fresh batches, the point jitters even when it
# starts **at** the equilibrium, by a tenth of the orbit's radius here. That jitter, not zero, is the yardstick
# for "G still moves". (The noisy run from (1, 1) spirals in, towards the jitter's size: data that is spread
# out acts like instance noise, one of the remedies Mescheder et al. analyse. Real data is spread out, and the
# circling of real GANs is less clean than this.) Chapter 09 adds a penalty that makes the exact game converge.
#
# On the 2-D ring of chapter 04 the measurement is noisier still. With plain SGD at lr 0.05, the centre of
# G's samples moved by 0.04 to 0.35 per 10 steps over the last 300 of 600 steps (seeds 0 to 2), while a run
# with Adam at 1e-3 moved by 0.07 to 0.83: a moving centre there did not tell oscillation from jitter, and the
# centre wound around the ring's middle at one seed only. So the course shows the circling where it can be
# measured cleanly, here.

# %% [markdown]
# ## 4. Vanishing gradients when D wins
#
# Train D alone against a fixed G until it rejects the fakes, then ask how much gradient each G loss
# sends back. The saturating (minimax) loss log(1 − D(G(z))) is flat where D(G(z)) ≈ 0; the
# non-saturating −log D(G(z)) is steepest there (chapter 03 plotted both curves; here it is measured
# through a trained convolutional D).

# %%
set_seed(SEED)
G, D = Generator(32, 16), Discriminator(16)
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True, drop_last=True)
z_fixed = torch.randn(256, 32)


def g_grad_norms():
    out = {}
    for name, g_loss in (("minimax", g_loss_minimax), ("non-saturating", g_loss_nonsaturating)):
        G.zero_grad()
        g_loss(D(G(z_fixed))).backward()
        out[name] = torch.cat([p.grad.flatten() for p in G.parameters()]).norm().item()
    return out


before = g_grad_norms()
for i, (x_real, _) in enumerate(loader):
    with torch.no_grad():
        x_fake = G(torch.randn(64, 32))
    loss = d_loss_bce(D(x_real), D(x_fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    if i == (15 if QUICK else 40):
        break
with torch.no_grad():
    d_fake = torch.sigmoid(D(G(z_fixed))).mean().item()
after = g_grad_norms()
print(f"D(G(z)) after training D: {d_fake:.4f}")
print("G's gradient norm before:", {k: f"{v:.2e}" for k, v in before.items()})
print("G's gradient norm after: ", {k: f"{v:.2e}" for k, v in after.items()})
assert d_fake < 0.05  # D wins
assert after["minimax"] < 0.05 * after["non-saturating"]  # the saturating loss has lost its gradient

# %% [markdown]
# ## 5. Loss curves do not show quality, and diagnostics that do
#
# Look at the two runs of section 2 through their losses alone, then through `diagnose(history)`:
# one call that reads D(x) and D(G(z)), G's gradient norm, FID, class coverage and recall from any
# history, and says in words what looks wrong. `plot_diagnostics(history)` draws the same.

# %%
for name, run in runs.items():
    h = run.history
    print(f"{name:10s}: mean D loss {np.mean(h['d_loss']):.2f}, mean G loss {np.mean(h['g_loss']):.2f}, "
          f"final FID {h['evals']['fid'][-1]:.1f}")  # fmt: skip
fig, ax = plt.subplots(figsize=(7, 3))
for name, run in runs.items():
    ax.plot(run.history["step"], run.history["d_loss"], label=f"{name}: D loss", alpha=0.8)
ax.set(title="D's loss: no verdict on the samples", xlabel="step")
ax.legend()
plt.show()

# %% [markdown]
# Two different runs may differ in their losses too. A sharper test: two stretches of the **same** healthy
# run, the third and the last quarter of its steps, whose D-loss curves look alike (their means differ by
# less than the step-to-step noise within each) while the samples keep improving, which only FID shows.

# %%
steps, d_loss = np.asarray(runs["plain"].history["step"]), np.asarray(runs["plain"].history["d_loss"])
eval_steps, fids = np.asarray(healthy["step"]), np.asarray(healthy["fid"])
start, mid, end = steps[-1] // 2, steps[-1] * 3 // 4, steps[-1]
third, last = d_loss[(steps > start) & (steps <= mid)], d_loss[steps > mid]
fid_mid, fid_end = fids[eval_steps <= mid][-1], fids[-1]
spread = (third.std() + last.std()) / 2
print(
    f"D loss, steps {start}-{mid}: {third.mean():.2f} ± {third.std():.2f}; steps {mid}-{end}: "
    f"{last.mean():.2f} ± {last.std():.2f}. FID at step {eval_steps[eval_steps <= mid][-1]}: {fid_mid:.0f}, "
    f"at step {end}: {fid_end:.0f}"
)
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(steps[steps > start], d_loss[steps > start], lw=0.8)
ax.axvline(mid, color="k", ls=":")
ax.set(title=f"same D loss; FID {fid_mid:.0f} -> {fid_end:.0f}", xlabel="step", ylabel="D loss")
plt.show()
assert abs(third.mean() - last.mean()) < spread  # the stretches differ by less than the step-to-step noise...
assert fid_end < fid_mid  # ...while FID says the samples got better (seeds 0-4, full: by 5% to 33%)

# %%
for name, run in runs.items():
    print(f"--- {name}\n{diagnose(run.history)}")
    display(plot_diagnostics(run.history))
report_c, report_h = diagnose(runs["collapsing"].history), diagnose(runs["plain"].history)
assert any("Mode collapse" in f for f in report_c.findings)
assert not any("Mode collapse" in f for f in report_h.findings)  # the healthy run is not flagged
assert report_c.numbers["FID (last)"] > report_h.numbers["FID (last)"]

# %% [markdown]
# ## Summary
#
# - **Mode collapse** is measurable: on the ring, the share of modes reached; on digits, class
#   coverage, KL to uniform and recall, all from the shipped LeNet. A fixed seed makes it reproducible.
# - **Simultaneous gradient steps** on a game spiral away from the equilibrium (by sqrt(1 + lr²) per
#   step on x·y); alternating steps orbit it. Neither converges by itself. In the Dirac GAN the orbit turns
#   around the equilibrium at a distance far above the jitter that fresh minibatches cause at the equilibrium.
# - **When D wins**, the saturating loss sends G almost no gradient; the non-saturating one still does.
# - **Loss values** say little about sample quality. Watch D(x) and D(G(z)), G's gradient norm, FID,
#   class coverage and recall over time: `diagnose(history)` and `plot_diagnostics(history)` do it in one call.
#
# ## Exercise: the alternating step, and what it conserves
#
# Section 3 says that alternating steps on min_x max_y x·y "stay on a bounded orbit" without converging.
# Prove it numerically. The step is `alternating(x, y, lr)` of section 3: x moves first (down its gradient),
# then y moves (up its gradient) **using the new x**. Find a quantity `invariant(x, y, lr)` that this step keeps
# exactly, at every step, and that differs between orbits (a constant does not count, and neither does a
# quantity whose drift along an orbit is hidden under a large constant). Hint: x² + y² is not kept (print it
# along an orbit); try adding a multiple of x·y whose weight depends on lr.


# %% tags=["exercise"]
def invariant(x, y, lr):
    ### BEGIN SOLUTION
    # Task: return a number that alternating() keeps exactly (and that is not the same on every orbit).
    return x * x + y * y - lr * x * y
    ### END SOLUTION


check_alternating_invariant(alternating, invariant)

# %% [markdown]
# The step is a linear map with determinant 1, so it preserves a quadratic form: its level sets are ellipses
# around (0, 0), and the orbit stays on one of them for ever, bounded and never converging.

# %% [markdown]
# ## Further reading
#
# - Goodfellow (2016), *NIPS 2016 Tutorial: Generative Adversarial Networks* (arXiv:1701.00160): section 5.1
#   (non-convergence) and 5.1.1 (mode collapse); section 3.2.3 (the non-saturating game of section 4 here).
# - Mescheder, Geiger & Nowozin (2018), *Which Training Methods for GANs do actually Converge?* (the Dirac GAN).
# - Arjovsky & Bottou (2017), *Towards Principled Methods for Training GANs* (vanishing gradients).
# - Metz et al. (2017), *Unrolled Generative Adversarial Networks* (the ring of Gaussians).

# %% [markdown]
# <!-- nav:bottom -->
# [← 07 Bug hunt](07_bug_hunt.ipynb) | [Index](00_index.ipynb) | [09 Stabilizing GANs →](09_stabilizing.ipynb)
