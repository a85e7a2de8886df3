# %% [markdown]
# # 07 · Bug hunt: a naive GAN listing, mistake by mistake
#
# Most GAN code that "trains but makes noise" fails for one of a handful of reasons, and most of
# them raise no error at all. This chapter takes a naive listing, written for the course with the
# same kinds of mistake as the article's and as learners' first attempts, and runs each mistake on
# its own: either you see the exception, or a measurement proves the silent failure (a gradient
# that is exactly zero, an accuracy stuck at the wrong value, statistics that are off). Then the
# fix is applied and checked. By the end you will be able to:
#
# - recognise ten classic mistakes from their symptoms, loud and silent;
# - check a GAN step with a handful of cheap probes: shapes, gradient norms, D's accuracy, and weights before
#   and after a step;
# - find the bugs in a listing you have never seen, with different mistakes, and write its fixed step (the
#   exercises at the end).
#
# <!-- full-mode-time: 28 s -->

# %% [markdown]
# <!-- nav:top -->
# [← 06 Evaluating GANs](06_evaluating.ipynb) | [Index](00_index.ipynb) | [08 Training pitfalls →](08_training_pitfalls.ipynb)

# %%
import copy

import torch
from torch import nn
from torch.utils.data import DataLoader

from gan_lessons import (
    QUICK,
    Discriminator,
    Generator,
    d_loss_bce,
    evaluate,
    g_loss_nonsaturating,
    load_mnist,
    load_pretrained_generator,
    set_seed,
    setup_chapter,
    shuffled_indices,
    update_D,
    update_G,
)
from gan_lessons.checks import check_bug_hunt, check_fixed_step, print_listing

# Every probe here is tiny: the CPU is enough, results are exact, and one thread is faster (for networks this
# small, extra threads only add overhead on a busy CPU).
chapter = setup_chapter("07_bug_hunt", seed=0, device="cpu", threads=1)
device = chapter.device
data = load_mnist()
test = load_mnist("test")  # held out: the FID of section 8 is measured against it
latent_dim, batch_size = 64, 64


def grad_norm(model: nn.Module) -> float:
    """The norm of all of `model`'s gradients together; 0.0 when none reached it."""
    grads = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    return torch.cat(grads).norm().item() if grads else 0.0


# %% [markdown]
# ## The naive listing
#
# Here is the kind of listing this chapter is about. It looks like every GAN tutorial, and each
# numbered comment marks a mistake that we run below, one at a time:
#
# ```python
# G = nn.Sequential(..., nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())  # (1) 3x32x32 images
# D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.BatchNorm2d(64, 0.8), ...)  # (7) 0.8 is eps
# data = MNIST(transform=ToTensor())                                       # (6) pixels in [0, 1]
# opt_g = Adam(D.parameters())                                             # (10) wrong model
# for x_real, _ in data:                                                   # (5) no DataLoader
#     z = torch.randn(100)                                                 # (2) noise shape
#     loss_d = bce(D(x_real), ones)                                        # (3) no fake term
#     loss_d.backward(); opt_d.step()                                      # (9) no zero_grad
#     loss_g = bce(D(G(z).detach()), ones)                                 # (4) detach on the G step
# show(G(z))                                                               # (8) G still in train mode
# ```

# %% [markdown]
# ## 1. The generator makes 3×32×32 images for 1×28×28 data
#
# Copied from a CIFAR example, the last layer outputs 3 channels at 32×32. D, built for MNIST,
# refuses them. The course's `Discriminator` checks its input and says what is wrong.

# %% tags=["raises-exception"]
G_cifar = nn.Sequential(
    nn.ConvTranspose2d(latent_dim, 128, 4, 1, 0),  # (N, 128, 4, 4)
    nn.ReLU(),
    nn.ConvTranspose2d(128, 64, 4, 2, 1),  # (N, 64, 8, 8)
    nn.ReLU(),
    nn.ConvTranspose2d(64, 32, 4, 2, 1),  # (N, 32, 16, 16)
    nn.ReLU(),
    nn.ConvTranspose2d(32, 3, 4, 2, 1),  # (N, 3, 32, 32): the bug
    nn.Tanh(),
)
x_fake = G_cifar(torch.randn(8, latent_dim, 1, 1))
print("fake images:", tuple(x_fake.shape))
Discriminator(width=16)(x_fake)

