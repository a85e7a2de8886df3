"""Command line for instructors who pre-train before class: `python -m gan_lessons train|sample`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number > 0, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number > 0, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def _loss_name(text: str) -> str:
    # The registry's canonical name ('wgan-gp' -> 'wgan_gp'); an unknown name is left to argparse's choices check,
    # whose one-line error lists the choices.
    from .losses import get_loss

    try:
        return get_loss(text).name
    except ValueError:
        return text


def build_parser() -> argparse.ArgumentParser:
    from .losses import LOSSES
    from .run import TrainConfig

    defaults = TrainConfig()
    parser = argparse.ArgumentParser(
        prog="python -m gan_lessons",
        description="Train a DCGAN on MNIST digits, or sample from a checkpoint.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,sample}")

    t = sub.add_parser(
        "train",
        help="train a DCGAN on MNIST and write checkpoint.pt in --out",
        description="Train a DCGAN on MNIST (offline: the shipped subset unless data/MNIST exists).",
    )
    t.add_argument("--epochs", type=_non_negative_int, required=True, help="total number of epochs to train")
    t.add_argument(
        "--out", type=Path, required=True, help="run folder: checkpoint.pt, samples.png, history.png go here"
    )
    t.add_argument(
        "--seed", type=_non_negative_int, default=defaults.seed, help=f"random seed (default {defaults.seed})"
    )
    t.add_argument(
        "--batch-size",
        type=_positive_int,
        default=defaults.batch_size,
        help=f"batch size (default {defaults.batch_size})",
    )
    t.add_argument(
        "--lr",
        type=_positive_float,
        default=defaults.lr,
        help=f"Adam learning rate for G and D (default {defaults.lr})",
    )
    t.add_argument(
        "--loss",
        type=_loss_name,
        choices=list(LOSSES),
        default=None,
        help="loss family (gan_lessons.losses.LOSSES): "
        + "; ".join(f"{name}: {family.label}" for name, family in LOSSES.items())
        + f" (default {defaults.loss}; wgan-gp also accepted)",
    )
    t.add_argument(
        "--gp-weight",
        type=_non_negative_float,
        default=None,
        help="weight of the gradient penalty in D's loss (default: the loss family's own, 10 for wgan_gp, else 0)",
    )
    t.add_argument(
        "--latent-dim",
        type=_positive_int,
        default=defaults.latent_dim,
        help=f"size of z (default {defaults.latent_dim})",
    )
    t.add_argument(
        "--max-seconds",
        type=_positive_float,
        default=None,
        help="stop (and checkpoint) after this many seconds",
    )
    t.add_argument("--device", default="auto", help="auto (cuda if available, else cpu), cpu or cuda[:N]")
    t.add_argument(
        "--fid-every",
        type=_non_negative_int,
        default=0,
        help="also measure FID (LeNet features, 1,000 samples) every this many steps (default 0: only at the end)",
    )
    t.add_argument(
        "--resume", action="store_true", help="continue from --out/checkpoint.pt up to --epochs in total"
    )
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    s = sub.add_parser(
        "sample",
        help="draw N digits from a checkpoint into a .png grid or a .npz array",
        description="Sample digits from a trained checkpoint.",
    )
    s.add_argument("checkpoint", type=Path, help="a checkpoint.pt written by `train`")
    s.add_argument("--n", type=_positive_int, default=64, help="number of digits (default 64)")
    s.add_argument(
        "--out",
        type=Path,
        required=True,
        help="FILE.png (an image grid) or FILE.npz (uint8 array 'images', N x 28 x 28)",
    )
    s.add_argument(
        "--seed", type=_non_negative_int, default=0, help="seed for the latent vectors (default 0)"
    )
    s.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    return parser


def _train(args) -> None:
    from .checkpoint import load_checkpoint
    from .data import load_mnist
    from .metrics import FIDTracker, evaluate
    from .plot import plot_history, show_images
    from .run import TrainConfig, new_run
    from .train import train

    ckpt = args.out / "checkpoint.pt"
    if args.resume:
        run = load_checkpoint(ckpt, device=args.device, latent_dim=args.latent_dim)
        if args.loss is not None and args.loss != run.config.loss:
            raise ValueError(
                f"Checkpoint {ckpt} was trained with --loss {run.config.loss}, not {args.loss}. "
                f"Resume with --loss {run.config.loss} (or none), or train a new run in another --out folder."
            )
        print(f"Resuming {ckpt} at epoch {run.epoch} (step {run.step}, loss {run.config.loss}).")
    else:
        config = TrainConfig(
            latent_dim=args.latent_dim,
            batch_size=args.batch_size,
            lr=args.lr,
            loss=args.loss or TrainConfig.loss,
            gp_weight=args.gp_weight,
            seed=args.seed,
            device=args.device,
        )
        run = new_run(config)
    data = load_mnist(
        "train"
    )  # the GAN trains on the train split and is scored against the held-out test split
    test = load_mnist("test", verbose=False)
    print(f"Device: {run.device}. Loss: {run.config.loss}. Training to {args.epochs} epochs, writing {ckpt}.")
    tracker = FIDTracker(test, every=args.fid_every or 10**12, n=1000)
    train(
        run,
        data,
        args.epochs,
        max_seconds=args.max_seconds,
        checkpoint_path=ckpt,
        progress=not args.no_progress,
        on_step=tracker,
    )
    if run.step == 0:
        print("No training steps were run (epochs already reached).")
        return
    import matplotlib

    matplotlib.use("Agg")
    show_images(run.sample(), title=f"fixed noise, step {run.step}").savefig(
        args.out / "samples.png", dpi=120
    )
    plot_history(run.history).savefig(args.out / "history.png", dpi=120)
    h = run.history
    report = evaluate(run.sample(1000), test, net=tracker.net)
    print(
        f"Done: {run.step} steps, {run.elapsed:.1f} s; last D loss {h['d_loss'][-1]:.3f}, G loss {h['g_loss'][-1]:.3f}."
    )
    if h.get("fid"):
        print(
            "FID (LeNet features) during training: "
            + ", ".join(f"step {s}: {v:.1f}" for s, v in zip(h["fid_steps"], h["fid"]))
        )
    print(report)
    print(f"Files: {ckpt}, {args.out / 'samples.png'}, {args.out / 'history.png'}")


def _sample(args) -> None:
    import torch

    from .checkpoint import load_checkpoint
    from .data import to_uint8

    suffix = args.out.suffix.lower()
    if suffix not in (".png", ".npz"):
        raise ValueError(f"--out must end in .png (image grid) or .npz (uint8 array); got {args.out.name!r}.")
    run = load_checkpoint(args.checkpoint, device=args.device)
    z = torch.randn(args.n, run.config.latent_dim, generator=torch.Generator().manual_seed(args.seed))
    images = torch.cat([run.sample(z=chunk) for chunk in z.split(1000)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".npz":
        np.savez_compressed(args.out, images=to_uint8(images)[:, 0].numpy())
    else:
        import matplotlib

        matplotlib.use("Agg")
        from .plot import show_images

        show_images(images, nrow=min(16, args.n)).savefig(args.out, dpi=120, bbox_inches="tight")
    print(f"Wrote {args.n} samples to {args.out}.")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2 with a one-line message for bad input)."""
    args = build_parser().parse_args(argv)
    try:
        (_train if args.command == "train" else _sample)(args)
    except (ValueError, FileNotFoundError, FloatingPointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
