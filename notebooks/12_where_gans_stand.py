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
# # 12 · Where GANs stand
#
# The article ends with "future trends" that were already out of date when it was written. This chapter
# says where GANs stand at the end of 2026, and measures the comparison it rests on. By the end you will
# be able to:
#
# - say what progressive growing, StyleGAN and BigGAN achieved, why **diffusion models** took over image
#   generation after 2021, and why **flow matching** (rectified flow) became the default after 2023;
# - **measure** a GAN, a diffusion model and a flow-matching model against each other fairly: the same
#   digits, about the same number of parameters, the same training compute, measured on the same CPU
#   thread; then sampling time per image, FID at equal training compute, and FID against sampling steps;
# - write DDIM's deterministic sampling step yourself;
# - name where adversarial losses live on in 2026 (distilling diffusion into one to four steps, the
#   autoencoders of latent diffusion, super-resolution) and the GAN revivals (StyleGAN-T, R3GAN), and say
#   how R3GAN qualifies the claim that a GAN is "a game, so unstable";
# - find a direction in a GAN's latent space that changes stroke width, measure it, and invert a digit
#   into the latent space;
# - say why GANs did not succeed at language, with REINFORCE and Gumbel-softmax measured.
#
# The FAQ and the article's references, corrected, are chapter 13.
#
# <!-- full-mode-time: 733 s (12.2 min, measured on a 2-core machine at a load average of about 10, with the chapter 13 run beside it) -->

# %% [markdown]
# <!-- nav:top -->
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb) | [13 FAQ and references →](13_faq.ipynb)

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display

from gan_lessons import (
    DENOISER_RECIPE,
    QUICK,
    RECIPE_STEPS,
    Denoiser,
    NoiseSchedule,
    SmallSampleWarning,
    comparison_samplers,
    fid,
    flow_matching_pair,
    load_comparison,
    load_denoiser,
    load_pretrained_generator,
    predict,
    sampling_grid,
    setup_chapter,
    show_images,
    shuffled_indices,
    train_flow_matching,
    training_step_seconds,
)
from gan_lessons.checks import check_ddim_step

chapter = setup_chapter("12_where_gans_stand", seed=0, device="cpu", threads=1)
# the 4,000 digits all three models trained on, the 1,000 held-out ones they are scored against, and the LeNet
# "eye" of the course's FID (chapter 06)
data, test, net = load_comparison()
perm = shuffled_indices(len(data))  # the files are sorted by digit
warnings.simplefilter("ignore", SmallSampleWarning)  # quick mode scores 200 samples; compare FIDs at equal n

