# %% [markdown]
# # 12 · Where GANs stand now, the FAQ, and the article's references corrected
#
# The article ends with "future trends" that were already out of date when it was written, an FAQ
# of three questions, and a reference list in which most entries are wrong. This chapter replaces
# all three. By the end you will be able to:
#
# - say what progressive growing, StyleGAN and BigGAN achieved, and why **diffusion models**
#   took over most image generation after 2021;
# - **measure** the one thing GANs still do far better: the time to draw one image. We train a
#   small denoising diffusion model on the same digits as the course's DCGAN, time both samplers on
#   the same CPU, and score both with the course's FID;
# - name where adversarial losses live on inside other models (super-resolution, VQGAN's decoder,
#   distilled few-step diffusion), and why GANs did **not** succeed at generating language;
# - answer the thirteen questions learners ask most, each with a cell that shows the answer and a
#   link to the chapter that goes deeper;
# - cite the field's papers correctly.
#
# <!-- full-mode-time: 239 s (4.0 min) -->

# %% [markdown]
# <!-- nav:top -->
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb)

# %%
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import display
from PIL import Image

from gan_lessons import (
    LOSSES,
    QUICK,
    Denoiser,
    Discriminator,
    FIDTracker,
    Generator,
    NoiseSchedule,
    NonFiniteLossError,
    SmallSampleWarning,
    ToyGAN,
    TrainConfig,
    class_coverage,
    count_parameters,
    d_loss_bce,
    diffusion_sample,
    evaluate,
    fid,
    g_loss_minimax,
    g_loss_nonsaturating,
    load_feature_net,
    load_mnist,
    new_run,
    predict,
    set_seed,
    setup_chapter,
    show_images,
    shuffled_indices,
    single_thread,
    train,
    train_denoiser,
)
from gan_lessons.checks import check_add_noise

chapter = setup_chapter("12_future_and_faq", seed=0)
device = chapter.device
data = load_mnist("train")  # what both models train on (the test split stays held out)
test = load_mnist("test")  # held out: what both are scored against
net = load_feature_net()  # the LeNet "eye" of the course's FID (chapter 06)
perm = shuffled_indices(len(data))  # the files are sorted by digit
test_perm = shuffled_indices(len(test), 1)
warnings.simplefilter("ignore", SmallSampleWarning)  # quick mode scores few samples; full mode uses 500

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
#   "style", which separates coarse attributes (pose, face shape) from fine ones (hair, skin) and
#   made latent-space editing practical (chapter 10 walks a latent space).
# - **BigGAN** (Brock, Donahue and Simonyan, ICLR 2019) scaled class-conditional GANs to ImageNet
#   at 128×128 with large batches, orthogonal regularisation and the "truncation trick" (sample z
#   closer to 0: sharper images, less variety), reaching an Inception Score of 166.5 and an FID of 7.4.
#
# All three are *GANs*: one network call makes one image.
#
# ## 2. Why diffusion models took over after 2021
#
# A **denoising diffusion model** (Ho, Jain and Abbeel, NeurIPS 2020) learns the reverse of a
# fixed noising process: add Gaussian noise to a digit in many small steps until nothing of it is
# left, and train a network to predict the noise that was added at any step. To sample, start from
# pure noise and remove the predicted noise step by step. Dhariwal and Nichol ("Diffusion Models
# Beat GANs on Image Synthesis", NeurIPS 2021) beat BigGAN's FID on ImageNet, and text-to-image
# systems moved to diffusion: DALL·E 2, Imagen, and Stable Diffusion (latent diffusion; Rombach et
# al., CVPR 2022). The reasons are the GAN problems this course spends chapters 08 and 09 on:
#
# - **Training is a regression, not a game.** The loss is a mean squared error that goes down
#   and means something; there is no D to balance, no oscillation (chapter 08).
# - **Every mode.** The loss is tied to the data's likelihood, so the model is pushed to cover every
#   mode; GANs drop modes (mode collapse, chapter 08) and trade recall for precision (chapter 06).
# - **Scale and conditioning.** The same recipe kept improving with more data, bigger networks
#   and text conditioning, without new stabilisation tricks for each size.
#
# The price is sampling: one image takes tens to thousands of network calls. The next section
# measures that price on our digits.

# %% [markdown]
# ## 3. Measured: one network call against many
#
# Two models, the same 4,000 training digits (quick mode: the denoiser sees 1,024 of them), the same CPU:
#
# - the course's **DCGAN** (chapter 05's defaults), trained with FID measured along the way;
# - a **small denoising diffusion model** (`gan_lessons.Denoiser`, a U-Net of about 42,000
#   parameters, `NoiseSchedule` with 100 steps, trained with `train_denoiser`). It samples with all
#   100 steps (DDPM), or with 10 evenly spaced ones (the DDIM sampler of Song, Meng and Ermon, 2021).
#
# Before training it, write the step that the diffusion model learns to undo.
#
# **Exercise.** The forward process jumps from a clean digit `x0` to step t in one go:
# `x_t = sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise`, where `abar_t` (the running product of
# 1 - beta) falls from almost 1 at t = 0 to almost 0 at the last step. Write it; `abar` comes with
# one value per image, shaped (N, 1, 1, 1).


