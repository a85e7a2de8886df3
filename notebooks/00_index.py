# %% [markdown]
# # GAN Lessons: index
#
# An interactive course on **Generative Adversarial Networks**, from the maths of the two-player
# game to a working DCGAN, told through code that runs on a laptop CPU, offline. Every claim a
# chapter makes is checked by a cell: if the course says it, a cell computes it and asserts it.
#
# ## Chapters
#
# <!-- toc:start -->
# | # | chapter | what you will do |
# |---|---|---|
# | 00 | [Index](00_index.ipynb) | course map, how to run, instructor's guide, environment check |
# | 01 | [Background](01_background.ipynb) | vision tasks side by side; generative vs discriminative; where GANs sit |
# | 02 | [Core concepts](02_core_concepts.ipynb) | G and D as networks; GAN vs CNN classifier; GAN vs autoencoder |
# | 03 | [The loss, the maths](03_loss_math.ipynb) | V(D,G), D*, JSD, saturating vs non-saturating, the article's errors fixed |
# | 04 | [Toy GAN playground](04_toy_gan_playground.ipynb) | GAN Lab in a notebook: 2-D data, live D heatmap, G manifold |
# | 05 | [DCGAN on MNIST](05_dcgan_mnist.ipynb) | the article's code done right: shapes, training loop, samples, checkpoints |
# | 06 | Bug hunt *(coming)* | the article's listing, each mistake run, its symptom shown, then fixed |
# | 07 | Training pitfalls *(coming)* | mode collapse, oscillation, vanishing gradients, diagnostics |
# | 08 | Stabilizing GANs *(coming)* | WGAN, WGAN-GP, spectral norm, hinge, TTUR, label smoothing compared |
# | 09 | [Evaluating GANs](09_evaluating.ipynb) | FID with LeNet features, precision/recall, coverage, memorisation |
# | 10 | [Conditional GAN](10_conditional_gan.ipynb) | class-conditional digits, latent-space explorer (measured on a shared 2-core CPU at load ~10: quick 70 s, full ~6 min) |
# | 11 | [GANs for segmentation](11_gan_segmentation.ipynb) | pix2pix-style image -> mask vs a plain U-Net, IoU/Dice (measured on a shared 2-core CPU at load ~10: quick 32-88 s, full ~22 min) |
# | 12 | Future and FAQ *(coming)* | trends, diffusion models, the FAQ as runnable cells |
# <!-- toc:end -->

# %% [markdown]
# <!-- nav:top -->
# [01 Background →](01_background.ipynb)

# %% [markdown]
# ## How to run the course
#
# - **Open it:** `make lab` from the repository root creates the environment (first time only)
#   and opens this page in JupyterLab. `make test` runs every test and every notebook.
# - **Each chapter runs alone**, top to bottom, in a fresh kernel (*Kernel → Restart Kernel and
#   Run All Cells*). Chapters import what they share from the `gan_lessons` package; none needs
#   another chapter to have run first.
# - **Full mode vs quick mode.** By default every chapter does the real thing: it trains long
#   enough to give the real result (recognisable digits, visible mode collapse, ...), usually a few
#   minutes on a laptop CPU. With `GAN_LESSONS_QUICK=1` in the environment (CI sets it, and so does
#   `make test`), the same cells run with far fewer steps: quick mode shrinks the work and never
#   skips a cell. Start JupyterLab with `GAN_LESSONS_QUICK=1 make lab` for a fast walkthrough.
# - **CPU or GPU.** `gan_lessons.get_device()` picks `cuda` when a GPU is visible and `cpu`
#   otherwise; everything is sized to be comfortable on a CPU.
# - **Offline.** The digits come from torchvision's MNIST when `data/MNIST` holds it, and otherwise
#   from the real 5,000-digit MNIST subset that ships in `data/` (checked against its sha256).
#   One line at load time says which is in use.
# - **Stopping.** The stop button (or Ctrl-C) ends a training run cleanly after the current step;
#   the run keeps its model and history, and running the cell again resumes.
#
# ## For instructors: live demos
#
# - Pre-train before class: `python -m gan_lessons train --epochs 30 --out runs/class` writes
#   `runs/class/checkpoint.pt`, a sample grid and the loss curves, and prints FID, precision/recall and
#   class coverage (about 45 seconds on a 2-core laptop CPU);
#   `python -m gan_lessons sample runs/class/checkpoint.pt --n 64 --out grid.png` draws from it.
#   `--max-seconds 180` stops at a wall-clock budget ("three minutes before class").
# - Chapter 05 shows a DCGAN being built and trained; its fixed-noise sample grids are the best
#   single picture of "noise becomes digits".
# - Run a chapter in quick mode first to check the room's machine, then in full mode for the demo.

# %% [markdown]
# ## Environment check
#
# Run this cell first on a new machine: it prints the versions, the device and the data set in
# use, and fails with a clear message if something is missing.

# %%
import importlib.metadata as md
import platform

import torch

from gan_lessons import QUICK, get_device, load_mnist, set_seed

set_seed(0)
packages = ["torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "jupyterlab", "jupytext", "tqdm"]
versions = {name: md.version(name) for name in packages}
print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}")
for name, version in versions.items():
    print(f"  {name:12s} {version}")
device = get_device()
print(
    f"device: {device}"
    + (
        f" ({torch.cuda.get_device_name(device)})"
        if device.type == "cuda"
        else f" ({torch.get_num_threads()} CPU threads)"
    )
)
print(f"quick mode: {QUICK}")
digits = load_mnist()
assert len(digits) >= 5000 and digits.images.shape[1:] == (1, 28, 28)
assert versions["torch"].startswith("2.14.1") and versions["torchvision"].startswith("0.29.1")

# %% [markdown]
# <!-- nav:bottom -->
# [01 Background →](01_background.ipynb)
