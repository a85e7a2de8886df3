"""Training speed of the course's default DCGAN on this machine (prints numbers; asserts nothing).

    python benchmarks/train_dcgan.py [--epochs 3] [--device auto] [--threads N]

Reports images/s, seconds per epoch (over the 5,000-digit subset, or full MNIST when present)
and peak memory (resident set size of this process; peak CUDA memory on a GPU).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time

import torch

from gan_lessons import TrainConfig, load_mnist, new_run, train


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs to time, after one warm-up epoch")
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = load_mnist()
    config = TrainConfig(device=args.device)
    run = new_run(config)
    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads, device {run.device}"
    )
    print(
        f"config: latent_dim={config.latent_dim} width={config.width} batch_size={config.batch_size} lr={config.lr}"
    )
    train(run, data, 1, progress=False)  # warm-up epoch
    if run.device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start, steps0 = time.perf_counter(), run.step
    train(run, data, 1 + args.epochs, progress=False)
    if run.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    images = (run.step - steps0) * config.batch_size
    print(f"images/s:          {images / seconds:,.0f}")
    print(
        f"seconds per epoch: {seconds / args.epochs:.2f}  ({len(data):,} digits, {len(data) // config.batch_size} steps)"
    )
    print(f"peak RSS:          {peak_rss_mb():,.0f} MB")
    if run.device.type == "cuda":
        print(f"peak CUDA memory:  {torch.cuda.max_memory_allocated() / 2**20:,.0f} MB")


if __name__ == "__main__":
    main()
