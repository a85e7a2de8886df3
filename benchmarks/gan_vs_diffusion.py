"""Chapter 12's comparison from the command line: a GAN, a diffusion model and a flow-matching model on the same
digits, at matched parameters and matched training compute, measured on one CPU thread. Prints Markdown tables and
writes them, with every number, to JSON; never asserts.

    python benchmarks/gan_vs_diffusion.py --train --json benchmarks/results/gan_vs_diffusion.json
        # step costs, all three trained again (CPU time measured), then the sampling grid (an hour or more)
    python benchmarks/gan_vs_diffusion.py --train gan --no-grid --json ...   # the GAN's whole run only
    python benchmarks/gan_vs_diffusion.py --cost-repeats 0 --json ...        # the sampling grid only

- GAN: the course's DCGAN, `new_run(TrainConfig(seed=0))`, 30 epochs (1,860 steps of 64), exactly
  tools/make_pretrained_generator.py's recipe (data/dcgan_mnist_g.pt): G 234,177 parameters, D 36,577. With
  `--train`, its FID is also measured at a third and two thirds of its steps (the moving average of G that it
  samples from), to show where it stood with less compute than the denoisers got.
- diffusion and flow matching: `gan_lessons.ddpm.DENOISER_RECIPE`, the same U-Net of 260,502 parameters, 10
  epochs (630 steps of 64), exactly tools/make_denoisers.py's recipe; the run says whether the weights it trained
  are the shipped ones (a rebuild check).
- Training compute: with `--train`, each model's whole training run, in CPU seconds of this process (one thread;
  time spent waiting for a busy CPU does not count), the FID checkpoints' time left out. Always: the CPU seconds of
  one step of each recipe (`gan_lessons.training_step_seconds`: interleaved rounds, the warm-up step left out).
- Sampling, always on the shipped models (what chapter 12 measures): `gan_lessons.sampling_grid`: FID (LeNet features, chapter 06) of `--n-fid` samples against the 1,000
  held-out test digits, for each of `--seeds` sampling seeds (DDPM's 100-step sampler: the first seed only), and
  CPU ms per image (the fastest batch of 100) and per network call.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import torch

from gan_lessons import (
    DENOISER_RECIPE,
    RECIPE_STEPS,
    NoiseSchedule,
    TrainConfig,
    comparison_samplers,
    count_parameters,
    denoiser_bytes,
    fid,
    load_comparison,
    load_denoiser,
    load_pretrained_generator,
    new_run,
    sampling_grid,
    shuffled_indices,
    single_thread,
    train,
    train_recipe_denoiser,
    training_step_seconds,
)
from gan_lessons.shipped import SHIPPED

STEPS = (1, 2, 5, 10, 20)
KIND_NAME = {"ddpm": "diffusion", "flow": "flow matching"}


def train_gan(data, real, net, n_fid: int) -> dict:
    """The DCGAN recipe, timed in CPU seconds, with FID at a third and two thirds of its steps."""
    run = new_run(TrainConfig(seed=0, device="cpu"))
    total = RECIPE_STEPS["GAN"]
    checkpoints: dict[int, float] = {}
    excluded = [0.0]

    def scored(r) -> float:  # FID of the moving average of G, from its own noise (training's RNG untouched)
        z = torch.randn(n_fid, r.config.latent_dim, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            return fid(real, r.sample(z=z), net)

    def at_step(r) -> None:
        if r.step in (total // 3, 2 * total // 3):
            start = time.process_time()
            checkpoints[r.step] = scored(r)
            excluded[0] += time.process_time() - start

    start = time.process_time()
    with single_thread():
        train(run, data, 30, progress=False, on_step=at_step)
    seconds = time.process_time() - start - excluded[0]
    checkpoints[run.step] = scored(run)
    return {
        "cpu_seconds": seconds,
        "steps": run.step,
        "parameters": count_parameters(run.G) + count_parameters(run.D),
        "fid_at_step": {str(k): v for k, v in sorted(checkpoints.items())},
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--train",
        nargs="?",
        const="gan,ddpm,flow",
        default="",
        help="train these models again, timed (default with --train: gan,ddpm,flow)",
    )
    p.add_argument("--no-grid", action="store_true", help="skip the sampling grid")
    p.add_argument(
        "--cost-repeats",
        type=int,
        default=3,
        help="interleaved rounds of the step timing (default 3; 0: skip)",
    )
    p.add_argument("--n-fid", type=int, default=500, help="samples per FID (default 500)")
    p.add_argument("--seeds", type=int, default=3, help="sampling seeds per FID (default 3)")
    p.add_argument(
        "--steps", default=",".join(map(str, STEPS)), help="DDIM and Euler step counts (default 1,2,5,10,20)"
    )
    p.add_argument("--json", default=None, help="also write every number to this JSON file")
    args = p.parse_args()
    torch.set_num_threads(1)
    data, test, net = load_comparison(verbose=False)
    real = test.images
    out: dict = {"command": "python benchmarks/gan_vs_diffusion.py " + " ".join(sys.argv[1:]), "train": {}}

    def save() -> None:
        if args.json:  # after every row, so that a stopped run keeps what it measured
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(out, indent=1))

    to_train = [m for m in args.train.split(",") if m]
    if any(m not in ("gan", *KIND_NAME) for m in to_train):
        p.error(f"--train takes gan, ddpm, flow; got {args.train!r}")
    if args.cost_repeats > 0:
        out["step_cpu_seconds"] = training_step_seconds(data, 20, args.cost_repeats)
    print(
        "| model | parameters | training steps | CPU s per step (mean, median of rounds) | steps × s per step |"
    )
    print("|---|---|---|---|---|")
    params = {"GAN": "G 234,177 + D 36,577", "diffusion": "260,502", "flow matching": "260,502"}
    for name, cost in out.get("step_cpu_seconds", {}).items():
        print(
            f"| {name} | {params[name]} | {RECIPE_STEPS[name]} | {cost:.3f} | {RECIPE_STEPS[name] * cost:.0f} |"
        )
    save()

    if "gan" in to_train:
        out["train"]["GAN"] = train_gan(data, real, net, args.n_fid)
        save()
    for kind, name in KIND_NAME.items():
        if kind in to_train:
            start = time.process_time()
            model, losses = train_recipe_denoiser(kind, data)
            seconds = time.process_time() - start
            blob = denoiser_bytes(model, kind)
            path = SHIPPED[f"denoiser_{kind}_mnist.pt"].path
            out["train"][name] = {
                "cpu_seconds": seconds,
                "steps": len(losses),
                "parameters": count_parameters(model),
                "sha256": hashlib.sha256(blob).hexdigest(),
                "same_as_shipped": path.is_file() and path.read_bytes() == blob,
            }
            save()
    if out["train"]:
        print("\n| model | parameters trained | steps | training CPU s (one thread) |\n|---|---|---|---|")
        for name, row in out["train"].items():
            print(f"| {name} | {row['parameters']:,} | {row['steps']} | {row['cpu_seconds']:.0f} |")
    if "GAN" in out["train"]:
        print("GAN FID along its training:", out["train"]["GAN"]["fid_at_step"])
    if args.no_grid:
        return

    # the grid samples the shipped models, as chapter 12 does (with --train, same_as_shipped says whether the
    # denoisers trained above are those; the GAN's FID after training is in train.GAN.fid_at_step)
    # (a file that the run above has just matched byte for byte is read without the sha256 check, so that
    # rebuilding the files and this run can overlap before gan_lessons/shipped.py records their new sha256)
    G = load_pretrained_generator()
    matched = {
        kind: out["train"].get(name, {}).get("same_as_shipped", False) for kind, name in KIND_NAME.items()
    }
    models = {kind: load_denoiser(kind, check_sha256=not matched[kind]) for kind in KIND_NAME}
    schedule = NoiseSchedule(DENOISER_RECIPE["steps"])
    steps = tuple(int(v) for v in args.steps.split(","))
    samplers = comparison_samplers(G, models["ddpm"], models["flow"], schedule, steps)
    out["real_vs_real"] = fid(real, data.images[shuffled_indices(len(data), 1)[: args.n_fid]], net)
    print(f"\nreal vs real at n = {args.n_fid}: FID {out['real_vs_real']:.1f}\n")
    print("| sampler | network calls | CPU ms per image | ms per call | FID (LeNet), mean | per seed |")
    print("|---|---|---|---|---|---|")
    out["grid"] = []
    seeds = tuple(range(args.seeds))
    for key, sample in samplers.items():
        row = sampling_grid({key: sample}, real, net, args.n_fid, seeds if key[1] < 100 else seeds[:1])[key]
        out["grid"].append({"sampler": key[0], "calls": key[1], **row})
        print(
            f"| {key[0]} | {key[1]} | {row['ms']:.2f} | {row['ms_per_call']:.2f} | {row['fid']:.1f} | "
            + " / ".join(f"{f:.0f}" for f in row["fids"])
            + " |",
            flush=True,
        )
        save()


if __name__ == "__main__":
    main()
