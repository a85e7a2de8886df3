"""How long FID (LeNet features) takes on a CPU for 1,000 and 10,000 samples per set. Prints numbers only.

    .venv/bin/python benchmarks/fid_speed.py [--repeats 3] [--threads N]

Both sets have N images: real digits from the data set (repeated to reach 10,000 when only the
5,000-digit subset is present) against samples of an untrained generator. Reports the best of
--repeats runs for the whole `fid(real, fake)` call and its three parts: LeNet features, means and
covariances, and the Fréchet distance (the matrix square root). On a shared machine the numbers are
noisy; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gan_lessons import Generator, load_mnist, set_seed  # noqa: E402
from gan_lessons.feature_net import lenet_features, load_feature_net  # noqa: E402
from gan_lessons.metrics import FeatureStats, fid, frechet_distance  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    set_seed(0)
    data = load_mnist(verbose=False)
    net = load_feature_net()
    G = Generator(latent_dim=64, width=32).eval()
    print(
        f"FID (LeNet features) timing on {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, data: {data.source} ({len(data):,} digits), best of {args.repeats}"
    )
    print(f"{'N per set':>10} {'fid() total':>12} {'features':>10} {'mean/cov':>10} {'sqrt part':>10}")
    warnings.simplefilter("ignore")
    for n in args.sizes:
        reps = -(-n // len(data))
        real = data.images.repeat(reps, 1, 1, 1)[:n]
        with torch.no_grad():
            fake = torch.cat([G(z) for z in torch.randn(n, 64).split(1000)])
        total = best_of(lambda: fid(real, fake, net), args.repeats)
        t_feat = best_of(lambda: (lenet_features(real, net), lenet_features(fake, net)), args.repeats)
        f_real, f_fake = lenet_features(real, net), lenet_features(fake, net)
        t_stats = best_of(
            lambda: (FeatureStats.from_features(f_real), FeatureStats.from_features(f_fake)), args.repeats
        )
        a, b = FeatureStats.from_features(f_real), FeatureStats.from_features(f_fake)
        t_fd = best_of(lambda: frechet_distance(a.mu, a.sigma, b.mu, b.sigma), args.repeats)
        print(f"{n:>10,} {total:>11.3f}s {t_feat:>9.3f}s {t_stats:>9.4f}s {t_fd:>9.4f}s")


if __name__ == "__main__":
    main()
