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
# # Background
#
# Computer vision asks different questions of an image: *what* is in it (classification), *where*
# (detection), *which pixels* (segmentation), or, turned around, *make me a new one* (generation).
# In this chapter you will run all four on real MNIST digits, side by side, with models small enough
# to read in one cell. You will be able to say what makes a model *generative* rather than
# *discriminative*, and where GANs sit among the families of generative models (VAEs, autoregressive
# models, normalizing flows and diffusion models), with the years and the landmark papers.
#
# <!-- full-mode-time: 18 s -->

# %% [markdown]
# <!-- nav:top -->
# [← 00 Index](00_index.ipynb) | [Index](00_index.ipynb) | [02 Core concepts →](02_core_concepts.ipynb)

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from scipy import ndimage

from gan_lessons import (
    QUICK,
    LeNet,
    accuracy,
    load_mnist,
    predict,
    setup_chapter,
    show_images,
    shuffled_indices,
    train_classifier,
)

chapter = setup_chapter("01_background", seed=0)
device = chapter.device
train_set = load_mnist("train")
test_set = load_mnist("test")

# %% [markdown]
# ## 1. Four vision tasks on the same digits
#
# The article's §1 names image classification, object detection and image segmentation as the
# main uses of deep learning in vision, and says GANs serve "segmentation and generation". We make
# each task concrete. Every model here is deliberately simple; the point is what goes **in** and
# what comes **out**.
#
# ### Classification: image → label
#
# A small CNN (LeNet-style, LeCun et al. 1998) maps a 28×28 image to a probability for each of the
# 10 digits. It is trained on one split of the digits and tested on digits it has never seen.

# %%
classifier = LeNet()
train_classifier(classifier, train_set, num_epochs=1 if QUICK else 3, progress=False)
acc = accuracy(classifier, test_set)
print(f"held-out accuracy: {acc:.1%} on {len(test_set):,} test digits")
assert acc > (0.8 if QUICK else 0.95)

# %% [markdown]
# ### Detection and segmentation: a scene of several digits
#
# Detection and segmentation need a scene with several objects. We paste three held-out digits
# onto a 96×96 canvas at known places; that gives us the ground truth, boxes and a per-pixel label map.

# %%
rng = np.random.default_rng(0)
canvas = -np.ones((96, 96), dtype=np.float32)  # -1 = black background, like the data
truth_mask = np.zeros((96, 96), dtype=np.int64)  # 0 = background, c + 1 = a pixel of digit c
truth_boxes = []  # (row0, col0, row1, col1, label)
cells = rng.choice(9, size=3, replace=False)
classes = rng.choice(10, size=3, replace=False)  # three different digits
picks = [int(rng.choice(np.flatnonzero(test_set.labels.numpy() == c))) for c in classes]
for cell, idx in zip(cells, picks):
    img = test_set.images[idx, 0].numpy()
    label = int(test_set.labels[idx])
    r0, c0 = 32 * (cell // 3) + rng.integers(0, 5), 32 * (cell % 3) + rng.integers(0, 5)
    canvas[r0 : r0 + 28, c0 : c0 + 28] = np.maximum(canvas[r0 : r0 + 28, c0 : c0 + 28], img)
    rows, cols = np.nonzero(img > 0)  # the digit's own pixels (brighter than mid-grey)
    truth_mask[r0 + rows, c0 + cols] = label + 1
    truth_boxes.append(
        (
            int(r0 + rows.min()),
            int(c0 + cols.min()),
            int(r0 + rows.max() + 1),
            int(c0 + cols.max() + 1),
            label,
        )
    )
print("ground truth (row0, col0, row1, col1, label):", truth_boxes)

# %% [markdown]
# **Detection: image → a box and a label per object.** A classic two-stage recipe: propose regions
# (here: connected blobs of bright pixels, after a small dilation so a broken stroke stays one blob),
# then classify each region with the CNN above. Modern detectors (Faster R-CNN, Ren et al. 2015; YOLO,
# Redmon et al. 2016) learn both stages, but the output has the same form.

# %%
foreground = canvas > 0
blobs, n_blobs = ndimage.label(ndimage.binary_dilation(foreground, iterations=2))
detections = []
for k in range(1, n_blobs + 1):
    pixels = foreground & (blobs == k)
    rows, cols = np.nonzero(pixels)
    r_mid, c_mid = (rows.min() + rows.max() + 1) // 2, (cols.min() + cols.max() + 1) // 2
    padded = np.pad(np.where(blobs == k, canvas, -1.0), 14, constant_values=-1.0)
    crop = padded[r_mid : r_mid + 28, c_mid : c_mid + 28]  # a 28x28 window centred on the blob
    label = int(predict(classifier, torch.from_numpy(crop.copy())[None, None])[0])
    detections.append((int(rows.min()), int(cols.min()), int(rows.max() + 1), int(cols.max() + 1), label))
print("detections (row0, col0, row1, col1, label):", detections)


def iou(a, b) -> float:
    """Intersection over union of two boxes (row0, col0, row1, col1, ...)."""
    inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])
    return inter / (area(a) + area(b) - inter)


