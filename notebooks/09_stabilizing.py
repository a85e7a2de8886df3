# %% [markdown]
# # 09 · Stabilizing GANs: the remedies, and one table to compare them
#
# The article hopes for "better training" without saying how. Ten remedies from the literature
# follow, each with its formula, the paper it comes from, and a cell that checks the package's
# version does what the formula says. Then all of them train on MNIST under the **same wall-clock
# budget and the same seed**, and one table, produced by running the code, compares FID (LeNet
# features), precision, recall, class coverage (the metrics of chapter 06), time, memory and the share of the
# 2-D ring's modes reached (chapter 04). By the end
# you will be able to:
#
# - say what each remedy changes (the loss, D's layers, the optimizer, or the data D sees) and why;
# - switch any of them on with one option (`TrainConfig(...)` or `python -m gan_lessons train --...`);
# - write the WGAN-GP gradient penalty yourself (the exercise);
# - read a comparison table critically: one seed, one budget, one machine.
#
# <!-- full-mode-time: 385 s (6.4 min, of which the 11 x 30 s table 381 s) -->

# %% [markdown]
# <!-- nav:top -->
# [← 08 Training pitfalls](08_training_pitfalls.ipynb) | [Index](00_index.ipynb) | [10 Conditional GAN →](10_conditional_gan.ipynb)

# %%
import math

import torch
from IPython.display import display
from torch import nn

from gan_lessons import (
    LOSSES,
    QUICK,
    REMEDIES,
    Discriminator,
    MinibatchStdDev,
    TrainConfig,
    clip_weights_,
    compare_remedies,
    d_loss_bce,
    d_loss_bce_smoothed,
    d_loss_hinge,
    diff_augment,
    format_table,
    g_loss_minimax,
    g_loss_nonsaturating,
    gradient_penalty,
    init_dcgan_weights,
    load_mnist,
    new_run,
    r1_penalty,
    setup_chapter,
    show_images,
    shuffled_indices,
)
from gan_lessons.checks import check_gradient_penalty

chapter = setup_chapter("09_stabilizing", seed=0, device="cpu", threads=1)  # small networks on a shared CPU
data = load_mnist("train")  # what every remedy trains on
test = load_mnist("test")  # held out: the table measures every remedy against these digits

# %% [markdown]
# ## 1. The non-saturating loss
#
# Goodfellow et al. (2014, section 3): instead of minimising log(1 − D(G(z))), G maximises
# log D(G(z)), i.e. minimises −log D(G(z)). Same fixed point, but a strong gradient when D rejects the
# fakes. On logits a: d/da log(1 − σ(a)) = −σ(a) → 0, while d/da [−log σ(a)] = σ(a) − 1 → −1.

# %%
a = torch.tensor([-8.0], requires_grad=True)  # D is sure this fake is fake: D(G(z)) = 0.0003
(g_sat,) = torch.autograd.grad(g_loss_minimax(a), a)
(g_ns,) = torch.autograd.grad(g_loss_nonsaturating(a), a)
print(f"gradient on the logit: saturating {g_sat.item():.5f}, non-saturating {g_ns.item():.5f}")
assert abs(g_sat.item()) < 1e-3 and abs(g_ns.item() + 1) < 1e-3

# %% [markdown]
# ## 2. WGAN with weight clipping
#
# Arjovsky, Chintala & Bottou (2017): the critic estimates the Wasserstein-1 distance,
# max over 1-Lipschitz D of E[D(x)] − E[D(G(z))]; it is kept Lipschitz (crudely) by clipping every
# weight into [−c, c] after each step, c = 0.01. The paper used RMSProp (lr 5·10⁻⁵): momentum made
# it unstable, and the course warns when you combine clipping with Adam's momentum. Option:
# `TrainConfig(loss="wgan")` (`--loss wgan`, `--clip`).

# %%
critic = Discriminator(8)
clip_weights_(critic, 0.01)
assert max(p.abs().max().item() for p in critic.parameters()) <= 0.01
assert LOSSES["wgan"].clip == 0.01
try:
    TrainConfig(loss="wgan", clip=0).validate()
except ValueError as err:
    print("clip=0:", err)
import warnings  # noqa: E402

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    TrainConfig(loss="wgan").validate()  # Adam with beta1 = 0.5
print("warning:", caught[0].message)
assert "RMSProp with lr=5e-5" in str(caught[0].message)

