"""Building blocks shared by the course's networks: input checks, DCGAN initialisation, shape tracing,
the remedies' layers (minibatch std-dev, DiffAugment), 2x2 max pooling and the class-label plumbing.
Each name says which chapter introduces it; the networks that use them live in their method's module
(`dcgan`, `conditional`, `pix2pix`, `ddpm`, `baselines`)."""

from __future__ import annotations

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)


def check_images(x: torch.Tensor, who: str = "Discriminator") -> None:
    """Raise a ValueError unless x is a float batch of shape (N, 1, 28, 28)."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{who} expects a torch.Tensor of images; got {type(x).__name__}.")
    if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
        hint = ""
        if x.dim() == 4 and x.shape[1] != 1:
            hint = f" MNIST is grayscale: did a layer output {x.shape[1]} channels instead of 1?"
        elif x.dim() == 4 and tuple(x.shape[2:]) != IMAGE_SHAPE[1:]:
            hint = " MNIST digits are 28x28: 64x64 is the size of the original DCGAN's images."
        elif x.dim() == 3:
            hint = " Add the channel dimension with x.unsqueeze(1)."
        elif x.dim() == 2 and x.shape[1] == 784:
            hint = " Reshape flat vectors with x.view(-1, 1, 28, 28)."
        raise ValueError(f"{who} expects images of shape (N, 1, 28, 28); got {tuple(x.shape)}.{hint}")
    if not x.is_floating_point():
        raise ValueError(
            f"{who} expects float images in [-1, 1]; got dtype {x.dtype}. Use x.float() / 127.5 - 1."
        )


class MinibatchStdDev(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018, Progressive Growing of GANs, section 3):
    appends one channel holding the mean over features of the standard deviation over the batch.
    A collapsed G makes near-identical samples, so this channel is near 0 for its batches, and D can
    see the collapse. (N, C, H, W) -> (N, C + 1, H, W). Introduced in 09_stabilizing."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[0] < 2:
            raise ValueError(
                f"MinibatchStdDev needs a batch of at least 2 feature maps (N, C, H, W); got {tuple(x.shape)}."
            )
        std = (x.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()  # one number for the batch
        return torch.cat([x, std.expand(x.shape[0], 1, x.shape[2], x.shape[3])], dim=1)


# ----------------------------------------------------------------------------------------------
# The DCGAN's layer stacks (Radford et al. 2016), for 1x28x28 digits
# ----------------------------------------------------------------------------------------------
def generator_layers(in_channels: int, w: int) -> nn.Sequential:
    """The DCGAN generator's layers (shared by `dcgan` and `conditional`): (N, in_channels, 1, 1) -> images (N, 1, 28, 28) in [-1, 1]."""
    return nn.Sequential(
        # (N, in_channels, 1, 1)
        nn.ConvTranspose2d(in_channels, 2 * w, kernel_size=7, stride=1, padding=0, bias=False),
        nn.BatchNorm2d(2 * w),
        nn.ReLU(inplace=True),
        # (N, 2w, 7, 7)
        nn.ConvTranspose2d(2 * w, w, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(w),
        nn.ReLU(inplace=True),
        # (N, w, 14, 14)
        nn.ConvTranspose2d(w, 1, kernel_size=4, stride=2, padding=1),
        nn.Tanh(),
        # (N, 1, 28, 28)
    )


D_NORMS = ("batch", "layer", "none")


def discriminator_layers(
    in_channels: int,
    w: int,
    spectral_norm: bool = False,
    minibatch_std: bool = False,
    norm: str | None = None,
) -> nn.Sequential:
    """The DCGAN discriminator's layers: (N, in_channels, 28, 28) -> logits (N, 1, 1, 1); the options as in
    `dcgan.Discriminator`. `norm` is the normalisation after the second convolution: "batch" (DCGAN's),
    "layer" (layer norm over (C, H, W), `nn.GroupNorm(1, C)`: no coupling between samples, as Gulrajani et
    al. 2017, section 4, ask of a critic with a per-sample gradient penalty) or "none"; None means "none"
    with spectral norm and "batch" otherwise."""
    if norm is None:
        norm = "none" if spectral_norm else "batch"
    if norm not in D_NORMS:
        raise ValueError(f"D's norm must be one of {', '.join(D_NORMS)}; got {norm!r}.")
    sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)
    norm_layer = {"batch": lambda: nn.BatchNorm2d(2 * w), "layer": lambda: nn.GroupNorm(1, 2 * w)}.get(
        norm, nn.Identity
    )
    net = nn.Sequential(
        # (N, in_channels, 28, 28)
        sn(nn.Conv2d(in_channels, w, kernel_size=4, stride=2, padding=1)),
        nn.LeakyReLU(0.2, inplace=True),
        # (N, w, 14, 14)
        sn(nn.Conv2d(w, 2 * w, kernel_size=4, stride=2, padding=1, bias=norm == "none")),
        norm_layer(),
        nn.LeakyReLU(0.2, inplace=True),
        # (N, 2w, 7, 7); with minibatch_std, (N, 2w + 1, 7, 7) before the last conv
        # (N, 1, 1, 1) after the last conv, appended below
    )
    last = sn(nn.Conv2d(2 * w + int(minibatch_std), 1, kernel_size=7, stride=1, padding=0))
    # Index 5 in both cases, so that checkpoints from before 09_stabilizing keep their names.
    net.append(last if not minibatch_std else nn.Sequential(MinibatchStdDev(), last))
    return net


