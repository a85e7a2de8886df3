"""Train the course's shipped generator: data/dcgan_mnist_g.pt (gan_lessons.load_pretrained_generator).

    .venv/bin/python tools/make_pretrained_generator.py            # train, report, write data/dcgan_mnist_g.pt
    .venv/bin/python tools/make_pretrained_generator.py --check    # train again and compare with the shipped file

Chapter 02 shows a trained GAN's samples before chapter 03 has explained the loss it is trained with, so
it loads this generator instead of training one. It is the course's DCGAN with the course defaults
(`new_run(TrainConfig(seed=0))`: since issue 24, R3GAN's loss, the relativistic pairing loss with lazy R1 and R2
penalties and Adam beta1 0), trained by the course's loop (`train`) for chapter 05's 30 full-mode epochs. Reproducible like tools/train_feature_net.py: a fixed seed, one CPU thread, always the shipped
subset's 4,000-digit "train" split (so full MNIST being present does not change it); the 1,000 "test"
digits, never seen in training, are the reference of its FID. Only the generator to sample from is
kept (the moving average of G's weights, `GANRun.G_sample`), in float16, with the two settings that
rebuild it (latent_dim, width). The same torch version on the same kind of CPU gives the same bytes;
the sha256 printed at the end is the one `gan_lessons.shipped` records (PRETRAINED_G_SHA256) and
data/README.md records. Introduced in 02_core_concepts.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons.config import single_thread  # noqa: E402
from gan_lessons.data import load_mnist, shuffled_indices  # noqa: E402
from gan_lessons.dcgan import (  # noqa: E402  # noqa: E402
    PRETRAINED_G_FORMAT,
    PRETRAINED_G_SHA256,
    Generator,
    load_pretrained_generator,
    new_run,
    pretrained_generator_path,
    train,
)
from gan_lessons.metrics import class_coverage, evaluate, fid  # noqa: E402
from gan_lessons.shipped import finish_weights_file  # noqa: E402
from gan_lessons.train_config import TrainConfig  # noqa: E402

SEED = 0
NUM_EPOCHS = 30  # chapter 05's full mode: 1,860 steps of 64 over the 4,000 training digits
N_COVERAGE = 5000  # class shares on 5,000 samples: chance moves a 10% share by 0.4 points (one sd)
N_DRAWS = 6  # draws of z for the rarest digit's range
N_FID = 1000  # FID on 1,000 samples against the 1,000 test digits, as chapter 05 measures it


def build() -> tuple[bytes, Generator]:
    """Train the DCGAN from scratch; return (file bytes, the float32 generator before rounding)."""
    config = TrainConfig(seed=SEED, device="cpu")  # the course defaults, on the CPU: the same bits every time
    with single_thread():  # thread count can change float summation order; one thread is reproducible
        run = new_run(config)
        train(run, load_mnist("train", source="subset", verbose=False), NUM_EPOCHS, progress=False)
    G = run.G_sample.eval()
    half = {
        k: v.detach().to(torch.float16).contiguous() if v.is_floating_point() else v.detach().clone()
        for k, v in G.state_dict().items()
    }
    state = {
        "format": PRETRAINED_G_FORMAT,
        "latent_dim": config.latent_dim,
        "width": config.width,
        "trained_on": "data/mnist_5k.npz split='train' (4,000 digits); held out: split='test' (1,000 digits)",
        "recipe": f"tools/make_pretrained_generator.py: new_run(TrainConfig(seed={SEED})) (the course defaults: "
        f"loss={config.loss}, r1={config.r1:g}, r2={config.r2:g}, reg_every={config.reg_every}, "
        f"beta1={config.beta1:g}, lr={config.lr:g}), train(...) for {NUM_EPOCHS} epochs ({run.step} steps) on one "
        f"CPU thread; the moving average of G (ema={config.ema}), stored in float16",
        "state_dict": half,
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue(), G


@torch.no_grad()
def report(blob: bytes, G32: Generator) -> None:
    """Score the generator as it will be loaded (float16 weights), next to its float32 original."""
    with tempfile.TemporaryDirectory() as tmp:  # through the loader itself, exactly as chapter 02 reads it
        path = Path(tmp) / "G.pt"
        path.write_bytes(blob)
        G16 = load_pretrained_generator(path, expected_sha256=None)
    z = torch.randn(N_COVERAGE, G16.latent_dim, generator=torch.Generator().manual_seed(SEED))
    x16, x32 = G16(z), G32(z)
    print(
        f"float16 vs float32 weights, same {N_COVERAGE:,} z: max pixel difference {(x16 - x32).abs().max():.4f}"
    )
    for name, x in (("float32", x32), ("float16", x16)):
        cov = class_coverage(x)
        rarest = int(cov.fractions.argmin())
        print(f"  {name}: {cov}")
        print(
            f"    rarest digit {rarest} at {cov.fractions[rarest]:.2%}, commonest at {cov.fractions.max():.2%}; "
            f"{int((cov.fractions >= 0.07).sum())}/10 digits at >= 7%"
        )
    print("  (float16 is shipped)")
    rarest_shares = [  # how much the rarest digit's share moves with the draw of z
        class_coverage(
            G16(torch.randn(N_COVERAGE, G16.latent_dim, generator=torch.Generator().manual_seed(s)))
        ).fractions.min()
        for s in range(N_DRAWS)
    ]
    print(
        f"  rarest digit's share over {N_DRAWS} draws of {N_COVERAGE:,} z (seeds 0-{N_DRAWS - 1}): "
        f"{min(rarest_shares):.2%} to {max(rarest_shares):.2%}"
    )
    test = load_mnist("test", source="subset", verbose=False)
    train_set = load_mnist("train", source="subset", verbose=False)
    real_b = train_set.images_uint8[shuffled_indices(len(train_set), 1)[:N_FID]]
    print(f"against the {len(test):,} test digits (never seen in training), {N_FID:,} samples:")
    print(evaluate(x16[:N_FID], test.images_uint8))
    print(f"  FID float32 weights: {fid(test.images_uint8, x32[:N_FID]):.2f}")
    print(f"  real vs real (1,000 training digits vs the test digits): {fid(test.images_uint8, real_b):.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped file"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=pretrained_generator_path(),
        help="where to write (default data/dcgan_mnist_g.pt)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    blob, G32 = build()
    digest = hashlib.sha256(blob).hexdigest()
    print(f"DCGAN, TrainConfig(seed={SEED}), {NUM_EPOCHS} epochs, {time.perf_counter() - start:.1f} s")
    report(blob, G32)
    print(f"size {len(blob):,} bytes, sha256 {digest}")
    return finish_weights_file(
        blob, args.out, args.check, PRETRAINED_G_SHA256, "PRETRAINED_G_SHA256", "gan_lessons/shipped.py"
    )


if __name__ == "__main__":
    sys.exit(main())
