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
# # 13 · FAQ and references
#
# The article's table of contents promises an FAQ, and its body never gives one; its reference list is
# mostly wrong. This chapter supplies both. By the end you will be able to:
#
# - answer the thirteen questions learners ask most, each with a cell that measures the answer on our
#   digits or on the toy game, and a link to the chapter that goes deeper;
# - tell a flat loss curve from a healthy one (it cannot be done from the curve), and a checkerboard's
#   two causes apart;
# - cite the field's papers correctly, from GANs (2014) to flow matching and R3GAN (2023-2024).
#
# Every answer runs on the course's shipped models (the DCGAN generator of chapter 02 and 05, the
# denoisers of chapter 12), so quick mode checks the same claims as full mode on fewer samples.
#
# <!-- full-mode-time: 223 s (3.7 min, measured on a 2-core machine at a load average of about 10) -->

# %% [markdown]
# <!-- nav:top -->
# [← 12 Where GANs stand](12_where_gans_stand.ipynb) | [Index](00_index.ipynb)

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
    PLAIN_RECIPE,
    QUICK,
    Discriminator,
    Generator,
    NonFiniteLossError,
    SmallSampleWarning,
    ToyGAN,
    TrainConfig,
    class_coverage,
    d_loss_bce,
    evaluate,
    fid,
    flow_sample,
    g_loss_minimax,
    g_loss_nonsaturating,
    load_comparison,
    load_denoiser,
    load_pretrained_generator,
    ms_per_image,
    new_run,
    precision_recall,
    predict,
    set_seed,
    setup_chapter,
    show_images,
    shuffled_indices,
    single_thread,
    to_uint8,
    train,
)
from gan_lessons.checks import check_resize_conv

chapter = setup_chapter("13_faq", seed=0, device="cpu", threads=1)
# the 4,000 digits the shipped models trained on, the 1,000 held-out ones they are scored against, and the
# LeNet "eye" of the course's FID (chapter 06), as in chapter 12
data, test, net = load_comparison()
G = load_pretrained_generator()  # chapter 05's full run: 30 epochs, 1,860 steps (data/README.md)
perm = shuffled_indices(len(data))  # the files are sorted by digit
test_perm = shuffled_indices(len(test), 1)
n_eval = 500 if QUICK else 1000  # samples per FID; compare FIDs only at the same n
warnings.simplefilter("ignore", SmallSampleWarning)


def sample_G(n, seed=0):
    """n digits from the shipped generator, from seeded z."""
    with torch.no_grad():
        return G(torch.randn(n, G.latent_dim, generator=torch.Generator().manual_seed(seed)))


# %% [markdown]
# ## 1. FAQ
#
# ### 1.1 Why does D's loss go to 0?
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
# ### 1.2 My samples are all the same digit
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
# ### 1.3 My images are washed out, or checkerboarded
#
# **Washed out** (grey backgrounds, faint strokes) nearly always means a range mismatch: G ends in
# `tanh`, which outputs [-1, 1], but the data were scaled to [0, 1] (`ToTensor()` without
# `Normalize((0.5,), (0.5,))`). G then learns to draw in [0, 1], never needs tanh's lower half, and
# when its samples are shown the [-1, 1] way, as every display in this course does, the black
# background sits at mid-grey. The cell trains the same DCGAN for one epoch twice, on the digits scaled
# the right way and the wrong way, and shows both generators' samples the [-1, 1] way (`to_uint8`, the
# course's display conversion). Question 1.5 reuses the first run.
#
# **Checkerboards** have two causes (Odena, Dumoulin and Olah, "Deconvolution and Checkerboard
# Artifacts", Distill 2016). A transposed convolution whose kernel size is not divisible by the stride
# gives some output pixels more input terms than their neighbours: *uneven overlap*. A kernel divisible
# by the stride (4 and 2, the course's DCGAN) removes that cause, not the other: each output pixel of a
# stride-2 transposed convolution is made by one of four different subsets of the kernel's weights (one
# per position in a 2×2 block), and unless training makes the four agree, a flat input still comes out
# as a periodic pattern. Odena et al.'s fix is to **resize, then convolve** (nearest-neighbour
# upsampling followed by an ordinary convolution), for which every output pixel uses all the weights:
# a flat input stays flat for *any* weights. The cell feeds a flat image through all three with random
# weights and measures the period-2 pattern: the spread of the four positions' mean outputs.
# Deeper: [05 DCGAN on MNIST](05_dcgan_mnist.ipynb) builds G.