# %% [markdown]
# ## 1. What GANs achieved, 2014 to 2019
#
# Five years after the first GAN (Goodfellow et al., 2014) made blurry 28×28 digits, GANs made
# photographs of faces that people could not tell from real ones. Three steps did most of it:
#
# - **Progressive growing** (ProGAN; Karras, Aila, Laine and Lehtinen, ICLR 2018) trains G and D
#   at 4×4 first and adds layers up to 1024×1024, so each stage learns an easy task. It also brought
#   the minibatch standard-deviation feature (chapter 09) and the moving average of G's weights that
#   this course uses by default.
# - **StyleGAN** (Karras, Laine and Aila, CVPR 2019) feeds the latent code into every layer as a
#   "style". The paper's own split: styles at the coarse resolutions (4² to 8²) set pose, face shape,
#   eyeglasses and the general hair style; the middle ones (16² to 32²) smaller facial features, finer hair
#   style, eyes open or closed; the fine ones (64² to 1024²) the colour scheme and microstructure. That
#   separation made latent-space editing practical (section 5).
# - **BigGAN** (Brock, Donahue and Simonyan, ICLR 2019) scaled class-conditional GANs to ImageNet
#   at 128×128 with large batches, orthogonal regularisation and the "truncation trick" (sample z
#   closer to 0: sharper images, less variety), reaching an Inception Score of 166.5 and an FID of 7.4.
#
# All three are *GANs*: one network call makes one image.
#
# ## 2. What replaced them: diffusion (2020-2022), then flow matching (2023-2026)
#
# A **denoising diffusion model** (Ho, Jain and Abbeel, NeurIPS 2020) learns the reverse of a fixed
# noising process: add Gaussian noise to an image in many small steps until nothing of it is left, and train
# a network to predict the noise that was added at any step. To sample, start from pure noise and remove
# the predicted noise step by step. Dhariwal and Nichol ("Diffusion Models Beat GANs on Image Synthesis",
# NeurIPS 2021) beat BigGAN's FID on ImageNet, and text-to-image systems moved to diffusion: DALL·E 2,
# Imagen, and Stable Diffusion (latent diffusion; Rombach et al., CVPR 2022).
#
# **Flow matching** (Lipman et al., ICLR 2023) and **rectified flow** (Liu, Gong and Liu, ICLR 2023) keep
# the regression and simplify the path: draw a straight line from each image to a noise sample, and train
# the network to predict the velocity along it. Sampling integrates that velocity from noise back to an
# image, and straighter paths need fewer steps. Stable Diffusion 3 (Esser et al., ICML 2024) is a rectified
# flow, as are FLUX.1 and many image and video models released since; in 2026 flow matching is the common
# default for new image generators.
# **Consistency models** (Song, Dhariwal, Chen and Sutskever, ICML 2023) train a network to jump from any
# point of the path straight to its end, for one- or two-step sampling without an adversary.
#
# Why these took over from GANs, in the terms of chapters 06, 08 and 09:
#
# - **Training is a regression.** The loss is a mean squared error against a known target; no D to
#   balance, no oscillation (chapter 08).
# - **Every mode.** Both losses are regressions whose minimiser is fixed by the data: for diffusion the
#   noise-prediction loss is a reweighted bound on the likelihood, and for flow matching the minimiser is the
#   velocity field that carries the noise onto the data distribution. Neither rewards dropping a mode; GANs
#   drop modes (chapter 08) and trade recall for precision (chapter 06).
# - **Scale and conditioning.** The same recipe kept improving with more data, bigger networks and text
#   conditioning, without new stabilisation tricks for each size.
#
# **R3GAN qualifies the first point.** "The GAN is dead; long live the GAN!" (Huang, Gokaslan, Kuleshov and
# Tompkin, NeurIPS 2024) shows that much of a GAN's instability came from its loss, not from the game as
# such. A relativistic pairing loss (D compares a real and a fake image) with **both** an R1 penalty on
# real data and an R2 penalty on fakes has, in their analysis, local convergence guarantees the classic loss
# lacks; with it they dropped StyleGAN2's tricks (no minibatch std, no path-length regulariser, no
# progressive growing), trained a plain modern ConvNet stably, and matched or beat StyleGAN2 on FFHQ,
# ImageNet and CIFAR-10. So the honest statement in 2026 is: a GAN is a game, and the classic losses make
# that game fragile; well-posed losses make it trainable, but it is still two networks whose balance can
# be lost, where a regression has none to lose.
#
# The price of diffusion and flow matching is sampling: one image takes many network calls. The next
# section measures that price, and the training side, on our digits.

# %% [markdown]
# ## 3. Measured: a GAN, a diffusion model and a flow-matching model at matched compute
#
# Three models, the same 4,000 training digits, the same CPU thread:
#
# - **GAN**: the course's DCGAN (chapter 05's full run, shipped as `data/dcgan_mnist_g.pt`): G has
#   234,177 parameters, D 36,577; 1,860 steps of 64 images.
# - **diffusion**: `gan_lessons.Denoiser`, a small U-Net of 260,502 parameters (about G and D together),
#   trained to predict the noise of a 100-step schedule (DDPM); it samples with all 100 steps (DDPM's
#   ancestral sampler) or fewer (DDIM, Song, Meng and Ermon, ICLR 2021).
# - **flow matching**: **the same network**, trained on rectified flow's velocity; it samples with Euler
#   steps.
#
# Matched *parameters* are not matched *arithmetic*: the U-Net runs 40 to 80 channels at 14×14 and 7×7 on every
# call, and one of its calls costs about six and a half calls of G (measured below). The same fact makes a denoiser's
# training step cost about three GAN steps, which is why the denoisers get 630 steps (`RECIPE_STEPS`) to the
# GAN's 1,860: about the same training compute, measured below. Both denoisers ship in `data/`
# (`tools/make_denoisers.py` rebuilds them), so quick mode measures the same models as full mode.
#
# **What the two denoisers learn.** Both start from a digit x0 and a Gaussian noise image ε of the same shape:
#
# - diffusion noises the digit to the level ᾱ_t of step t of its schedule, x_t = √ᾱ_t · x0 + √(1 − ᾱ_t) · ε
#   (the square roots keep the variance at 1; `NoiseSchedule.add_noise`), and the network predicts ε from x_t;
# - flow matching puts the digit at time 0 and the noise at time 1, moves along the straight line between them,
#   x_t = (1 − t) · x0 + t · ε, and the network predicts the velocity of that point as t grows, ε − x0
#   (`flow_matching_pair`). This is Stable Diffusion 3's convention; Lipman et al. and Liu et al. run time the
#   other way (noise at 0, data at 1), which flips the velocity's sign.
#
# The network reads the time the same way for both: a number in [0, 1] (the diffusion step t of 100 as
# (t + 1) / 100, so that pure noise is 1 for both), scaled alike before its sinusoidal time features.
#
# Below, one digit along the flow path, and a fresh flow-matching model trained for a few steps: its loss goes
# down, because a regression's target does not move while the model learns (a GAN's D target does).

