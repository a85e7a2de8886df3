# %% [markdown]
# # GAN Lessons: index
#
# An interactive course on **Generative Adversarial Networks**, from the maths of the two-player
# game to a working DCGAN, told through code that runs on a laptop CPU, offline. Every claim a
# chapter makes is checked by a cell: if the course says it, a cell computes it and asserts it.
#
# ## Start here
#
# 1. **Run the environment check**, the code cell below: click in it and press Shift+Enter. It
#    prints the versions, the device (CPU or GPU) and the data set in use, and fails with a clear
#    message if something is missing.
# 2. **Then open chapter 01, [Background](01_background.ipynb)**, and run it top to bottom
#    (*Kernel → Restart Kernel and Run All Cells*). Each chapter links to the next one at its bottom.
#
# <!-- full-mode-time: 5 s -->

# %% [markdown]
# <!-- nav:top -->
# [01 Background →](01_background.ipynb)

# %%
import importlib.metadata as md
import platform

import torch

from gan_lessons import get_device, load_mnist, setup_chapter

chapter = setup_chapter("00_index")
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
digits = load_mnist()
assert len(digits) >= 5000 and digits.images.shape[1:] == (1, 28, 28)
assert versions["torch"].startswith("2.14.1") and versions["torchvision"].startswith("0.29.1")

# %% [markdown]
# ## Chapters
#
# <!-- toc:start -->
# | # | chapter | what you will do | full mode, 2-core CPU |
# |---|---|---|---|
# | 00 | [Index](00_index.ipynb) | course map, how to run, instructor's guide, environment check | 5 s |
# | 01 | [Background](01_background.ipynb) | vision tasks side by side; generative vs discriminative; where GANs sit | 18 s |
# | 02 | [Core concepts](02_core_concepts.ipynb) | G and D as networks; GAN vs CNN classifier; GAN vs autoencoder | 45 s |
# | 03 | [The loss, the maths](03_loss_math.ipynb) | V(D,G), D*, JSD, saturating vs non-saturating, the article's errors fixed | 12 s |
# | 04 | [Toy GAN playground](04_toy_gan_playground.ipynb) | GAN Lab in a notebook: 2-D data, live D heatmap, G manifold | 30 s |
# | 05 | [DCGAN on MNIST](05_dcgan_mnist.ipynb) | the article's code done right: shapes, training loop, samples, checkpoints | 115 s |
# | 06 | [Evaluating GANs](06_evaluating.ipynb) | FID with LeNet features, precision/recall, class coverage, memorisation | 57 s |
# | 07 | [Bug hunt](07_bug_hunt.ipynb) | ten classic mistakes, each run, its symptom shown, then fixed; find the bugs | 28 s |
# | 08 | [Training pitfalls](08_training_pitfalls.ipynb) | mode collapse, oscillation, vanishing gradients, diagnostics | 81 s |
# | 09 | [Stabilizing GANs](09_stabilizing.ipynb) | WGAN, WGAN-GP, spectral norm, hinge, TTUR, label smoothing, minibatch std, R1, DiffAugment on one table | 25 s |
# | 10 | [Conditional GAN](10_conditional_gan.ipynb) | class-conditional digits: projection vs class-linear D, auxiliary classifier (97-99% obey), per-class diversity, explorer | 273 s (4.6 min, on a shared 2-core CPU at a load average of 8 to 9) |
# | 11 | [GANs for segmentation](11_gan_segmentation.ipynb) | per-pixel vs pix2pix vs semi-supervised adversarial U-Nets at 16-1,024 labels; IoU, boundary F1, stray blobs | 149 s (2.5 min, on a 2-core machine at load average 3-5; 436 s at load 9-11) |
# | 12 | [Where GANs stand](12_where_gans_stand.ipynb) | 2014-2026: diffusion, flow matching, distillation, R3GAN; GAN vs diffusion vs flow matching measured | 733 s (12.2 min, measured on a 2-core machine at a load average of about 10, with the chapter 13 run beside it) |
# | 13 | [FAQ and references](13_faq.ipynb) | the questions learners ask, each as a runnable cell; references | 223 s (3.7 min, measured on a 2-core machine at a load average of about 10) |
# <!-- toc:end -->
#
# The last column is the time to run the chapter top to bottom in full mode on a 2-core CPU: the
# course's build machine (x86-64, 2 cores, torch 2.14.1 on the CPU), one chapter at a time with
# `benchmarks/chapter_times.py`, measured on 2026-11-26 (03, 07, 08, 09, 10, 11, 12 and 13 run on one thread by
# design, `setup_chapter(..., threads=1)`; the others on two). Each chapter states it in a `full-mode-time` marker in its first cell; `make nav` copies
# it here. Quick mode takes a fraction of it.

# %% [markdown]
# ## How to run the course
#
# - **Open it:** `make lab` from the repository root creates the environment (first time only)
#   and opens the student edition of this page (`student/00_index.ipynb`) in JupyterLab. `make test`
#   runs every test and both editions of every notebook.
# - **Exercises.** In the student edition each exercise is a function to complete: its body is a
#   stub that raises `NotImplementedError("what to write")`, and the checker under it prints *Not
#   done yet* until you replace the stub; then it prints *Correct!* or stops with a hint. Run All
#   runs the whole chapter either way.
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
# - The full edition, with the solutions, is `notebooks/` (open `notebooks/00_index.ipynb`); the
#   student edition is generated from it by `python tools/make_student_edition.py --force`
#   (README, "For instructors").
# - Pre-train before class: `python -m gan_lessons train --epochs 30 --out runs/class` writes
#   `runs/class/checkpoint.pt`, a sample grid and the loss curves, and prints FID, precision/recall and
#   class coverage (about 2 minutes on a 2-core laptop CPU);
#   `python -m gan_lessons sample runs/class/checkpoint.pt --n 64 --out grid.png` draws from it.
#   `--max-seconds 180` stops at a wall-clock budget ("three minutes before class").
# - Chapter 05 shows a DCGAN being built and trained; its fixed-noise sample grids are the best
#   single picture of "noise becomes digits".
# - Run a chapter in quick mode first to check the room's machine, then in full mode for the demo.
# - **Demo mode:** `make demo` shows the dashboards full-screen without any code, in Voilà, on
#   http://127.0.0.1:8866/ (`make demo CHAPTER=04` for the playground alone; 03 is the 1-D explorer,
#   05 the latent explorer on the generator that ships in `data/dcgan_mnist_g.pt`, 10 the conditional
#   explorer on `runs/class-conditional/checkpoint.pt`, trained for 90 s the first time if missing).
# - **The course as a website:** `make book` writes every chapter with its outputs as static HTML pages
#   to `build/book/` (offline; solutions folded under each exercise), for students who read before
#   class or on a phone, and for links to a page.

# %% [markdown]
# <!-- nav:bottom -->
# [01 Background →](01_background.ipynb)