# %% tags=["exercise"]
def add_noise(x0, abar, noise):
    ### BEGIN SOLUTION
    # Task: return sqrt(abar) * x0 + sqrt(1 - abar) * noise.
    return abar.sqrt() * x0 + (1 - abar).sqrt() * noise
    ### END SOLUTION


check_add_noise(add_noise)

# %% [markdown]
# The schedule's `add_noise` is the same formula; a digit at a few steps of the schedule shows what
# the network sees. At the last step nothing of the digit is left, which is why sampling can start
# from pure noise.

# %%
T = 20 if QUICK else 100  # steps of the noise schedule; quick mode shrinks it
schedule = NoiseSchedule(steps=T)
x0 = data.images[perm[:1]].expand(6, -1, -1, -1)
ts = torch.linspace(0, T - 1, 6).round().long()
noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
x_t = schedule.add_noise(x0, ts, noise)
abar = schedule.alpha_bars[ts].view(-1, 1, 1, 1)
assert torch.allclose(x_t, abar.sqrt() * x0 + (1 - abar).sqrt() * noise)  # the exercise's formula
display(show_images(x_t, nrow=6, title="one digit at steps " + ", ".join(map(str, ts.tolist()))))
signal_left = schedule.alpha_bars[-1].sqrt().item()
print(f"weight of the digit at the last step: {signal_left:.3f}")
assert signal_left < 0.05, "the last step is (almost) pure noise"

# %% [markdown]
# Now train both. In full mode: 30 epochs for the DCGAN (chapter 05's run) and 30 epochs for the
# denoiser; quick mode trains one epoch of each. The diffusion model's training loss is a plain
# mean squared error, and unlike a GAN's losses it goes down.

# %% tags=["nbval-ignore-output"]
gan_epochs, diff_epochs = (1, 1) if QUICK else (30, 30)
SEED = 0  # both models' seed (chapter_times.py --set SEED=N reruns the comparison with another)
run = new_run(TrainConfig(seed=SEED))
fid_tracker = FIDTracker(
    test, every=len(data) // run.config.batch_size * (1 if QUICK else 5), n=200 if QUICK else 1000
)
start = time.perf_counter()
train(run, data, gan_epochs, on_step=fid_tracker, progress=False)
gan_train_s = time.perf_counter() - start

set_seed(SEED)
denoiser = Denoiser(width=16)
start = time.perf_counter()
diff_data = torch.utils.data.Subset(data, perm[:1024].tolist()) if QUICK else data
diff_losses = train_denoiser(denoiser, diff_data, schedule, num_epochs=diff_epochs, progress=False)
diff_train_s = time.perf_counter() - start
print(f"DCGAN: {count_parameters(run.G):,} parameters in G, trained {gan_train_s:.0f} s")
print(f"denoiser: {count_parameters(denoiser):,} parameters, trained {diff_train_s:.0f} s")

