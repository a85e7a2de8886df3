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
# - write the flow-matching training pair yourself;
# - name where adversarial losses live on in 2026 (distilling diffusion into one to four steps, the
#   autoencoders of latent diffusion, super-resolution) and the GAN revivals (StyleGAN-T, R3GAN), and say
#   how R3GAN qualifies the claim that a GAN is "a game, so unstable";
# - find a direction in a GAN's latent space that changes stroke width, measure it, and invert a digit
#   into the latent space;
# - say why GANs did not succeed at language, with REINFORCE and Gumbel-softmax measured.
#
# The FAQ and the article's references, corrected, are chapter 13.
#
# <!-- full-mode-time: 742 s (12.4 min, measured with two other chapters running beside it) -->

# %% [markdown]
# <!-- nav:top -->
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb) | [13 FAQ and references →](13_faq.ipynb)

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display

from gan_lessons import (
    DENOISER_RECIPE,
    QUICK,
    Denoiser,
    NoiseSchedule,
    SmallSampleWarning,
    TrainConfig,
    diffusion_sample,
    fid,
    flow_matching_pair,
    flow_sample,
    load_denoiser,
    load_feature_net,
    load_mnist,
    load_pretrained_generator,
    new_run,
    predict,
    setup_chapter,
    show_images,
    shuffled_indices,
    single_thread,
    train,
    train_denoiser,
    train_flow_matching,
)
from gan_lessons.checks import check_flow_matching_pair

chapter = setup_chapter("12_where_gans_stand", seed=0, device="cpu", threads=1)
data = load_mnist("train", source="subset")  # what all three models trained on
test = load_mnist("test", source="subset")  # held out: what they are scored against
net = load_feature_net()  # the LeNet "eye" of the course's FID (chapter 06)
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
# - **Every mode.** The diffusion loss is a (reweighted) bound on the data's likelihood, so the model is
#   pushed to cover every mode; GANs drop modes (chapter 08) and trade recall for precision (chapter 06).
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
# Both denoisers train 630 steps of 64 (`DENOISER_RECIPE`) and ship in `data/` (`tools/make_denoisers.py`
# rebuilds them), so quick mode measures the same models as full mode. A denoiser step costs three to four
# GAN steps; the cell below measures that, and so what "matched training compute" means here.
#
# First, write the pair that flow matching learns from.
#
# **Exercise.** A digit `x0` sits at t = 0 and a noise image at t = 1; flow matching joins them by the
# straight line between them. Write `flow_pair(x0, noise, t)`: it returns `x_t`, the point of that line at
# time t (one t per image, shape (N,)), and the network's target there, the velocity of `x_t` as t grows.


# %% tags=["exercise"]
def flow_pair(x0, noise, t):
    ### BEGIN SOLUTION
    # Task: return (x_t, target) for the straight line from x0 (t = 0) to noise (t = 1).
    tt = t.view(-1, 1, 1, 1)
    return (1 - tt) * x0 + tt * noise, noise - x0
    ### END SOLUTION


check_flow_matching_pair(flow_pair)

# %% [markdown]
# A digit along the path: at t = 0 the digit, at t = 1 pure noise, and in between a straight mix. Training
# a fresh flow-matching model for a few steps shows the loss of a regression: it goes down, because its
# target does not move while the model learns (a GAN's D target does).

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
# **Matched training compute, measured.** The cell times training steps of the three recipes on this
# thread, interleaved (so that other work on the machine slows them alike), and multiplies by each model's
# steps.


# %% tags=["nbval-ignore-output"]
def step_seconds(name, n_steps):
    """Seconds per training step of one recipe, over n_steps steps on the first digits."""
    small = torch.utils.data.Subset(data, perm[: 64 * n_steps].tolist())
    start = time.perf_counter()
    if name == "GAN":
        train(new_run(TrainConfig(seed=0, device="cpu")), small, 1, progress=False)
    elif name == "diffusion":
        train_denoiser(
            Denoiser(DENOISER_RECIPE["width"]), small, NoiseSchedule(100), 1, batch_size=64, progress=False
        )
    else:
        train_flow_matching(Denoiser(DENOISER_RECIPE["width"]), small, 1, batch_size=64, progress=False)
    return (time.perf_counter() - start) / n_steps


recipe_steps = {
    "GAN": 1860,
    "diffusion": DENOISER_RECIPE["num_epochs"] * 63,
    "flow matching": DENOISER_RECIPE["num_epochs"] * 63,
}
costs = {name: [] for name in recipe_steps}
with single_thread():
    for _ in range(2 if QUICK else 3):
        for name in costs:
            costs[name].append(step_seconds(name, 5 if QUICK else 20))
