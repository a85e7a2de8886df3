"""Train the shipped feature network of the evaluator: data/lenet_mnist.pt (read by gan_lessons.feature_net).

    .venv/bin/python tools/train_feature_net.py            # train, report, write data/lenet_mnist.pt
    .venv/bin/python tools/train_feature_net.py --check    # train again and compare with the shipped file

Reproducible: a fixed seed, one thread, always the shipped 5,000-digit subset (so the result does
not depend on whether full MNIST is present), trained on its 4,000-digit "train" split and scored
on the 1,000 held-out "test" digits that it never sees. The same torch version on the same kind of
CPU gives the same bytes; the sha256 printed at the end is the one `gan_lessons.feature_net.load_feature_net` checks
(FEATURE_NET_SHA256, in gan_lessons/shipped.py) and data/README.md records. Introduced in 06_evaluating.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch.nn.functional as F  # noqa: E402

from gan_lessons.baselines import accuracy  # noqa: E402
from gan_lessons.data import load_mnist  # noqa: E402
from gan_lessons.feature_net import FEATURE_NET_FORMAT, FEATURE_NET_SHA256, LeNet, feature_net_path  # noqa: E402
from gan_lessons.shipped import finish_weights_file  # noqa: E402

SEED = 0
NUM_EPOCHS = 15
FEATURE_DIM = 64  # 64 features: a ~0.5 MB file in float16, and a covariance that is stable from fewer samples
BATCH_SIZE = 64
MAX_LR = 2e-3  # Adam with a one-cycle schedule
MAX_SHIFT = 2  # random translations of up to 2 pixels: features that do not hinge on exact position


def random_shift(x: torch.Tensor, gen: torch.Generator, max_shift: int = MAX_SHIFT) -> torch.Tensor:
    """Translate each image (N, 1, 28, 28) by up to max_shift pixels, filling with background (-1)."""
    n, size = x.shape[0], x.shape[-1]
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)[:, 0]
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen)
    rows = torch.gather(
        padded, 1, (dy[:, None] + torch.arange(size))[:, :, None].expand(n, size, padded.shape[2])
    )
    return torch.gather(
        rows, 2, (dx[:, None] + torch.arange(size))[:, None, :].expand(n, size, size)
    ).unsqueeze(1)


def train_lenet(model: LeNet, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Adam + one-cycle learning rate + random shifts, NUM_EPOCHS epochs, fixed seed."""
    gen = torch.Generator().manual_seed(SEED)
    steps_per_epoch = -(-len(images) // BATCH_SIZE)
    opt = torch.optim.Adam(model.parameters(), lr=MAX_LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=MAX_LR, total_steps=NUM_EPOCHS * steps_per_epoch)
    model.train()
    for _ in range(NUM_EPOCHS):
        order = torch.randperm(len(images), generator=gen)
        for batch in order.split(BATCH_SIZE):
            loss = F.cross_entropy(model(random_shift(images[batch], gen)), labels[batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    model.eval()


def build() -> tuple[bytes, float, float]:
    """Train LeNet from scratch; return (file bytes, held-out accuracy, train accuracy)."""
    torch.set_num_threads(1)  # thread count can change float summation order; one thread is reproducible
    train_set = load_mnist("train", source="subset")
    test_set = load_mnist("test", source="subset")
    torch.manual_seed(SEED)
    model = LeNet(feature_dim=FEATURE_DIM)
    train_lenet(model, *train_set.tensors)
    # Ship float16 weights (half the size); score the network exactly as it will be loaded.
    half = {
        k: v.detach().to(torch.float16) if v.is_floating_point() else v.detach().clone()
        for k, v in model.state_dict().items()
    }
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in half.items()})
    held_out, train_acc = accuracy(model, test_set), accuracy(model, train_set)
    state = {
        "format": FEATURE_NET_FORMAT,
        "feature_dim": FEATURE_DIM,
        "held_out_accuracy": round(held_out, 4),
        "trained_on": "data/mnist_5k.npz split='train' (4,000 digits); held out: split='test' (1,000 digits)",
        "recipe": f"tools/train_feature_net.py: seed={SEED}, epochs={NUM_EPOCHS}, batch_size={BATCH_SIZE}, "
        f"Adam one-cycle max_lr={MAX_LR}, random shifts <= {MAX_SHIFT} px",
        "state_dict": half,
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue(), held_out, train_acc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped file"
    )
    parser.add_argument(
        "--out", type=Path, default=feature_net_path(), help="where to write (default data/lenet_mnist.pt)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    blob, held_out, train_acc = build()
    import hashlib

    digest = hashlib.sha256(blob).hexdigest()
    print(f"LeNet(feature_dim={FEATURE_DIM}), {NUM_EPOCHS} epochs, {time.perf_counter() - start:.1f} s")
    print(f"train accuracy    {train_acc:.4f} (4,000 digits)")
    print(f"held-out accuracy {held_out:.4f} (1,000 digits never seen in training)")
    print(f"size {len(blob):,} bytes, sha256 {digest}")
    return finish_weights_file(
        blob, args.out, args.check, FEATURE_NET_SHA256, "FEATURE_NET_SHA256", "gan_lessons/shipped.py"
    )


if __name__ == "__main__":
    sys.exit(main())