# %% [markdown]
# ## 3. WGAN-GP
#
# Gulrajani et al. (2017): replace clipping by a penalty on the critic's gradient norm at random
# points between real and fake samples, λ·E[(‖∇D(x̂)‖ − 1)²], x̂ = εx + (1 − ε)G(z), λ = 10, with
# Adam (β₁ = 0, β₂ = 0.9). Option: `--loss wgan-gp`. A critic with slope exactly 1 pays nothing.

# %%
unit = nn.Linear(784, 1, bias=False)
with torch.no_grad():
    unit.weight.zero_()
    unit.weight[0, :4] = 0.5  # ‖w‖ = 1
x_real, x_fake = torch.randn(16, 1, 28, 28), torch.randn(16, 1, 28, 28)
flat = nn.Sequential(nn.Flatten(), unit)
print("penalty for a 1-Lipschitz linear critic:", gradient_penalty(flat, x_real, x_fake).item())
assert gradient_penalty(flat, x_real, x_fake).item() < 1e-10
with torch.no_grad():
    unit.weight.mul_(3)  # slope 3: (3 - 1)^2 = 4
assert abs(gradient_penalty(flat, x_real, x_fake).item() - 4) < 1e-4

# %% [markdown]
# ## 4. Spectral normalisation
#
# Miyato et al. (2018): divide each layer's weight by its largest singular value σ(W) (estimated by one
# power iteration per step), so each layer is 1-Lipschitz and so is D. PyTorch provides it as
# `torch.nn.utils.parametrizations.spectral_norm`. Option: `TrainConfig(spectral_norm=True)`
# (`--spectral-norm`); the course's D then drops its BatchNorm. With WGAN-GP or clipping it is allowed,
# with a note that the two constraints overlap.

# %%
D_sn = Discriminator(8, spectral_norm=True)
D_sn.apply(init_dcgan_weights)
for _ in range(15):
    D_sn(torch.randn(8, 1, 28, 28))  # power iterations run in training mode
sigmas = [
    torch.linalg.matrix_norm(m.weight.flatten(1), ord=2).item()
    for m in D_sn.modules()
    if isinstance(m, nn.Conv2d)
]
print("largest singular value of each conv layer:", [round(s, 3) for s in sigmas])
assert all(abs(s - 1) < 0.05 for s in sigmas)
run = new_run(TrainConfig(latent_dim=16, width=8, loss="wgan_gp", spectral_norm=True, device="cpu"))

# %% [markdown]
# ## 5. Hinge loss
#
# Lim & Ye (2017), used with spectral norm by Miyato et al. (2018): L_D = E[max(0, 1 − D(x))] +
# E[max(0, 1 + D(G(z)))], L_G = −E[D(G(z))]. D stops pushing on samples it already scores beyond the
# margin. Option: `--loss hinge`.

# %%
real_scores, fake_scores = torch.tensor([2.0, 0.5]), torch.tensor([-3.0, 0.0])
by_hand = (0 + 0.5) / 2 + (0 + 1) / 2
assert abs(d_loss_hinge(real_scores, fake_scores).item() - by_hand) < 1e-6

# %% [markdown]
# ## 6. TTUR: two time-scale update rule
#
# Heusel et al. (2017): a larger learning rate for D than for G (they used 4·10⁻⁴ and 10⁻⁴) lets D
# track its best response, and the pair then provably converges to a local Nash equilibrium under
# assumptions. Option: `TrainConfig(lr=..., lr_d=...)` (`--lr-d`).

# %%
run = new_run(TrainConfig(latent_dim=16, width=8, lr=1e-4, lr_d=4e-4, device="cpu"))
assert run.opt_d.param_groups[0]["lr"] == 4 * run.opt_g.param_groups[0]["lr"]

# %% [markdown]
# ## 7. One-sided label smoothing
#
# Salimans et al. (2016, section 3.4): train D towards 0.9 on real images instead of 1 (fakes stay at 0;
# smoothing them too would reward G where there is no data). D's logit on reals then has a finite
# optimum, log 9, instead of growing without end. Option: `--loss nonsaturating_smooth`.