@torch.no_grad()
def conv_operator_norm(
    conv: nn.Conv2d, input_shape: tuple[int, int, int], iters: int = 100, seed: int = 0
) -> float:
    """The largest singular value of the *convolution* as a linear map on inputs of `input_shape` (C, H, W),
    by power iteration through the convolution and its adjoint (the transposed convolution, taken by
    autograd). Spectral norm (Miyato et al. 2018) divides by the largest singular value of the kernel
    reshaped to (C_out, C_in*k*k), which is not the same number. Introduced in 09_stabilizing."""
    weight, bias = conv.weight, None
    x = torch.randn((1, *input_shape), generator=torch.Generator().manual_seed(seed))
    x = x / x.norm()

    def apply(v: torch.Tensor) -> torch.Tensor:
        return nn.functional.conv2d(v, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups)

    sigma = 0.0
    if not isinstance(iters, int) or iters < 1:
        raise ValueError(f"iters (power iterations) must be a whole number >= 1; got {iters!r}.")
    for _ in range(iters):
        with torch.enable_grad():
            v = x.clone().requires_grad_(True)
            y = apply(v)
            (back,) = torch.autograd.grad(y, v, grad_outputs=y)  # A^T A x
        sigma = y.norm().item()
        x = back / back.norm()
    return sigma


AUGMENT_POLICIES = ("translation", "cutout", "color")


def check_augment_policy(policy: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in policy.split(",") if p.strip()) if isinstance(policy, str) else None
    if parts is None or any(p not in AUGMENT_POLICIES for p in parts):
        raise ValueError(
            f"Unknown augmentation policy {policy!r}: use a comma-separated list of "
            f"{', '.join(AUGMENT_POLICIES)} (such as 'translation,cutout'), or '' for none."
        )
    return parts


