"""DCGAN generator and discriminator for 1x28x28 digits. Introduced in 05_dcgan_mnist."""

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


def _check_size(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return value


def _generator_net(in_channels: int, w: int) -> nn.Sequential:
    """The DCGAN generator's layers: (N, in_channels, 1, 1) -> images (N, 1, 28, 28) in [-1, 1]."""
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


class Generator(nn.Module):
    """z of shape (N, latent_dim) -> images (N, 1, 28, 28) in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 64, width: int = 64):
        super().__init__()
        self.latent_dim = _check_size("latent_dim", latent_dim)
        w = _check_size("width", width)
        self.net = _generator_net(latent_dim, w)  # z seen as a 1x1 image with latent_dim channels

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if (
            not isinstance(z, torch.Tensor)
            or z.dim() not in (2, 4)
            or z.shape[1] != self.latent_dim
            or (z.dim() == 4 and tuple(z.shape[2:]) != (1, 1))
        ):
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"Generator expects latent vectors of shape (N, {self.latent_dim}); got {got}. "
                f"Draw them with torch.randn(N, {self.latent_dim})."
            )
        return self.net(z.reshape(z.shape[0], self.latent_dim, 1, 1))


class MinibatchStdDev(nn.Module):
    """Minibatch standard deviation (Karras et al. 2018, Progressive Growing of GANs, section 3):
    appends one channel holding the mean over features of the standard deviation over the batch.
    A collapsed G makes near-identical samples, so this channel is near 0 for its batches, and D can
    see the collapse. (N, C, H, W) -> (N, C + 1, H, W). Introduced in 08_stabilizing."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[0] < 2:
            raise ValueError(
                f"MinibatchStdDev needs a batch of at least 2 feature maps (N, C, H, W); got {tuple(x.shape)}."
            )
        std = (x.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()  # one number for the batch
        return torch.cat([x, std.expand(x.shape[0], 1, x.shape[2], x.shape[3])], dim=1)


def _discriminator_net(
    in_channels: int, w: int, spectral_norm: bool = False, minibatch_std: bool = False
) -> nn.Sequential:
    """The DCGAN discriminator's layers: (N, in_channels, 28, 28) -> logits (N, 1, 1, 1); the options as in
    `Discriminator`."""
    sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda layer: layer)
    net = nn.Sequential(
        # (N, in_channels, 28, 28)
        sn(nn.Conv2d(in_channels, w, kernel_size=4, stride=2, padding=1)),
        nn.LeakyReLU(0.2, inplace=True),
        # (N, w, 14, 14)
        sn(nn.Conv2d(w, 2 * w, kernel_size=4, stride=2, padding=1, bias=spectral_norm)),
        nn.Identity() if spectral_norm else nn.BatchNorm2d(2 * w),
        nn.LeakyReLU(0.2, inplace=True),
        # (N, 2w, 7, 7); with minibatch_std, (N, 2w + 1, 7, 7) before the last conv
        # (N, 1, 1, 1) after the last conv, appended below
    )
    last = sn(nn.Conv2d(2 * w + int(minibatch_std), 1, kernel_size=7, stride=1, padding=0))
    # Index 5 in both cases, so that checkpoints from before 08_stabilizing keep their names.
    net.append(last if not minibatch_std else nn.Sequential(MinibatchStdDev(), last))
    return net


class Discriminator(nn.Module):
    """images (N, 1, 28, 28) -> logits (N,); D(x) = sigmoid(logit) is the probability 'real'.

    `spectral_norm=True` wraps every convolution in `torch.nn.utils.parametrizations.spectral_norm`
    (Miyato et al. 2018) and drops the BatchNorm; `minibatch_std=True` adds a `MinibatchStdDev`
    channel before the last layer (08_stabilizing). With both off it is the DCGAN discriminator of 05.
    """

    def __init__(self, width: int = 64, spectral_norm: bool = False, minibatch_std: bool = False):
        super().__init__()
        w = _check_size("width", width)
        self.spectral_norm, self.minibatch_std = bool(spectral_norm), bool(minibatch_std)
        self.net = _discriminator_net(1, w, spectral_norm, minibatch_std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, "Discriminator")
        return self.net(x).flatten()


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
    Introduced in 08_stabilizing.

    - translation: shift each image by up to 1/8 of its size, filling with the background (-1);
    - cutout: blank a square of half the image's side at a random place, per image;
    - color: random brightness (+-0.25) and contrast (x0.5 to x1.5) per image.
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
            x = x + (rand(n, 1, 1, 1) - 0.5) * 0.5
            mean = x.mean(dim=(1, 2, 3), keepdim=True)
            x = (x - mean) * (rand(n, 1, 1, 1) + 0.5) + mean
        elif part == "translation":
            sh, sw = max(1, h // 8), max(1, w // 8)
            dy = (rand(n) * (2 * sh + 1)).long() - sh
            dx = (rand(n) * (2 * sw + 1)).long() - sw
            padded = nn.functional.pad(x, (sw, sw, sh, sh), value=-1.0)
            rows = (torch.arange(h, device=dev)[None, :] + sh - dy[:, None]).clamp(0, h + 2 * sh - 1)
            cols = (torch.arange(w, device=dev)[None, :] + sw - dx[:, None]).clamp(0, w + 2 * sw - 1)
            idx_n = torch.arange(n, device=dev)[:, None, None]
            x = padded.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
        else:  # cutout
            ch, cw = h // 2, w // 2
            top = (rand(n) * (h - ch + 1)).long()
            left = (rand(n) * (w - cw + 1)).long()
            ys, xs = torch.arange(h, device=dev), torch.arange(w, device=dev)
            inside_y = (ys[None, :] >= top[:, None]) & (ys[None, :] < top[:, None] + ch)
            inside_x = (xs[None, :] >= left[:, None]) & (xs[None, :] < left[:, None] + cw)
            hole = (inside_y[:, :, None] & inside_x[:, None, :])[:, None]
            x = torch.where(hole, torch.full_like(x, -1.0), x)
    return x.contiguous()


class AugmentedDiscriminator(nn.Module):
    """D that sees `diff_augment(x, policy)` instead of x, for reals and fakes alike (08_stabilizing)."""

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


# ----------------------------------------------------------------------------------------------
# Class-conditional DCGAN (10_conditional_gan): the label enters both G and D as one-hot channels
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


class ConditionalGenerator(nn.Module):
    """(z (N, latent_dim), labels (N,)) -> images (N, 1, 28, 28): the DCGAN generator fed [z, one_hot(y)].
    Introduced in 10_conditional_gan."""

    def __init__(self, latent_dim: int = 64, width: int = 64, num_classes: int = NUM_CLASSES):
        super().__init__()
        self.latent_dim = _check_size("latent_dim", latent_dim)
        self.num_classes = _check_size("num_classes", num_classes)
        w = _check_size("width", width)
        self.net = _generator_net(latent_dim + num_classes, w)  # [z, one_hot(y)] as a 1x1 image

    def forward(self, z: torch.Tensor, y) -> torch.Tensor:
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != self.latent_dim:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(
                f"ConditionalGenerator expects latent vectors of shape (N, {self.latent_dim}); got {got}."
            )
        y = check_labels(y, len(z), self.num_classes, "ConditionalGenerator").to(z.device)
        h = torch.cat([z, nn.functional.one_hot(y, self.num_classes).to(z.dtype)], dim=1)
        return self.net(h[:, :, None, None])


CONDITIONINGS = ("concat", "projection", "none")


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
    - "projection" (Miyato & Koyama 2018, cGANs with Projection Discriminator): D(x, y) = psi(phi(x)) +
      <embed(y), phi(x)>, with phi(x) D's last features (N, 2w, 7, 7) flattened and psi its last layer;
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
        w = _check_size("width", width)
        self.num_classes = _check_size("num_classes", num_classes)
        check_conditioning(conditioning, aux_classifier)
        self.conditioning, self.aux_classifier = conditioning, bool(aux_classifier)
        planes = num_classes if conditioning == "concat" else 0  # "concat": the image and the one-hot planes
        self.net = _discriminator_net(1 + planes, w)
        features = 2 * w * 7 * 7  # phi(x): the input of the last layer, (N, 2w, 7, 7)
        if conditioning == "projection":
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
        logits = self.net[-1](h).flatten()  # psi(phi(x)): (N,)
        if self.conditioning == "projection":
            logits = logits + (self.embed(y) * h.flatten(1)).sum(1)  # + <embed(y), phi(x)>
        if self.aux_classifier:
            return logits, self.classifier(h).flatten(1)  # and the class logits, (N, num_classes)
        return logits


# ----------------------------------------------------------------------------------------------
# Segmentation (11_gan_segmentation): a U-Net, and a PatchGAN discriminator on (image, mask) pairs
# ----------------------------------------------------------------------------------------------
def _check_pair_input(x: torch.Tensor, channels: int, who: str) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[1] != channels:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{who} expects a batch of shape (N, {channels}, H, W); got {got}.")
    if x.shape[-1] % 8 or x.shape[-2] % 8:
        raise ValueError(f"{who} needs H and W divisible by 8 (three halvings); got {tuple(x.shape[-2:])}.")


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


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    """images (N, in_channels, H, W) -> mask logits (N, out_channels, H, W) (Ronneberger et al. 2015):
    three 2x downsamplings, and skip connections that hand each upsampling stage the encoder's
    features of the same size. The segmenter of 11_gan_segmentation, and pix2pix's generator there."""

    def __init__(self, in_channels: int = 1, out_channels: int = 1, width: int = 16):
        super().__init__()
        w = _check_size("width", width)
        self.in_channels = _check_size("in_channels", in_channels)
        self.enc1 = _conv_block(in_channels, w)  # (N, w, H, W)
        self.enc2 = _conv_block(w, 2 * w)  # (N, 2w, H/2, W/2)
        self.enc3 = _conv_block(2 * w, 4 * w)  # (N, 4w, H/4, W/4)
        self.bottom = _conv_block(4 * w, 8 * w)  # (N, 8w, H/8, W/8)
        self.up3 = nn.ConvTranspose2d(8 * w, 4 * w, 2, stride=2)  # (N, 4w, H/4, W/4)
        self.dec3 = _conv_block(8 * w, 4 * w)  # after concatenating the skip
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)  # (N, 2w, H/2, W/2)
        self.dec2 = _conv_block(4 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)  # (N, w, H, W)
        self.dec1 = _conv_block(2 * w, w)
        self.head = nn.Conv2d(w, out_channels, 1)  # (N, out_channels, H, W): logits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_pair_input(x, self.in_channels, "UNet")
        e1 = self.enc1(x)
        e2 = self.enc2(nn.functional.max_pool2d(e1, 2))
        e3 = self.enc3(nn.functional.max_pool2d(e2, 2))
        b = self.bottom(nn.functional.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class PatchDiscriminator(nn.Module):
    """(image, mask) pairs stacked as channels (N, in_channels, H, W) -> a map of logits (N, 1, H/4 - 2, W/4 - 2),
    one per overlapping patch (Isola et al. 2017's PatchGAN, with n_layers=2: each logit sees a 34x34 patch of the 64x64 pair).
    Introduced in 11_gan_segmentation."""

    def __init__(self, in_channels: int = 2, width: int = 32, n_layers: int = 2):
        super().__init__()
        w = _check_size("width", width)
        self.in_channels = _check_size("in_channels", in_channels)
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, w, 4, stride=2, padding=1),  # (N, w, H/2, W/2)
            nn.LeakyReLU(0.2, inplace=True),
        ]
        c = w
        for _ in range(1, _check_size("n_layers", n_layers)):
            layers += [
                nn.Conv2d(c, 2 * c, 4, stride=2, padding=1, bias=False),  # halves H and W
                nn.BatchNorm2d(2 * c),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            c *= 2
        layers += [
            nn.Conv2d(c, 2 * c, 4, stride=1, padding=1, bias=False),  # (N, 2c, h - 1, w - 1)
            nn.BatchNorm2d(2 * c),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * c, 1, 4, stride=1, padding=1),  # (N, 1, h - 2, w - 2): one logit per patch
        ]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_pair_input(x, self.in_channels, "PatchDiscriminator")
        return self.net(x)