step_s = {name: float(np.median(c)) for name, c in costs.items()}
compute = {name: recipe_steps[name] * step_s[name] for name in recipe_steps}
print(f"{'model':14s} {'steps':>6s} {'ms per step':>12s} {'training compute (s)':>21s}")
for name in recipe_steps:
    print(f"{name:14s} {recipe_steps[name]:6d} {1000 * step_s[name]:12.0f} {compute[name]:21.0f}")

# %%
# Wrong world: the recipes' step counts do not match their costs, and one model gets far more compute.
ratio = compute["flow matching"] / compute["GAN"]
print(f"denoiser compute / GAN compute: {ratio:.2f}")
assert 0.6 < ratio < 1.6, compute

# %% [markdown]
# **Sampling: time per image and FID against the number of network calls.** Each sampler draws 100 digits in
# one batch on one thread (the fastest of two draws is kept), then FID (LeNet features) scores `n_fid` of its
# digits against the held-out ones: 1,000 in full mode, 200 in quick mode (compare FIDs only at the same n;
# the floor, real against real at the same n, is printed).

# %% tags=["nbval-ignore-output"]
G = load_pretrained_generator()
ddpm, flow = load_denoiser("ddpm"), load_denoiser("flow")
schedule = NoiseSchedule(DENOISER_RECIPE["steps"])
n_fid = 200 if QUICK else 1000
step_grid = (1, 5, 20) if QUICK else (1, 2, 5, 10, 20)


def gan_sample(n, seed=0):
    return G(torch.randn(n, G.latent_dim, generator=torch.Generator().manual_seed(seed)))


samplers = {("GAN", 1): gan_sample}
for s in step_grid:
    samplers[("diffusion, DDIM", s)] = lambda n, seed=0, s=s: diffusion_sample(ddpm, schedule, n, s, seed)
if not QUICK:  # 100 calls per image: full mode only (its time is the same claim as DDIM's, at 100 steps)
    samplers[("diffusion, DDPM", 100)] = lambda n, seed=0: diffusion_sample(ddpm, schedule, n, None, seed)
for s in step_grid:
    samplers[("flow matching, Euler", s)] = lambda n, seed=0, s=s: flow_sample(flow, n, s, seed)

real = test.images[shuffled_indices(len(test), 1)[:n_fid]]
floor = fid(real, data.images[perm[:n_fid]], net)
grid = {}
with torch.no_grad(), single_thread():
    for key, sample in samplers.items():
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            sample(100)
            best = min(best, time.perf_counter() - start)
        fakes = torch.cat([sample(min(100, n_fid - i), i) for i in range(0, n_fid, 100)])
        grid[key] = {"ms": 10 * best, "fid": fid(real, fakes, net)}