# %% [markdown]
# **Fix:** the last layers must produce (N, 1, 28, 28): 7 → 14 → 28 with one output channel.

# %%
G = Generator(latent_dim, width=16)
D = Discriminator(width=16)
x_fake = G(torch.randn(8, latent_dim))
assert x_fake.shape == (8, 1, 28, 28) and D(x_fake).shape == (8,)

# %% [markdown]
# ## 2. The noise has the wrong shape
#
# `torch.randn(100)` is one vector of 100 numbers with no batch dimension, for a generator that
# expects `latent_dim = 64` numbers per sample.

# %% tags=["raises-exception"]
G(torch.randn(100))

# %% [markdown]
# **Fix:** one latent vector per sample, `torch.randn(batch_size, latent_dim)`.

# %%
z = torch.randn(batch_size, latent_dim)
assert G(z).shape == (batch_size, 1, 28, 28)

# %% [markdown]
# ## 3. D trained on real images only, or with the wrong sign
#
# If D's loss has only the real term, the cheapest way to minimise it is to answer "real" to
# everything. A sign error does the same damage in two forms: the article's listing flips the sign of the
# **fake term only** (D then *maximises* the fakes' cross-entropy against the label 0, i.e. learns to call them
# real), and a cruder variant negates the **whole** D loss (D learns the opposite game on both terms). We train
# a fresh D for a few dozen steps each way, against a frozen G, and measure its accuracy on fakes: the share of
# fakes with D(x) < 0.5.

# %%
loader = DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True)
n_steps = 15 if QUICK else 60


def train_D(d_loss, steps: int = n_steps, seed: int = 0) -> float:
    """Train a fresh D against a frozen G with `d_loss(real_logits, fake_logits)`; return its accuracy on fakes."""
    set_seed(seed)
    G, D = Generator(latent_dim, 16), Discriminator(16)
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    batches = iter(loader)
    for _ in range(steps):
        x_real, _ = next(batches)
        with torch.no_grad():
            x_fake = G(torch.randn(batch_size, latent_dim))
        loss = d_loss(D(x_real), D(x_fake))
        opt_d.zero_grad()
        loss.backward()
        opt_d.step()
    with torch.no_grad():
        return (torch.sigmoid(D(G(torch.randn(256, latent_dim)))) < 0.5).float().mean().item()


bce = nn.BCEWithLogitsLoss()
acc_real_only = train_D(lambda r, f: bce(r, torch.ones_like(r)))
acc_fake_sign = train_D(
    lambda r, f: bce(r, torch.ones_like(r)) - bce(f, torch.zeros_like(f))
)  # the article's
acc_wrong_sign = train_D(lambda r, f: -d_loss_bce(r, f))  # the whole loss negated
acc_fixed = train_D(d_loss_bce)
print(
    f"D's accuracy on fakes: real term only {acc_real_only:.0%}, fake term's sign flipped {acc_fake_sign:.0%}, "
    f"whole loss negated {acc_wrong_sign:.0%}, fixed {acc_fixed:.0%}"
)
assert acc_real_only < 0.1  # D calls everything real: it never learned what a fake is
assert acc_fake_sign < 0.1  # D is paid for calling fakes real
assert acc_wrong_sign < 0.1  # D learned the opposite game: fakes look "real" to it
assert acc_fixed > 0.9  # both terms, right signs: D tells fakes apart

# %% [markdown]
# **Fix:** `loss_d = bce(D(x_real), ones) + bce(D(x_fake.detach()), zeros)`, which is
# `d_loss_bce` in the package: both terms, each a cross-entropy to be *minimised*.
#
# ## 4. The G step runs on `fake.detach()`
#
# In the G step, `detach()` cuts the only path from the loss back to G. Nothing crashes:
# `loss_g.backward()` runs, and G's gradient is exactly zero.

