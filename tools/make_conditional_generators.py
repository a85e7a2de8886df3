"""Train chapter 10's shipped conditional generators: data/conditional_plain_g.pt, data/conditional_recipe_g.pt
and data/conditional_recipe_g_step200.pt (gan_lessons.load_conditional_generator).

    .venv/bin/python tools/make_conditional_generators.py            # train both runs, report, write data/
    .venv/bin/python tools/make_conditional_generators.py --check    # train again and compare with the shipped files
    .venv/bin/python tools/make_conditional_generators.py --check --runs plain   # one run (about a third of the time)

Chapter 10's claims are about its full-mode runs: 496 steps (8 epochs of the subset's 4,000 training digits) of
the plain conditional GAN (one-hot planes into D) and of the recipe (`CONDITIONAL_RECIPE`), and the recipe after
200 steps. Training them takes longer than a quick-mode chapter may, so they ship, and quick mode measures the
same models that full mode trains. Each is exactly the chapter's run: `new_run(TrainConfig(conditional=True,
seed=0, **PLAIN_RECIPE, **settings))` trained by `train_conditional` on one CPU thread (the recipe in
`gan_lessons.conditional.SHIPPED_CONDITIONAL`); only the moving average of G that the chapter samples from is
kept, in float16, with the settings that rebuild it. The same torch version on the same kind of CPU gives the
same bytes; the sha256 values printed at the end are the ones `gan_lessons.shipped.CONDITIONAL_G_SHA256` and
data/README.md record.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons import shipped  # noqa: E402
from gan_lessons.conditional import (  # noqa: E402
    SHIPPED_CONDITIONAL,
    conditional_generator_bytes,
    conditioning_accuracy,
    load_conditional_generator,
)
from gan_lessons.config import PLAIN_RECIPE, single_thread  # noqa: E402
from gan_lessons.data import load_mnist  # noqa: E402
from gan_lessons.dcgan import TrainConfig, new_run, train_conditional  # noqa: E402
from gan_lessons.metrics import class_coverage, fid  # noqa: E402

SEED = 0
NUM_EPOCHS = 8  # chapter 10's full mode: 496 steps of 64 over the 4,000 training digits
N_EVAL = 1000  # the chapter's judge: 100 samples of each digit, z from seed 2
RUNS = {"plain": ("plain",), "recipe": ("recipe_step200", "recipe")}  # a run -> the files it writes


def build(run_name: str) -> dict[str, tuple[bytes, torch.nn.Module]]:
    """Train one run from scratch; return {variant: (file bytes, the float32 G before rounding)}."""
    variants = RUNS[run_name]
    settings = SHIPPED_CONDITIONAL[variants[-1]]["settings"]
    snapshots: dict[int, torch.nn.Module] = {}
    wanted = {SHIPPED_CONDITIONAL[v]["step"] for v in variants}

    def keep(r) -> None:
        if r.step in wanted:
            snapshots[r.step] = copy.deepcopy(r.G_sample).eval()

    config = TrainConfig(conditional=True, seed=SEED, device="cpu", **PLAIN_RECIPE, **settings)
    with single_thread():  # thread count can change float summation order; one thread is reproducible
        run = new_run(config)
        data = load_mnist("train", source="subset", verbose=False)  # full MNIST being present changes nothing
        train_conditional(run, data, NUM_EPOCHS, progress=False, on_step=keep)
    out = {}
    for v in variants:
        step = SHIPPED_CONDITIONAL[v]["step"]
        out[v] = (conditional_generator_bytes(snapshots[step], v, step), snapshots[step])
    return out


@torch.no_grad()
def report(variant: str, blob: bytes, G32: torch.nn.Module) -> None:
    """Judge the generator as it will be loaded (float16 weights) next to its float32 original, as chapter 10 does."""
    with tempfile.TemporaryDirectory() as tmp:  # through the loader itself, exactly as the chapter reads it
        path = Path(tmp) / "G.pt"
        path.write_bytes(blob)
        G16 = load_conditional_generator(variant, path, check_sha256=False)
    labels = torch.arange(N_EVAL) % 10
    z = torch.randn(N_EVAL, G16.latent_dim, generator=torch.Generator().manual_seed(2))
    x16, x32 = G16(z, labels), G32(z, labels)
    print(f"  float16 vs float32 weights, same z: max pixel difference {(x16 - x32).abs().max():.4f}")
    test = load_mnist("test", source="subset", verbose=False)
    for name, x in (("float32", x32), ("float16 (shipped)", x16)):
        rep = conditioning_accuracy(x, labels)
        print(
            f"  {name}: {rep}; worst digit {rep.per_class.min():.0%}; {class_coverage(x).num_covered} digits "
            f"drawn; FID (LeNet features) against the {len(test):,} test digits {fid(test, x):.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped files"
    )
    parser.add_argument(
        "--out-dir", type=Path, default=shipped.DATA_DIR, help="where to write (default data/)"
    )
    parser.add_argument("--runs", default=",".join(RUNS), help="which runs to train (default plain,recipe)")
    args = parser.parse_args(argv)
    status = 0
    for run_name in args.runs.split(","):
        if run_name not in RUNS:
            parser.error(f"unknown run {run_name!r}: use one of {', '.join(RUNS)}")
        start = time.perf_counter()
        built = build(run_name)
        print(f"{run_name}: {NUM_EPOCHS} epochs in {time.perf_counter() - start:.1f} s")
        for variant, (blob, G32) in built.items():
            print(f"{variant}: size {len(blob):,} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")
            report(variant, blob, G32)
            status |= shipped.finish_weights_file(
                blob,
                args.out_dir / shipped.CONDITIONAL_G_FILES[variant],
                args.check,
                shipped.CONDITIONAL_G_SHA256[variant],
                f'CONDITIONAL_G_SHA256["{variant}"]',
                "gan_lessons/shipped.py",
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
