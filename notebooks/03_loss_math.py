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
# # The loss, the maths
#
# A GAN is a two-player game, and this chapter makes the game concrete. You will write down the
# value function V(D, G), see that the usual binary cross-entropy losses *are* that game, derive the
# best possible discriminator D* and compute it for two 1-D Gaussians (then watch a trained network
# find it), check numerically that V(D*, G) = −log 4 + 2·JSD(p_data‖p_g), and see why generators are
# trained with the *non-saturating* loss. Along the way we fix the formulas of the article's §3
# (one sign is wrong, one "total loss" is not a thing), each with a cell that proves the fix. At the
# end, an interactive explorer lets you drag p_g around and watch D* and the JSD respond.
#
# <!-- full-mode-time: 12 s -->

# %% [markdown]
# <!-- nav:top -->
# [← 02 Core concepts](02_core_concepts.ipynb) | [Index](00_index.ipynb) | [04 Toy GAN playground →](04_toy_gan_playground.ipynb)

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gan_lessons import (
    QUICK,
    d_loss_bce,
    g_loss_minimax,
    g_loss_nonsaturating,
    gaussian_explorer,
    set_seed,
    setup_chapter,
    theory,
)
from gan_lessons.checks import (
    WrongAnswer,
    check_d_loss,
    check_d_star,
    check_g_loss,
    check_loss_choice,
    check_value_at_equilibrium,
)

# Every model in this chapter has < 2,000 parameters: the CPU is fastest, and one thread, since for models
# this small extra threads only add overhead.
chapter = setup_chapter("03_loss_math", seed=0, device="cpu", threads=1)
device = chapter.device
print("data: 1-D Gaussians, p_data = N(0, 1), sampled on the fly (no image data set in this chapter)")

# %% [markdown]
# ## 1. The value function V(D, G)
#
# The article (§3.1) describes the training as "minimising the losses of G and D". The original paper
# (Goodfellow et al., 2014) states it more precisely as a **minimax game** over one value function:
#
# $$\min_G \max_D \; V(D, G) = \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))].$$
#
# * D(x) ∈ (0, 1) is the discriminator's probability that x is real. D wants V **large**: log D(x)
#   near 0 on real data and log(1 − D(G(z))) near 0 on fakes.
# * G only appears in the second term and wants V **small**: it wants D(G(z)) near 1.
#
# In code, D outputs a **logit** a (any real number) and D(x) = sigmoid(a). The discriminator's
# loss is −V, which is exactly the binary cross-entropy with label 1 for real images and 0 for fakes.
# Here is that identity on a random batch of logits:

# %%
real_logits = torch.randn(64) + 1.0  # a half-trained D: positive on real data...
fake_logits = torch.randn(64) - 1.0  # ...negative on fakes
D_real, D_fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)

V = torch.log(D_real).mean() + torch.log(1 - D_fake).mean()
bce = F.binary_cross_entropy(D_real, torch.ones(64)) + F.binary_cross_entropy(D_fake, torch.zeros(64))
bce_logits = F.binary_cross_entropy_with_logits(
    real_logits, torch.ones(64)
) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros(64))
print(
    f"V = {V:.5f}   BCE(probabilities) = {bce:.5f}   BCE(logits) = {bce_logits:.5f}   d_loss_bce = {d_loss_bce(real_logits, fake_logits):.5f}"
)
assert torch.allclose(-V, bce, atol=1e-5) and torch.allclose(-V, bce_logits, atol=1e-5)
assert torch.allclose(
    d_loss_bce(real_logits, fake_logits), -V, atol=1e-5
)  # the package's loss is the same game

# %% [markdown]
# ## 2. The optimal discriminator D*
#
# Fix G, so p_g (the distribution of G(z)) is fixed. Writing both expectations as integrals over x,
#
# $$V(D, G) = \int \big[\, p_\text{data}(x)\log D(x) + p_g(x)\log(1 - D(x)) \,\big]\,dx .$$
#
# D can choose its value at each x separately, so it maximises the integrand point by point. For
# a, b ≥ 0, the function y ↦ a log y + b log(1 − y) has derivative a/y − b/(1 − y), which is zero at
# y = a/(a + b) (and the function is concave, so that is the maximum). Hence
#
# $$D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)} .$$
#
# First, the one-line calculus, checked by brute force on a fine grid of y:

# %%
y = np.linspace(1e-6, 1 - 1e-6, 200_001)
for a, b in [(0.3, 0.1), (1.0, 1.0), (0.05, 2.0)]:
    best_y = y[np.argmax(a * np.log(y) + b * np.log(1 - y))]
    print(f"a={a}, b={b}: argmax = {best_y:.5f}, a/(a+b) = {a / (a + b):.5f}")
    assert abs(best_y - a / (a + b)) < 1e-4

# %% [markdown]
# Now for two Gaussians: p_data = N(0, 1) and a generator whose samples follow p_g = N(2, 0.7²).
# D* is close to 1 where only real data lives, close to 0 where only fakes live, and exactly 1/2
# where the two densities cross.

# %%
x = theory.density_grid(-12, 12, 4801)
p_data = theory.gaussian_pdf(x, 0.0, 1.0)
p_g = theory.gaussian_pdf(x, 2.0, 0.7)
d_star = theory.optimal_discriminator(p_data, p_g)

cross = np.flatnonzero((x > 0) & (x < 2))[np.argmin(np.abs(p_data - p_g)[(x > 0) & (x < 2)])]
print(f"densities cross at x = {x[cross]:.3f}, where D* = {d_star[cross]:.3f}")
assert abs(d_star[cross] - 0.5) < 0.01
assert d_star[np.searchsorted(x, -2.0)] > 0.99 and d_star[np.searchsorted(x, 2.0)] < 0.2

# No other discriminator does better: random perturbations of D* always lower V.
v_star = theory.value_function(d_star, p_data, p_g, x)
rng = np.random.default_rng(0)
for _ in range(5):
    other = np.clip(d_star + rng.normal(0, 0.05, x.shape), 0, 1)
    assert theory.value_function(other, p_data, p_g, x) < v_star
print(f"V(D*, G) = {v_star:.4f}, larger than for any perturbed D")

# The article's prose (§3.1.2) describes D's objective without logs: "the probability of real plus the
# negative of the probability of fake", E[D(x)] − E[D(G(z))]. Point by point that is a·y − b·y, linear
# in y = D(x): its maximum sits at an end, y = 1 wherever p_data > p_g and y = 0 elsewhere. That D is a
# hard yes/no, not D*, and it carries no information on *how much* likelier real is. The logs matter.
for a, b in [(0.3, 0.1), (1.0, 1.2), (0.4, 0.6)]:
    best_linear = y[np.argmax(a * y - b * y)]
    print(f"a={a}, b={b}: the prose's D = {best_linear:.3f}, D* = a/(a+b) = {a / (a + b):.3f}")
    assert abs(best_linear - (1.0 if a > b else 0.0)) < 1e-5  # a step, not a/(a+b)
    assert abs(best_linear - a / (a + b)) > 0.2

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(x, p_data, label="p_data = N(0, 1)")
ax.plot(x, p_g, label="p_g = N(2, 0.7²)")
ax.plot(x, d_star, "k--", label="D*(x)")
ax.axhline(0.5, color="gray", lw=0.8, ls=":")
ax.set(xlim=(-4, 5), xlabel="x", title="The optimal discriminator")
ax.legend()
plt.show()

# %% [markdown]
# ### A trained discriminator finds D*
#
# The derivation says what the *best* D is. Does gradient descent on the BCE loss actually get there?
# We train a small network (1 → 32 → 32 → 1, output a logit) on fresh samples of both distributions
# and compare sigmoid(D(x)) with D*(x) wherever there is data to learn from.


# %%
def make_D() -> nn.Module:
    """A small 1-D discriminator: x of shape (N, 1) -> logits (N, 1)."""
    return nn.Sequential(
        nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1)
    )


set_seed(0)
D = make_D()
opt_d = torch.optim.Adam(D.parameters(), lr=3e-3)
num_steps = 300 if QUICK else 1500
for _ in range(num_steps):
    x_real = torch.randn(256, 1)
    x_fake = 2.0 + 0.7 * torch.randn(256, 1)
    loss = d_loss_bce(D(x_real).squeeze(1), D(x_fake).squeeze(1))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()

with torch.no_grad():
    d_trained = torch.sigmoid(D(torch.tensor(x, dtype=torch.float32)[:, None])).squeeze(1).numpy()