def diff_augment(
    x: torch.Tensor, policy: str = "translation,cutout", generator: torch.Generator | None = None
) -> torch.Tensor:
    """Differentiable augmentation (Zhao et al. 2020, DiffAugment): random transforms that gradients flow
    through, applied to real *and* fake images every time D sees them (in D's step and in G's step), so
    that D cannot memorise a small data set and G is not taught to make augmented-looking images.
    Introduced in 09_stabilizing.

    - translation: shift each image by up to 1/8 of its size (rounded: 4 pixels on 28), filling with the background (-1);
    - cutout: blank a square of half the image's side at a random place, per image;
    - color: random brightness (+-0.5) and contrast (x0.5 to x1.5) per image.

    The ranges follow the reference implementation (mit-han-lab/data-efficient-gans, DiffAugment_pytorch.py):
    shift by up to int(size / 8 + 0.5) pixels, a hole of half the side centred anywhere on the image (clipped at its edges),
    brightness +-0.5, contrast x0.5 to x1.5. Two departures, both for one-channel digits: the fill is the
    background (-1), where the reference pads and cuts with 0 (mid-grey in [-1, 1] images); and its
    "saturation" step, a no-op on one channel, is left out.
    """
    parts = check_augment_policy(policy)
    if not parts:
        return x
    n, _, h, w = x.shape
    dev = x.device

    def rand(*shape):
        return torch.rand(*shape, generator=generator).to(dev)

    for part in parts:
        if part == "color":
            x = x + (rand(n, 1, 1, 1) - 0.5)  # brightness: +-0.5, as the reference
            mean = x.mean(dim=(1, 2, 3), keepdim=True)
            x = (x - mean) * (rand(n, 1, 1, 1) + 0.5) + mean
        elif part == "translation":
            sh, sw = max(1, int(h / 8 + 0.5)), max(1, int(w / 8 + 0.5))  # as the reference rounds
            dy = (rand(n) * (2 * sh + 1)).long() - sh
            dx = (rand(n) * (2 * sw + 1)).long() - sw
            padded = nn.functional.pad(x, (sw, sw, sh, sh), value=-1.0)
            rows = (torch.arange(h, device=dev)[None, :] + sh - dy[:, None]).clamp(0, h + 2 * sh - 1)
            cols = (torch.arange(w, device=dev)[None, :] + sw - dx[:, None]).clamp(0, w + 2 * sw - 1)
            idx_n = torch.arange(n, device=dev)[:, None, None]
            x = padded.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
        else:  # cutout
            ch, cw = h // 2, w // 2
            # The reference's placement: a centre anywhere in [0, size] (odd holes: [0, size - 1]), the hole
            # clipped where it leaves the image.
            cy = (rand(n) * (h + 1 - ch % 2)).long()
            cx = (rand(n) * (w + 1 - cw % 2)).long()
            top, left = cy - ch // 2, cx - cw // 2
            ys, xs = torch.arange(h, device=dev), torch.arange(w, device=dev)
            inside_y = (ys[None, :] >= top[:, None]) & (ys[None, :] < top[:, None] + ch)
            inside_x = (xs[None, :] >= left[:, None]) & (xs[None, :] < left[:, None] + cw)
            hole = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
            x = torch.where(hole, torch.full_like(x, -1.0), x)
    return x.contiguous()


def ada_adjust(
    p: float, real_logits: torch.Tensor, target: float = 0.6, images_to_full: float = 500_000.0
) -> tuple[float, float]:
    """ADA's controller (Karras et al. 2020, Training GANs with Limited Data, section 3): the overfitting
    heuristic r_t = E[sign(D(x_real))] over the reals just seen; the augmentation probability p moves up when
    r_t > target (0.6) and down otherwise, by len(real_logits) / images_to_full per call, so that p could go
    from 0 to 1 in `images_to_full` real images (the paper's 500k). Returns (new p in [0, 1], r_t).
    Introduced in 09_stabilizing."""
    if not isinstance(real_logits, torch.Tensor) or real_logits.numel() == 0:
        raise ValueError("ada_adjust needs D's outputs on a batch of real images (a non-empty tensor).")
    if not 0 <= p <= 1 or not 0 < target < 1 or not images_to_full > 0:
        raise ValueError(
            f"Need 0 <= p <= 1, 0 < target < 1 and images_to_full > 0; got {p!r}, {target!r}, {images_to_full!r}."
        )
    r_t = torch.sign(real_logits.detach()).mean().item()
    step = real_logits.numel() / images_to_full
    new_p = p + step if r_t > target else p - step
    return min(1.0, max(0.0, new_p)), r_t


class AugmentedDiscriminator(nn.Module):
    """D that sees `diff_augment(x, policy)` instead of x, for reals and fakes alike (09_stabilizing)."""

    def __init__(
        self, D: nn.Module, policy: str = "translation,cutout", generator: torch.Generator | None = None
    ):
        super().__init__()
        check_augment_policy(policy)
        self.D, self.policy, self.generator = D, policy, generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "Discriminator")
        return self.D(diff_augment(x, self.policy, self.generator))