assert n_blobs == 3  # one region per digit
for t in truth_boxes:
    best = max(detections, key=lambda d: iou(d, t))
    assert iou(best, t) > 0.9  # every digit is found, with a tight box

# %% [markdown]
# **Segmentation: image → a label for every pixel.** The article defines it correctly: each pixel is
# assigned to one of the predefined classes (here background or digit 0 to 9). On MNIST the foreground
# is easy to find (bright on black), so our segmenter is the detector's regions, with each pixel taking
# its region's label. Real photographs need learned segmenters (FCN, Long et al. 2015; U-Net, Ronneberger
# et al. 2015); chapter 11 trains one, with and without an adversarial loss.

# %%
pred_mask = np.zeros_like(truth_mask)
for k, det in enumerate(detections, start=1):
    pred_mask[foreground & (blobs == k)] = det[4] + 1
assert pred_mask.shape == canvas.shape  # one label per pixel
# (Both masks take their foreground from the same brightness threshold, so comparing the foregrounds
# would prove nothing; what can go wrong is the label, checked digit by digit below.)
pixel_acc = (pred_mask == truth_mask).mean()
right = [d for d in detections if any(iou(d, t) > 0.9 and d[4] == t[4] for t in truth_boxes)]
print(f"pixel accuracy {pixel_acc:.1%}; {len(right)} of 3 digits labelled correctly")
for det in right:  # where the label is right, every pixel of that digit is right
    r0, c0, r1, c1, label = det
    assert np.array_equal(
        pred_mask[r0:r1, c0:c1][truth_mask[r0:r1, c0:c1] > 0],
        truth_mask[r0:r1, c0:c1][truth_mask[r0:r1, c0:c1] > 0],
    )

# %% [markdown]
# ### Generation: nothing (or a label) → a new image
#
# Generation runs the other way: the model must *produce* an image. The simplest generative model that
# works at all: for each digit class, fit a Gaussian to its training images (their mean plus the 15
# main directions of variation, found by PCA) and draw new images from it. That is a model of p(x | y)
# that we can **sample**. Its samples are new images, not copies of training digits, and the
# classifier mostly reads them as the digit we asked for. They are also blurry: a Gaussian averages
# strokes. Sharp samples are what GANs brought (chapters 02 and 05).

# %%
X, y = train_set.images.flatten(1), train_set.labels
gen = torch.Generator().manual_seed(0)
n_per_class, n_components = 20, 15
samples, asked, pca = [], [], {}
for c in range(10):
    Xc = X[y == c]
    mean = Xc.mean(0)
    _, S, Vt = torch.linalg.svd(Xc - mean, full_matrices=False)
    pca[c] = (mean, S**2 / (len(Xc) - 1), Vt)  # kept for section 2
    scale = S[:n_components] / np.sqrt(len(Xc) - 1)  # std along each principal direction
    z = torch.randn(n_per_class, n_components, generator=gen) * scale
    samples.append((mean + z @ Vt[:n_components]).clamp(-1, 1))
    asked += [c] * n_per_class
samples = torch.cat(samples).view(-1, 1, 28, 28)
asked = torch.tensor(asked)
agree = (predict(classifier, samples) == asked).float().mean().item()
nearest = torch.cdist(samples.flatten(1), X).min(1).values
print(
    f"the classifier reads {agree:.0%} of the samples as the digit asked for; "
    f"distance to the nearest training digit: min {nearest.min():.1f}, median {nearest.median():.1f}"
)
held_out = torch.cdist(test_set.images[:200].flatten(1), X).min(1).values  # certainly not copies
too_close = held_out.quantile(0.01).item()  # nearer than 99% of held-out digits are: suspicious
print(
    f"samples nearer to a training digit than 99% of held-out digits: {(nearest < too_close).float().mean():.0%}"
)
assert agree > 0.6
assert (nearest < too_close).float().mean() < 0.05  # a model that copied its training digits would fail