# %%
set_seed(0)
G, D = Generator(latent_dim, 16), Discriminator(16)
x_fake = G(torch.randn(batch_size, latent_dim))
loss_g = g_loss_nonsaturating(D(x_fake.detach()))  # the bug
loss_g.backward()
print(f"loss_g = {loss_g.item():.3f}; G's gradient norm with detach: {grad_norm(G)}")
# (Zero by construction: autograd never follows a detached tensor. A demonstration of the symptom, not a check.)

G.zero_grad()
loss_g = g_loss_nonsaturating(D(x_fake))  # the fix: no detach in the G step
loss_g.backward()
print(f"G's gradient norm without detach: {grad_norm(G):.4f}")
assert grad_norm(G) > 0

# %% [markdown]
# **What `detach()` does in the D step.** It is often said that it stops D "pushing G around". It does not:
# `opt_d.step()` holds only D's parameters, so it moves D alone, detached or not. What the detach saves is
# elsewhere, and we measure it:
#
# - **work**: without it, D's `backward()` also runs back through G, which costs time and fills G's `.grad`
#   (we count the backward passes that reach G's first layer, with a hook: deterministic, unlike a timing);
# - **polluted gradients**: those gradients stay in G's `.grad` and are added to the G step's, unless the G step
#   clears them first (the package's `optimizer_step` does);
# - **the freed graph**: D's backward frees the graph through G, so a G step that reuses the same `x_fake`
#   fails with "Trying to backward through the graph a second time".


# %%
def d_backward(detach: bool) -> tuple[int, float]:
    """D's loss backward on a fresh x_fake; returns (backward passes through G's first layer, G's gradient norm)."""
    G.zero_grad(set_to_none=True)
    D.zero_grad(set_to_none=True)
    calls = []
    hook = G.net[0].register_full_backward_hook(lambda module, grad_in, grad_out: calls.append(1))
    x_fake = G(torch.randn(batch_size, latent_dim))
    x_real = torch.rand(batch_size, 1, 28, 28) * 2 - 1
    d_loss_bce(D(x_real), D(x_fake.detach() if detach else x_fake)).backward()
    hook.remove()
    return len(calls), grad_norm(G)


calls_detached, g_norm_detached = d_backward(True)
calls_attached, g_norm_attached = d_backward(False)
print(f"backward passes through G's first layer during D's backward: {calls_detached} with detach, "
      f"{calls_attached} without; G's .grad afterwards: {g_norm_detached} with detach, {g_norm_attached:.4f} without")  # fmt: skip
# Without detach, D's backward does G's whole backward pass too (wasted work), and leaves it in G's .grad:
assert calls_attached == 1 and g_norm_attached > 0

x_fake = G(torch.randn(batch_size, latent_dim))
d_loss_bce(D(x_real := torch.rand(batch_size, 1, 28, 28) * 2 - 1), D(x_fake)).backward()  # no detach
try:
    g_loss_nonsaturating(D(x_fake)).backward()  # the G step through the same x_fake
    freed = False
except RuntimeError as err:
    freed = "backward through the graph a second time" in str(err)
    print("G step after an undetached D step:", str(err).splitlines()[0][:90], "...")
assert freed

# %% [markdown]
# ## 5. No DataLoader, so no batches
#
# Iterating over the data set itself gives one image at a time, of shape (1, 28, 28): no batch
# dimension, and no shuffling.

# %% tags=["raises-exception"]
for x_real, _label in data:
    print("one item:", tuple(x_real.shape))
    D(x_real)

# %% [markdown]
# **Fix:** a `DataLoader` with `batch_size` and `shuffle=True` (the package's `epoch_loader` does the
# same, reproducibly).

# %%
x_real, labels = next(iter(DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True)))
assert x_real.shape == (batch_size, 1, 28, 28) and D(x_real).shape == (batch_size,)

