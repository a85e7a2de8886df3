"""Train chapter 12's two shipped denoisers: data/denoiser_ddpm_mnist.pt and data/denoiser_flow_mnist.pt
(gan_lessons.load_denoiser).

    .venv/bin/python tools/make_denoisers.py            # train both, report, write them to data/
    .venv/bin/python tools/make_denoisers.py --check    # train again and compare with the shipped files

Chapter 12 compares a GAN, a diffusion model and a flow-matching model at matched parameters and matched
training time. Training the two denoisers takes longer than a quick-mode chapter may, so they ship, like the
DCGAN generator it compares them with (tools/make_pretrained_generator.py: 30 epochs, 1,860 steps). Both use
`gan_lessons.ddpm.DENOISER_RECIPE`: the same U-Net (width 40, 260,502 parameters), seed 0, batch 64, Adam at
2e-3, 10 epochs (630 steps) of the shipped subset's 4,000 training digits on one CPU thread; "ddpm" learns the
noise of a 100-step linear schedule, "flow" the rectified-flow velocity; both read their time as t in [0, 1]
(the diffusion step index as (t + 1) / 100), scaled alike inside the network. Stored in float16 with the settings that
rebuild them. The same torch version on the same kind of CPU gives the same bytes; the sha256 values printed at
the end are the ones `gan_lessons.shipped` (DENOISER_DDPM_SHA256, DENOISER_FLOW_SHA256) and data/README.md record.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_lessons import shipped  # noqa: E402
from gan_lessons.data import load_mnist  # noqa: E402
from gan_lessons.ddpm import DENOISER_KINDS, denoiser_bytes, denoiser_file, train_recipe_denoiser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory and compare with the shipped files"
    )
    parser.add_argument(
        "--out-dir", type=Path, default=shipped.DATA_DIR, help="where to write (default data/)"
    )
    parser.add_argument(
        "--kinds", default=",".join(DENOISER_KINDS), help="which to build (default ddpm,flow)"
    )
    args = parser.parse_args(argv)
    data = load_mnist("train", source="subset", verbose=False)
    status = 0
    for kind in args.kinds.split(","):
        start, cpu = time.perf_counter(), time.process_time()
        model, losses = train_recipe_denoiser(kind, data)
        blob = denoiser_bytes(model, kind)
        name = denoiser_file(kind)
        print(
            f"{kind}: {len(losses)} steps in {time.perf_counter() - start:.1f} s "
            f"({time.process_time() - cpu:.1f} CPU s); loss {losses[0]:.3f} -> "
            f"{sum(losses[-20:]) / 20:.3f} (mean of the last 20); size {len(blob):,} bytes, "
            f"sha256 {hashlib.sha256(blob).hexdigest()}"
        )
        constant = f"DENOISER_{kind.upper()}_SHA256"
        status |= shipped.finish_weights_file(
            blob,
            args.out_dir / name,
            args.check,
            getattr(shipped, constant),
            constant,
            "gan_lessons/shipped.py",
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