# %% tags=["nbval-ignore-output"]
scaled = {"[-1, 1], right": data.images, "[0, 1], wrong": (data.images + 1) / 2}
runs, background, seconds = {}, {}, {}
for name, images in scaled.items():
    # The FAQ's runs use the plain recipe (chapter 05's inline loop: DCGAN's non-saturating loss, no penalties).
    runs[name] = new_run(TrainConfig(**PLAIN_RECIPE, seed=0, device="cpu"))
    start = time.perf_counter()
    train(runs[name], torch.utils.data.TensorDataset(images, data.labels), 1, progress=False)
    seconds[name] = time.perf_counter() - start
    with torch.no_grad():
        shown = to_uint8(runs[name].sample(200))  # what a [-1, 1] display makes of G's samples
    background[name] = shown[:, 0, :3, :3].float().mean().item()  # the corners are background in a digit
    print(
        f"trained on {name} data ({runs[name].step} steps): background shown at {background[name]:.0f} of 255"
    )
with torch.no_grad():
    pairs = torch.cat([runs[name].sample(8) for name in scaled])
display(
    show_images(
        pairs,
        nrow=8,
        title="top: trained on [-1, 1]; bottom: on [0, 1]",
    )
)

# %%
# Measured: 35 of 255 after training on [-1, 1], 128 (mid-grey) on [0, 1]. Wrong world: the range of the data
# does not decide the background (G would learn the same background either way): the same recipe, seed and
# steps; only the data's scale differs.
assert background["[0, 1], wrong"] > 100 and background["[-1, 1], right"] < background["[0, 1], wrong"] / 2, (
    background
)


# %% [markdown]
# **Exercise.** Write Odena et al.'s upsampler: `resize_then_convolve(x, weight)` takes images
# (N, C, H, W) and a kernel `weight` (C_out, C, 3, 3), doubles the height and width by repeating each
# pixel (nearest neighbour), then convolves with `weight` (no bias) so that the output is (N, C_out, 2H, 2W).


# %% tags=["exercise"]
def resize_then_convolve(x, weight):
    ### BEGIN SOLUTION
    # Task: nearest-neighbour upsampling by 2, then a 3x3 convolution with `weight` that keeps the size.
    return F.conv2d(F.interpolate(x, scale_factor=2, mode="nearest"), weight, padding=1)
    ### END SOLUTION


check_resize_conv(resize_then_convolve)

# %% [markdown]
# Now the measurement: a flat image through a transposed convolution with an uneven kernel (3, stride 2),
# one with a divisible kernel (4, stride 2), and **your** upsampler, each with random (untrained) weights.


# %%
def period2_spread(out):
    """The spread (max - min) of the mean output at the four positions of each 2x2 block, away from the
    borders: 0 for a flat output, > 0 for a checkerboard."""
    inner = out[0, 0, 4:-4, 4:-4]
    means = torch.stack([inner[i::2, j::2].mean() for i in (0, 1) for j in (0, 1)])
    return float(means.max() - means.min())


flat = torch.ones(1, 1, 14, 14)
gen = torch.Generator().manual_seed(0)
w3, w4, w_resize = (torch.randn((1, 1, k, k), generator=gen) for k in (3, 4, 3))
with torch.no_grad():
    outputs = {
        "transposed, kernel 3, stride 2": F.conv_transpose2d(flat, w3, stride=2, padding=1, output_padding=1),
        "transposed, kernel 4, stride 2": F.conv_transpose2d(flat, w4, stride=2, padding=1),
    }
    try:
        outputs["resize, then convolve (3x3)"] = resize_then_convolve(flat, w_resize)  # your upsampler
    except NotImplementedError:
        print("Write resize_then_convolve above, and this cell measures your upsampler too.")