# %%
logit = torch.tensor([math.log(9.0)], requires_grad=True)
(grad,) = torch.autograd.grad(d_loss_bce_smoothed(logit, torch.tensor([-20.0])), logit)
(grad_plain,) = torch.autograd.grad(d_loss_bce(logit, torch.tensor([-20.0])), logit)
print(f"gradient at logit log 9: smoothed {grad.item():.2e}, plain {grad_plain.item():.3f}")
assert abs(grad.item()) < 1e-6 and grad_plain.item() < -0.05

# %% [markdown]
# ## 8. Minibatch standard deviation
#
# Karras et al. (2018, section 3): D gets one extra feature map, the average over features of the
# standard deviation across the batch. A collapsed G makes near-identical samples, so this feature is
# near 0 on its batches and D can reject them as a group. Option: `--minibatch-std`.

# %%
varied = MinibatchStdDev()(torch.randn(16, 4, 7, 7))[:, -1].mean().item()
collapsed = MinibatchStdDev()(torch.randn(1, 4, 7, 7).expand(16, 4, 7, 7))[:, -1].mean().item()
print(f"extra feature: varied batch {varied:.3f}, collapsed batch {collapsed:.5f}")
assert collapsed < 1e-3 < 0.5 < varied

# %% [markdown]
# ## 9. R1 penalty
#
# Mescheder, Geiger & Nowozin (2018): penalise D's gradient on **real** data only,
# (γ/2)·E[‖∇D(x)‖²], which makes the equilibrium locally stable for the Dirac GAN where plain GANs
# and WGAN-GP circle. Option: `TrainConfig(r1=γ)` (`--r1 10`).

# %%
slope3 = nn.Sequential(nn.Flatten(), nn.Linear(784, 1, bias=False))
with torch.no_grad():
    slope3[1].weight.zero_()
    slope3[1].weight[0, 0] = 3.0
assert abs(r1_penalty(slope3, torch.randn(8, 1, 28, 28)).item() - 9.0) < 1e-5  # ‖∇D‖² = 9

# %% [markdown]
# ## 10. DiffAugment: augment real *and* fake images for small data
#
# Zhao et al. (2020): with little data, D memorises the training set. Augmenting only the reals teaches
# G to make augmented-looking images; DiffAugment applies the same kind of random, differentiable
# transforms (translation, cutout, colour) to every image D sees, real or fake, in D's step and in G's
# step, so the gradient reaches G through the augmentation. Option: `--augment` (policy
# `translation,cutout` by default). Our version follows the reference implementation's three
# transforms, written for 1-channel digits with the background (−1) as fill.

# %%
x = data.images[shuffled_indices(len(data))[:8]]  # 8 random digits
gen = torch.Generator().manual_seed(0)
augmented = diff_augment(x, "translation,cutout", gen)
display(
    show_images(
        torch.cat([x, augmented]), nrow=8, title="top: digits; bottom: the same digits as D sees them"
    )
)
fake = torch.zeros(8, 1, 28, 28, requires_grad=True)
diff_augment(fake, "translation,cutout", gen).sum().backward()
assert fake.grad.abs().sum() > 0  # differentiable: G's step gets a gradient through the augmentation
assert not torch.equal(augmented, x)

# %% [markdown]
# ## The table: every remedy, one budget, one seed
#
# Each row trains the course's small DCGAN (latent 32, width 16, batch 64) from seed 0 for the same
# wall-clock budget, then measures 1,000 samples (quick mode: fewer) against the 1,000 held-out test digits
# (chapter 06: FIDs compare only at the same sample size). The ring
# column trains chapter 04's toy GAN (`ToyGAN`, through the same `update_D` and `update_G`) on the 2-D ring
# for 1,000 iterations (50 in quick mode) with the same loss, Adam betas and D options, at half the
# learning rates; a gradient penalty there takes the toy's weight, 0.1 (`TOY_GP_WEIGHT`, the value of the
# WGAN-GP authors' 2-D toy script), not the images' 10. Image-only remedies: n/a.
# Step counts differ because some remedies cost more per step: that is part of the comparison.
# The same table from a terminal: `python benchmarks/stabilizing_table.py`.

# %% tags=["nbval-ignore-output"]
budget = 0.5 if QUICK else 30.0
rows = compare_remedies(
    data, test, seconds=budget, seed=0, n_eval=200 if QUICK else 1000, ring_steps=50 if QUICK else 1000
)
print(
    f"budget: {budget} s of training per remedy"
    + (" (QUICK MODE: numbers are not meaningful)" if QUICK else "")
)
print(format_table(rows))

