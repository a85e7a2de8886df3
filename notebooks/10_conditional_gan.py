# %% [markdown]
# # 10 · Conditional GAN: asking for a particular digit
#
# The DCGAN of chapter 05 draws *a* digit; you cannot ask it for a 7. A **conditional GAN** (Mirza &
# Osindero 2014) gives both players the label: G draws "a 7 in the style z", and D judges the pair
# "is this a real 7?". By the end of this chapter you will be able to:
#
# - explain the two usual ways to feed a label to G and D (a learned **embedding**, or **one-hot**
#   vectors and planes), and build D's conditional input yourself;
# - train a class-conditional DCGAN on MNIST with the same `update_D`/`update_G` steps as chapter 05;
# - show its samples as a 10-row grid, one digit per row, and measure the **conditioning accuracy**
#   (how often chapter 09's classifier reads each sample as the label it was drawn for) and **FID per class**;
# - explore the latent space with a widget: pick a digit, two seeds, a point between them, and
#   sliders along latent directions.

# %% [markdown]
# <!-- nav:top -->
# [← 09 Evaluating GANs](09_evaluating.ipynb) | [Index](00_index.ipynb) | [11 GANs for segmentation →](11_gan_segmentation.ipynb)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from gan_lessons import (
    FID_LABEL,
    QUICK,
    ConditionalDiscriminator,
    TrainConfig,
    class_coverage,
    conditional_explorer,
    conditioning_accuracy,
    fid,
    fid_per_class,
    load_mnist,
    new_run,
    one_hot_channels,
    set_seed,
    show_images,
    train_conditional,
)
from gan_lessons.checks import check_d_input, check_label_planes

set_seed(0)
torch.set_num_threads(1)  # small convolutions on a shared 2-core CPU: one thread is measured faster
data = load_mnist()
print(f"quick mode: {QUICK}; device: cpu; {len(data):,} labelled digits")

# %% [markdown]
# ## 1. Two ways to give a network the label
#
# - **Embedding.** A learned table `nn.Embedding(10, k)` maps each digit to a vector of k numbers;
#   G gets `[z, embed(y)]`, and D can multiply its features by another embedding (the *projection
#   discriminator* of Miyato & Koyama 2018). Compact, and it scales to thousands of classes.
# - **One-hot.** G gets `[z, one_hot(y)]`, ten extra inputs. D sees images, so its label becomes ten
#   extra *planes* of 28×28 pixels, plane y all ones and the others zeros, stacked onto the image:
#   an (N, 11, 28, 28) input. Nothing to learn, and easy to check by eye.
#
# With ten classes the one-hot is as small as an embedding would be, so this chapter uses one-hot,
# for both G (`ConditionalGenerator`) and D (`ConditionalDiscriminator`). Here is D's input, built inline:

# %%
x = data.images[:4]
y = data.labels[:4]
planes = F.one_hot(y, 10).float()[:, :, None, None].expand(-1, -1, 28, 28)  # (N, 10, 28, 28)
d_input = torch.cat([x, planes], dim=1)  # (N, 11, 28, 28): the image first, then the label planes
print(d_input.shape, "labels", y.tolist())
assert d_input.shape == (4, 11, 28, 28)
assert torch.equal(planes, one_hot_channels(y, 10, 28))  # the package's version agrees
assert all(planes[i, y[i]].min() == 1 and planes[i].sum() == 28 * 28 for i in range(4))  # one lit plane each

# %% [markdown]
# The package's discriminator builds exactly this input. Its first layer is the only one that
# changes: 1 + 10 input channels instead of 1. An unknown label is refused with a clear message:

# %% tags=["raises-exception"]
D = ConditionalDiscriminator(width=8)
D(x, torch.tensor([1, 2, 3, 10]))

# %% [markdown]
# ## 2. Training: the same two steps, with D bound to the label
#
# `train_conditional` draws z, takes the batch's real labels y and makes `x_fake = G(z, y)`. It then
# calls chapter 05's `update_D` and `update_G` with `D_y = lambda x: D(x, y)`. Because fakes are
# judged *with the label they were asked for*, a well-drawn 3 produced for the label 7 is caught as
# fake: that is the only pressure that makes G obey y. (Feed y to G but not to D, and nothing stops G
# from ignoring it: exercise 2's checker knows that mistake.)
#
# Full mode trains three epochs of the 5,000-digit subset (234 steps), capped at 290 s; quick mode runs a
# few dozen steps to show the mechanics. (The course's target is 90% conditioning accuracy within 5 minutes.
# This recipe does not reach it yet: measured with seed 0, 69% after 200 and 300 steps, 70% after 400,
# 76% after 500; it climbs too slowly for longer training to be the fix. Exercise 4 asks what is.)