# %%
k = min(20, len(diff_losses) // 3)
first, last = np.mean(diff_losses[:k]), np.mean(diff_losses[-k:])
print(f"denoiser loss: {first:.3f} over the first {k} steps, {last:.3f} over the last {k}")
assert last < 0.7 * first, "the diffusion loss goes down (a regression, not a game)"

# %% [markdown]
# **Timing.** Each sampler draws the same number of digits in batches of 100, on one CPU thread
# (so that the other work on the machine disturbs it less), and we keep the fastest of three runs.
# Then FID (LeNet features) scores 500 digits from each against 500 held-out real ones (100 in quick mode;
# compare FIDs only at the same sample size).

# %% tags=["nbval-ignore-output"]
n_time = 20 if QUICK else 100
n_fid = 100 if QUICK else 500


def seconds_per_image(sample_fn, n, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        with single_thread():
            sample_fn(n)
        best = min(best, time.perf_counter() - start)
    return best / n


def gan_sample(n):
    return torch.cat(
        [run.sample(z=torch.randn(min(100, n - i), run.config.latent_dim)) for i in range(0, n, 100)]
    )


def diffusion_sampler(steps):
    def sample(n, seed=0):
        return torch.cat(
            [
                diffusion_sample(denoiser, schedule, min(100, n - i), steps=steps, seed=seed + i)
                for i in range(0, n, 100)
            ]
        )

    return sample


samplers = {"DCGAN (1 call)": gan_sample, "diffusion, DDIM (T/10 steps)": diffusion_sampler(T // 10)}
samplers["diffusion, DDPM (all T steps)"] = diffusion_sampler(T)
real = test.images[test_perm[:n_fid]]
rows = {}
for name, sample_fn in samplers.items():
    per_image = seconds_per_image(sample_fn, n_time, repeats=3 if name.startswith("DCGAN") else 1)
    rows[name] = {"ms per image": 1000 * per_image, "FID": fid(real, sample_fn(n_fid), net)}
rows["real digits (floor)"] = {"ms per image": 0.0, "FID": fid(real, data.images[perm[:n_fid]], net)}
rows["uniform noise (ceiling)"] = {
    "ms per image": 0.0,
    "FID": fid(real, torch.rand(n_fid, 1, 28, 28) * 2 - 1, net),
}
print(f"{'sampler':28s} {'ms per image':>13s} {'FID (LeNet)':>12s}")
for name, row in rows.items():
    print(f"{name:28s} {row['ms per image']:13.2f} {row['FID']:12.1f}")

# %%
gan_ms = rows["DCGAN (1 call)"]["ms per image"]
ddpm_ms = rows["diffusion, DDPM (all T steps)"]["ms per image"]
ddim_ms = rows["diffusion, DDIM (T/10 steps)"]["ms per image"]
print(
    f"DDPM is {ddpm_ms / gan_ms:.0f}x slower per image than the GAN; DDIM-{T // 10} is {ddim_ms / gan_ms:.0f}x slower"
)
assert ddpm_ms > (T / 5) * gan_ms, "T network calls cost far more than one"
assert ddim_ms < ddpm_ms / 3, "fewer steps: faster sampling (the reason for distillation)"
if not QUICK:  # one epoch of either makes blobs; the full runs make digits
    ceiling = rows["uniform noise (ceiling)"]["FID"]
    assert rows["DCGAN (1 call)"]["FID"] < ceiling / 10  # digits, far from noise
    assert rows["diffusion, DDPM (all T steps)"]["FID"] < ceiling / 1.5  # closer to digits than noise is...
    # ...but at this budget the small denoiser's samples are far worse than the GAN's (measured on two CPUs:
    # FID 2,207-2,272 against 178-192): diffusion needs much more compute to train, not only to sample
    assert rows["DCGAN (1 call)"]["FID"] < rows["diffusion, DDPM (all T steps)"]["FID"] / 2

fig, ax = plt.subplots(figsize=(7, 2.2))
names = [n for n in rows if "floor" not in n and "ceiling" not in n]
ax.scatter([rows[n]["ms per image"] for n in names], [rows[n]["FID"] for n in names])
for n in names:
    ax.annotate(n, (rows[n]["ms per image"], rows[n]["FID"]), fontsize=8)
ax.set(xscale="log", xlabel="ms per image, one CPU thread (log)", ylabel="FID (LeNet), lower is better")
plt.show()
display(show_images(diffusion_sampler(T)(32, seed=1), nrow=16, title=f"diffusion (DDPM, {T} steps)"))
show_images(gan_sample(32), nrow=16, title="DCGAN (one call)")

# %% [markdown]
# What the numbers say (they vary with the machine; the ratios hold):
#
# - **Speed.** The GAN draws a digit in one call of G; DDPM needs 100 calls of a network of about
#   the same cost, so each image costs about a hundred times more. DDIM with 10 steps is ten times
#   faster than DDPM and still far slower than the GAN.
# - **Quality.** At this tiny scale, with a few minutes of CPU training each, the GAN wins by far:
#   in full mode its FID was 178-192 (two CPUs), the small denoiser's 2,207-2,272 (closer to digits than noise's
#   4,000, yet far from the GAN's; compare the two grids above). A denoiser needs far more compute to train well,
#   not only to sample. At large scale, with that compute, diffusion wins on FID and on recall
#   (Dhariwal and Nichol, 2021).
#
# ## 4. Where GANs (and adversarial losses) still win
#
# - **One-step sampling.** Where an image must come in milliseconds (real-time video filters,
#   games, on-device), a single forward pass matters. GigaGAN (Kang et al., CVPR 2023) showed a
#   GAN can still be a competitive text-to-image model, and far faster to sample.
# - **Inside other models, as a loss.** A discriminator is a learned loss that says "this looks
#   real". SRGAN (Ledig et al., CVPR 2017) added one to super-resolution to get sharp texture
#   instead of a blurry average; VQGAN (Esser, Rombach and Ommer, CVPR 2021) trains the image
#   decoder that latent diffusion models (Stable Diffusion) still use with an adversarial patch
#   loss; pix2pix (Isola et al., CVPR 2017) maps image to image with one, and chapter
#   [11](11_gan_segmentation.ipynb) uses it for segmentation.
# - **Distilling diffusion into a few steps.** Adversarial diffusion distillation (Sauer et al.,
#   2023; SDXL Turbo) trains a diffusion model to sample in 1 to 4 steps with the help of a
#   discriminator: the adversarial loss closes most of the speed gap measured above.
#
# ## 5. A correction: GANs did not succeed at language
#
# The article says GANs "achieved remarkable results in generative language models". They did not.
# Language models (the GPT family and its successors) are autoregressive transformers trained by
# maximum likelihood to predict the next token. Text GANs were tried (SeqGAN, MaskGAN, ...) and
# fell short of maximum-likelihood models of the same size (Caccia et al., "Language GANs Falling
# Short", ICLR 2020). The root cause is the one G needs most: **a gradient from D back to G**.
# Text is discrete: G must *pick* a token, and picking (argmax, or sampling) has no gradient.
# The cell shows it: the gradient through the continuous output of a GAN is there; through a picked
# token it is not.

# %%
logits = torch.randn(5, 10, requires_grad=True)  # G's scores for 10 "tokens" at 5 positions
D_weights = torch.randn(10)
continuous = torch.softmax(logits, 1)  # an image-like, continuous output
(continuous @ D_weights).sum().backward()
grad_continuous = logits.grad.abs().sum().item()
logits.grad = None
picked = F.one_hot(logits.argmax(1), 10).float()  # a token: one choice per position
print(f"picked tokens need grad: {picked.requires_grad}; gradient through softmax: {grad_continuous:.3f}")
assert grad_continuous > 0 and not picked.requires_grad, "no gradient flows through a discrete choice"

# %% [markdown]
# ## 6. FAQ
#
# Each answer is short, has a cell that shows it on our digits or on the toy game, and links the
# chapter that goes deeper.
#
# ### 6.1 Why does D's loss go to 0?
#
# Because D wins: real and fake are easy to tell apart (early in training, or when D is much
# stronger than G). Then D(G(z)) ≈ 0, and with the original **minimax** generator loss
# log(1 - D(G(z))) G gets almost no gradient; the **non-saturating** loss -log D(G(z)) still gives
# one. Here D trains alone against an untrained G for a few steps. Deeper:
# [03 The loss, the maths](03_loss_math.ipynb) derives it; [08 Training pitfalls](08_training_pitfalls.ipynb)
# shows it in a real run.

# %%
set_seed(0)
G0, D0 = Generator(latent_dim=64, width=32), Discriminator(width=32)
opt = torch.optim.Adam(D0.parameters(), lr=2e-3, betas=(0.5, 0.999))
z = torch.randn(64, 64)
for _ in range(30):
    x_real = data.images[torch.randint(0, len(data), (64,))]  # a random batch
    loss_d = d_loss_bce(D0(x_real), D0(G0(z).detach()))
    opt.zero_grad()
    loss_d.backward()
    opt.step()
x_fake = G0(z)
fake_logits = D0(x_fake)
grads = {}
for name, g_loss in [("minimax", g_loss_minimax), ("non-saturating", g_loss_nonsaturating)]:
    (grad,) = torch.autograd.grad(g_loss(fake_logits), x_fake, retain_graph=True)
    grads[name] = grad.norm().item()
print(f"D's loss after 30 steps: {loss_d.item():.4f}; mean D(G(z)) = {torch.sigmoid(fake_logits).mean():.4f}")
print("gradient reaching G's images: " + ", ".join(f"{k} {v:.2e}" for k, v in grads.items()))
assert loss_d.item() < 0.1, "D wins against an untrained G"
assert grads["non-saturating"] > 10 * grads["minimax"], "the minimax loss saturates when D wins"

# %% [markdown]
# ### 6.2 My samples are all the same digit
#
# That is **mode collapse**: G found a few outputs that fool D and stopped exploring. Measure it
# rather than eyeball it: the course's class coverage counts how many of the ten digits hold at
# least 5% of the samples. Below, "generators" that collapsed to one and to three digits, against
# real digits. Deeper: [08 Training pitfalls](08_training_pitfalls.ipynb) (causes),
# [09 Stabilizing GANs](09_stabilizing.ipynb) (remedies), [06 Evaluating GANs](06_evaluating.ipynb) (the metric).

# %%
labels = data.labels
collapsed = {
    "real digits": data.images[perm[:1000]],
    "collapsed to 3 digits": data.images[perm][torch.isin(labels[perm], torch.tensor([1, 4, 7]))][:1000],
    "collapsed to one digit": data.images[labels == 1][:300],
}
covered = {name: class_coverage(x, net=net).num_covered for name, x in collapsed.items()}
print(covered)
assert covered == {"real digits": 10, "collapsed to 3 digits": 3, "collapsed to one digit": 1}

# %% [markdown]
# ### 6.3 My images are washed out, or checkerboarded
#
# **Washed out** (grey backgrounds, faint strokes) nearly always means a range mismatch: G ends in
# `tanh`, which outputs [-1, 1], but the data were scaled to [0, 1] (`ToTensor()` without
# `Normalize((0.5,), (0.5,))`), or the samples are displayed without mapping back. G then never
# needs its lower half, and a background that should be black sits at mid-grey.
#
# **Checkerboards** come from transposed convolutions whose kernel size is not a multiple of the
# stride: some output pixels receive more input than their neighbours. The cell feeds a constant
# image through a transposed convolution with all-one weights: with kernel 3 and stride 2 the output
# is a checkerboard; with kernel 4 and stride 2 (the course's DCGAN) it is even.
# Deeper: [07 Bug hunt](07_bug_hunt.ipynb) runs both mistakes; [05 DCGAN on MNIST](05_dcgan_mnist.ipynb) builds G.

# %%
x01 = (data.images[perm[:500]] + 1) / 2  # the digits wrongly scaled to [0, 1]
print(
    f"background pixel: {data.images[0, 0, 0, 0]:.1f} in [-1, 1] data, {x01[0, 0, 0, 0]:.1f} in [0, 1] data"
)
assert x01.min() >= 0 and data.images.min() < -0.99, "[0, 1] data never uses tanh's lower half"

ones = torch.ones(1, 1, 8, 8)
uneven = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, bias=False)
even = torch.nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1, bias=False)
for layer in (uneven, even):
    torch.nn.init.ones_(layer.weight)
with torch.no_grad():
    out_uneven, out_even = uneven(ones)[0, 0, 2:-2, 2:-2], even(ones)[0, 0, 2:-2, 2:-2]  # away from borders
print(f"inner pixels, kernel 3 stride 2: values {sorted(set(out_uneven.flatten().tolist()))}")
print(f"inner pixels, kernel 4 stride 2: values {sorted(set(out_even.flatten().tolist()))}")
assert out_uneven.std() > 0.5 and out_even.std() == 0, "uneven overlap makes the checkerboard"
fig, axes = plt.subplots(1, 2, figsize=(4, 2))
for ax, img, title in zip(axes, (uneven(ones), even(ones)), ("kernel 3, stride 2", "kernel 4, stride 2")):
    ax.imshow(img.detach()[0, 0], cmap="gray")
    ax.set(title=title, xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ### 6.4 Which loss should I use?
#
# Start with the **non-saturating** loss (the course default; it never starves G, see 6.1). If
# training oscillates or collapses, try **hinge** or **WGAN-GP** (the gradient penalty keeps D
# smooth). Every family lives in one registry, so switching is one argument,
# `TrainConfig(loss=...)` or `ToyGAN(loss=...)`. The cell runs each family on the toy ring of
# eight Gaussians for the same number of steps and reports the share of modes it reaches.
# One short run per loss is a demonstration, not a ranking. Deeper: [09 Stabilizing GANs](09_stabilizing.ipynb)
# compares them on one table with the same budget; [04 Toy GAN playground](04_toy_gan_playground.ipynb) lets you play.

# %%
toy_steps = 100 if QUICK else 1500
toy = {}
for name in LOSSES:
    gan = ToyGAN("ring", loss=name, seed=0)
    gan.step(toy_steps)
    toy[name] = gan.modes_reached()
print(", ".join(f"{k}: {v:.0%}" for k, v in toy.items()))
assert set(toy) >= {"minimax", "nonsaturating", "hinge", "wgan_gp"}
assert all(0 <= v <= 1 for v in toy.values())
if not QUICK:
    assert toy["nonsaturating"] >= 0.5, "the default loss reaches most of the ring's modes"

# %% [markdown]
# ### 6.5 How many epochs?
#
# Until a quality measure stops improving, not until the losses look a certain way (they do not
# converge, 6.9). The DCGAN trained above recorded FID (LeNet features) every few epochs: training
# pays while FID falls. Deeper: [05 DCGAN on MNIST](05_dcgan_mnist.ipynb) (the run),
# [06 Evaluating GANs](06_evaluating.ipynb) (`FIDTracker`).

# %%
steps, fids = run.history["evals"]["step"], run.history["evals"]["fid"]
print("FID along training: " + ", ".join(f"step {s}: {f:.0f}" for s, f in zip(steps, fids)))
assert len(fids) >= 1
if not QUICK:
    assert fids[-1] < fids[0] / 2, "FID fell a lot over training"
    plt.figure(figsize=(5, 2))
    plt.plot(steps, fids, "o-")
    plt.gca().set(xlabel="step", ylabel="FID (LeNet)", yscale="log")
    plt.show()

# %% [markdown]
# ### 6.6 How do I know it works?
#
# Measure the samples, with more than one number: FID (closeness of the feature statistics),
# precision (do the fakes look real?), recall (is every kind of real digit made?), and class
# coverage (how many digits?). Compare with the two fixed points, real against real and noise
# against real. Deeper: [06 Evaluating GANs](06_evaluating.ipynb).

# %%
report = evaluate(run.sample(n_fid * 2), test.images[test_perm[: n_fid * 2]], net=net)
print(report)
assert 0 <= report.precision <= 1 and 0 <= report.recall <= 1
# On one scale with real against real at the same N (held-out vs training digits; chapter 06 explains why
# the sample size must match):
floor = fid(test.images[test_perm[: n_fid * 2]], data.images[perm[: n_fid * 2]], net)
print(f"real vs real at this N: {floor:.1f}; the GAN is {report.fid / floor:.1f}x that")
if not QUICK:  # the same bounds as chapter 05 (checked there over seeds 0-4), on 5,000 samples
    assert report.fid < 15 * floor, "within 15x of real vs real, as in chapter 05"
    classes_5k = class_coverage(run.sample(5000), net=net)
    print(f"5,000 samples: {classes_5k}")
    assert classes_5k.num_covered >= 9 and classes_5k.fractions.min() > 0.03, classes_5k

# %% [markdown]
# ### 6.7 CPU or GPU?
#
# Everything in this course runs on a laptop CPU: the networks are small, and a GPU helps only
# when the work per step is large (big batches, big images). `get_device()` picks `cuda` when a GPU
# is visible. The cell times one training step of the DCGAN at two batch sizes on this machine:
# the time per image falls with the batch, because small batches leave the hardware idle.
# Deeper: [00 Index](00_index.ipynb) (how to run), [05 DCGAN on MNIST](05_dcgan_mnist.ipynb).


# %%
def step_ms_per_image(batch_size, repeats=3):
    r = new_run(TrainConfig(batch_size=batch_size, seed=0, device=str(device)))
    small = torch.utils.data.TensorDataset(
        data.images[: batch_size * repeats], data.labels[: batch_size * repeats]
    )
    start = time.perf_counter()
    train(r, small, 1, progress=False)
    return 1000 * (time.perf_counter() - start) / (batch_size * repeats)


per_image = {bs: step_ms_per_image(bs) for bs in (8, 128)}
print(f"device {device}: " + ", ".join(f"batch {bs}: {ms:.2f} ms per image" for bs, ms in per_image.items()))
assert per_image[128] < per_image[8], "bigger batches use the hardware better"

# %% [markdown]
# ### 6.8 How do I train on my own images?
#
# Make a `Dataset` whose items are `(image, label)` with images shaped (1, 28, 28) and scaled to
# [-1, 1] (6.3); the label can be anything, the GAN ignores it. Any folder of pictures works: load
# each with PIL, convert to grey, resize to 28×28, scale. For bigger or colour images, `Generator`
# and `Discriminator` would need more layers and 3 channels. The cell writes a few PNG files to a
# temporary folder and trains one epoch on them. Deeper: [05 DCGAN on MNIST](05_dcgan_mnist.ipynb)
# (the loop), [11 GANs for segmentation](11_gan_segmentation.ipynb) (paired images: image to mask).

# %%
folder = Path("runs") / "12_my_images"
folder.mkdir(parents=True, exist_ok=True)
for i in range(64):  # stand-ins for your pictures: 64 PNGs of random size
    img = (data.images_uint8[i].numpy()).astype(np.uint8)
    Image.fromarray(img).resize((40 + i % 20, 40 + i % 20)).save(folder / f"picture_{i:03d}.png")


def load_folder(path):
    files = sorted(Path(path).glob("*.png"))
    arrays = [np.asarray(Image.open(f).convert("L").resize((28, 28)), dtype=np.float32) for f in files]
    images = torch.from_numpy(np.stack(arrays)).unsqueeze(1) / 127.5 - 1  # (N, 1, 28, 28) in [-1, 1]
    return torch.utils.data.TensorDataset(images, torch.zeros(len(images), dtype=torch.long))


mine = load_folder(folder)
x_mine, _ = mine[0]
assert len(mine) == 64 and x_mine.shape == (1, 28, 28) and -1 <= x_mine.min() and x_mine.max() <= 1
my_run = new_run(TrainConfig(seed=0, batch_size=16))
train(my_run, mine, 1, progress=False)
print(f"trained {my_run.step} steps on {len(mine)} images from {folder}")
assert my_run.step == 4

# %% [markdown]
# ### 6.9 Why don't the losses go down?
#
# Because G and D play a game: when one improves, the other's loss goes up. At the ideal end point
# D cannot tell real from fake, D = 1/2 everywhere, and D's BCE loss sits at 2 log 2 ≈ 1.386, not 0.
# A loss curve that flattens there is a good sign, not a stuck one. Deeper:
# [03 The loss, the maths](03_loss_math.ipynb) (the value at equilibrium, -log 4),
# [08 Training pitfalls](08_training_pitfalls.ipynb) (why loss curves do not tell quality).

# %%
undecided = torch.zeros(1000)  # logits of 0: D(x) = 1/2 for every input
at_equilibrium = d_loss_bce(undecided, undecided).item()
print(f"D's loss at equilibrium: {at_equilibrium:.4f} (2 log 2 = {2 * np.log(2):.4f})")
assert abs(at_equilibrium - 2 * np.log(2)) < 1e-5

# %% [markdown]
# ### 6.10 Training blew up: the loss is NaN
#
# A learning rate far too high, data with NaN or infinite values, or a log of 0 in a hand-written
# loss. The course's loop stops at the first non-finite loss, keeps the run as it was before that
# update, and says what to try; the cell feeds it one corrupted image. Deeper:
# [09 Stabilizing GANs](09_stabilizing.ipynb) (gradient penalty, spectral norm),
# [07 Bug hunt](07_bug_hunt.ipynb) (the log of 0 in a hand-written loss).

# %%
broken = data.images[:64].clone()
broken[3, 0, 10, 10] = float("nan")  # one bad pixel in one image
bad_run = new_run(TrainConfig(seed=0))
try:
    train(bad_run, torch.utils.data.TensorDataset(broken, data.labels[:64]), 1, progress=False)
    raise AssertionError("training on NaN data should stop")
except NonFiniteLossError as err:
    print("stopped:", str(err)[:160], "...")
    assert bad_run.step == 0, "the run keeps its state from before the bad update"

# %% [markdown]
# ### 6.11 How do I make a *specific* digit?
#
# An unconditional GAN cannot be told which digit to draw: it draws whichever digit its z leads
# to. A **conditional GAN** gives G (and D) the label too. The cell asks the course's classifier
# which digits our unconditional G makes for 200 random z: all kinds, in no order you choose.
# Deeper: [10 Conditional GAN](10_conditional_gan.ipynb).

# %%
with torch.no_grad():
    made = torch.bincount(predict(net, run.sample(200)), minlength=10)
print("digits made by 200 random z:", made.tolist())
assert made.sum() == 200
if not QUICK:
    assert (made > 0).sum() >= 8, "an unconditional G makes many digits, at random"

# %% [markdown]
# ### 6.12 Can a GAN segment images, as the article says?
#
# Not by itself: a GAN makes images from noise. Segmentation needs a **conditional** generator that
# maps an image to a mask, trained with a pixel loss plus an adversarial term (pix2pix). The
# adversarial term mostly sharpens boundaries; a plain U-Net with the pixel loss alone is the
# baseline to beat. The cell shows the measure used there, the Dice score, on a digit's own mask
# against a slightly shifted copy. Deeper: [11 GANs for segmentation](11_gan_segmentation.ipynb).

# %%
mask = data.images[0, 0] > 0
shifted = torch.roll(mask, 1, dims=1)
dice = (2 * (mask & shifted).sum() / (mask.sum() + shifted.sum())).item()
print(f"Dice of a digit's mask against itself shifted one pixel: {dice:.2f}")
assert 0.2 < dice < 1, "one pixel of shift already costs Dice on thin strokes"

# %% [markdown]
# ### 6.13 Should I use a GAN or a diffusion model?
#
# For most new image generation, a diffusion model: it trains without a game and covers the data
# better. Use a GAN when sampling speed matters (section 3 measured how much), when you need an
# adversarial loss inside another model (section 4), or to learn how generative models work,
# which is what this course is for. The cell reprints the measurement.

# %%
print(
    f"one image: GAN {gan_ms:.2f} ms, diffusion DDIM-{T // 10} {ddim_ms:.2f} ms, DDPM-{T} {ddpm_ms:.2f} ms "
    f"(FID {rows['DCGAN (1 call)']['FID']:.0f}, {rows['diffusion, DDIM (T/10 steps)']['FID']:.0f}, "
    f"{rows['diffusion, DDPM (all T steps)']['FID']:.0f})"
)
assert gan_ms < ddim_ms < ddpm_ms

# %% [markdown]
# ## 7. The article's references, corrected
#
# The article lists thirteen works, each three times. Each was looked up (publisher or proceedings
# pages, arXiv): **corrected** means the article got the authors, title, venue, year or pages
# wrong; **confirmed** that it got them right; **not found** that no such work exists.
#
# | # | the article says | status | the work |
# |---|---|---|---|
# | 1 | Goodfellow et al. (2014), *Generative Adversarial Networks*, NIPS, pp. 2671–2680 | corrected | I. Goodfellow, J. Pouget-Abadie, M. Mirza, B. Xu, D. Warde-Farley, S. Ozair, A. Courville, Y. Bengio. *Generative Adversarial Nets*. NIPS 27, 2014, pp. 2672–2680 |
# | 2 | Radford, Metz & Chintala (2020), *DALL-E: Creating Images from Text*, OpenAI blog | corrected | A. Ramesh, M. Pavlov, G. Goh, S. Gray, C. Voss, A. Radford, M. Chen, I. Sutskever. *Zero-Shot Text-to-Image Generation*. ICML 2021 (the blog post is Jan. 2021). DALL·E is a transformer, not a GAN. Radford, Metz & Chintala wrote DCGAN (below) |
# | 3 | Karras, Laine & Aila (2018), *Progressive Growing of GANs...*, ICMLA | corrected | T. Karras, T. Aila, S. Laine, J. Lehtinen. *Progressive Growing of GANs for Improved Quality, Stability, and Variation*. ICLR 2018 |
# | 4 | Arjovsky, Chintala & Bottou (2017), *Wasserstein GANs*, ICML, pp. 465–474 | corrected | M. Arjovsky, S. Chintala, L. Bottou. *Wasserstein Generative Adversarial Networks*. ICML 2017, PMLR 70, pp. 214–223 |
# | 5 | Salimans, Taigman, Arjovsky & Bengio (2016), *Improved Training of Wasserstein GANs*, arXiv:1611.07004 | corrected | I. Gulrajani, F. Ahmed, M. Arjovsky, V. Dumoulin, A. Courville. *Improved Training of Wasserstein GANs*. NIPS 30, 2017 (arXiv:1704.00028). arXiv:1611.07004 is pix2pix (row 10) |
# | 6 | Mordvintsev, Tarassenko & Vedaldi (2008), *Fast Image Inpainting Using Patch-Based Image-to-Image Translation*, ECCV | not found | no such paper; image-to-image translation with deep networks dates from 2016 |
# | 7 | Liu, Liu & Tang (2017), *SRGAN: Enhancing Perceptual Quality...*, CVPR, pp. 593–602 | corrected | C. Ledig, L. Theis, F. Huszár, J. Caballero, A. Cunningham, A. Acosta, A. Aitken, A. Tejani, J. Totz, Z. Wang, W. Shi. *Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network*. CVPR 2017 |
# | 8 | Zhang, Schmidt & Tschannen (2018), *BeGAN: Boundary Equilibrium GANs*, CVPR | corrected | D. Berthelot, T. Schumm, L. Metz. *BEGAN: Boundary Equilibrium Generative Adversarial Networks*. arXiv:1703.10717, 2017 |
# | 9 | Zhu, Zhang, Liu & Chen (2017), *Unpaired Image-to-Image Translation...*, CVPR | corrected | J.-Y. Zhu, T. Park, P. Isola, A. A. Efros. *Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks*. ICCV 2017 |
# | 10 | Isola, Zhu & Zhou (2017), *Image-to-Image Translation with Conditional Adversarial Networks*, CVPR, pp. 5480–5489 | corrected | P. Isola, J.-Y. Zhu, T. Zhou, A. A. Efros. Same title. CVPR 2017 (arXiv:1611.07004) |
# | 11 | Brock, Donahue, Krizhevsky & Kim (2018), *Large Scale GAN Training for Image Synthesis and Style-Based Representation Learning*, CVPR | corrected | A. Brock, J. Donahue, K. Simonyan. *Large Scale GAN Training for High Fidelity Natural Image Synthesis*. ICLR 2019 |
# | 12 | Krizhevsky, Sutskever & Hinton (2012), *ImageNet Classification with Deep Convolutional Neural Networks*, NIPS, pp. 1097–1105 | confirmed | as cited: NIPS 25, 2012 |
# | 13 | Long, Shelhamer & Darrell (2015), *Fully Convolutional Networks for Semantic Segmentation*, CVPR, pp. 3431–3440 | confirmed | as cited: CVPR 2015 |
#
# Other works this course cites:
#
# - A. Radford, L. Metz, S. Chintala. *Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks* (DCGAN). ICLR 2016. Chapter 05.
# - M. Mirza, S. Osindero. *Conditional Generative Adversarial Nets*. arXiv:1411.1784, 2014. Chapter 10.
# - T. Miyato, T. Kataoka, M. Koyama, Y. Yoshida. *Spectral Normalization for Generative Adversarial Networks*. ICLR 2018. Chapter 09.
# - M. Heusel, H. Ramsauer, T. Unterthiner, B. Nessler, S. Hochreiter. *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium* (TTUR, FID). NIPS 30, 2017. Chapters 06, 09.
# - T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen, T. Aila. *Improved Precision and Recall Metric for Assessing Generative Models*. NeurIPS 2019. Chapter 06.
# - T. Karras, S. Laine, T. Aila. *A Style-Based Generator Architecture for Generative Adversarial Networks* (StyleGAN). CVPR 2019.
# - J. Ho, A. Jain, P. Abbeel. *Denoising Diffusion Probabilistic Models*. NeurIPS 2020.
# - J. Song, C. Meng, S. Ermon. *Denoising Diffusion Implicit Models*. ICLR 2021.
# - P. Dhariwal, A. Nichol. *Diffusion Models Beat GANs on Image Synthesis*. NeurIPS 2021.
# - R. Rombach, A. Blattmann, D. Lorenz, P. Esser, B. Ommer. *High-Resolution Image Synthesis with Latent Diffusion Models*. CVPR 2022.
# - P. Esser, R. Rombach, B. Ommer. *Taming Transformers for High-Resolution Image Synthesis* (VQGAN). CVPR 2021.
# - A. Sauer, D. Lorenz, A. Blattmann, R. Rombach. *Adversarial Diffusion Distillation*. arXiv:2311.17042, 2023.
# - M. Kang, J.-Y. Zhu, R. Zhang, J. Park, E. Shechtman, S. Paris, T. Park. *Scaling up GANs for Text-to-Image Synthesis* (GigaGAN). CVPR 2023.
# - M. Caccia, L. Caccia, W. Fedus, H. Larochelle, J. Pineau, L. Charlin. *Language GANs Falling Short*. ICLR 2020.

# %% [markdown]
# ## Summary
#
# - GANs led image generation from 2014 to about 2020 (ProGAN, StyleGAN, BigGAN); diffusion models
#   took over because they train as a regression, cover the data better and scale.
# - Measured here on the same digits and CPU: the GAN draws an image in one network call; the
#   diffusion model needs 10 to 100, about a hundred times slower per image in the DDPM case.
# - Adversarial losses live on inside other models: super-resolution, VQGAN's decoder, pix2pix,
#   and few-step distilled diffusion.
# - GANs did not succeed at language: tokens are discrete, and no gradient flows through a choice.
# - The FAQ's answers are cells: D's loss going to 0, mode collapse, washed-out and checkerboard
#   images, which loss, how long, how to know, CPU or GPU, your own images, losses that do not go
#   down, NaN, specific digits, segmentation, GAN or diffusion.
#
# ## Further reading
#
# - Ho, Jain and Abbeel (2020) and Dhariwal and Nichol (2021) above, for diffusion models.
# - Goodfellow, *NIPS 2016 Tutorial: Generative Adversarial Networks*, arXiv:1701.00160: the
#   inventor's own account of the game and its failure modes.

# %% [markdown]
# <!-- nav:bottom -->
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb)