# %% tags=["nbval-ignore-output"]
x0 = data.images[perm[:1]].expand(6, -1, -1, -1)
noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
ts = torch.linspace(0, 1, 6)
display(
    show_images(
        flow_matching_pair(x0, noise, ts)[0],
        nrow=6,
        title="one digit at t = " + ", ".join(f"{t:.1f}" for t in ts),
    )
)

fresh = Denoiser(width=DENOISER_RECIPE["width"])
n_fresh = 64 * (20 if QUICK else 120)  # 20 steps in quick mode, 120 in full
fresh_losses = train_flow_matching(
    fresh, torch.utils.data.Subset(data, perm[:n_fresh].tolist()), 1, batch_size=64, progress=False
)
k = len(fresh_losses) // 4
first, last = np.mean(fresh_losses[:k]), np.mean(fresh_losses[-k:])
print(f"flow-matching loss: {first:.3f} over the first {k} steps, {last:.3f} over the last {k}")

# %%
# Wrong world: a target that the model cannot learn by regression (or a broken one), and the loss stays put.
assert last < 0.6 * first, (first, last)

# %% [markdown]
# **Exercise: the DDIM step.** DDPM's sampler walks back through all 100 steps and adds fresh noise at each.
# DDIM uses the same trained network and jumps. At a noisy x of level ᾱ_t, the noise ε̂ that the network
# predicts tells which clean digit x̂0 would have given x under the noising above; DDIM puts that x̂0 at an
# earlier, less noisy level ᾱ_next under the *same* ε̂, and adds no fresh noise. Write
# `ddim_update(x, eps, abar_t, abar_next)`: x and eps are images (N, 1, 28, 28), the two levels 0-d tensors; it
# returns x at the level ᾱ_next. (The package's `ddim_step` also clips x̂0 to [-1, 1]; yours need not.)


# %% tags=["exercise"]
def ddim_update(x, eps, abar_t, abar_next):
    ### BEGIN SOLUTION
    # Task: the clean digit that eps implies at level abar_t, noised with the same eps to level abar_next.
    x0 = (x - (1 - abar_t).sqrt() * eps) / abar_t.sqrt()
    return abar_next.sqrt() * x0 + (1 - abar_next).sqrt() * eps
    ### END SOLUTION


check_ddim_step(ddim_update)

# %% [markdown]
# **Matched training compute, measured.** `training_step_seconds` times training steps of the three recipes on
# this thread, interleaved (so that a change of load disturbs the three alike), in CPU time of this process (time
# spent waiting for a busy CPU does not count), leaving out each run's first step (its warm-up); a recipe's
# compute is its steps times its mean step (the median of a few rounds' means: the default GAN recipe pays its
# penalties on every 4th D step only). The benchmark below also trained each model whole and timed that.

# %% tags=["nbval-ignore-output"]
step_s = training_step_seconds(data, n_steps=5 if QUICK else 20, repeats=2 if QUICK else 3)
compute = {name: RECIPE_STEPS[name] * step_s[name] for name in RECIPE_STEPS}
print(f"{'model':14s} {'steps':>6s} {'CPU ms per step':>16s} {'training compute (CPU s)':>25s}")
for name in RECIPE_STEPS:
    print(f"{name:14s} {RECIPE_STEPS[name]:6d} {1000 * step_s[name]:16.0f} {compute[name]:25.0f}")