spreads = {name: period2_spread(out) for name, out in outputs.items()}
fig, axes = plt.subplots(1, len(outputs), figsize=(2.5 * len(outputs), 2.6))
for ax, (name, out) in zip(axes, outputs.items()):
    ax.imshow(out[0, 0, 4:-4, 4:-4], cmap="gray")
    ax.set_title(f"{name}\nspread {spreads[name]:.3f}", fontsize=7)
    ax.set(xticks=[], yticks=[])
plt.show()
# Wrong worlds: a divisible kernel would remove checkerboards (the second spread would be 0); resizing
# would not (the third would not be 0).
assert spreads["transposed, kernel 4, stride 2"] > 0.05, spreads
if "resize, then convolve (3x3)" in spreads:  # always, once the exercise is written
    assert spreads["resize, then convolve (3x3)"] < 1e-5, spreads

# %% [markdown]
# ### 1.4 Which loss should I use?
#
# Start with the **non-saturating** loss (the course default; it never starves G, see 1.1). If
# training oscillates or collapses, try **hinge** or **WGAN-GP** (the gradient penalty keeps D
# smooth); R3GAN (Huang et al., NeurIPS 2024) argues for a relativistic loss with both R1 and R2
# penalties (chapter 12). Every family lives in one registry, so switching is one argument,
# `TrainConfig(loss=...)` or `ToyGAN(loss=...)`. The cell runs each family on the toy ring of eight
# Gaussians for the same number of steps and reports the share of modes it reaches, next to the same
# untrained G. One short run per loss is a demonstration, not a ranking. Deeper:
# [09 Stabilizing GANs](09_stabilizing.ipynb) compares them on one table with the same budget;
# [04 Toy GAN playground](04_toy_gan_playground.ipynb) lets you play.

# %%
toy_steps = 300 if QUICK else 1500
untrained = ToyGAN("ring", seed=0).modes_reached()
toy = {}
for name in LOSSES:
    gan = ToyGAN("ring", loss=name, seed=0)
    gan.step(toy_steps)
    toy[name] = gan.modes_reached()
print(
    f"after {toy_steps} steps: "
    + ", ".join(f"{k}: {v:.0%}" for k, v in toy.items())
    + f"; untrained G: {untrained:.0%}"
)
assert toy["nonsaturating"] > untrained, "training reaches modes that the untrained G does not"

# %% [markdown]
# ### 1.5 How many epochs?
#
# Until a quality measure stops improving, not until the losses look a certain way (they do not
# converge, 1.9). The cell compares the shipped generator (30 epochs, 1,860 steps of the default recipe) with the
# same recipe trained for one epoch (62 steps), by FID against held-out digits: training paid. Chapter 05 records
# FID along a run with `FIDTracker` and shows where it flattens. Deeper: [05 DCGAN on MNIST](05_dcgan_mnist.ipynb)
# (the run), [06 Evaluating GANs](06_evaluating.ipynb) (`FIDTracker`).

# %% tags=["nbval-ignore-output"]
short = new_run(TrainConfig(seed=0, device="cpu"))  # the shipped G's recipe (the default), one epoch
start = time.perf_counter()
train(short, data, 1, progress=False)
short_seconds = time.perf_counter() - start
real = test.images[test_perm[:n_eval]]
fid_short = fid(real, short.sample(n_eval), net)
fid_long = fid(real, sample_G(n_eval), net)
print(
    f"one epoch ({short.step} steps, {short_seconds:.0f} s): FID {fid_short:.0f}; 30 epochs (1,860 steps): FID {fid_long:.0f}"
)

# %%
# Measured (n = 500, quick mode): about 2,300 to 2,400 after one epoch, about 120 after thirty. Wrong world: training past the first
# epoch stops paying, and the two FIDs are close.
assert fid_long < fid_short / 2, (fid_long, fid_short)