where_data = (p_data + p_g) > 0.05
gap = np.abs(d_trained - d_star)[where_data]
print(
    f"after {num_steps} steps: max |D - D*| = {gap.max():.3f}, mean = {gap.mean():.4f} (where p_data + p_g > 0.05)"
)
assert gap.max() < 0.1 and gap.mean() < 0.03

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(x, d_star, "k--", label="D* (formula)")
ax.plot(x, d_trained, color="C3", alpha=0.8, label=f"trained D ({num_steps} steps)")
ax.fill_between(x, 0, 1, where=~where_data, color="gray", alpha=0.15, label="almost no data")
ax.set(xlim=(-4, 5), xlabel="x")
ax.legend()
plt.show()

# %% [markdown]
# Outside the shaded band the trained D is unconstrained: no samples land there, so the network
# extrapolates. That is a first hint of why a GAN's D can give a generator useless gradients far
# from the data (chapter 08).
#
# ## 3. What G minimises: V(D*, G) = −log 4 + 2·JSD(p_data‖p_g)
#
# Plug D* back into V. Writing m = (p_data + p_g)/2 for the mixture,
#
# $$V(D^*, G) = \int p_\text{data}\log\frac{p_\text{data}}{2m} + p_g\log\frac{p_g}{2m}\,dx
# = -\log 4 + \mathrm{KL}(p_\text{data}\|m) + \mathrm{KL}(p_g\|m) = -\log 4 + 2\,\mathrm{JSD}(p_\text{data}\|p_g).$$
#
# The Jensen–Shannon divergence is ≥ 0 and zero only when p_g = p_data, so against a perfect
# discriminator the generator's best move is to match the data exactly, where V = −log 4 ≈ −1.386
# and D* = 1/2 everywhere. We check the identity three independent ways: the integral of V on a grid,
# a Monte Carlo average over samples, and the JSD from its KL definition.

# %%
rng = np.random.default_rng(0)
n_mc = 20_000 if QUICK else 200_000
for mu_g, sigma_g in [(0.0, 1.0), (2.0, 0.7), (-1.0, 2.0), (6.0, 1.0)]:
    game = theory.gaussian_game(mu_g, sigma_g)
    d_at = lambda s, mu_g=mu_g, sigma_g=sigma_g: theory.optimal_discriminator(
        theory.gaussian_pdf(s, 0, 1), theory.gaussian_pdf(s, mu_g, sigma_g)
    )
    xs_real, xs_fake = rng.normal(0, 1, n_mc), rng.normal(mu_g, sigma_g, n_mc)
    v_mc = np.mean(np.log(np.clip(d_at(xs_real), 1e-300, None))) + np.mean(
        np.log(np.clip(1 - d_at(xs_fake), 1e-300, None))
    )
    rhs = -math.log(4) + 2 * game.jsd
    print(
        f"p_g = N({mu_g}, {sigma_g}²): V grid = {game.value:+.4f}, V Monte Carlo = {v_mc:+.4f}, -log 4 + 2 JSD = {rhs:+.4f}, JSD = {game.jsd:.4f}"
    )
    assert abs(game.value - rhs) < 1e-8
    assert abs(v_mc - rhs) < 0.03  # sampling error only
    assert 0 <= game.jsd <= math.log(2) + 1e-12

# %% [markdown]
# Sliding p_g's mean across the data shows the whole picture: V(D*, G) has its minimum −log 4 exactly
# at p_g = p_data, and the JSD **saturates at log 2** once the two distributions barely overlap.
# A flat JSD means a tiny gradient for G: with an (almost) optimal D and distributions far apart,
# the minimax generator has (almost) nothing to follow. Keep that in mind for section 4.