print(f"real vs real at n = {n_fid}: FID {floor:.1f}")
print(f"{'sampler':24s} {'calls':>5s} {'ms per image':>13s} {'FID':>7s}")
for (name, calls), row in grid.items():
    print(f"{name:24s} {calls:5d} {row['ms']:13.2f} {row['fid']:7.1f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3))
for name, marker in (("diffusion, DDIM", "o-"), ("flow matching, Euler", "s-")):
    keys = [k for k in grid if k[0] == name]
    ax1.plot([k[1] for k in keys], [grid[k]["fid"] for k in keys], marker, label=name)
    ax2.plot([grid[k]["ms"] for k in keys], [grid[k]["fid"] for k in keys], marker, label=name)
for ax, x in ((ax1, 1), (ax2, grid[("GAN", 1)]["ms"])):
    ax.scatter([x], [grid[("GAN", 1)]["fid"]], color="k", zorder=3, label="GAN (1 call)")
    if ("diffusion, DDPM", 100) in grid:
        ddpm_row = grid[("diffusion, DDPM", 100)]
        ax.scatter(
            [100 if ax is ax1 else ddpm_row["ms"]], [ddpm_row["fid"]], color="C3", zorder=3, label="DDPM"
        )
    ax.axhline(floor, color="grey", ls=":", label="real vs real")
    ax.set(xscale="log", yscale="log", ylabel=f"FID (LeNet), n = {n_fid}")
ax1.set(xlabel="network calls per image (log)")
ax2.set(xlabel="ms per image, one CPU thread (log)")
ax1.legend(fontsize=7)
plt.show()
with torch.no_grad():
    for title, x in (
        ("GAN (1 call)", gan_sample(16, 1)),
        ("flow matching, 20 Euler steps", flow_sample(flow, 16, 20, 1)),
        ("diffusion, DDIM 20 steps", diffusion_sample(ddpm, schedule, 16, 20, 1)),
    ):
        display(show_images(x, nrow=16, title=title))

# %%
g = grid[("GAN", 1)]
fm1, fm20 = grid[("flow matching, Euler", 1)], grid[("flow matching, Euler", 20)]
ddim1, ddim20 = grid[("diffusion, DDIM", 1)], grid[("diffusion, DDIM", 20)]
print(
    f"flow matching, 20 steps: {fm20['ms'] / g['ms']:.0f}x the GAN's time per image; FID {fm20['fid']:.0f} vs {g['fid']:.0f}"
)
# The claims of the text below, each with the wrong world in which it fails:
# many calls cost many times one (wrong world: sampling cost does not grow with the steps);
assert fm20["ms"] > 5 * g["ms"] and ddim20["ms"] > 5 * g["ms"], (g, fm20, ddim20)
# more steps help both denoisers (wrong world: one step is already as good as twenty);
assert fm1["fid"] > 1.2 * fm20["fid"] and ddim1["fid"] > 1.2 * ddim20["fid"], (fm1, fm20, ddim1, ddim20)
# at matched parameters and training compute, on this problem, the GAN's FID is several times better than either
# denoiser's at 20 steps (wrong world: the regression learns as fast as the game per second of training).
assert g["fid"] < fm20["fid"] / 3 and g["fid"] < ddim20["fid"] / 3, (g, fm20, ddim20)

# %% [markdown]
# What the numbers say (the committed full grid, `benchmarks/results/gan_vs_diffusion.json`, was measured by
# `python benchmarks/gan_vs_diffusion.py`, on a loaded 2-core machine; your times differ, the ratios hold):
#
# | sampler | network calls | ms per image | FID (LeNet, n = 500) |
# |---|---|---|---|
# | GAN | 1 | 0.9 | 167 |
# | diffusion, DDIM | 1 / 5 / 20 | 5 / 27 / 146 | 2,545 / 1,915 / 1,648 |
# | diffusion, DDPM | 100 | 574 | 1,590 |
# | flow matching, Euler | 1 / 5 / 10 / 20 | 5 / 20 / 42 / 31 | 5,648 / 1,788 / 1,462 / 1,365 |
# | real vs real (floor) | | | 22 |
#
# Training compute, measured in the same run (steps × median seconds per step, interleaved): GAN 559 s, diffusion
# 737 s, flow matching 677 s: the denoisers got 20-30% *more* than the GAN. (The times are from a 2-core machine
# with several other jobs on it; the flow-matching row at 20 steps came out faster than at 10, which is that noise.)
#
# - **Sampling cost.** One call of G against one call per step of a network of about the same size: at 20
#   steps a digit costs 30-160 times the GAN's, at DDPM's 100 steps 400 to 600 times (the chapter's full run and the benchmark).
# - **Steps.** Both denoisers improve with steps and flatten by 10 to 20; flow matching is worse than DDIM at one
#   or two steps here and better from five on (1,365 against 1,648 at 20), the expected advantage of its
#   straighter paths, measured on one seed of each.
# - **Quality at matched training compute.** On this problem and at this budget the GAN is far ahead: FID 167
#   against 1,365 for the best denoiser, whose samples are still blurred digits (the grids above). That is the
#   honest version of what the previous edition of this chapter concluded from unmatched runs: a denoiser of
#   the same size, given about the same CPU time, is far from done when the GAN is. It says nothing about large
#   scale, where diffusion and flow models, trained with orders of magnitude more compute than GANs of their
#   day, overtook them on FID and recall (Dhariwal and Nichol, 2021); where the curves cross on digits was not
#   measured here. Two departures to keep in mind: the GAN samples from a moving average of G's weights and the
#   denoisers do not (diffusion models usually use one too), and their learning rate and schedule were not
#   tuned.
#
# ## 4. Where GANs, and adversarial losses, still win in 2026
#
# - **One-step sampling at scale.** GigaGAN (Kang et al., CVPR 2023) and StyleGAN-T (Sauer, Karras, Laine,
#   Geiger and Aila, ICML 2023) showed that GANs can be competitive text-to-image models, sampling in a
#   fraction of a second; they did not overtake diffusion on quality, and neither became the default.
# - **Distilling diffusion into one to four steps.** This is where the adversarial loss lives on at
#   scale. Adversarial diffusion distillation (ADD; Sauer, Lorenz, Blattmann and Rombach, 2023; SDXL Turbo)
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
#   the semi-supervised recipe of Hung et al. trailed by 0.02-0.08 with 16 labels and was level (within 0.03)
#   from 64 on.
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
# TPAMI 2022); and **GAN Dissection** (Bau et al., ICLR 2019), which finds single units of G that draw
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
# - Measured here at about equal parameters and equal training compute (steps times the measured seconds per
#   step): one denoiser call costs about five GAN calls, so the GAN samples a digit about 5 to 25 times faster
#   than a 1- to 5-step sampler and 400 to 600 times faster than DDPM's 100 steps. At this small budget its FID
#   is 8 to 10 times better, with two departures in the GAN's favour: only the GAN samples from a moving average
#   of its weights, and the denoisers reuse the GAN's learning rate untuned. Flow matching was ahead of DDIM from
#   five steps on, at one seed.
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