# %% tags=["nbval-ignore-output"]
run = new_run(TrainConfig(conditional=True, seed=0))
num_epochs, budget = (1, 20.0) if QUICK else (3, 290.0)
start = time.perf_counter()
history = train_conditional(run, data, num_epochs, max_seconds=budget, progress=not QUICK)
train_seconds = time.perf_counter() - start
print(f"{run.step} steps ({run.step / max(1, len(data) // 64):.1f} epochs) in {train_seconds:.0f} s")

# %%
assert run.step > 0 and np.isfinite(history["d_loss"]).all() and np.isfinite(history["g_loss"]).all()
assert train_seconds < budget + 30  # the budget is honoured (plus at most one slow step and sampling)

# %% [markdown]
# ## 3. Ten rows, one digit per row
#
# Each row asks for one digit; each *column* uses the same z. If the label controls the class and z
# the style, a column should show ten digits written in one hand (the same thickness and slant).

# %%
n_cols = 10
z = torch.randn(n_cols, run.config.latent_dim, generator=torch.Generator().manual_seed(1)).repeat(10, 1)
labels = torch.arange(10).repeat_interleave(n_cols)  # row d: ten samples of digit d
grid = run.sample(z=z, labels=labels)
show_images(grid, nrow=n_cols, title=f"rows 0..9 (label), columns share z; step {run.step}")
plt.show()
assert grid.shape == (100, 1, 28, 28)

# %% [markdown]
# ## 4. Does G obey the label? Conditioning accuracy and FID per class
#
# Chapter 09's shipped classifier reads each sample; the **conditioning accuracy** is the share read
# as the label it was drawn for (chance: 10%). A G that ignores y would score about 10%; one that
# draws good digits of the wrong class scores low too, even with a good FID.