# %% [markdown]
# ## 6. Data in [0, 1] against a tanh output
#
# `ToTensor()` gives pixels in [0, 1]; G's `tanh` gives [-1, 1]. The backgrounds differ (0 for real
# digits, near -1 once G learns "dark"), and so does the range: any pixel below 0 marks a fake.
# A "discriminator" that only looks at the darkest pixel is already perfect, so D wins without
# learning anything about digits, and G's gradient is about brightness, not shape. We take the course's
# trained generator (chapter 02's, whose samples reach −1 like the real backgrounds) and give the darkest-pixel
# rule its best threshold for each range: the best it can do, not one threshold we picked.

# %%
shuffled = shuffled_indices(len(data))
real_1k = data.images[shuffled[:1000]]  # 1,000 digits of every class (the files are sorted by class)
x01 = (real_1k + 1) / 2  # what ToTensor() would give: [0, 1]
G_trained = load_pretrained_generator()
set_seed(0)
with torch.no_grad():
    fakes = G_trained(torch.randn(1000, G_trained.latent_dim))


def darkest_pixel_accuracy(real: torch.Tensor, fake: torch.Tensor) -> float:
    """Balanced accuracy of the best rule "fake if the darkest pixel is below t" (or above t), over every t."""
    r, f = real.flatten(1).min(1).values, fake.flatten(1).min(1).values
    t = torch.cat([r, f]).unique()[:, None]  # every threshold that changes a decision
    below = 0.5 * ((r[None] >= t).float().mean(1) + (f[None] < t).float().mean(1))
    return max(below.max().item(), (1 - below).max().item())


acc_01 = darkest_pixel_accuracy(x01, fakes)
acc_pm1 = darkest_pixel_accuracy(real_1k, fakes)
print(f"one-pixel rule: accuracy {acc_01:.0%} with [0, 1] data, {acc_pm1:.0%} with [-1, 1] data")
assert acc_01 > 0.95  # a trivial cue separates them perfectly
assert acc_pm1 < 0.55  # with matching ranges the cue is gone: real and fake backgrounds both reach -1

# %% [markdown]
# **Fix:** scale real pixels to [-1, 1] (`x / 127.5 - 1` on uint8, or `Normalize((0.5,), (0.5,))`
# after `ToTensor()`); `load_mnist()` does it for you.
#
# ## 7. `BatchNorm2d(64, 0.8)`: the 0.8 is eps, not momentum
#
# A classic bug, copied from listing to listing: `nn.BatchNorm2d(64, 0.8)`. Its author meant momentum 0.8
# (a Keras habit), but PyTorch's signature is `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1)`: the
# second positional argument is **eps**, the number added to the variance before dividing. With eps = 0.8,
# activations whose variance is small are hardly normalised at all: the layer no longer makes its output's
# variance about 1.

# %%
torch.manual_seed(0)
h = 0.1 * torch.randn(64, 64, 7, 7)  # activations with variance 0.01
bn_bug, bn_default = nn.BatchNorm2d(64, 0.8), nn.BatchNorm2d(64)
std_bug, std_default = bn_bug(h).std().item(), bn_default(h).std().item()
print(f"output std: {std_bug:.3f} with the copied (64, 0.8), {std_default:.3f} with the defaults")
assert std_bug < 0.2 and abs(std_default - 1) < 0.01  # eps = 0.8 swamps a variance of 0.01

# %% [markdown]
# And the momentum the author meant is not 0.8 in PyTorch either: the two libraries define it the other way
# round. PyTorch's momentum is the weight of the **new** batch, running = (1 − m)·running + m·batch; Keras's is
# the weight of the **old** value, running = m·running + (1 − m)·batch. Keras's 0.8 is PyTorch's 0.2. We update
# a running mean once, from 0, and compare with Keras's formula written out.

# %%
batch_mean = h.mean(dim=(0, 2, 3))
keras_08 = 0.8 * torch.zeros(64) + (1 - 0.8) * batch_mean  # Keras, momentum=0.8, from a running mean of 0
running = {}
for m in (0.2, 0.8):
    bn = nn.BatchNorm2d(64, momentum=m)
    bn(h)
    running[m] = bn.running_mean
print(
    "max gap to Keras's momentum 0.8:",
    {m: f"{(r - keras_08).abs().max().item():.1e}" for m, r in running.items()},
)
assert torch.allclose(running[0.2], keras_08, atol=1e-6)  # PyTorch 0.2 = Keras 0.8
assert not torch.allclose(running[0.8], keras_08, atol=1e-4)  # PyTorch 0.8 is another rule