# %%
assert [r["remedy"] for r in rows] == list(REMEDIES)  # every remedy ran, none typed in
assert all(r["steps"] > 0 and math.isfinite(r["fid"]) for r in rows)
assert len({round(r["fid"], 3) for r in rows}) > 1  # measured per row, not one number copied
# The same budget for every row: each trained until its budget ran out (a row that stopped after a few
# steps, or a budget that was ignored, fails here), and the faster-per-step remedies took more steps.
assert all(r["wall_s"] >= budget for r in rows), [(r["remedy"], round(r["wall_s"], 2)) for r in rows]
assert len({r["steps"] for r in rows}) > 1  # not a fixed step count in disguise
assert all(0 <= r["precision"] <= 1 and 0 <= r["recall"] <= 1 and 0 <= r["classes"] <= 10 for r in rows)
# The ring column is measured for every remedy that has a 2-D counterpart, and only those are n/a:
no_ring = {r["remedy"] for r in rows if math.isnan(r["ring"])}
assert no_ring == {"minibatch std-dev", "DiffAugment"}, no_ring
assert all(0 <= r["ring"] <= 1 for r in rows if r["remedy"] not in no_ring)
if not QUICK:  # with a real budget, the best remedy beats the saturating baseline
    baseline = rows[0]["fid"]
    assert min(r["fid"] for r in rows[1:]) < baseline

# %% [markdown]
# **Reading the table.** One seed and one budget on one (shared) CPU: differences of a few FID points
# are noise, and a remedy that is slower per step is penalised by a wall-clock budget. Rerun with other
# seeds (`compare_remedies(data, test, seed=1)`) before concluding.
#
# ## Summary
#
# | remedy | what changes | option |
# |---|---|---|
# | non-saturating | G's loss | `--loss nonsaturating` (default) |
# | WGAN, clipping | loss + clip D's weights | `--loss wgan --beta1 0` |
# | WGAN-GP | loss + gradient penalty | `--loss wgan-gp` |
# | spectral norm | D's layers | `--spectral-norm` |
# | hinge | D's loss | `--loss hinge` |
# | TTUR | learning rates | `--lr-d` |
# | label smoothing | D's real target | `--loss nonsaturating_smooth` |
# | minibatch std-dev | D's layers | `--minibatch-std` |
# | R1 | penalty on reals | `--r1 10` |
# | DiffAugment | what D sees | `--augment` |
#
# ## Exercise: the gradient penalty
#
# Write `my_gradient_penalty(D, x_real, x_fake)`: draw one ε ~ U(0, 1) per sample with `torch.rand`,
# interpolate, take D's gradient at the interpolates with `create_graph=True`, and return the mean of
# (‖gradient‖ − 1)² (one norm per sample, over all its other dimensions).


# %% tags=["exercise"]
def my_gradient_penalty(D, x_real, x_fake):
    ### BEGIN SOLUTION
    # Task: interpolate real and fake per sample, take D's gradient there (create_graph=True), return mean (||grad|| - 1)^2.
    eps = torch.rand((len(x_real),) + (1,) * (x_real.dim() - 1))
    x_hat = (eps * x_real + (1 - eps) * x_fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    ### END SOLUTION


check_gradient_penalty(my_gradient_penalty)

# %% [markdown]
# ## Further reading
#
# - Arjovsky, Chintala & Bottou (2017), *Wasserstein GAN*; Gulrajani et al. (2017), *Improved Training of Wasserstein GANs*.
# - Miyato et al. (2018), *Spectral Normalization for Generative Adversarial Networks*.
# - Heusel et al. (2017), *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium*.
# - Salimans et al. (2016), *Improved Techniques for Training GANs*.
# - Karras et al. (2018), *Progressive Growing of GANs*; Mescheder et al. (2018), *Which Training Methods for GANs do actually Converge?*
# - Zhao et al. (2020), *Differentiable Augmentation for Data-Efficient GAN Training* (github.com/mit-han-lab/data-efficient-gans).

# %% [markdown]
# <!-- nav:bottom -->
# [← 08 Training pitfalls](08_training_pitfalls.ipynb) | [Index](00_index.ipynb) | [10 Conditional GAN →](10_conditional_gan.ipynb)
