"""A faithful re-implementation of pytorch/examples' DCGAN (dcgan/main.py), for benchmarking only.

64x64 images (MNIST resized from 28x28), ngf = ndf = 64, nz = 100, Adam(2e-4, betas=(0.5, 0.999)),
batch 64, a Sigmoid at the end of D and nn.BCELoss, real label 1 / fake label 0, the G step on the
same fake batch with target 1. Samples are resized back to 28x28 to be scored like the course's model.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

NZ, NGF, NDF, NC = 100, 64, 64, 1


def weights_init(m: nn.Module) -> None:
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class RefGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(NZ, NGF * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(NGF * 8),
            nn.ReLU(True),  # 4x4
            nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NGF * 4),
            nn.ReLU(True),  # 8x8
            nn.ConvTranspose2d(NGF * 4, NGF * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NGF * 2),
            nn.ReLU(True),  # 16x16
            nn.ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NGF),
            nn.ReLU(True),  # 32x32
            nn.ConvTranspose2d(NGF, NC, 4, 2, 1, bias=False),
            nn.Tanh(),  # 64x64
        )

    def forward(self, z):
        return self.main(z)


class RefDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(NC, NDF, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),  # 32x32
            nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NDF * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF * 2, NDF * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NDF * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF * 4, NDF * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(NDF * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(NDF * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


class ReferenceTrainer:
    """The example's training loop, one step at a time, on in-memory [-1, 1] 28x28 images."""

    batch_size = 64

    def __init__(self, images: torch.Tensor, seed: int = 0):
        torch.manual_seed(seed)
        self.images = F.interpolate(
            images, size=64, mode="bilinear", align_corners=False
        )  # the example's Resize(64)
        self.G, self.D = RefGenerator(), RefDiscriminator()
        self.G.apply(weights_init)
        self.D.apply(weights_init)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.criterion = nn.BCELoss()
        self.gen = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(len(self.images), generator=self.gen)
        self.pos = 0

    def _batch(self) -> torch.Tensor:
        if self.pos + self.batch_size > len(self.order):
            self.order, self.pos = torch.randperm(len(self.images), generator=self.gen), 0
        idx = self.order[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        return self.images[idx]

    def step(self) -> None:
        real = self._batch()
        b = real.size(0)
        self.D.zero_grad()
        err_real = self.criterion(self.D(real), torch.full((b,), 1.0))
        err_real.backward()
        fake = self.G(torch.randn(b, NZ, 1, 1))
        err_fake = self.criterion(self.D(fake.detach()), torch.full((b,), 0.0))
        err_fake.backward()
        self.opt_d.step()
        self.G.zero_grad()
        err_g = self.criterion(self.D(fake), torch.full((b,), 1.0))
        err_g.backward()
        self.opt_g.step()

    @torch.no_grad()
    def sample(self, z: torch.Tensor) -> torch.Tensor:
        """28x28 samples in [-1, 1] (G in eval mode, as a user sampling a trained model would)."""
        self.G.eval()
        x = self.G(z.view(-1, NZ, 1, 1))
        self.G.train()
        return F.interpolate(x, size=28, mode="area").clamp(-1, 1)