# %% [markdown]
# **Fix:** `nn.BatchNorm2d(64)` (PyTorch's defaults, which DCGAN uses), or name what you mean:
# `nn.BatchNorm2d(64, momentum=0.2)` is Keras's `momentum=0.8`.
#
# ## 8. `model.eval()` forgotten or misplaced
#
# In training mode, BatchNorm normalises with the statistics of the current batch, so one sample
# depends on the other samples in its batch. In eval mode it uses the running statistics, so a sample
# is a function of its z alone. Forgetting `G.train()` after sampling is the opposite mistake: G then
# trains with frozen statistics (the exercise's listing has it).

# %%
set_seed(0)
G = Generator(latent_dim, 16)
for _ in range(5):  # a few forward passes in train mode, so the running statistics are filled in
    G(torch.randn(batch_size, latent_dim))
z = torch.randn(batch_size, latent_dim)
alone_train, in_batch_train = G(z[:2]), G(z)[:2]
gap_train = (alone_train - in_batch_train).abs().max().item()
G.eval()
with torch.no_grad():
    gap_eval = (G(z[:2]) - G(z)[:2]).abs().max().item()
G.train()  # back to training mode before the next training step
print(
    f"same z, different batch companions: max pixel gap {gap_train:.3f} in train mode, {gap_eval:.1e} in eval mode"
)
assert gap_train > 0.05 and gap_eval < 1e-5

# %% [markdown]
# Which mode to sample in for a figure or for FID (chapter 06) is a **convention**, not a rule: both give a
# FID. We measure it on the course's shipped generator: 1,000 samples in eval mode, the same z in train mode
# (batch statistics of all 1,000), and, for scale, eval mode with another 1,000 z.

# %%
G_shipped = load_pretrained_generator()
fid = {}
for name, train_mode, seed in (("eval", False, 0), ("train", True, 0), ("eval, other z", False, 1)):
    G_copy = copy.deepcopy(G_shipped).train(train_mode)  # a copy: train mode would update its running stats
    set_seed(seed)
    with torch.no_grad():
        fid[name] = evaluate(G_copy(torch.randn(1000, G_copy.latent_dim)), test).fid
print({k: round(v, 1) for k, v in fid.items()})
mode_gap, draw_gap = abs(fid["train"] - fid["eval"]), abs(fid["eval, other z"] - fid["eval"])
assert mode_gap < draw_gap  # for this G, the mode moves FID less than drawing other z does

# %% [markdown]
# For this generator, the mode moves FID by less than drawing another 1,000 z does (measured at seeds 0–2:
# train mode 2 to 4 points lower, two draws of z 13 to 24 points apart). The course samples in **eval mode** anyway, and
# says so: a sample then depends on its z alone, so a figure, a FID and a nearest-neighbour check are the same
# at any sampling batch size. `GANRun.sample` sets eval mode and restores the mode it found.
#
# ## 9. A missing `zero_grad`
#
# PyTorch *adds* each backward pass's gradients to `.grad`. Without `zero_grad()` the step uses the
# sum of every gradient so far. Two backward passes of the same loss give exactly twice the gradient.

# %%
set_seed(0)
D = Discriminator(16)
x_real, _ = next(iter(loader))
x_fake = Generator(latent_dim, 16)(torch.randn(batch_size, latent_dim)).detach()
d_loss_bce(D(x_real), D(x_fake)).backward()
once = grad_norm(D)
d_loss_bce(D(x_real), D(x_fake)).backward()  # the bug: no D.zero_grad() in between
twice = grad_norm(D)
D.zero_grad()
d_loss_bce(D(x_real), D(x_fake)).backward()  # the fix
print(f"D's gradient norm: {once:.4f} after one pass, {twice:.4f} after two without zero_grad")
assert abs(twice - 2 * once) < 1e-4 * once and abs(grad_norm(D) - once) < 1e-4 * once