def init_dcgan_weights(module: nn.Module) -> None:
    """DCGAN initialisation (Radford et al. 2016): conv weights N(0, 0.02), BatchNorm N(1, 0.02).
    A spectrally normalised layer's raw weight (before the normalisation) is the one initialised."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        if nn.utils.parametrize.is_parametrized(module, "weight"):
            nn.init.normal_(module.parametrizations.weight.original, 0.0, 0.02)
        else:
            nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


@torch.no_grad()
def trace_shapes(
    layers: nn.Sequential, x: torch.Tensor, show: bool = True
) -> tuple[torch.Tensor, list[tuple[int, ...]]]:
    """Run `x` through `layers` one at a time, printing each layer's output shape; returns the output
    and the list of shapes. Introduced in 02_core_concepts, used again in 05_dcgan_mnist."""
    shapes = []
    for i, layer in enumerate(layers):
        x = layer(x)
        shapes.append(tuple(x.shape))
        if show:
            print(f"{i}: {layer.__class__.__name__:16s} -> {shapes[-1]}")
    return x, shapes


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


class MaxPool2x2(nn.Module):
    """2x2 max pooling with stride 2, `nn.MaxPool2d(2)` exactly: the same values and, in training, the same
    gradients. LeNet pools with it.

    When no gradient is needed (metrics, `predict`) it takes three elementwise maxima: torch's CPU
    max_pool2d kernel on (N, C, H, W) tensors took 53 of LeNet's 177 ms per 300 digits (one thread, torch
    2.14), this about 5 ms, with the same values (odd sizes drop their last row or column, NaN propagates).
    When a gradient is needed it calls torch's kernel: on ties, frequent where a digit's flat background
    gives equal activations, max_pool2d sends the whole gradient to one input and `torch.maximum` would
    split it, so training would change. `benchmarks/fid_speed.py` measures the effect."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return nn.functional.max_pool2d(x, 2)
        h, w = x.shape[-2] // 2 * 2, x.shape[-1] // 2 * 2
        top = torch.maximum(x[..., 0:h:2, 0:w:2], x[..., 0:h:2, 1:w:2])
        return torch.maximum(top, torch.maximum(x[..., 1:h:2, 0:w:2], x[..., 1:h:2, 1:w:2]))


# ----------------------------------------------------------------------------------------------
# Class labels (10_conditional_gan): checked once, and drawn as one-hot planes
# ----------------------------------------------------------------------------------------------
NUM_CLASSES = 10


def check_labels(
    y, n: int | None = None, num_classes: int = NUM_CLASSES, who: str = "Generator"
) -> torch.Tensor:
    """Labels as a long tensor (N,) of digits 0..num_classes-1, or a ValueError that says what is wrong.
    Introduced in 10_conditional_gan."""
    if isinstance(y, int) and not isinstance(y, bool):
        y = torch.full((n or 1,), y, dtype=torch.long)
    y = torch.as_tensor(y)
    if y.is_floating_point() or y.dtype == torch.bool:
        raise ValueError(
            f"{who} expects integer class labels (digits 0..{num_classes - 1}); got dtype {y.dtype}."
        )
    y = y.long().reshape(-1)
    if n is not None and len(y) != n:
        raise ValueError(
            f"{who} got {n} images or latent vectors but {len(y)} labels: give one label per item."
        )
    bad = y[(y < 0) | (y >= num_classes)]
    if len(bad):
        raise ValueError(
            f"Unknown label {int(bad[0])}: {who} knows the digits 0..{num_classes - 1} only "
            f"(a one-hot vector of size {num_classes})."
        )
    return y


def one_hot_channels(y: torch.Tensor, num_classes: int = NUM_CLASSES, size: int = 28) -> torch.Tensor:
    """Labels (N,) -> one-hot planes (N, num_classes, size, size): plane y is all ones. Introduced in 10_conditional_gan."""
    y = check_labels(y, num_classes=num_classes, who="one_hot_channels")
    return nn.functional.one_hot(y, num_classes).float()[:, :, None, None].expand(-1, -1, size, size)


__all__ = [
    "MinibatchStdDev",
    "D_NORMS",
    "conv_operator_norm",
    "ada_adjust",
    "diff_augment",
    "AugmentedDiscriminator",
    "init_dcgan_weights",
    "trace_shapes",
    "count_parameters",
    "check_labels",
    "one_hot_channels",
]