# %%
means = np.linspace(-8, 8, 161)
games = [theory.gaussian_game(m, 1.0) for m in means]
values, jsds = np.array([g.value for g in games]), np.array([g.jsd for g in games])
assert means[np.argmin(values)] == 0.0 and abs(values.min() + math.log(4)) < 1e-9
assert jsds[-1] > 0.999 * math.log(2)  # p_g = N(8, 1): essentially disjoint
slope_far = abs(jsds[-1] - jsds[-2]) / (means[1] - means[0])
slope_near = abs(jsds[90] - jsds[89]) / (means[1] - means[0])
print(f"dJSD/dmean near the data: {slope_near:.3f}; 8 standard deviations away: {slope_far:.2e}")
assert slope_far < 0.01 * slope_near  # a hundred times flatter

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(means, values, label="V(D*, G)")
ax.plot(means, jsds, label="JSD(p_data ‖ p_g)")
ax.axhline(-math.log(4), color="C0", ls=":", lw=1, label="−log 4")
ax.axhline(math.log(2), color="C1", ls=":", lw=1, label="log 2")
ax.set(xlabel="mean of p_g (std 1); p_data = N(0, 1)", title="V(D*, G) = −log 4 + 2·JSD")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 4. Saturating vs non-saturating generator losses
#
# The minimax game has G minimise E[log(1 − D(G(z)))] (the **saturating** loss). Take its gradient
# with respect to D's logit a on a fake, with D = sigmoid(a):
#
# * saturating, log(1 − sigmoid(a)):  d/da = −D(G(z)),
# * non-saturating, −log sigmoid(a):  d/da = −(1 − D(G(z))).
#
# Early in training the fakes are bad, D rejects them, D(G(z)) ≈ 0, and the saturating gradient
# **vanishes** exactly when G most needs it. The non-saturating loss, proposed in the same 2014 paper,
# has the same fixed point (both push D(G(z)) up) but a gradient close to −1 there. It is the
# article's L_G, and the default everywhere in this course. The article's prose (§3.1.1) says
# instead that G should "maximise the probability D(G(z))"; taken literally, loss −D(G(z)) has
# gradient −D(1 − D), which vanishes too. The log matters.
#
# Autograd agrees with the formulas:

# %%
a = torch.linspace(-8, 8, 401, requires_grad=True)
grads = {}
for name, loss_fn in [("saturating", g_loss_minimax), ("nonsaturating", g_loss_nonsaturating)]:
    (g,) = torch.autograd.grad(loss_fn(a) * len(a), a)  # *len: undo the batch mean, per-sample gradients
    grads[name] = g.numpy()
d_fake = torch.sigmoid(a).detach().numpy()
(g_prob,) = torch.autograd.grad(-torch.sigmoid(a).sum(), a)
expected = theory.generator_loss_grads(d_fake)
for name in grads:
    assert np.allclose(grads[name], expected[name], atol=1e-6)

rejected = np.searchsorted(d_fake, 0.01)  # D(G(z)) = 0.01: D rejects the fake
print(
    f"at D(G(z)) = {d_fake[rejected]:.3f}: saturating gradient {grads['saturating'][rejected]:+.4f}, "
    f"non-saturating {grads['nonsaturating'][rejected]:+.4f}, '-D' {g_prob[rejected]:+.4f}"
)
assert abs(grads["saturating"][rejected]) < 0.011 and abs(grads["nonsaturating"][rejected]) > 0.98
assert abs(g_prob[rejected]) < 0.011

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(d_fake, grads["saturating"], label="saturating: log(1 − D)")
ax.plot(d_fake, grads["nonsaturating"], label="non-saturating: −log D")
ax.plot(d_fake, g_prob.numpy(), ":", label="literal '−D' (article's prose)")
ax.axvspan(0, 0.1, color="C3", alpha=0.1, label="early training: D rejects fakes")
ax.set(xlabel="D(G(z))", ylabel="d loss / d logit", title="Generator gradient against D's verdict")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The same effect inside a network. Let a generator G(z) = μ + 0.5·z sit at μ = 4, far from the data
# N(0, 1), and train D against it until it rejects the fakes. Then ask how strongly each loss pulls μ
# towards the data, i.e. the gradient that reaches G's parameter through D:

# %%
set_seed(0)
D_strong = make_D()
opt = torch.optim.Adam(D_strong.parameters(), lr=3e-3)
for _ in range(300):
    x_real, x_fake = torch.randn(256, 1), 4.0 + 0.5 * torch.randn(256, 1)
    loss = d_loss_bce(D_strong(x_real).squeeze(1), D_strong(x_fake).squeeze(1))
    opt.zero_grad()
    loss.backward()
    opt.step()
mu_far = torch.tensor(4.0, requires_grad=True)
fake_logits_far = D_strong(mu_far + 0.5 * torch.randn(1000, 1)).squeeze(1)
(grad_sat,) = torch.autograd.grad(g_loss_minimax(fake_logits_far), mu_far, retain_graph=True)
(grad_ns,) = torch.autograd.grad(g_loss_nonsaturating(fake_logits_far), mu_far)
print(
    f"mean D(G(z)) = {torch.sigmoid(fake_logits_far).mean():.4f}; d loss/d mu: saturating {grad_sat.item():.4f}, "
    f"non-saturating {grad_ns.item():.4f} ({abs(grad_ns / grad_sat).item():.0f} times larger)"
)
assert torch.sigmoid(fake_logits_far).mean() < 0.05
assert grad_sat > 0 and grad_ns > 0  # both point mu towards the data (gradient descent lowers mu)...
assert abs(grad_ns) > 20 * abs(grad_sat)  # ...but the saturating one barely pushes

