"""The class-conditional GAN (10_conditional_gan), in one file: the conditional G and D (the label as one-hot
inputs, a projection, and/or an auxiliary classifier's target), the recipe the chapter ends on, the measures
of whether G draws the digit asked for (conditioning accuracy, FID and recall per class), and the shipped
conditional generators (`load_conditional_generator`) that let quick mode measure the trained models.

Training is the DCGAN's loop told the labels: `dcgan.train` (or `dcgan.train_conditional`) with
`TrainConfig(conditional=True, **PLAIN_RECIPE)` draws x_fake = G(z, y) with each batch's real labels y and binds y to D.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .feature_net import LeNet, as_images, class_probabilities, lenet_features, load_feature_net
from .layers import (
    NUM_CLASSES,
    check_images,
    check_labels,
    discriminator_layers,
    generator_layers,
    one_hot_channels,
)
from .metrics import SmallSampleWarning, fid, precision_recall_from_features
from .shipped import CONDITIONAL_G_FILES, SHIPPED, float32_weights, read_shipped_weights
from .validate import positive_int

# The conditional recipe of 10_conditional_gan: a discriminator with a class-specific linear last layer (the
# label's embedding dotted with D's whole (2w, 7, 7) feature map, a projection without the paper's pooling) that is
# also an auxiliary classifier (Odena et al. 2017). "projection_pooled" is Miyato & Koyama's (2018) projection.
CONDITIONAL_RECIPE = {"conditioning": "projection", "aux_weight": 1.0}


# ----------------------------------------------------------------------------------------------
# The networks
# ----------------------------------------------------------------------------------------------
class ConditionalGenerator(nn.Module):
    """(z (N, latent_dim), labels (N,)) -> images (N, 1, 28, 28): the DCGAN generator fed [z, one_hot(y)].
    Introduced in 10_conditional_gan."""

    def __init__(self, latent_dim: int = 64, width: int = 64, num_classes: int = NUM_CLASSES):
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        self.num_classes = positive_int("num_classes", num_classes)
        w = positive_int("width", width)
        self.net = generator_layers(latent_dim + num_classes, w)  # [z, one_hot(y)] as a 1x1 image

    def forward(self, z: torch.Tensor, y) -> torch.Tensor:
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.latent_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"ConditionalGenerator expects latent vectors of shape (N, {self.latent_dim}); got {got}."
            )
        y = check_labels(y, len(z), self.num_classes, "ConditionalGenerator").to(z.device)
        h = torch.cat([z, nn.functional.one_hot(y, self.num_classes).to(z.dtype)], dim=1)
        return self.net(h[:, :, None, None])


CONDITIONINGS = ("concat", "projection", "projection_pooled", "none")


def check_conditioning(conditioning: str, aux_classifier: bool) -> None:
    """Raise a ValueError unless `conditioning` is one of CONDITIONINGS and D can use the label at all."""
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"Unknown conditioning {conditioning!r}: use one of {', '.join(CONDITIONINGS)}.")
    if conditioning == "none" and not aux_classifier:
        raise ValueError(
            "conditioning='none' without an auxiliary classifier (aux_weight=0) gives a D that never uses the "
            "label, so nothing makes G obey it: give D the label ('concat' or 'projection') or an auxiliary "
            "classifier (aux_weight=1)."
        )


class ConditionalDiscriminator(nn.Module):
    """(images (N, 1, 28, 28), labels (N,)) -> logits (N,): the DCGAN discriminator told the label, so D judges
    "a real *y*", not just "a real digit". Introduced in 10_conditional_gan.

    `conditioning` says how the label enters D:

    - "concat" (Mirza & Osindero 2014): the image stacked with num_classes one-hot planes, (N, 1 + 10, 28, 28);
    - "projection": the last layer's logit plus a learned per-class term on D's whole (N, 2w, 7, 7) feature map:
      a class-specific linear last layer (3,136 numbers per class at w = 32), the chapter's recipe;
    - "projection_pooled": Miyato & Koyama's projection (2018, cGANs with Projection Discriminator) on D's
      pooled features, 2w numbers per class (chapter 10's exercise 1 writes its logit);
    - "none": D does not see the label (only with `aux_classifier`: the AC-GAN of Odena et al. 2017).

    `aux_classifier=True` adds a second head on phi(x) that predicts the class (AC-GAN): forward then returns
    (logits (N,), class logits (N, num_classes)), and `update_D`/`update_G` add the cross-entropy of the class.
    """

    def __init__(
        self,
        width: int = 64,
        num_classes: int = NUM_CLASSES,
        conditioning: str = "concat",
        aux_classifier: bool = False,
    ):
        super().__init__()
        w = positive_int("width", width)
        self.num_classes = positive_int("num_classes", num_classes)
        check_conditioning(conditioning, aux_classifier)
        self.conditioning, self.aux_classifier = conditioning, bool(aux_classifier)
        planes = num_classes if conditioning == "concat" else 0  # "concat": the image and the one-hot planes
        self.net = discriminator_layers(1 + planes, w)
        features = 2 * w * 7 * 7  # phi(x): the input of the last layer, (N, 2w, 7, 7)
        if conditioning == "projection_pooled":
            features = 2 * w  # phi(x): the same map summed over its 7x7 positions, (N, 2w)
            self.psi = nn.Linear(features, 1)
        if conditioning in ("projection", "projection_pooled"):
            self.embed = nn.Embedding(num_classes, features)  # one vector per class, dotted with phi(x)
            nn.init.normal_(self.embed.weight, 0.0, 0.02)
        if aux_classifier:
            self.classifier = nn.Conv2d(2 * w, num_classes, kernel_size=7)  # (N, num_classes, 1, 1)

    def forward(self, x: torch.Tensor, y) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        check_images(x, "ConditionalDiscriminator")
        y = check_labels(y, len(x), self.num_classes, "ConditionalDiscriminator").to(x.device)
        h = x
        if self.conditioning == "concat":
            h = torch.cat([x, one_hot_channels(y, self.num_classes, x.shape[-1]).to(x.dtype)], dim=1)
        for layer in self.net[:-1]:
            h = layer(h)  # phi(x): (N, 2w, 7, 7)
        if self.conditioning == "projection_pooled":
            pooled = h.sum((2, 3))  # global sum pooling, (N, 2w)
            logits = self.psi(pooled).flatten() + (self.embed(y) * pooled).sum(1)
        else:
            logits = self.net[-1](h).flatten()  # psi(phi(x)): (N,)
        if self.conditioning == "projection":
            logits = logits + (self.embed(y) * h.flatten(1)).sum(1)  # + <embed(y), phi(x)>
        if self.aux_classifier:
            return logits, self.classifier(h).flatten(1)  # and the class logits, (N, num_classes)
        return logits


# ----------------------------------------------------------------------------------------------
# Does G draw the digit it was asked for?
# ----------------------------------------------------------------------------------------------
@dataclass
class ConditioningReport:
    """How often the classifier reads each generated digit as the label it was generated for. Introduced in 10_conditional_gan."""

    accuracy: float  # over all samples
    per_class: np.ndarray  # (10,): accuracy among the samples asked to be digit d
    counts: np.ndarray  # (10,): samples asked for per digit
    confusion: np.ndarray  # (10, 10): row = label asked for, column = digit the classifier sees

    @property
    def worst_class(self) -> int:
        return int(np.argmin(self.per_class))

    def __str__(self) -> str:
        per = " ".join(f"{d}:{a:.0%}" for d, a in enumerate(self.per_class))
        return f"conditioning accuracy {self.accuracy:.1%} (chance 10%)  [{per}]"


def conditioning_accuracy(fake, labels, net: LeNet | None = None) -> ConditioningReport:
    """Share of generated digits that the shipped classifier reads as their label, overall and per class.
    Introduced in 10_conditional_gan."""
    x = as_images(fake, "fake")
    y = torch.as_tensor(labels).long().reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} images but {len(y)} labels: give the label each image was generated for.")
    if ((y < 0) | (y >= NUM_CLASSES)).any():
        raise ValueError(
            f"labels must be digits 0..{NUM_CLASSES - 1}; got {int(y[(y < 0) | (y >= NUM_CLASSES)][0])}."
        )
    pred = class_probabilities(x, net).argmax(1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), np.int64)
    np.add.at(confusion, (y.numpy(), pred.numpy()), 1)
    counts = confusion.sum(1)
    per_class = np.divide(np.diag(confusion), counts, out=np.full(NUM_CLASSES, np.nan), where=counts > 0)
    return ConditioningReport(float((pred == y).float().mean()), per_class, counts, confusion)


def _labelled_pair(fake, fake_labels, real) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    # (fake images, their labels, real images, their labels), checked: one label per fake, a labelled real set.
    x_fake = as_images(fake, "fake")
    y_fake = torch.as_tensor(fake_labels).long().reshape(-1)
    if len(y_fake) != len(x_fake):
        raise ValueError(
            f"{len(x_fake)} images but {len(y_fake)} labels: give one label per generated image."
        )
    if not hasattr(real, "labels"):
        raise ValueError(
            "real must be a labelled data set such as load_mnist(), so each class can be compared."
        )
    return x_fake, y_fake, as_images(real, "real"), torch.as_tensor(real.labels).long()


def fid_per_class(fake, fake_labels, real, net: LeNet | None = None) -> np.ndarray:
    """FID (LeNet features) of each digit's samples against the real digits of that class, (10,) (nan for a
    class with fewer than 2 samples on either side). Each class has only the real digits of that class in
    `real`: about a tenth of the set passed (about 100 for the subset's 1,000 test digits, which chapter 10
    passes), so these FIDs are biased upwards (see 06_evaluating): compare them with each other and with
    real-vs-real at the same size, not with whole-set FIDs. Introduced in 10_conditional_gan."""
    net = net if net is not None else load_feature_net()
    x_fake, y_fake, x_real, y_real = _labelled_pair(fake, fake_labels, real)
    out = np.full(NUM_CLASSES, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        for d in range(NUM_CLASSES):
            f, r = x_fake[y_fake == d], x_real[y_real == d]
            if len(f) >= 2 and len(r) >= 2:
                out[d] = fid(r, f, net)
    return out


def recall_per_class(
    fake, fake_labels, real, k: int = 3, net: LeNet | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Improved precision and recall (Kynkäänniemi et al. 2019, LeNet features) of each digit's samples against
    the real digits of that class: (precision (10,), recall (10,)). Recall per class is the intra-class
    diversity measure: a G that draws one kind of 3 for every z has high precision and low recall on the 3s.
    Introduced in 10_conditional_gan."""
    net = net if net is not None else load_feature_net()
    x_fake, y_fake, x_real, y_real = _labelled_pair(fake, fake_labels, real)
    f_fake, f_real = lenet_features(x_fake, net, name="fake"), lenet_features(x_real, net, name="real")
    precision, recall = np.full(NUM_CLASSES, np.nan), np.full(NUM_CLASSES, np.nan)
    for d in range(NUM_CLASSES):
        f, r = f_fake[y_fake == d], f_real[y_real == d]
        if len(f) > k and len(r) > k:
            pr = precision_recall_from_features(r, f, k)
            precision[d], recall[d] = pr.precision, pr.recall
    return precision, recall