# %% [markdown]
# All four, side by side. The boxes and masks come out exact, because MNIST digits are bright on black;
# the labels are only as good as the classifier, and a misread digit gives a wrong box label *and* a
# wrong colour in the mask: the two-stage pipeline passes its errors on.

# %%
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
ax = axes[0]
some = shuffled_indices(len(test_set))[:200]  # the test set is sorted by class
nine = test_set.images[some[:9]]
show_images(nine, nrow=3, ax=ax)
pred9 = predict(classifier, nine).tolist()
ax.set_title("classification\n" + " ".join(map(str, pred9)), fontsize=10)
ax = axes[1]
ax.imshow(canvas, cmap="gray", vmin=-1, vmax=1)
for r0, _c0, _r1, c1, label in detections:
    ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, color="lime", lw=1.5))
    ax.text(c0, r0 - 1.5, str(label), color="lime", fontsize=11, weight="bold")
ax.set_title("detection\nboxes + labels", fontsize=10)
ax.set_axis_off()
ax = axes[2]
ax.imshow(np.ma.masked_equal(pred_mask, 0) - 1, cmap="tab10", vmin=0, vmax=9, interpolation="nearest")
for r0, _c0, _r1, c1, label in detections:
    ax.text(c1 + 1, r0 + 6, str(label), color=plt.cm.tab10(label), fontsize=11, weight="bold")