# %% [markdown]
# ## 5. The algorithm, step by step (the article's §3.2)
#
# The article lists: initialise, train G, train D, repeat "until the parameters converge". The
# paper's Algorithm 1 trains **D first**, for k steps, then G for one step, and there is no
# convergence guarantee for the networks we actually train (chapter 08). One iteration:
#
# 1. for k steps: sample m noise vectors z and m real examples x; update D by descending
#    L_D = −mean log D(x) − mean log(1 − D(G(z)))   (ascending V);
# 2. sample m fresh z; update G by descending the non-saturating −mean log D(G(z)).
#
# To watch it work we use the smallest possible generator, G(z) = μ + σ·z with z ~ N(0, 1), so p_g is
# exactly N(μ, σ²) and we can compute the true JSD at every iteration. G starts at N(3, 0.5²); the data
# are N(0, 1).

# %%
set_seed(0)
k = 1  # discriminator steps per generator step (the paper used k = 1 in its experiments)
m = 256  # batch size
num_iters = 200 if QUICK else 1000
D = make_D()
mu = torch.tensor(3.0, requires_grad=True)
log_sigma = torch.tensor(math.log(0.5), requires_grad=True)
G = lambda z: mu + log_sigma.exp() * z
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_g = torch.optim.Adam([mu, log_sigma], lr=2e-2, betas=(0.5, 0.999))
trace = []
for _ in range(num_iters):
    for _ in range(k):  # 1. k discriminator steps; detach: this step must not change G
        x_real, z = torch.randn(m, 1), torch.randn(m, 1)
        loss_d = d_loss_bce(D(x_real).squeeze(1), D(G(z).detach()).squeeze(1))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
    z = torch.randn(m, 1)  # 2. one generator step, fresh noise
    loss_g = g_loss_nonsaturating(D(G(z)).squeeze(1))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    trace.append((mu.item(), log_sigma.exp().item(), loss_d.item()))

