"""Chapter 12's comparison from the command line: a GAN, a diffusion model and a flow-matching model on the same
digits, at matched parameters and matched training time, measured on one CPU thread. Prints Markdown tables and
writes them, with every number, to JSON; never asserts.

    python benchmarks/gan_vs_diffusion.py --json benchmarks/results/gan_vs_diffusion.json
        # the shipped models: training cost per step, then the sampling grid (about 15 minutes on a loaded CPU)
    python benchmarks/gan_vs_diffusion.py --train      # trains all three again first (another 10-20 minutes)

- GAN: the course's DCGAN, `new_run(TrainConfig(seed=0))`, 30 epochs (1,860 steps of 64), exactly
  tools/make_pretrained_generator.py's recipe (data/dcgan_mnist_g.pt): G 234,177 parameters, D 36,577.
- diffusion and flow matching: `gan_lessons.ddpm.DENOISER_RECIPE`, the same U-Net of 260,502 parameters, 10
  epochs (630 steps of 64), exactly tools/make_denoisers.py's recipe (the shipped denoisers); the run says
  whether its weights are the shipped ones.
- Matched compute: the seconds of one training step of each model are measured on the same thread, interleaved
  (`--cost-repeats` rounds of 20 steps each, the median kept, so that other work on a shared machine disturbs the
  three alike); a model's training compute is its steps times that. The recipes fix the step counts so that the
  three come out about equal.
- FID (LeNet features, chapter 06) of `--n-fid` samples against the 1,000 held-out test digits; sampling time:
  best of `--repeats` draws of 100 images in one batch, one thread, in ms per image.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Subset

from gan_lessons import (
    DENOISER_RECIPE,
    Denoiser,
    NoiseSchedule,
    TrainConfig,
    count_parameters,
    denoiser_bytes,
    diffusion_sample,
    fid,
    flow_sample,
    load_denoiser,
    load_feature_net,
    load_mnist,
    load_pretrained_generator,
    new_run,
    shuffled_indices,
    single_thread,
    train,
    train_denoiser,
    train_flow_matching,
    train_recipe_denoiser,
)
from gan_lessons.shipped import SHIPPED

DDIM_STEPS = (1, 2, 5, 10, 20, 50)
FLOW_STEPS = (1, 2, 5, 10, 20, 50, 100)


def ms_per_image(sample, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sample(100)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / 100


def batched(sample, n: int) -> torch.Tensor:
    return torch.cat([sample(min(100, n - i), i) for i in range(0, n, 100)])


def step_costs(data, repeats: int, n_steps: int = 20) -> dict[str, float]:
    """Median seconds of one training step of each recipe, measured in interleaved rounds of n_steps steps."""
    r = DENOISER_RECIPE
    small = Subset(data, list(range(r["batch_size"] * n_steps)))
    times: dict[str, list[float]] = {"GAN": [], "ddpm": [], "flow": []}
    with single_thread():
        for _ in range(repeats):
            for name in times:
                start = time.perf_counter()
                if name == "GAN":
                    train(new_run(TrainConfig(seed=0, device="cpu")), small, 1, progress=False)
                else:
                    model = Denoiser(width=r["width"])
                    common = dict(num_epochs=1, batch_size=r["batch_size"], lr=r["lr"], progress=False)
                    if name == "ddpm":
                        train_denoiser(model, small, NoiseSchedule(r["steps"]), **common)
                    else:
                        train_flow_matching(model, small, **common)
                times[name].append((time.perf_counter() - start) / n_steps)
    return {name: float(np.median(t)) for name, t in times.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--train", action="store_true", help="train the three models again instead of loading them"
    )
    p.add_argument(
        "--cost-repeats", type=int, default=3, help="interleaved rounds of the step timing (default 3)"
    )
    p.add_argument("--n-fid", type=int, default=1000, help="samples per FID (default 1000)")
    p.add_argument("--repeats", type=int, default=2, help="timed draws per sampler (default 2)")
    p.add_argument(
        "--ddim-steps",
        default=",".join(map(str, DDIM_STEPS)),
        help="DDIM step counts (default 1,2,5,10,20,50)",
    )
    p.add_argument(
        "--flow-steps", default=",".join(map(str, FLOW_STEPS)), help="Euler step counts (default 1,...,100)"
    )
    p.add_argument("--json", default=None, help="also write every number to this JSON file")
    args = p.parse_args()
    torch.set_num_threads(1)
    data = load_mnist("train", source="subset", verbose=False)
    test = load_mnist("test", source="subset", verbose=False)
    net = load_feature_net()
    out: dict = {"command": "python benchmarks/gan_vs_diffusion.py " + " ".join(sys.argv[1:]), "train": {}}

    out["cost"] = step_costs(data, args.cost_repeats)
    steps = {
        "GAN": 1860,
        "ddpm": 630,
        "flow": 630,
    }  # the recipes (tools/make_pretrained_generator.py, DENOISER_RECIPE)
    params = {"GAN": "G 234,177 + D 36,577", "ddpm": "260,502", "flow": "260,502"}
    print("| model | parameters | training steps | s per step (one thread, median) | training compute (s) |")
    print("|---|---|---|---|---|")
    for name, cost in out["cost"].items():
        print(f"| {name} | {params[name]} | {steps[name]} | {cost:.3f} | {steps[name] * cost:.0f} |")
    if not args.train:
        G = load_pretrained_generator()
        models = {kind: load_denoiser(kind) for kind in ("ddpm", "flow")}
    else:
        run = new_run(TrainConfig(seed=0, device="cpu"))
        start = time.perf_counter()
        with single_thread():
            train(run, data, 30, progress=False)
        out["train"]["GAN"] = {"seconds": time.perf_counter() - start, "steps": run.step}
        G = run.G_sample.eval()
        out["train"]["GAN"]["parameters"] = count_parameters(run.G) + count_parameters(run.D)
        models = {}
        for kind in ("ddpm", "flow"):
            start = time.perf_counter()
            model, losses = train_recipe_denoiser(kind, data)
            seconds = time.perf_counter() - start
            blob = denoiser_bytes(model, kind)
            path = SHIPPED[f"denoiser_{kind}_mnist.pt"].path
            shipped = path.is_file() and path.read_bytes() == blob
            out["train"][kind] = {"seconds": seconds, "steps": len(losses), "same_as_shipped": shipped}
            out["train"][kind]["parameters"] = count_parameters(model)
            out["train"][kind]["sha256"] = hashlib.sha256(blob).hexdigest()
            models[kind] = model
        print("| model | parameters trained | steps | training s (one thread) |\n|---|---|---|---|")
        for name, row in out["train"].items():
            print(f"| {name} | {row['parameters']:,} | {row['steps']} | {row['seconds']:.0f} |")

    latent = G.latent_dim
    schedule = NoiseSchedule(DENOISER_RECIPE["steps"])
    samplers = {
        ("GAN", 1): lambda n, seed=0: G(torch.randn(n, latent, generator=torch.Generator().manual_seed(seed)))
    }
    for s in (int(v) for v in args.ddim_steps.split(",")):
        samplers[("diffusion, DDIM", s)] = lambda n, seed=0, s=s: diffusion_sample(
            models["ddpm"], schedule, n, s, seed
        )
    samplers[("diffusion, DDPM", schedule.steps)] = lambda n, seed=0: diffusion_sample(
        models["ddpm"], schedule, n, None, seed
    )
    for s in (int(v) for v in args.flow_steps.split(",")):
        samplers[("flow matching, Euler", s)] = lambda n, seed=0, s=s: flow_sample(models["flow"], n, s, seed)

    real = test.images
    floor = fid(real, data.images[shuffled_indices(len(data), 1)[: args.n_fid]], net)
    out["grid"] = []
    print(f"\nreal vs real at n = {args.n_fid}: FID {floor:.1f}\n")
    print("| sampler | network calls | ms per image | FID (LeNet) |\n|---|---|---|---|")
    for (name, steps), sample in samplers.items():
        with torch.no_grad(), single_thread():
            ms = ms_per_image(sample, args.repeats)
            score = fid(real, batched(sample, args.n_fid), net)
        out["grid"].append({"sampler": name, "calls": steps, "ms_per_image": ms, "fid": score})
        print(f"| {name} | {steps} | {ms:.2f} | {score:.1f} |", flush=True)
        if args.json:  # after every row, so that a stopped run keeps what it measured
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps({**out, "real_vs_real": floor}, indent=1))
    out["real_vs_real"] = floor
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