ax.set_facecolor("black")
ax.set(xticks=[], yticks=[])
ax.set_title("segmentation\na class for every pixel", fontsize=10)
ax = axes[3]
show_images(samples[::n_per_class][:9], nrow=3, ax=ax)
ax.set_title("generation\nnew digits 0-8, sampled", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 2. What a generative model is
#
# A **discriminative** model learns p(y | x): given the image x, it predicts something about it (a
# label, boxes, a mask). The classifier, the detector and the segmenter above are all discriminative,
# even though the segmenter outputs an image-shaped map: that map is a prediction *about* its input.
#
# A **generative** model learns the distribution of the data itself, p(x) (or p(x | y) for a chosen
# label y), in a form you can **sample** from. Some generative models also give the probability of an
# image (our Gaussians do; VAEs give a bound; flows and autoregressive models give it exactly). A GAN
# gives *only* a sampler: G turns noise z into x, and nobody ever writes down p_g(x). Chapter 03 shows
# why training it anyway works.
#
# The difference is visible in what each model does with the same input. The Gaussians can score how
# typical an image is under each class; the classifier cannot score images at all, only split
# probability among labels:


# %%
def log_density(images: torch.Tensor, c: int) -> torch.Tensor:
    """Log-density (up to a constant shared by all classes) of images under class c's PCA Gaussian, plus isotropic noise."""
    mean, eigvals, Vt = pca[c]
    var = eigvals[:n_components]
    noise = eigvals[n_components:].sum() / (X.shape[1] - n_components)  # the leftover variance, spread evenly
    d = images.flatten(1) - mean
    proj = d @ Vt[:n_components].T
    resid = (d**2).sum(1) - (proj**2).sum(1)
    return -0.5 * (
        (proj**2 / (var + noise)).sum(1)
        + resid / noise
        + torch.log(var + noise).sum()
        + (X.shape[1] - n_components) * torch.log(noise)
    )


digits = test_set.images[some]  # 200 random held-out digits
noise_images = torch.rand(200, 1, 28, 28) * 2 - 1
best_digit = torch.stack([log_density(digits, c) for c in range(10)]).max(0).values
best_noise = torch.stack([log_density(noise_images, c) for c in range(10)]).max(0).values
print(
    f"log-density: real digits median {best_digit.median():.0f}, noise images median {best_noise.median():.0f}"
)
assert (best_digit.min() > best_noise.max()).item()  # the generative model knows noise is not a digit
with torch.no_grad():
    p_noise = torch.softmax(classifier(noise_images), 1)
top_on_noise = p_noise.max(1).values.mean().item()
print(f"the classifier's mean top probability on the noise images: {top_on_noise:.2f} (1/10 = no idea)")
assert top_on_noise > 0.3  # it names a digit in pure noise, with confidence: it models p(y | x), not p(x)
bayes = torch.stack([log_density(digits, c) for c in range(10)]).argmax(0)  # Bayes' rule, equal priors
print(
    f"the Gaussians used as a classifier (Bayes' rule): {(bayes == test_set.labels[some]).float().mean():.0%} right"
)

# %% [markdown]
# The last line shows the asymmetry: a generative model of p(x | y) also classifies, by Bayes' rule
# p(y | x) ∝ p(x | y) p(y), while a discriminative model cannot generate. Which classifies better depends
# on the amount of data (Ng & Jordan, "On Discriminative vs. Generative Classifiers", NIPS 2001): the
# discriminative one reaches the lower error *asymptotically*, with plenty of data, but the generative
# one approaches its own (higher) limit faster, so with little data it can win.
#
# ## 3. Where GANs sit
#
# Deep generative models for images come in five families. Each makes a different trade between
# sample quality, speed of sampling, and whether you get a likelihood:
#
# | family | idea | landmark papers |
# |---|---|---|
# | VAE | encoder–decoder trained with a likelihood bound; sample z ~ N(0, I), decode | Kingma & Welling, *Auto-Encoding Variational Bayes*, ICLR 2014; Rezende, Mohamed & Wierstra, ICML 2014 |
# | GAN | a generator trained against a discriminator; one network pass per sample | Goodfellow et al., NeurIPS 2014; DCGAN, Radford, Metz & Chintala, ICLR 2016; WGAN, Arjovsky, Chintala & Bottou, ICML 2017; Progressive GAN, Karras, Aila, Laine & Lehtinen, ICLR 2018; BigGAN, Brock, Donahue & Simonyan, ICLR 2019; StyleGAN, Karras, Laine & Aila, CVPR 2019 |
# | autoregressive | one pixel (or token) at a time, exact likelihood | PixelRNN, van den Oord, Kalchbrenner & Kavukcuoglu, ICML 2016; PixelCNN decoders, van den Oord et al., NeurIPS 2016 |
# | normalizing flow | an invertible network, exact likelihood | NICE, Dinh, Krueger & Bengio, ICLR 2015 workshop; RealNVP, Dinh, Sohl-Dickstein & Bengio, ICLR 2017; Glow, Kingma & Dhariwal, NeurIPS 2018 |
# | diffusion | learn to undo gradual noising; many network passes per sample | Sohl-Dickstein et al., ICML 2015; DDPM, Ho, Jain & Abbeel, NeurIPS 2020; Dhariwal & Nichol, *Diffusion Models Beat GANs on Image Synthesis*, NeurIPS 2021; latent diffusion, Rombach et al., CVPR 2022 |
#
# From 2014 to about 2020, GANs produced the sharpest images of any family (StyleGAN's faces). Since
# 2021 diffusion models have replaced them for most image synthesis, above all text-to-image (DALL·E 2,
# Imagen, Stable Diffusion): they train stably, cover the data's variety better, and follow text
# prompts well. GANs remain where one fast forward pass matters or where an *adversarial loss* sharpens
# another model: super-resolution (SRGAN, Ledig et al., CVPR 2017), image-to-image translation
# (pix2pix, Isola, Zhu, Zhou & Efros, CVPR 2017; CycleGAN, Zhu, Park, Isola & Efros, ICCV 2017), the
# VQGAN autoencoder inside latent diffusion (Esser, Rombach & Ommer, CVPR 2021), and one-step distilled
# diffusion samplers (adversarial diffusion distillation, Sauer et al., 2023).
#
# Note on the article's own references: several are wrong. DALL·E is by Ramesh et al. (ICML 2021) and
# is not a GAN; "Improved Training of Wasserstein GANs" is by Gulrajani et al. (NeurIPS 2017,
# arXiv:1704.00028), while arXiv:1611.07004 is pix2pix; SRGAN is by Ledig et al.; CycleGAN appeared at
# ICCV 2017; Progressive GAN at ICLR 2018. Three more that this course cites: **BEGAN** is by Berthelot,
# Schumm & Metz (arXiv:1703.10717, 2017), not "Zhang, Schmidt & Tschannen, CVPR 2018"; **BigGAN** is
# Brock, Donahue & Simonyan, *Large Scale GAN Training for High Fidelity Natural Image Synthesis*,
# ICLR 2019 (arXiv:1809.11096), not a CVPR 2018 paper on "style-based representation learning" with
# Krizhevsky and Kim; **pix2pix** is Isola, Zhu, Zhou & Efros (CVPR 2017). The article's
# "Mordvintsev, Tarassenko & Vedaldi (2008), Fast Image Inpainting ..., 11th ECCV" could not be found
# (the 11th ECCV was in 2010), so the course does not cite it. Chapter 12 corrects the full list.
#
# The article also says GANs have "achieved remarkable results" in generative *language* models. They
# have not: text is a sequence of discrete tokens, so no gradient flows from D through a sampled word
# back to G; text GANs need reinforcement-learning tricks (SeqGAN, Yu et al., AAAI 2017) and were found
# to fall short of plain maximum-likelihood language models (Caccia et al., *Language GANs Falling
# Short*, ICLR 2020). Language models are trained by next-token likelihood. Its two "challenges" of
# §5.2 are shown where the course meets them: the compute cost (chapter 05 times its training run) and
# interpretability (chapter 05 walks through the latent space; a GAN gives no likelihood to inspect).

# %%
timeline = [  # (year of the first public version, family, model)
    (2013, "VAE", "VAE"),
    (2014, "GAN", "GAN"),
    (2014, "flow", "NICE"),
    (2015, "diffusion", "diffusion (Sohl-Dickstein)"),
    (2015, "GAN", "DCGAN"),
    (2016, "autoregressive", "PixelRNN/CNN"),
    (2016, "flow", "RealNVP"),
    (2017, "GAN", "WGAN"),
    (2017, "GAN", "ProGAN"),
    (2018, "GAN", "BigGAN / StyleGAN"),
    (2018, "flow", "Glow"),
    (2020, "diffusion", "DDPM"),
    (2021, "diffusion", "beats GANs"),
    (2021, "diffusion", "latent diffusion"),
]
families = ["VAE", "GAN", "autoregressive", "flow", "diffusion"]  # a typed list: nothing to assert about it
fig, ax = plt.subplots(figsize=(10, 2.8))
for year, family, name in timeline:
    row = families.index(family)
    ax.plot(year, row, "o", color=f"C{row}")
    ax.annotate(name, (year, row), textcoords="offset points", xytext=(4, 4), fontsize=8)
ax.set(
    yticks=range(len(families)),
    yticklabels=families,
    xlim=(2012.5, 2023.5),
    ylim=(-0.6, 4.8),
    title="Deep generative models: first appearance (arXiv year)",
)
ax.grid(axis="x", alpha=0.3)
plt.show()

# %% [markdown]
# ## Summary
#
# * Classification maps an image to a label, detection to boxes with labels, segmentation to a label per
#   pixel: all discriminative, all *about* a given image.
# * Generation produces new images; a generative model captures p(x) (or p(x | y)) in a form you can
#   sample. A simple Gaussian per class already generates recognisable but blurry digits, knows that
#   noise is not a digit, and can even classify by Bayes' rule.
# * GANs (2014) are one of five families of deep generative models. They give a fast sampler but no
#   likelihood. Diffusion models have overtaken them for most image synthesis since 2021; adversarial
#   losses live on in super-resolution, image-to-image translation and fast samplers.
# * GANs are not a segmentation method in themselves; an adversarial loss can help a segmenter
#   (chapter 11 measures whether it does).
#
# Chapter 02 opens the GAN: its two networks, next to a CNN classifier and an autoencoder.
#
# ## Further reading
#
# * I. Goodfellow, Y. Bengio, A. Courville. *Deep Learning*, MIT Press, 2016, chapter 20 (Deep
#   Generative Models). Free at deeplearningbook.org.
# * I. Goodfellow et al. *Generative Adversarial Nets.* NeurIPS (NIPS) 27, 2014, pp. 2672–2680. arXiv:1406.2661.
# * Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. *Gradient-Based Learning Applied to Document Recognition.*
#   Proceedings of the IEEE 86(11):2278–2324, 1998.
# * J. Long, E. Shelhamer, T. Darrell. *Fully Convolutional Networks for Semantic Segmentation.* CVPR 2015.
# * O. Ronneberger, P. Fischer, T. Brox. *U-Net: Convolutional Networks for Biomedical Image Segmentation.*
#   MICCAI 2015. arXiv:1505.04597.
# * S. Ren, K. He, R. Girshick, J. Sun. *Faster R-CNN: Towards Real-Time Object Detection with Region
#   Proposal Networks.* NeurIPS (NIPS) 2015. arXiv:1506.01497.
# * A. Y. Ng, M. I. Jordan. *On Discriminative vs. Generative Classifiers: A comparison of logistic
#   regression and naive Bayes.* NeurIPS (NIPS) 14, 2001.
# * P. Dhariwal, A. Nichol. *Diffusion Models Beat GANs on Image Synthesis.* NeurIPS 2021. arXiv:2105.05233.

# %% [markdown]
# <!-- nav:bottom -->
# [← 00 Index](00_index.ipynb) | [Index](00_index.ipynb) | [02 Core concepts →](02_core_concepts.ipynb)