def obedient_samples(
    fake, labels, per_class: int, net: LeNet | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `per_class` samples of each digit that the shipped classifier reads as the label they were drawn
    for: (images (10 * per_class, 1, 28, 28), labels). Recall per class on these compares two generators'
    diversity within a class without their obedience: a G that draws the wrong digit a quarter of the time has
    fewer samples of the right class, and so a lower recall, even if each of its classes is as varied.
    Raises a ValueError naming the digit when a class has fewer obeyed samples than `per_class`.
    Introduced in 10_conditional_gan."""
    per_class = positive_int("per_class", per_class)
    x = as_images(fake, "fake")
    y = torch.as_tensor(labels).long().reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} images but {len(y)} labels: give the label each image was generated for.")
    obeyed = class_probabilities(x, net).argmax(1) == y
    keep = []
    for d in range(NUM_CLASSES):
        idx = torch.nonzero(obeyed & (y == d)).flatten()
        if len(idx) < per_class:
            raise ValueError(
                f"only {len(idx)} samples of digit {d} are read as a {d}, fewer than per_class={per_class}: "
                "draw more samples, or ask for fewer per class."
            )
        keep.append(idx[:per_class])
    keep = torch.cat(keep)
    return x[keep], y[keep]


# ----------------------------------------------------------------------------------------------
# The shipped conditional generators (tools/make_conditional_generators.py)
# ----------------------------------------------------------------------------------------------
CONDITIONAL_G_FORMAT = "gan_lessons.conditional_generator/1"
# What each shipped file holds: the moving average of G (the weights the chapter samples from) of the chapter's
# full-mode run, `TrainConfig(conditional=True, seed=0, **PLAIN_RECIPE, **settings)` trained by `train_conditional` for 8
# epochs (496 steps of 64) of the subset's 4,000 training digits on one CPU thread, saved after `step` steps.
# (The files were built when PLAIN_RECIPE was TrainConfig's default; the text stored in them says so.)
SHIPPED_CONDITIONAL = {
    "plain": {"settings": {}, "step": 496},
    "recipe": {"settings": dict(CONDITIONAL_RECIPE), "step": 496},
    "recipe_step200": {"settings": dict(CONDITIONAL_RECIPE), "step": 200},
}


def _check_variant(variant: str) -> str:
    if variant not in SHIPPED_CONDITIONAL:
        raise ValueError(
            f"Unknown shipped conditional generator {variant!r}: use one of {', '.join(SHIPPED_CONDITIONAL)}."
        )
    return variant


def conditional_generator_bytes(G: ConditionalGenerator, variant: str, step: int) -> bytes:
    """The shipped file's bytes: G's state dict in float16 (half the size), with the settings that rebuild it."""
    _check_variant(variant)
    half = {
        k: v.detach().cpu().to(torch.float16).contiguous()
        if v.is_floating_point()
        else v.detach().cpu().clone()
        for k, v in G.state_dict().items()
    }
    spec = SHIPPED_CONDITIONAL[variant]
    state = {
        "format": CONDITIONAL_G_FORMAT,
        "variant": variant,
        "latent_dim": int(G.latent_dim),
        "width": int(G.net[0].out_channels // 2),
        "step": int(step),
        "recipe": f"tools/make_conditional_generators.py: new_run(TrainConfig(conditional=True, seed=0, "
        f"**{spec['settings']})), train_conditional on the subset's 4,000 training digits, 8 epochs, one CPU "
        f"thread; the moving average of G after {step} steps, in float16",
        "state_dict": half,
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def load_conditional_generator(
    variant: str = "recipe", path: str | Path | None = None, check_sha256: bool = True
) -> ConditionalGenerator:
    """A shipped conditional generator, in eval mode, after checking its sha256 (`check_sha256=False` for a file
    you rebuilt yourself): "plain" (one-hot planes into D) or "recipe" (`CONDITIONAL_RECIPE`) after chapter 10's
    496 steps, or "recipe_step200", the same recipe run after 200 steps. Draw digits with `G(z, labels)`.
    Introduced in 10_conditional_gan."""
    _check_variant(variant)
    shipped = SHIPPED[CONDITIONAL_G_FILES[variant]]
    path = Path(path) if path is not None else shipped.path
    fix = shipped.fix(path.name)
    state, _ = read_shipped_weights(path, shipped.what, shipped.sha256 if check_sha256 else None, fix)
    if (
        not isinstance(state, dict)
        or state.get("format") != CONDITIONAL_G_FORMAT
        or state.get("variant") != variant
    ):
        raise ValueError(
            f"{path} is not a shipped {variant!r} conditional generator file (no '{CONDITIONAL_G_FORMAT}' "
            f"marker for {variant!r}). {fix}"
        )
    try:
        G = ConditionalGenerator(latent_dim=int(state["latent_dim"]), width=int(state["width"]))
        G.load_state_dict(float32_weights(state["state_dict"]))
    except (RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{path} does not match its own settings ({str(exc)[:200]}). {fix}") from None
    return G.eval().requires_grad_(False)


__all__ = [
    "CONDITIONAL_RECIPE",
    "SHIPPED_CONDITIONAL",
    "conditional_generator_bytes",
    "load_conditional_generator",
    "obedient_samples",
    "recall_per_class",
    "ConditionalGenerator",
    "ConditionalDiscriminator",
    "ConditioningReport",
    "conditioning_accuracy",
    "fid_per_class",
]