# %% [markdown]
# ### 1.6 How do I know it works?
#
# Measure the samples with more than one number: FID (closeness of the feature statistics),
# precision (do the fakes look real?), recall (is every kind of real digit made?), and class
# coverage (how many digits?). Compare with the fixed point real against real at the same sample size.
# The second half of the cell shows why one number is not enough: real digits that are all 1s are
# perfectly realistic (high precision) and miss most of the data (low recall). Deeper:
# [06 Evaluating GANs](06_evaluating.ipynb).

# %%
report = evaluate(sample_G(n_eval), real, net=net)
floor = fid(real, data.images[perm[:n_eval]], net)
print(report)
print(f"real vs real at this n: {floor:.1f}; the GAN is {report.fid / floor:.1f}x that")
only_ones = precision_recall(real, data.images[data.labels == 1][: n_eval // 2], net=net)
print(f"real 1s only: precision {only_ones.precision:.2f}, recall {only_ones.recall:.2f}")
# Measured (n = 1,000): FID 123 against 16.7 real vs real (7.4x); precision 0.46, recall 0.86 (data/README.md).
assert report.fid < 15 * floor, "within 15x of real vs real, as in chapter 05"
assert only_ones.precision > 0.8 and only_ones.recall < 0.3, only_ones  # realistic, and one digit of ten
assert report.recall > 2 * only_ones.recall, (report, only_ones)  # the GAN covers far more of the data

# %% [markdown]
# ### 1.7 CPU or GPU?
#
# Everything in this course runs on a laptop CPU: the networks are small, and a GPU helps only when the
# work per step is large (big batches, big images). `get_device()` picks `cuda` when a GPU is visible.
# The cell times one training step of the DCGAN at batch 8 and batch 128 on one CPU thread. A step has a
# fixed cost (Python, the optimiser, launching each layer) and a cost per image; on these small networks
# the fixed part is large. A GPU's fixed cost per layer (launching its kernels) is larger still, which is why
# it pays only with large batches; that part is not measured here (this machine has no GPU). Deeper: [00 Index](00_index.ipynb) (how to run),
# [05 DCGAN on MNIST](05_dcgan_mnist.ipynb).


# %% tags=["nbval-ignore-output"]
def step_ms(batch_size, steps=6):
    """Median CPU milliseconds of one DCGAN training step at this batch size, one thread (CPU time, so that
    waiting for a busy machine does not count; the first step, the warm-up, left out)."""
    r = new_run(TrainConfig(**PLAIN_RECIPE, batch_size=batch_size, seed=0, device="cpu"))
    n = batch_size * (steps + 1)
    small = torch.utils.data.TensorDataset(data.images[:n], data.labels[:n])
    times = []
    with single_thread():
        train(r, small, 1, progress=False, on_step=lambda _: times.append(time.process_time()))
    return 1000 * float(np.median(np.diff(times)))


ms = {bs: step_ms(bs) for bs in (8, 128)}
fixed = (16 * ms[8] - ms[128]) / 15  # t(b) = fixed + b * per_image, solved from the two batch sizes
print(", ".join(f"batch {bs}: {t:.1f} ms per step, {t / bs:.2f} ms per image" for bs, t in ms.items()))
print(f"fixed cost per step: about {fixed:.1f} ms, {fixed / ms[8]:.0%} of a batch-8 step")

# %%
# Wrong world: the fixed part is small (a step's cost is mostly per image, as for big networks), and batch 8
# spends little of its step on it. Measured (CPU time, a loaded 2-core machine): about 60% of a batch-8 step.
assert fixed > ms[8] / 3, (fixed, ms)

# %% [markdown]
# ### 1.8 How do I train on my own images?
#
# Make a `Dataset` whose items are `(image, label)` with images shaped (1, 28, 28) and scaled to
# [-1, 1] (1.3); the label can be anything, the GAN ignores it. Any folder of pictures works: load
# each with PIL, convert to grey, resize to 28×28, scale. For bigger or colour images, `Generator`
# and `Discriminator` would need more layers and 3 channels. The cell writes 64 digits as PNG files of
# random sizes to a folder (stand-ins for your pictures), loads them back with the recipe, and checks that
# what comes back is the digits, on the [-1, 1] scale, before training on them. Deeper:
# [05 DCGAN on MNIST](05_dcgan_mnist.ipynb) (the loop), [11 GANs for segmentation](11_gan_segmentation.ipynb)
# (paired images: image to mask).

# %%
folder = Path("runs") / "13_my_images"
folder.mkdir(parents=True, exist_ok=True)
for old in folder.glob("*.png"):
    old.unlink()
for i in range(64):  # stand-ins for your pictures: 64 PNGs of random size
    img = data.images_uint8[perm[i]].numpy().astype(np.uint8)
    Image.fromarray(img).resize((40 + i % 20, 40 + i % 20)).save(folder / f"picture_{i:03d}.png")


def load_folder(path):
    files = sorted(Path(path).glob("*.png"))
    arrays = [np.asarray(Image.open(f).convert("L").resize((28, 28)), dtype=np.float32) for f in files]
    images = torch.from_numpy(np.stack(arrays)).unsqueeze(1) / 127.5 - 1  # (N, 1, 28, 28) in [-1, 1]
    return torch.utils.data.TensorDataset(images, torch.zeros(len(images), dtype=torch.long))


mine = load_folder(folder)
back = mine.tensors[0]
error = (back - data.images[perm[:64]]).abs().mean().item()
print(
    f"loaded {len(mine)} images; mean pixel error after the resize round trip: {error:.3f} (on a scale of 2)"
)
# Wrong worlds: the scaling is off (a [0, 1] or [0, 255] image is far from the original), or the files come
# back in another order than written (each image is compared with the digit it came from).
assert error < 0.1, error
my_run = new_run(TrainConfig(**PLAIN_RECIPE, seed=0, batch_size=16, device="cpu"))
train(my_run, mine, 1, progress=False)
print(f"trained {my_run.step} steps on {len(mine)} images from {folder}")

# %% [markdown]
# ### 1.9 Why don't the losses go down? Is a D loss flat at 2 log 2 good?
#
# They do not go down because G and D play a game: when one improves, the other's loss goes up. At the
# ideal end point D cannot tell real from fake, D = 1/2 everywhere, and D's BCE loss sits at
# 2 log 2 ≈ 1.386 (chapter 03; the FAQ's runs use the plain recipe, `PLAIN_RECIPE`; with the course's
# default RpGAN loss an undecided D sits at log 2 instead). But the converse fails: a D loss flat at 2 log 2 does **not** show that
# training works. A **dead** D, one that outputs the same number for every image (here its last layer's
# weights are stuck at zero, and its learning rate is a million times too small to leave them), gives the
# same flat curve, and G, which gets only a vanishing gradient from it (Adam rescales it into full-size steps
# that carry no information about the data), learns nothing useful. The cell trains such a run and
# scores its G. Loss curves do not tell quality; measure the samples (1.6). Deeper:
# [03 The loss, the maths](03_loss_math.ipynb) (the value at equilibrium, -log 4),
# [08 Training pitfalls](08_training_pitfalls.ipynb) (why loss curves do not tell quality).

# %% tags=["nbval-ignore-output"]
dead = new_run(TrainConfig(**PLAIN_RECIPE, seed=0, lr_d=2e-9, device="cpu"))
with torch.no_grad():
    dead.D.net[-1].weight.zero_()  # D's last layer outputs its bias (0) whatever the image: a dead D
    dead.D.net[-1].bias.zero_()
train(dead, data, 1, progress=False)
d_flat = float(np.mean(dead.history["d_loss"][-20:]))
fid_dead = fid(real, dead.sample(n_eval), net)
# 1.3's run: the same plain recipe and one epoch, with a live D
fid_plain_short = fid(real, runs["[-1, 1], right"].sample(n_eval), net)
print(
    f"dead D: D loss {d_flat:.3f} over the last 20 steps (2 log 2 = {2 * np.log(2):.3f}); FID of its G {fid_dead:.0f}"
)
print(f"the shipped G, trained against a live D: FID {fid_long:.0f}")

# %%
# The flat 2 log 2 is what a dead D gives by construction (its output is a constant 0), so it is printed, not
# asserted; the claim is about G. Wrong world: a D loss flat at 2 log 2 means G is learning. Compared with the
# run of 1.3 (the same plain recipe and one epoch, a live D), this G is worse (measured: about 2,850 against 2,010 at n = 500, 2,910 against 2,050 at n = 1,000).
assert fid_dead > 1.2 * fid_plain_short, (fid_dead, fid_plain_short)

# %% [markdown]
# ### 1.10 Training blew up: the loss is NaN
#
# A learning rate far too high, data with NaN or infinite values, or a log of 0 in a hand-written
# loss. The course's loop stops at the first non-finite loss, keeps the run as it was before that
# update, and says what to try; the cell feeds it one corrupted image. Deeper:
# [09 Stabilizing GANs](09_stabilizing.ipynb) (gradient penalty, spectral norm),
# [07 Bug hunt](07_bug_hunt.ipynb) (the log of 0 in a hand-written loss).

# %%
broken = data.images[:64].clone()
broken[3, 0, 10, 10] = float("nan")  # one bad pixel in one image
bad_run = new_run(TrainConfig(**PLAIN_RECIPE, seed=0, device="cpu"))
try:
    train(bad_run, torch.utils.data.TensorDataset(broken, data.labels[:64]), 1, progress=False)
    raise AssertionError("training on NaN data should stop")
except NonFiniteLossError as err:
    print("stopped:", str(err)[:160], "...")
    assert bad_run.step == 0, "the run keeps its state from before the bad update"

# %% [markdown]
# ### 1.11 How do I make a *specific* digit?
#
# An unconditional GAN cannot be told which digit to draw: it draws whichever digit its z leads
# to. A **conditional GAN** gives G (and D) the label too. The cell asks the course's classifier
# which digits the shipped G makes for 500 random z: all kinds, in no order you choose, and the digit
# changes between neighbouring z. Deeper: [10 Conditional GAN](10_conditional_gan.ipynb).

# %%
made = predict(net, sample_G(500))
counts = torch.bincount(made, minlength=10)
print("digits made by 500 random z:", counts.tolist())
print("first 20:", made[:20].tolist())
# Wrong world: an unconditional G that always draws the same few digits. Measured: every digit, 5-13% each.
assert (counts > 0).sum() >= 9 and counts.max() < 0.3 * 500, counts

# %% [markdown]
# ### 1.12 Can a GAN segment images, as the article says?
#
# Not by itself: a GAN makes images from noise. Segmentation needs a **conditional** generator that
# maps an image to a mask, trained with a pixel loss plus an adversarial term (pix2pix), against a plain
# U-Net with the pixel loss alone as the baseline to beat. Chapter [11](11_gan_segmentation.ipynb)
# measured it (3 seeds, 16 to 1,024 labelled masks, a digit among same-ink pieces of digits): neither pix2pix's
# term nor an adversarial-only semi-supervised recipe after Hung et al. beat the per-pixel U-Net there; pix2pix
# stayed within 0.02 IoU, the semi-supervised recipe trailed with 16 labels and was level from 64 on, and with
# its D shown probabilities instead of binarised masks it broke (IoU below 0.04 with 16 labels). The cell shows why overlap
# measures are unforgiving on thin strokes: the Dice score of a digit's own mask against a copy shifted by one
# pixel (chapter 11 reports IoU, which ranks images the same way).

# %%
mask = data.images[0, 0] > 0
shifted = torch.roll(mask, 1, dims=1)
dice = (2 * (mask & shifted).sum() / (mask.sum() + shifted.sum())).item()
print(f"Dice of a digit's mask against itself shifted one pixel: {dice:.2f}")
assert 0.2 < dice < 0.9, "one pixel of shift already costs Dice on thin strokes"

# %% [markdown]
# ### 1.13 Should I use a GAN or a diffusion model?
#
# For most new image generation in 2026, a diffusion or flow-matching model: it trains as a regression and
# covers the data better, and distillation (often with an adversarial loss) brings its sampling down to a
# few steps. Use a GAN when one-step sampling matters and the data are narrow, when you need an
# adversarial loss inside another model, or to learn how generative models work, which is what this course
# is for. Chapter [12](12_where_gans_stand.ipynb) measures the trade at matched parameters and training
# time; the cell re-times one image from the shipped GAN and the shipped flow-matching model (10 steps), in
# CPU time, the fastest of three draws of 100.

# %%
flow = load_denoiser("flow")
gan_ms, flow_ms = ms_per_image(sample_G), ms_per_image(lambda n: flow_sample(flow, n, 10))
print(
    f"one image, one CPU thread: GAN {gan_ms:.2f} ms, flow matching (10 steps) {flow_ms:.2f} ms ({flow_ms / gan_ms:.0f}x)"
)
# Wrong world: ten calls of a network of about the same size cost no more than one.
assert flow_ms > 5 * gan_ms, (gan_ms, flow_ms)

# %% [markdown]
# ## 2. The article's references, corrected
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
# - A. Odena, C. Olah, J. Shlens. *Conditional Image Synthesis with Auxiliary Classifier GANs*. ICML 2017. Chapter 10.
# - T. Miyato, M. Koyama. *cGANs with Projection Discriminator*. ICLR 2018. Chapter 10.
# - T. Miyato, T. Kataoka, M. Koyama, Y. Yoshida. *Spectral Normalization for Generative Adversarial Networks*. ICLR 2018. Chapter 09.
# - M. Heusel, H. Ramsauer, T. Unterthiner, B. Nessler, S. Hochreiter. *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium* (TTUR, FID). NIPS 30, 2017. Chapters 06, 09.
# - T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen, T. Aila. *Improved Precision and Recall Metric for Assessing Generative Models*. NeurIPS 2019. Chapter 06.
# - T. Karras, S. Laine, T. Aila. *A Style-Based Generator Architecture for Generative Adversarial Networks* (StyleGAN). CVPR 2019. Chapter 12.
# - T. Karras, M. Aittala, J. Hellsten, S. Laine, J. Lehtinen, T. Aila. *Training Generative Adversarial Networks with Limited Data* (ADA). NeurIPS 2020. Chapter 12.
# - S. Zhao, Z. Liu, J. Lin, J.-Y. Zhu, S. Han. *Differentiable Augmentation for Data-Efficient GAN Training* (DiffAugment). NeurIPS 2020. Chapters 09, 12.
# - A. Sauer, K. Chitta, J. Müller, A. Geiger. *Projected GANs Converge Faster*. NeurIPS 2021. Chapter 12.
# - A. Sauer, T. Karras, S. Laine, A. Geiger, T. Aila. *StyleGAN-T: Unlocking the Power of GANs for Fast Large-Scale Text-to-Image Synthesis*. ICML 2023. Chapter 12.
# - Y. Huang, A. Gokaslan, V. Kuleshov, J. Tompkin. *The GAN is dead; long live the GAN! A Modern GAN Baseline* (R3GAN). NeurIPS 2024. Chapters 12, 13.
# - D. Bau, J.-Y. Zhu, H. Strobelt, B. Zhou, J. B. Tenenbaum, W. T. Freeman, A. Torralba. *GAN Dissection: Visualizing and Understanding Generative Adversarial Networks*. ICLR 2019. Chapter 12.
# - A. Odena, V. Dumoulin, C. Olah. *Deconvolution and Checkerboard Artifacts*. Distill, 2016. Chapter 13.
# - L. Yu, W. Zhang, J. Wang, Y. Yu. *SeqGAN: Sequence Generative Adversarial Nets with Policy Gradient*. AAAI 2017. Chapter 12.
# - E. Jang, S. Gu, B. Poole. *Categorical Reparameterization with Gumbel-Softmax*. ICLR 2017. Chapter 12.
# - J. Ho, A. Jain, P. Abbeel. *Denoising Diffusion Probabilistic Models*. NeurIPS 2020. Chapter 12.
# - J. Song, C. Meng, S. Ermon. *Denoising Diffusion Implicit Models*. ICLR 2021.
# - P. Dhariwal, A. Nichol. *Diffusion Models Beat GANs on Image Synthesis*. NeurIPS 2021.
# - R. Rombach, A. Blattmann, D. Lorenz, P. Esser, B. Ommer. *High-Resolution Image Synthesis with Latent Diffusion Models*. CVPR 2022.
# - P. Esser, R. Rombach, B. Ommer. *Taming Transformers for High-Resolution Image Synthesis* (VQGAN). CVPR 2021.
# - A. Sauer, D. Lorenz, A. Blattmann, R. Rombach. *Adversarial Diffusion Distillation* (ADD). ECCV 2024 (arXiv:2311.17042, 2023). Chapter 12.
# - M. Kang, J.-Y. Zhu, R. Zhang, J. Park, E. Shechtman, S. Paris, T. Park. *Scaling up GANs for Text-to-Image Synthesis* (GigaGAN). CVPR 2023.
# - M. Caccia, L. Caccia, W. Fedus, H. Larochelle, J. Pineau, L. Charlin. *Language GANs Falling Short*. ICLR 2020. Chapter 12.
# - Y. Lipman, R. T. Q. Chen, H. Ben-Hamu, M. Nickel, M. Le. *Flow Matching for Generative Modeling*. ICLR 2023. Chapter 12.
# - X. Liu, C. Gong, Q. Liu. *Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow*. ICLR 2023. Chapter 12.
# - P. Esser, S. Kulal, A. Blattmann, R. Entezari, J. Müller, H. Saini, Y. Levi, D. Lorenz, A. Sauer, F. Boesel, D. Podell, T. Dockhorn, Z. English, K. Lacey, A. Goodwin, Y. Marek, R. Rombach. *Scaling Rectified Flow Transformers for High-Resolution Image Synthesis* (Stable Diffusion 3). ICML 2024. Chapter 12.
# - Y. Song, P. Dhariwal, M. Chen, I. Sutskever. *Consistency Models*. ICML 2023. Chapter 12.
# - A. Sauer, F. Boesel, T. Dockhorn, A. Blattmann, P. Esser, R. Rombach. *Fast High-Resolution Image Synthesis with Latent Adversarial Diffusion Distillation* (LADD). SIGGRAPH Asia 2024. Chapter 12.
# - T. Yin, M. Gharbi, T. Park, R. Zhang, E. Shechtman, F. Durand, W. T. Freeman. *Improved Distribution Matching Distillation for Fast Image Synthesis* (DMD2). NeurIPS 2024. Chapter 12.

# %% [markdown]
# ## Summary
#
# - The FAQ's answers are cells: D's loss going to 0, mode collapse, washed-out images and checkerboards
#   (two causes; resize-then-convolve removes both), which loss, how long, how to know, CPU or GPU, your own
#   images, losses that do not go down (and why a flat 2 log 2 proves nothing), NaN, specific digits,
#   segmentation, GAN or diffusion.
# - The article's references, corrected, and the works this course cites.
#
# ## Further reading
#
# - Goodfellow, *NIPS 2016 Tutorial: Generative Adversarial Networks*, arXiv:1701.00160: the
#   inventor's own account of the game and its failure modes.
# - Odena, Dumoulin and Olah (2016), above: the checkerboard article, with interactive figures.

# %% [markdown]
# <!-- nav:bottom -->
# [← 12 Where GANs stand](12_where_gans_stand.ipynb) | [Index](00_index.ipynb)
