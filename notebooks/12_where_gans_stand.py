# %% [markdown]
# # 12 · Where GANs stand
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
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb) | [13 FAQ and references →](13_faq.ipynb)

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

chapter = setup_chapter("12_where_gans_stand", seed=0)
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
# [← 11 GANs for segmentation](11_gan_segmentation.ipynb) | [Index](00_index.ipynb) | [13 FAQ and references →](13_faq.ipynb)