trace = np.array(trace)
jsd_path = [theory.gaussian_game(mu_i, s_i).jsd for mu_i, s_i in trace[:: max(1, num_iters // 100), :2]]
print(f"start: p_g = N(3.00, 0.50²), JSD = {theory.gaussian_game(3.0, 0.5).jsd:.3f}")
print(
    f"after {num_iters} iterations: p_g = N({trace[-1, 0]:.2f}, {trace[-1, 1]:.2f}²), JSD = {jsd_path[-1]:.4f}, "
    f"D loss {trace[-20:, 2].mean():.3f} (log 4 = {math.log(4):.3f})"
)
assert abs(trace[-1, 0]) < 0.3 and abs(trace[-1, 1] - 1.0) < 0.3
assert jsd_path[-1] < 0.05 < theory.gaussian_game(3.0, 0.5).jsd

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3))
ax1.plot(trace[:, 0], label="μ (target 0)")
ax1.plot(trace[:, 1], label="σ (target 1)")
ax1.set(xlabel="iteration", title="The generator's two parameters")
ax1.legend()
ax2.plot(np.arange(len(jsd_path)) * max(1, num_iters // 100), jsd_path)
ax2.set(xlabel="iteration", ylabel="JSD(p_data ‖ p_g)", title="The true divergence")
plt.show()

# %% [markdown]
# Notice the D loss: it does not go to zero. When G matches the data, the best D can do is 1/2
# everywhere, and then L_D = −log(1/2) − log(1/2) = log 4 ≈ 1.386. A GAN's loss curves are not
# learning curves that should fall to 0 (chapter 08 comes back to this).

# %%
assert abs(-2 * math.log(0.5) - math.log(4)) < 1e-12
assert abs(trace[-50:, 2].mean() - math.log(4)) < 0.15  # the D loss hovers around log 4, not 0

# %% [markdown]
# ## 6. The article's formulas, corrected
#
# ### 6.1 The sign of the fake term in L_D
#
# The article writes L_D = −E[log D(x)] **+** E[log(1 − D(G(z)))]. Minimising the second term drives
# log(1 − D(G(z))) towards −∞, i.e. D(G(z)) → 1: the discriminator is rewarded for calling the
# **fakes real**. The correct loss subtracts both terms (it is −V). Train the same D with each loss on
# the same data and look at what it says about the fakes:


# %%
def article_d_loss(real_logits, fake_logits):
    """The article's L_D, as printed: -E[log D(x)] + E[log(1 - D(G(z)))]."""
    return -F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()


verdicts = {}
for name, loss_fn in [("correct", d_loss_bce), ("article", article_d_loss)]:
    set_seed(0)
    D_try = make_D()
    opt = torch.optim.Adam(D_try.parameters(), lr=3e-3)
    for _ in range(200 if QUICK else 500):
        x_real, x_fake = torch.randn(256, 1), 2.0 + 0.7 * torch.randn(256, 1)
        loss = loss_fn(D_try(x_real).squeeze(1), D_try(x_fake).squeeze(1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        verdicts[name] = torch.sigmoid(D_try(2.0 + 0.7 * torch.randn(2000, 1))).mean().item()
    print(f"{name:8s} L_D: mean D(fake) after training = {verdicts[name]:.3f}")
assert verdicts["correct"] < 0.3 and verdicts["article"] > 0.9

try:  # the checker of exercise 1 recognises the article's version and says what is wrong
    check_d_loss(article_d_loss)
    raise RuntimeError("the checker should have rejected the article's L_D")
except WrongAnswer as hint:
    print("check_d_loss(article_d_loss) ->", hint)
    assert "wrong sign" in str(hint)

# %% [markdown]
# ### 6.2 "L = L_G + L_D" is not one objective
#
# The article's §3.1.3 adds the two losses and "minimises the total". A GAN is not an optimisation
# problem but a **game**: D minimises L_D over D's parameters only, G minimises L_G over G's parameters
# only. Summing them destroys the game in both directions:
#
# * with the minimax L_G = E[log(1 − D(G(z)))], the sum is L_G + L_D = −E[log D(x)]: the fake terms
#   cancel, **G's gradient is exactly zero**, and G never learns;
# * with the non-saturating L_G = −E[log D(G(z))], D's part of the sum on a fake is
#   −log D − log(1 − D), which is smallest at D = 1/2 whatever the fake looks like: D learns nothing
#   about fakes.

# %%
set_seed(0)
D_sum = make_D()
mu_s = torch.tensor(3.0, requires_grad=True)
z, x_real = torch.randn(256, 1), torch.randn(256, 1)
real_l, fake_l = D_sum(x_real).squeeze(1), D_sum(mu_s + z).squeeze(1)
total = g_loss_minimax(fake_l) + d_loss_bce(real_l, fake_l)  # the article's L = L_G + L_D, minimax L_G
(grad_mu,) = torch.autograd.grad(total, mu_s)
print(f"d(L_G + L_D)/d(mu) with the minimax L_G: {grad_mu.item():.2e}")
assert abs(grad_mu.item()) < 1e-6

a_fake = torch.linspace(-6, 6, 1201)
sum_on_fake = -F.logsigmoid(a_fake) - F.logsigmoid(-a_fake)  # L_G (non-saturating) + L_D's fake term
best_D = torch.sigmoid(a_fake[sum_on_fake.argmin()]).item()
print(f"with the non-saturating L_G, the sum is minimised at D(G(z)) = {best_D:.3f} for every fake")
assert abs(best_D - 0.5) < 1e-6

# %% [markdown]
# ### 6.3 D(x) = exp(D₁(x)) / (1 + exp(D₁(x))) is the sigmoid of a logit
#
# The article's formula defines D through a "sub-network D₁". It is simply D(x) = sigmoid(D₁(x)): D₁
# is the network and its output is the **logit**, the log-odds log(D/(1 − D)). Two practical
# consequences: evaluate it as a sigmoid (exp(a)/(1 + exp(a)) overflows to inf/inf = NaN for a > 88 in
# float32), and give losses the logit, not the probability: BCE on logits stays exact where BCE on
# sigmoid outputs has to be clamped.

# %%
a = torch.tensor([-3.0, 0.0, 2.5, 100.0])
article_D = torch.exp(a) / (1 + torch.exp(a))
print("exp(a)/(1+exp(a)):", article_D.tolist(), "  sigmoid(a):", torch.sigmoid(a).tolist())
assert torch.allclose(article_D[:3], torch.sigmoid(a[:3]))
assert torch.isnan(article_D[3]) and torch.sigmoid(a[3]) == 1.0
assert torch.allclose(torch.logit(torch.sigmoid(a[:3])), a[:3], atol=1e-5)  # the logit undoes the sigmoid

a_bad = torch.tensor([-200.0])  # a fake that D rejects with great confidence; label 1 (generator loss)
via_probs = F.binary_cross_entropy(torch.sigmoid(a_bad), torch.ones(1))
via_logits = F.binary_cross_entropy_with_logits(a_bad, torch.ones(1))
print(
    f"-log D for logit -200: on probabilities {via_probs.item():.1f} (clamped), on logits {via_logits.item():.1f} (exact)"
)
assert via_probs.item() == 100.0 and abs(via_logits.item() - 200.0) < 1e-4

# %% [markdown]
# The article's "G(z) = G₁(G₂(z))" is likewise nothing more than function composition: any network
# is a composition of its layers. Chapter 02 splits our generator into two halves to show it.
#
# ## 7. Explore: move p_g, watch D* and the JSD
#
# Drag the sliders. The dashed line is D*; the title shows V(D*, G), the JSD and −log 4 + 2·JSD (the
# first and last always agree). Things to try: put p_g on top of p_data (D* flattens to 1/2, JSD = 0);
# move it far away (JSD stops growing at log 2 = 0.693); make p_g narrow inside p_data (D* dips only
# where p_g piles up its mass).

# %%
explorer = gaussian_explorer()
explorer

# %% [markdown]
# The same widget, driven from code. Each slider move recomputes D* and the JSD and redraws the one
# figure in place; the redraw time is measured (the target is well under 100 ms on a laptop CPU, but
# we print it rather than assert it, because shared CI machines are noisy).

# %%
for mean_g, std_g in [(0.0, 1.0), (4.0, 1.0), (0.0, 0.3)]:
    explorer.mu_g.value, explorer.sigma_g.value = mean_g, std_g
    state = explorer.state
    reference = theory.gaussian_game(mean_g, std_g)
    print(f"p_g = N({mean_g}, {std_g}²): JSD = {state['jsd']:.4f}, V(D*, G) = {state['value']:+.4f}")
    assert abs(state["jsd"] - reference.jsd) < 1e-6
    assert abs(state["value"] - (-math.log(4) + 2 * state["jsd"])) < 1e-9
explorer.mu_g.value, explorer.sigma_g.value = 0.0, 1.0
assert np.allclose(explorer.state["d_star"], 0.5) and explorer.state["jsd"] < 1e-12
print(f"redraw time: median {np.median(explorer.redraw_ms):.1f} ms over {len(explorer.redraw_ms)} redraws")
explorer.mu_g.value = 2.0

# %% [markdown]
# ## Summary
#
# * A GAN is a minimax game over V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))]. D's BCE loss is −V;
#   there is no single "total loss": each player minimises its own loss over its own parameters.
# * For a fixed G the best discriminator is D* = p_data/(p_data + p_g), and a small network trained
#   with BCE finds it where there is data.
# * Against D*, the generator minimises −log 4 + 2·JSD(p_data‖p_g), whose minimum is at p_g = p_data.
#   The JSD saturates at log 2 for distributions that do not overlap.
# * The saturating loss log(1 − D(G(z))) has gradient −D(G(z)), which vanishes when D rejects the
#   fakes; the non-saturating −log D(G(z)) keeps a gradient near −1 there. Use it.
# * The article's L_D has the wrong sign on its fake term; D(x) is sigmoid of a logit; work on logits.
#
# ## Exercises
#
# Each exercise cell holds a function for you to complete, then its checker. The checker prints
# "Correct!"; or it stops the cell with "Not right yet: <hint>" (a `WrongAnswer`), whose hint says what
# is wrong; or, while the function is still the stub of the student edition, it prints "Not done yet"
# with what to write.
#
# **Exercise 1.** Write the discriminator's loss `my_d_loss(d_real, d_fake)`: D's outputs on a batch of real
# and on a batch of fake digits. You may take logits (then use `F.binary_cross_entropy_with_logits` or `F.logsigmoid`) or probabilities D(x), D(G(z)) (then use
# `torch.log`): the checker tries both.


# %% tags=["exercise"]
def my_d_loss(d_real, d_fake):
    ### BEGIN SOLUTION
    # Task: return D's loss, -(mean of log D(x) + mean of log(1 - D(G(z)))), one number, on logits or probabilities.
    # Written on probabilities; the logit version is d_loss_bce in gan_lessons.losses.
    return -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    ### END SOLUTION


check_d_loss(my_d_loss)

# %% [markdown]
# **Exercise 2.** With p_data = N(0, 1) and p_g = N(2, 1.5²) (mean 2, standard deviation 1.5), what
# is D*(0.5)? Compute it (NumPy or by hand) in `my_d_star()`. The two standard deviations differ, so
# each density needs its own normaliser 1/(σ√(2π)).


# %% tags=["exercise"]
def my_d_star():
    ### BEGIN SOLUTION
    # Task: return D*(0.5) = p_data(0.5) / (p_data(0.5) + p_g(0.5)), one number.
    pd_05 = math.exp(-(0.5**2) / 2) / math.sqrt(2 * math.pi)
    pg_05 = math.exp(-((0.5 - 2) ** 2) / (2 * 1.5**2)) / (1.5 * math.sqrt(2 * math.pi))
    return pd_05 / (pd_05 + pg_05)
    ### END SOLUTION


check_d_star(my_d_star, x=0.5, sigma_g=1.5)

# %% [markdown]
# **Exercise 3.** Which generator loss keeps a strong gradient when D confidently rejects the fakes
# (D(G(z)) ≈ 0)? (a) log(1 − D(G(z)))  (b) −log D(G(z))  (c) −D(G(z))  (d) −log(1 − D(G(z))).
# Answer with the letter.


# %% tags=["exercise"]
def my_choice():
    ### BEGIN SOLUTION
    # Task: return the letter of your choice, "a", "b", "c" or "d".
    return "b"
    ### END SOLUTION


check_loss_choice(my_choice)

# %% [markdown]
# **Exercise 4.** Now write that loss, `my_g_loss(fake)`, on logits or on probabilities.


# %% tags=["exercise"]
def my_g_loss(fake_logits):
    ### BEGIN SOLUTION
    # Task: return the non-saturating loss, the mean of -log D(G(z)), one number.
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    ### END SOLUTION


check_g_loss(my_g_loss)

# %% [markdown]
# **Exercise 5.** When G is perfect (p_g = p_data), what is V(D*, G)? Give a number (natural logs).


# %% tags=["exercise"]
def my_value():
    ### BEGIN SOLUTION
    # Task: return V(D*, G) at p_g = p_data, one number (natural logs).
    return 2 * math.log(0.5)  # D* = 1/2 everywhere
    ### END SOLUTION


check_value_at_equilibrium(my_value)

# %% [markdown]
# ## Further reading
#
# * I. Goodfellow, J. Pouget-Abadie, M. Mirza, B. Xu, D. Warde-Farley, S. Ozair, A. Courville,
#   Y. Bengio. *Generative Adversarial Nets.* NeurIPS (NIPS) 27, 2014. arXiv:1406.2661. The value
#   function, D*, the JSD result, Algorithm 1 and the non-saturating loss (its section 3).
# * I. Goodfellow. *NIPS 2016 Tutorial: Generative Adversarial Networks.* arXiv:1701.00160.
#   Section 3.2 compares the generator losses.
# * M. Arjovsky, L. Bottou. *Towards Principled Methods for Training Generative Adversarial
#   Networks.* ICLR 2017. arXiv:1701.04862. Why the JSD's saturation starves the generator.
# * S. Nowozin, B. Cseke, R. Tomioka. *f-GAN: Training Generative Neural Samplers using Variational
#   Divergence Minimization.* NeurIPS (NIPS) 29, 2016. arXiv:1606.00709. The JSD is one of many choices.
# * W. Fedus, M. Rosca, B. Lakshminarayanan, A. Dai, S. Mohamed, I. Goodfellow. *Many Paths to
#   Equilibrium: GANs Do Not Need to Decrease a Divergence at Every Step.* ICLR 2018. arXiv:1710.08446.
# * M. Kahng, N. Thorat, D. H. Chau, F. Viégas, M. Wattenberg. *GAN Lab: Understanding Complex Deep
#   Generative Models using Interactive Visual Experimentation.* IEEE TVCG 25(1), 2019.
#   arXiv:1809.01587. The inspiration for chapter 04.

# %% [markdown]
# <!-- nav:bottom -->
# [← 02 Core concepts](02_core_concepts.ipynb) | [Index](00_index.ipynb) | [04 Toy GAN playground →](04_toy_gan_playground.ipynb)
