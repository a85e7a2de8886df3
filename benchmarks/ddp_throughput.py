"""Training throughput: one process with T threads against N data-parallel processes (torchrun, DDP).

    python benchmarks/ddp_throughput.py                       # 1 process x 2 threads vs 2 processes x 1 thread, CPU
    python benchmarks/ddp_throughput.py --seconds 60 --batch-size 64
    python benchmarks/ddp_throughput.py --device cuda --nproc 2   # on a machine with 2 GPUs (nccl)
    python benchmarks/ddp_throughput.py --quick               # a few seconds: checks that it runs (CI)

Each configuration trains the default DCGAN (TrainConfig) on the shipped digits for the same wall-clock
budget, through the same `gan_lessons.dcgan.train` (with `dist=` under torchrun), and reports training
images per second over all processes, after the first 5 steps (warm-up). `--batch-size` is per process,
as in the CLI, so N processes take N times more images per step. Prints numbers; asserts nothing.

Measured on the 2-core build machine (x86_64, torch 2.14.1 CPU), shared with four other engineers'
builds and tests at the time (load average 9-11 on 2 cores during the runs), so absolute numbers are
low and noisy. `python benchmarks/ddp_throughput.py --seconds 30`, default TrainConfig, batch 64 per
process, images/s over all processes after 5 warm-up steps, two runs back to back (08:54 and 08:57 UTC):

    processes x threads   backend   run 1   run 2
    1 x 2                 -            30      20   img/s (13 and 10 steps in 30 s)
    2 x 1                 gloo        245     186   img/s (58 and 45 steps of 2 x 64 images)

Under this load, two single-threaded processes got about 8x the images of one two-threaded process
(a two-thread pool waits for its slower thread when the cores are oversubscribed). This table is not a
claim about a quiet machine; the next one is.

Measured again on the quiet machine (2026-11-26 12:32 UTC, load average 1.2 before and 1.8 after, the
suite not running), same command:

    processes x threads   backend   steps   images/s
    1 x 2                 -           574      1,226
    2 x 1                 gloo        284      1,205   (284 steps of 2 x 64 images)

On two quiet cores the two ways tie (within 2%); a likely reading is that DDP's gradient all-reduce costs about what a second
thread's share of each convolution gains. DDP is meant for more cores, machines or GPUs than that
(not measured here: no machine with two GPUs has run it yet); on a 2-core laptop one process is as
fast and simpler.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 5


def _rate(run, world: int) -> tuple[float, int]:
    times, steps = run.history["time"], len(run.history["time"])
    if steps <= WARMUP + 1:  # too few steps to leave out a warm-up (--quick, or a very loaded machine)
        return steps * run.config.batch_size * world / max(times[-1], 1e-9) if steps else float("nan"), steps
    return (steps - WARMUP) * run.config.batch_size * world / (times[-1] - times[WARMUP - 1]), steps


def worker(args) -> None:
    import torch

    from gan_lessons import TrainConfig, load_mnist, new_run
    from gan_lessons.dcgan import train
    from gan_lessons.distributed import init_from_env

    torch.set_num_threads(args.threads)
    dist = init_from_env(args.device)
    device = str(dist.device) if dist is not None else args.device
    try:
        data = load_mnist(verbose=False)
        run = new_run(TrainConfig(batch_size=args.batch_size, device=device, seed=0))
        start = time.perf_counter()
        train(run, data, None, max_seconds=args.seconds, progress=False, dist=dist)
        wall = time.perf_counter() - start
        world = dist.world_size if dist is not None else 1
        if dist is None or dist.is_main:
            rate, steps = _rate(run, world)
            row = dict(
                processes=world,
                threads=args.threads,
                device=device.split(":")[0],
                backend=dist.backend if dist else "-",
                batch=args.batch_size,
                steps=steps,
                images_per_s=rate,
                wall_s=wall,
            )
            print("RESULT " + json.dumps(row), flush=True)
    finally:
        if dist is not None:
            dist.close()


def launch(nproc: int, threads: int, args) -> dict:
    worker_args = [
        "--_worker",
        "--threads",
        str(threads),
        "--seconds",
        str(args.seconds),
        "--batch-size",
        str(args.batch_size),
        "--device",
        args.device,
    ]
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "OMP_NUM_THREADS": str(threads),
    }
    if nproc == 1:
        cmd = [sys.executable, __file__, *worker_args]
    else:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={nproc}",
            __file__,
            *worker_args,
        ]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    rows = [json.loads(line[7:]) for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode != 0 or not rows:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return rows[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=30, help="training budget per configuration (default 30)"
    )
    parser.add_argument("--batch-size", type=int, default=64, help="per process (default 64, TrainConfig's)")
    parser.add_argument("--device", default="cpu", help="cpu (gloo) or cuda (nccl, one GPU per process)")
    parser.add_argument("--nproc", type=int, default=2, help="processes of the DDP run (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads of the 1-process run (default 2)")
    parser.add_argument("--quick", action="store_true", help="3-second runs: checks that it runs")
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._worker:
        return worker(args)
    if args.quick:
        args.seconds = 3
    configs = [(1, args.threads), (args.nproc, max(1, args.threads // args.nproc))]
    if args.device.startswith("cuda"):
        configs = [(1, args.threads), (args.nproc, args.threads)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.1f} on {os.cpu_count()} CPUs; {args.seconds:g} s per configuration")
    print(f"{'processes x threads':>20} {'backend':>8} {'batch/proc':>10} {'steps':>6} {'images/s':>9}")
    for nproc, threads in configs:
        row = launch(nproc, threads, args)
        print(
            f"{f'{nproc} x {threads}':>20} {row['backend']:>8} {row['batch']:>10} {row['steps']:>6} "
            f"{row['images_per_s']:>9.0f}",
            flush=True,
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average after: {load:.1f}")


if __name__ == "__main__":
    main()