# %% [markdown]
# **Fix:** `opt.zero_grad()` before every `backward()`. In a GAN it matters twice over: the G step's
# backward pass also fills D's `.grad`, so the next D step must clear it first.
#
# ## 10. An optimizer that holds the wrong model's parameters
#
# `opt_g = Adam(D.parameters())` raises nothing. The G step then moves D, in the direction that helps G (D
# scores the fakes higher), and G never changes. G's gradient norm does not show it: the G step's backward
# fills G's `.grad` as usual; no optimizer applies it.


# %%
def snapshot(model: nn.Module) -> list[torch.Tensor]:
    """A copy of `model`'s parameters, to tell afterwards whether an update moved them."""
    return [p.detach().clone() for p in model.parameters()]


def moved(model: nn.Module, before: list[torch.Tensor]) -> bool:
    return any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


set_seed(0)
# A D without BatchNorm: its score then changes only when its weights do (a BatchNorm D's train-mode forward
# would also move its running statistics, and with them the score).
G, D = Generator(latent_dim, 16), Discriminator(16, norm="none")
z = torch.randn(batch_size, latent_dim)
with torch.no_grad():
    score_before = D(G(z)).mean().item()
opt_g = torch.optim.Adam(D.parameters(), lr=2e-3)  # the bug
opt_g.zero_grad()
g_loss_nonsaturating(D(G(z))).backward()
opt_g.step()
with torch.no_grad():
    score_after = D(G(z)).mean().item()
print(f"G's gradient norm: {grad_norm(G):.4f} (not zero); D's mean score on the same fakes: "
      f"{score_before:.3f} -> {score_after:.3f}")  # fmt: skip
assert grad_norm(G) > 0  # the gradient probe sees nothing wrong...
assert score_after > score_before  # ...but the "G step" taught D to like the fakes

g_before = snapshot(G)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-3)  # the fix
opt_g.zero_grad()
g_loss_nonsaturating(D(G(z))).backward()
opt_g.step()
assert moved(G, g_before)

# %% [markdown]
# ## The fixed step is the package's
#
# With every fix applied, one GAN step is: draw z, make `x_fake = G(z)` once, update D on real and
# `x_fake.detach()`, then update G through the updated D without detaching. Chapter 05 wrote that
# loop out and checked it, bit for bit, against the package's `train`, whose steps are `update_D`
# and `update_G`. So here we call those two, and put them through this chapter's probes: the
# **shapes** (bugs 1 and 2), what reaches G's `.grad` in the D step (the detach of section 4), G's **gradient
# norm** (bug 4), and which network each update moves (bug 10).


# %%
set_seed(0)
G, D = Generator(latent_dim, 16), Discriminator(16)
opt_g, opt_d = torch.optim.Adam(G.parameters(), lr=2e-3), torch.optim.Adam(D.parameters(), lr=2e-3)
x_real, _ = next(iter(loader))
z = torch.randn(batch_size, latent_dim)
for step in range(3):
    x_fake = G(z)  # made once, used by both updates
    assert x_fake.shape == x_real.shape == (batch_size, 1, 28, 28)  # bugs 1 and 2: fakes shaped like the data
    G.zero_grad(set_to_none=True)
    g_before, d_before = snapshot(G), snapshot(D)
    loss_d, _, _ = update_D(D, opt_d, x_real, x_fake, "nonsaturating")  # detaches x_fake inside
    assert all(p.grad is None for p in G.parameters()), "the D step's backward reached G: no detach"
    assert moved(D, d_before), "the D step did not move D"
    d_before = snapshot(D)
    loss_g = update_G(D, opt_g, x_fake, "nonsaturating")  # no detach: the gradient reaches G
    assert grad_norm(G) > 0, "bug 4: no gradient reached G"
    assert moved(G, g_before) and not moved(D, d_before), "bug 10: the G step moves G, and G only"
    print(f"step {step + 1}: L_D = {loss_d:.4f}, L_G = {loss_g:.4f}, |grad G| = {grad_norm(G):.4f}")