# %%
n_eval = 200 if QUICK else 1000
eval_labels = torch.arange(n_eval) % 10
fake = run.sample(
    z=torch.randn(n_eval, run.config.latent_dim, generator=torch.Generator().manual_seed(2)),
    labels=eval_labels,
)
report = conditioning_accuracy(fake, eval_labels)
print(report)
print(class_coverage(fake))
wrong = conditioning_accuracy(fake, (eval_labels + 1) % 10)  # the same samples, judged against the next label
print(f"against shifted labels: {wrong.accuracy:.1%}")
assert 0 <= report.accuracy <= 1 and report.counts.tolist() == [n_eval // 10] * 10
if not QUICK:
    # Measured claim (the 90% target is not met yet, see section 2): well above chance (>= 60%), every
    # digit obeyed more often than not confused (each digit's own accuracy >= 35%), every class produced,
    # and the labels carry the information (judged against shifted labels, the samples score near zero).
    assert report.accuracy >= 0.60, report
    assert report.per_class.min() >= 0.35, report
    assert class_coverage(fake).num_covered == 10
    assert wrong.accuracy < 0.1

# %% [markdown]
# FID per class compares each digit's samples with the real digits of that class (about 500 per class in
# the shipped subset). With so few images FID is biased upwards (chapter 09), so read these numbers
# against each other, and against the same measure for real digits at the same size.

# %%
per_class = fid_per_class(fake, eval_labels, data)
# The reference: real digits (every other one of each class, as many as the samples) against all real digits.
pick = torch.cat([torch.nonzero(data.labels == d).flatten()[1::2][: n_eval // 10] for d in range(10)])
ref = fid_per_class(data.images[pick], data.labels[pick], data)
for d in range(10):
    print(f"digit {d}: {FID_LABEL} {per_class[d]:7.1f}   (real vs real at this size: {ref[d]:5.1f})")
assert np.isfinite(per_class).all() and np.isfinite(ref).all()
assert (ref < per_class).mean() >= 0.5  # a generator is not (yet) closer to real 3s than real 3s are
if not QUICK:
    assert per_class.max() < 5 * ref.max() + 20, (
        per_class
    )  # every class far from noise (hundreds, chapter 09)
print(f"whole-set {FID_LABEL}: {fid(data, fake):.1f}" if len(fake) >= 1000 else "")

# %% [markdown]
# ## 5. The explorer: digit, seeds, interpolation, latent sliders
#
# Pick a digit; seeds A and B fix two latent vectors, the slider A → B moves between them (along the
# great circle by default, as in chapter 05), and the z sliders move along single latent coordinates.
# The middle row shows all ten digits with the *same* z: the style stays, the class changes. Each
# change redraws the three pictures in place; the readout says how long that took.

# %%
explorer = conditional_explorer(run.G_sample, digit=7, seed_a=0, seed_b=1, dims=(0, 1, 2, 3))
explorer

# %%
# The controls drive the state (what a test does): same z, another digit; then half-way to seed B.
z7 = explorer.state["z"].clone()
explorer.digit.value = 3
assert explorer.state["label"] == 3 and torch.equal(explorer.state["z"], z7)
explorer.t.value = 0.5
assert not torch.equal(explorer.state["z"], z7)
for value in np.linspace(-2, 2, 10):
    explorer.sliders[0].value = float(value)
redraw_ms = np.median(explorer.redraw_ms[1:])
print(f"median redraw: {redraw_ms:.1f} ms over {len(explorer.redraw_ms) - 1} redraws")
# The target is 50 ms on a CPU; quick mode (CI, a loaded machine) only checks it stays interactive.
assert redraw_ms < (200 if QUICK else 50), f"the explorer took {redraw_ms:.0f} ms per redraw"

# %% [markdown]
# ## Summary
#
# - A conditional GAN gives the label to **both** players. G learns p(x | y); D judges (x, y) pairs,
#   which is what forces G to obey y.
# - One-hot labels become ten extra inputs for G and ten extra image planes for D; an embedding is the
#   compact alternative for many classes.
# - The training step is chapter 05's `update_D`/`update_G`, with D bound to the batch's labels.
# - Conditioning accuracy (chapter 09's classifier as the judge) measures obedience; FID per class
#   measures quality within each class. Report both: a G can be obedient and blurry, or sharp and
#   disobedient.

# %% [markdown]
# ## Exercises
#
# **1.** Write `label_planes(y, size)`: labels (N,) → one-hot planes (N, 10, size, size), plane y all ones.


# %% tags=["exercise"]
def label_planes(y, size):
    ### BEGIN SOLUTION
    # Task: return one-hot planes (N, 10, size, size) of float: plane y[i] all ones for image i.
    return F.one_hot(y, 10).float()[:, :, None, None].expand(-1, -1, size, size)
    ### END SOLUTION


check_label_planes(label_planes)

# %% [markdown]
# **2.** Write `d_input(x, y)`: the conditional discriminator's input, the images (N, 1, 28, 28)
# followed by their label planes, (N, 11, 28, 28).


# %% tags=["exercise"]
def d_input(x, y):
    ### BEGIN SOLUTION
    # Task: return the images followed by their label planes along the channels, (N, 11, 28, 28).
    return torch.cat([x, label_planes(y, x.shape[-1])], dim=1)
    ### END SOLUTION


check_d_input(d_input)

# %% [markdown]
# **3. (Open)** Train with `TrainConfig(conditional=True, seed=1)` and compare the per-class accuracies.
# Which digits does G confuse, and with which? (`report.confusion` is the confusion matrix.)
#
# **4. (Open)** The accuracy climbs slowly (about 70% after 3 epochs). Try the fixes the literature suggests and measure each
# with `conditioning_accuracy`: a lower learning rate (`TrainConfig(lr=2e-4)`), the label also fed to
# D's hidden layer, a projection discriminator (Miyato & Koyama 2018), or an auxiliary classifier loss
# (AC-GAN, Odena et al. 2017).

# %% [markdown]
# ## Further reading
#
# - M. Mirza, S. Osindero. *Conditional Generative Adversarial Nets.* arXiv:1411.1784, 2014.
# - A. Odena, C. Olah, J. Shlens. *Conditional Image Synthesis with Auxiliary Classifier GANs.* ICML 2017.
# - T. Miyato, M. Koyama. *cGANs with Projection Discriminator.* ICLR 2018.
# - T. White. *Sampling Generative Networks.* arXiv:1609.04468, 2016. (Spherical interpolation.)

# %% [markdown]
# <!-- nav:bottom -->
# [← 09 Evaluating GANs](09_evaluating.ipynb) | [Index](00_index.ipynb) | [11 GANs for segmentation →](11_gan_segmentation.ipynb)