# %%
# Wrong world: the recipes' step counts do not match their costs, and a denoiser gets far more, or far less,
# training compute than the GAN.
ratios = {name: compute[name] / compute["GAN"] for name in ("diffusion", "flow matching")}
print("training compute / the GAN's: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
assert all(0.6 < r < 1.6 for r in ratios.values()), compute

# %% [markdown]
# **Sampling: time per image and FID against the number of network calls.** `sampling_grid` draws `n_fid` digits
# from each sampler in batches of 100 on one thread and scores them by FID (LeNet features) against as many
# held-out digits: 1,000 in full mode, 200 in quick mode (compare FIDs only at the same n; the floor, real against
# real at the same n, is printed). The time per image is the CPU time of the fastest batch.

# %% tags=["nbval-ignore-output"]
G = load_pretrained_generator()
ddpm, flow = load_denoiser("ddpm"), load_denoiser("flow")
schedule = NoiseSchedule(DENOISER_RECIPE["steps"])
n_fid = 200 if QUICK else 1000
samplers = comparison_samplers(G, ddpm, flow, schedule, steps=(1, 5, 10, 20) if QUICK else (1, 2, 5, 10, 20))
real = test.images[shuffled_indices(len(test), 1)[:n_fid]]
floor = fid(real, data.images[perm[:n_fid]], net)
grid = sampling_grid(samplers, real, net, n_fid)
print(f"real vs real at n = {n_fid}: FID {floor:.1f}")
print(f"{'sampler':24s} {'calls':>5s} {'CPU ms per image':>17s} {'per call':>9s} {'FID':>7s}")
for (name, calls), row in grid.items():
    print(f"{name:24s} {calls:5d} {row['ms']:17.2f} {row['ms_per_call']:9.2f} {row['fid']:7.1f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3))
for name, marker in (("diffusion, DDIM", "o-"), ("flow matching, Euler", "s-")):
    keys = [k for k in grid if k[0] == name]
    ax1.plot([k[1] for k in keys], [grid[k]["fid"] for k in keys], marker, label=name)
    ax2.plot([grid[k]["ms"] for k in keys], [grid[k]["fid"] for k in keys], marker, label=name)
ddpm_row = grid[("diffusion, DDPM", schedule.steps)]
for ax, x_gan, x_ddpm in ((ax1, 1, schedule.steps), (ax2, grid[("GAN", 1)]["ms"], ddpm_row["ms"])):
    ax.scatter([x_gan], [grid[("GAN", 1)]["fid"]], color="k", zorder=3, label="GAN (1 call)")
    ax.scatter([x_ddpm], [ddpm_row["fid"]], color="C3", zorder=3, label="DDPM")
    ax.axhline(floor, color="grey", ls=":", label="real vs real")
    ax.set(xscale="log", yscale="log", ylabel=f"FID (LeNet), n = {n_fid}")
ax1.set(xlabel="network calls per image (log)")
ax2.set(xlabel="CPU ms per image, one thread (log)")
ax1.legend(fontsize=7)
plt.show()
for title, key in (
    ("GAN (1 call)", ("GAN", 1)),
    ("flow matching, 20 Euler steps", ("flow matching, Euler", 20)),
    ("diffusion, DDIM 20 steps", ("diffusion, DDIM", 20)),
):
    display(show_images(samplers[key](16, 1), nrow=16, title=title))

# %%
g, dpm = grid[("GAN", 1)], grid[("diffusion, DDPM", schedule.steps)]
fm = {s: grid[("flow matching, Euler", s)] for s in (1, 5, 10, 20)}
dd = {s: grid[("diffusion, DDIM", s)] for s in (1, 5, 10, 20)}
call_ratio = np.median([row["ms_per_call"] for key, row in grid.items() if key[0] != "GAN"]) / g["ms"]
print(
    f"one denoiser call costs {call_ratio:.1f} calls of G; DDPM's 100 steps {dpm['ms'] / g['ms']:.0f} times the GAN"
)
# The claims of the text below, each with the wrong world in which it fails:
# matched parameters, not matched arithmetic (wrong world: a denoiser call costs what a call of G costs);
assert call_ratio > 2, (call_ratio, g, dd[1], fm[1])
# sampling cost grows with the steps (wrong world: a 20- or 100-step sampler costs little more than one call);
assert fm[20]["ms"] > 8 * fm[1]["ms"] and dd[20]["ms"] > 8 * dd[1]["ms"] and dpm["ms"] > 40 * dd[1]["ms"], (
    grid
)
# more steps help both denoisers (wrong world: one step is already as good as twenty);
assert fm[1]["fid"] > 1.2 * fm[20]["fid"] and dd[1]["fid"] > 1.2 * dd[20]["fid"], (fm, dd)
# at matched parameters and training compute, on this problem, the GAN's FID is several times better than any
# denoiser sampler's (wrong world: the regression learns as fast as the game per second of training).
best = min(row["fid"] for key, row in grid.items() if key[0] != "GAN")
assert g["fid"] < best / 3, (g, best)
# flow matching's straighter paths pay from five steps on (wrong world: DDIM does as well at 5, 10 and 20 steps).
assert all(fm[s]["fid"] < dd[s]["fid"] for s in (5, 10, 20)), (fm, dd)

# %% [markdown]
# What the numbers say. The committed grid, `benchmarks/results/gan_vs_diffusion.json`, was measured by
# `python benchmarks/gan_vs_diffusion.py --cost-repeats 0 --n-fid 500 --seeds 2 --json ...` on a loaded 2-core
# machine (CPU time, one thread; FID at n = 500, the mean of two sampling seeds, which agreed within 1% for the
# denoisers and 110 / 133 for the GAN; DDPM one seed):
#
# | sampler | network calls | CPU ms per image | FID (LeNet, n = 500) |
# |---|---|---|---|
# | GAN | 1 | 0.14 | 122 |
# | diffusion, DDIM | 1 / 2 / 5 / 10 / 20 | 0.8 / 1.6 / 4.0 / 7.8 / 16.1 | 2,368 / 2,378 / 2,410 / 1,802 / 1,526 |
# | diffusion, DDPM | 100 | 77.7 | 2,773 |
# | flow matching, Euler | 1 / 2 / 5 / 10 / 20 | 0.8 / 1.5 / 3.9 / 7.8 / 15.8 | 5,648 / 2,943 / 1,793 / 1,465 / 1,367 |
# | real vs real (floor) | | | 22 |
#
# Training compute, measured by training each model whole (CPU seconds of one thread): the GAN's 1,860 steps of
# the default recipe (R3GAN's loss with lazy R1 and R2, chapter 05) took 114 s (121 s in a second run;
# `python benchmarks/gan_vs_diffusion.py --train gan --no-grid`, in `benchmarks/results/gan_vs_diffusion_train.json`),
# each denoiser's 630 steps 115-118 s (the runs of `tools/make_denoisers.py` that built and checked the shipped
# files, `benchmarks/results/make_denoisers.log`): about equal. The interleaved step costs of the same benchmark
# agree (0.067, 0.166 and 0.169 CPU s per step: 125, 104 and 107 s for the three recipes). Along its run the GAN's
# FID (n = 500, one draw) was 224 after a third of its steps, 127 after two thirds and 106 at the end. So the
# verdict at equal training compute does not rest on one point: with a third of the denoisers' compute, the GAN
# was already far ahead of their final models (224 against 1,367).
#
# - **Sampling cost.** One call of G against one call per step of a network with about as many parameters but
#   more arithmetic: every denoiser call cost 5.1 to 5.6 calls of G, so a k-step sampler costs about 5.4 × k GAN
#   samples: about 5 times the GAN's at one step, 27 at five, 110 at twenty and 540 at DDPM's hundred.
# - **Steps.** Both denoisers improve with steps, unevenly: DDIM stays near 2,400 up to five steps and reaches
#   1,526 at twenty; flow matching is worse than DDIM at one or two steps (one Euler step lands on the mean digit)
#   and better from five on (1,793 against 2,410 at five, 1,465 against 1,802 at ten, 1,367 against 1,526 at
#   twenty), the expected gain of its straighter paths. DDPM's 100-step ancestral sampler, which adds fresh noise
#   at every step, came out worse than DDIM at twenty (2,773): with models this far from converged, the sampler
#   matters as much as the number of steps. One training seed of each model.
# - **Quality at matched training compute.** On this problem and at this budget the GAN is far ahead: FID 122
#   against 1,367 for the best denoiser sampler, whose samples are still blurred digits (the grids above). That
#   says nothing about large scale, where diffusion and flow models, trained with orders of magnitude more
#   compute than GANs of their day, overtook them on FID and recall (Dhariwal and Nichol, 2021); where the curves
#   cross on digits was not measured here. Two departures favour the GAN: it samples from a moving average of G's weights and the denoisers do not (diffusion models
#   usually use one too), and the denoisers reuse the GAN's learning rate (2e-3) and batch untuned, where
#   DDPM-style U-Nets usually train at 1e-4 to 2e-4; ten epochs are also far from a denoiser's convergence. One
#   budget, one training seed.
#
# ## 4. Where GANs, and adversarial losses, still win in 2026
#
# - **One-step sampling at scale.** GigaGAN (Kang et al., CVPR 2023) and StyleGAN-T (Sauer, Karras, Laine,
#   Geiger and Aila, ICML 2023) showed that GANs can be competitive text-to-image models, sampling in a
#   fraction of a second; they did not overtake diffusion on quality, and neither became the default.
# - **Distilling diffusion into one to four steps.** This is where the adversarial loss lives on at
#   scale. Adversarial diffusion distillation (ADD; Sauer, Lorenz, Blattmann and Rombach, ECCV 2024; SDXL Turbo)
#   trains a few-step student with a discriminator on pretrained features plus a distillation loss; LADD
#   (Sauer et al., SIGGRAPH Asia 2024; SD3 Turbo) moves the discriminator into the latent space, using the
#   teacher's own features; DMD2 (Yin et al., NeurIPS 2024) matches the teacher's distribution and adds a
#   GAN loss on real images, which lets the one-step student beat its teacher's FID on ImageNet 64×64.
#   Consistency models (section 2) are the main non-adversarial alternative.
# - **Inside other models, as a loss.** A discriminator is a learned loss that says "this looks real".
#   SRGAN (Ledig et al., CVPR 2017) added one to super-resolution to get sharp texture instead of a blurry
#   average. VQGAN (Esser, Rombach and Ommer, CVPR 2021) trained a quantised autoencoder with a perceptual
#   loss and a patch discriminator; Stable Diffusion's autoencoder is not VQGAN but a KL-regularised
#   autoencoder trained with those same losses (Rombach et al., 2022), and the autoencoders of later latent
#   diffusion and flow models are typically still trained with an adversarial term. pix2pix (Isola et al., CVPR 2017)
#   maps image to image with one. For segmentation, chapter [11](11_gan_segmentation.ipynb) measured it on a task
#   where only shape separates a digit from same-ink clutter: over 3 seeds and 16 to 1,024 labelled masks,
#   neither adversarial recipe beat the per-pixel U-Net. pix2pix's term stayed within 0.02 IoU at every N, and
#   an adversarial-only semi-supervised recipe after Hung et al. (BMVC 2018; a global D, and neither their
#   per-pixel D nor their self-training term) trailed by 0.02-0.08 with 16 labels and was level (within 0.03)
#   from 64 on, but only with its D shown binarised masks: shown probabilities, it fell to IoU 0.006-0.038 with
#   16 labels (under chapter 11's settings, not Hung et al.'s).
# - **Cheaper GAN training** (the article's §5.1, "more efficient training"). Projected GAN (Sauer, Chitta,
#   Müller and Geiger, NeurIPS 2021) gives D the features of a frozen pretrained network and converges
#   many times faster; ADA (Karras et al., NeurIPS 2020) and DiffAugment (Zhao et al., NeurIPS 2020) augment
#   what D sees so that GANs train on a few thousand images (chapter 09 measures DiffAugment); R3GAN
#   (section 2) replaces a pile of tricks by a well-posed loss.
#
# ## 5. Inside a GAN's latent space (the article's §5.2, interpretability)
#
# Because a GAN maps z to an image in one smooth step, directions in z often mean something. Three lines
# of work: **latent directions** (InterFaceGAN, Shen et al., CVPR 2020, fits a linear boundary for an
# attribute; GANSpace, Härkönen et al., NeurIPS 2020, finds them without labels by PCA); **inversion** (find
# the z whose image is a given real image, then edit it; Zhu et al., ECCV 2016; the survey of Xia et al.,
# TPAMI 2023); and **GAN Dissection** (Bau et al., ICLR 2019), which finds single units of G that draw
# objects (trees, doors) and switches them off. The two cells below do the first two on the shipped DCGAN.
#
# **A stroke-width direction.** "Ink" is the share of a digit's pixels that are stroke (above 0). Thin 1s and
# thick 0s make ink depend on the digit, so we fit a linear model from z to ink *relative to the mean ink of
# the digit the classifier reads* on 2,000 samples (InterFaceGAN's recipe with a regression instead of a
# classifier); its weight vector is the direction. Then, on 500 *other* z, step one unit each way along it
# and measure the change of ink and how often the digit read stays the same, against 20 random directions of
# the same length.


# %%
def ink(x):
    return (x > 0).float().mean((1, 2, 3))


gen = torch.Generator().manual_seed(5)
with torch.no_grad():
    z_fit = torch.randn(2000, G.latent_dim, generator=gen)
    x_fit = G(z_fit)
    ink_fit, read_fit = ink(x_fit), predict(net, x_fit)
    digit_mean = torch.stack([ink_fit[read_fit == d].mean() for d in range(10)])
    A = torch.cat([z_fit, torch.ones(len(z_fit), 1)], 1)  # z and a constant
    w = torch.linalg.lstsq(A, (ink_fit - digit_mean[read_fit])[:, None]).solution[:-1, 0]
    direction = w / w.norm()
    z_new = torch.randn(500, G.latent_dim, generator=gen)  # held out from the fit
    before = G(z_new)
    read_before = predict(net, before)
    thick, thin = G(z_new + direction), G(z_new - direction)
    change = (ink(thick) - ink(thin)).mean().item()
    kept = (
        (predict(net, thick) == read_before).float().mean()
        + (predict(net, thin) == read_before).float().mean()
    ).item() / 2
    random_changes = []
    for _ in range(20):
        r = torch.randn(G.latent_dim, generator=gen)
        r = r / r.norm()
        random_changes.append((ink(G(z_new + r)) - ink(G(z_new - r))).mean().abs().item())
print(f"ink (share of stroke pixels): {ink(before).mean():.3f} on average")
print(
    f"along the direction, z ± 1: ink changes by {change:+.3f}; the digit read stays the same for {kept:.0%}"
)
print(
    f"along 20 random directions: |change| {np.mean(random_changes):.3f} on average, at most {max(random_changes):.3f}"
)
with torch.no_grad():
    walk = torch.stack([G(z_new[:8] + s * direction) for s in (-2, -1, 0, 1, 2)], 1).flatten(0, 1)
show_images(walk, nrow=5, title="rows: one z each; columns: -2, -1, 0, +1, +2 along the ink direction")

# %%
# Measured (seed 5): ink +0.049 against at most 0.016 for random directions; the digit kept for 66%. Wrong worlds:
# no linear direction controls ink (its change no larger than a random direction's), or the direction mostly
# changes which digit is drawn rather than how it is drawn.
assert change > 2 * max(random_changes), (change, random_changes)
assert kept > 0.5, kept

# %% [markdown]
# The direction is not pure: about one step in three turns a thick digit into another digit (a thin 7 into a 1,
# a thick 3 into an 8), because in this small G stroke width and digit identity are entangled, as most
# attributes are in an unconditional GAN's z. StyleGAN's intermediate W space was designed to reduce that.
#
# %% [markdown]
# **Inversion.** For 16 held-out digits, start from the best of 2,000 random z for each digit, then search z
# by gradient descent on the pixel error of G(z) (200 Adam steps), G frozen. If G's image manifold passes close
# to digits it never saw, the search gets much closer than any random draw.

# %%
targets = test.images[shuffled_indices(len(test), 2)[:16]]
G.requires_grad_(False)
with torch.no_grad():
    z_pool = torch.randn(2000, G.latent_dim, generator=torch.Generator().manual_seed(6))
    pool_err = torch.cdist(targets.flatten(1), G(z_pool).flatten(1)).pow(2) / (28 * 28)
    err_pool, nearest = pool_err.min(1)  # each digit's best random z
z_inv = z_pool[nearest].clone().requires_grad_(True)
opt = torch.optim.Adam([z_inv], lr=0.02)
for _ in range(200):
    loss = ((G(z_inv) - targets) ** 2).mean((1, 2, 3)).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    inverted = G(z_inv)
    err_inv = ((inverted - targets) ** 2).mean((1, 2, 3))
print(
    f"mean squared pixel error: best of 2,000 random z {err_pool.mean():.3f}, after inversion {err_inv.mean():.3f}"
)
show_images(
    torch.cat([targets[:8], G(z_pool[nearest[:8]]).detach(), inverted[:8]]),
    nrow=8,
    title="held-out digits; the best random z; the inverted z",
)

# %%
# Measured: 0.195 for the best random z, 0.029 after inversion. Wrong world: G's manifold stays as far from
# held-out digits as its random samples are, and descent in z cannot get closer.
assert err_inv.mean() < 0.5 * err_pool.mean(), (err_inv.mean(), err_pool.mean())

# %% [markdown]
# ## 6. A correction: GANs did not succeed at language
#
# The article says GANs "achieved remarkable results in generative language models". They did not.
# Language models (the GPT family and its successors) are autoregressive transformers trained by maximum
# likelihood to predict the next token. The obstacle for a GAN is the one G needs most: **a gradient from
# D back to G**. Text is discrete: G must *pick* a token, and picking has no gradient. Text GANs worked
# around it in two ways:
#
# - **REINFORCE** (policy gradient; SeqGAN, Yu et al., AAAI 2017): treat D's score as a reward and use
#   grad log p(token) × reward, an unbiased estimate with high variance;
# - **Gumbel-softmax** (Jang, Gu and Poole, ICLR 2017; Maddison et al., 2017): replace the pick by a softmax
#   of noisy scores at a temperature, a biased estimate with low variance (on the toy below, at temperature
#   0.5, the bias is too small to see).
#
# Caccia et al. ("Language GANs Falling Short", ICLR 2020) then showed that a plain maximum-likelihood model
# whose sampling temperature is tuned traces a quality-diversity curve that dominates every language GAN
# they tested: the GANs' apparent quality was lower temperature, bought with diversity.
#
# The cell measures both estimators on one toy: 10 tokens, G's scores, and a fixed D that scores each
# token. The exact gradient of the expected score is known; each estimator is compared with it by cosine
# similarity, from 10 and from 1,000 samples.

# %%
gen = torch.Generator().manual_seed(0)
scores = torch.randn(10, generator=gen, requires_grad=True)  # G's logits over 10 tokens
reward = torch.randn(10, generator=gen)  # D's score of each token
(exact,) = torch.autograd.grad((torch.softmax(scores, 0) * reward).sum(), scores)


def reinforce(n):
    probs = torch.softmax(scores, 0)
    picks = torch.multinomial(probs.detach(), n, replacement=True, generator=gen)
    surrogate = (torch.log(probs[picks]) * reward[picks]).mean()
    return torch.autograd.grad(surrogate, scores)[0]


def gumbel(n, tau=0.5):
    u = torch.rand(n, 10, generator=gen).clamp(1e-9, 1 - 1e-9)
    soft = torch.softmax((scores - torch.log(-torch.log(u))) / tau, 1)
    return torch.autograd.grad((soft @ reward).mean(), scores)[0]


def cosine(a, b):
    return F.cosine_similarity(a, b, dim=0).item()


picked = F.one_hot(scores.argmax(), 10).float()  # a hard pick, as in generated text
print(f"a hard pick is connected to G's scores: {picked.requires_grad}")
est = {
    (name, n): np.mean([cosine(fn(n), exact) for _ in range(20)])
    for name, fn in (("REINFORCE", reinforce), ("Gumbel-softmax", gumbel))
    for n in (10, 1000)
}
for (name, n), c in est.items():
    print(f"{name:15s} from {n:5d} samples: cosine with the exact gradient {c:.2f} (mean of 20 draws)")

# %%
# Wrong worlds: REINFORCE is biased (many samples would not approach the exact gradient); it has low variance
# (10 samples would do as well as 1,000); Gumbel-softmax is useless at 10 samples.
assert est[("REINFORCE", 1000)] > 0.9, est
assert est[("REINFORCE", 10)] < est[("REINFORCE", 1000)] - 0.1, est
assert est[("Gumbel-softmax", 10)] > est[("REINFORCE", 10)], est

# %% [markdown]
# ## Summary
#
# - GANs led image generation from 2014 to about 2020 (ProGAN, StyleGAN, BigGAN); diffusion models took over
#   because they train as a regression, cover the data better and scale; since 2023 flow matching
#   (rectified flow) is the default, and consistency models and distillation cut its sampling steps.
# - Measured here at about equal parameters and equal training compute (whole runs in CPU time: the GAN 114 s,
#   each denoiser 115-118 s): one denoiser call costs about five calls of G, so the GAN samples a digit about 27
#   times faster than a five-step sampler and about 540 times faster than DDPM's 100 steps. At this small budget
#   its FID is about 11 times better than the best denoiser's (122 against 1,367), and it was ahead after a
#   third of its steps; two departures favour it (only the GAN samples from a moving average of its weights, and
#   the denoisers reuse its learning rate untuned), and it is one budget and one training seed. Flow matching beat
#   DDIM from five steps on.
# - Adversarial losses live on: in one- to four-step distillation of diffusion (ADD, LADD, DMD2), in the
#   autoencoders of latent diffusion, in super-resolution and image-to-image models. R3GAN (2024) showed that
#   a well-posed loss (relativistic, R1 and R2) makes a plain GAN train stably.
# - A GAN's latent space is usable: a linear direction changes stroke width, measured, and inversion
#   reaches held-out digits.
# - GANs did not succeed at language: tokens are discrete; REINFORCE is unbiased and noisy, Gumbel-softmax
#   biased and smooth, and a temperature-tuned maximum-likelihood model beats both (Caccia et al.).
#
# ## Further reading
#
# - Ho, Jain and Abbeel (2020), Lipman et al. (2023) and Liu, Gong and Liu (2023), for diffusion and flow
#   matching; Esser et al. (2024) for rectified flow at scale.
# - Huang et al. (2024), *The GAN is dead; long live the GAN!*, for what a modern GAN baseline looks like.
# - Chapter [13](13_faq.ipynb): the FAQ, and every reference of the course.

# %% [markdown]
# <!-- nav:bottom -->
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb) | [13 FAQ and references →](13_faq.ipynb)