# %% [markdown]
# ## Summary
#
# | mistake | symptom | probe |
# |---|---|---|
# | 3×32×32 output | exception in D | shapes |
# | noise shape | exception in G | shapes |
# | no fake term / wrong sign | D's accuracy on fakes near 0 | D's accuracy |
# | detach in the G step | G's gradient exactly 0 | G's gradient norm |
# | no DataLoader | one image at a time, exception | shapes |
# | [0, 1] vs tanh | one pixel separates real from fake | data range |
# | `BatchNorm2d(64, 0.8)` | activations not normalised (eps = 0.8) | output std |
# | eval() forgotten | samples depend on their batch | same z, two batches |
# | no zero_grad | gradients add up (×2 after two passes) | gradient norm, twice |
# | wrong optimizer | G never changes; D learns to like the fakes | weights before/after |
#
# Three of the ten raise an exception (1, 2 and 5); the other seven raise nothing. No single probe catches
# them all, and the table needs eight: shapes, D's accuracy, G's gradient norm, the data's range, the
# normalised output's spread, the same z in two batches, the gradient norm taken twice, and weights before and
# after a step. Bug 10 in particular passes the gradient
# probe (G's gradient is not zero there); only the weights show it. A habit that covers most of them: after
# one step, print the shapes, both gradient norms, D's accuracy on real and fake, and whether each network moved.
#
# ## Exercise 1: find the bugs
#
# The listing below trains a GAN with a gradient penalty (D's loss adds 10·E[(‖∇D(x̂)‖ − 1)²] at points x̂
# between real and fake, as in chapter 09). It has **four** bugs, none of them among the ten above.
# `Generator` is the course's (with BatchNorm), `loader` gives digits in [−1, 1], `show_images` draws a grid:
# those are right. Put the line numbers of the bugs in a set and run the checker. It says only whether your set is
# right: no count, since a count would let one-line guesses find the bugs without reading the code.

# %%
print_listing()


# %% tags=["exercise"]
def bugs_found():
    ### BEGIN SOLUTION
    # Task: return the set of line numbers of the listing that hold a bug.
    return {6, 10, 16, 17}
    ### END SOLUTION


check_bug_hunt(bugs_found)

# %% [markdown]
# ## Exercise 2: the fixed step
#
# Now write the loop's body with every bug you found fixed, as a function
# `fixed_step(G, D, opt_g, opt_d, x_real, z)`: G and D as the fixed listing builds them, and as its lines 1–12
# leave them, both optimizers, one batch `x_real` and the noise `z`. Return `(loss_d, loss_g)`. The checker
# runs your step and its own fixed step from the same weights and the same random state, and compares the
# losses and the weights afterwards. Its hints name a mistake only once Exercise 1's checker has passed.


# %% tags=["exercise"]
def fixed_step(G, D, opt_g, opt_d, x_real, z):
    ### BEGIN SOLUTION
    # Task: one step of the listing's loop with every bug you found fixed; return (loss_d, loss_g).
    G.train()
    bce = nn.BCEWithLogitsLoss()
    x_fake = G(z)
    real_label, fake_label = torch.ones(len(z), 1), torch.zeros(len(z), 1)
    eps = torch.rand(len(z), 1, 1, 1)
    x_hat = (eps * x_real + (1 - eps) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss_d = bce(D(x_real), real_label) + bce(D(x_fake.detach()), fake_label) + 10 * penalty
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = bce(D(x_fake), real_label)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d, loss_g
    ### END SOLUTION


check_fixed_step(fixed_step)

# %% [markdown]
# ## Further reading
#
# - Soumith Chintala et al., *How to Train a GAN? Tips and tricks to make GANs work* (ganhacks, 2016).
# - PyTorch documentation: `torch.nn.BatchNorm2d` (its signature), `Module.eval`, `Optimizer.zero_grad`.
# - Radford, Metz & Chintala (2016), *Unsupervised Representation Learning with Deep Convolutional GANs*.

# %% [markdown]
# <!-- nav:bottom -->
# [← 06 Evaluating GANs](06_evaluating.ipynb) | [Index](00_index.ipynb) | [08 Training pitfalls →](08_training_pitfalls.ipynb)
