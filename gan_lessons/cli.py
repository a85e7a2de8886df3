"""Command line for instructors who pre-train before class: `python -m gan_lessons train|sample`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np


def _number(cast: type, lowest: float, strict: bool) -> Callable[[str], float]:
    """An argparse `type`: `cast(text)` when finite and > lowest (`strict`) or >= lowest, else a one-line error."""
    bound = f"{'>' if strict else '>='} {lowest:g}"
    number, out_of_range = (
        ("a whole number", "a whole number") if cast is int else ("a number", "a finite number")
    )

    def parse(text: str) -> float:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {number} {bound}, got {text!r}") from None
        if not (value > lowest if strict else value >= lowest) or value == float("inf"):  # nan fails both
            shown = value if cast is int else text
            raise argparse.ArgumentTypeError(f"expected {out_of_range} {bound}, got {shown}")
        return value

    return parse


_positive_int = _number(int, 0, strict=True)
_non_negative_int = _number(int, 0, strict=False)
_positive_float = _number(float, 0, strict=True)
_non_negative_float = _number(float, 0, strict=False)


def _loss_name(text: str) -> str:
    # The registry's canonical name ('wgan-gp' -> 'wgan_gp'); an unknown name is left to argparse's choices check,
    # whose one-line error lists the choices.
    from .losses import get_loss

    try:
        return get_loss(text).name
    except ValueError:
        return text


def _add_options(parser, rows: list[tuple]) -> None:
    """`add_argument` for each row (flag, type, default, help); "%(default)s" in a help shows the default."""
    for flag, kind, default, text in rows:
        parser.add_argument(flag, type=kind, default=default, help=text)


def _add_stabilizing_options(t: argparse.ArgumentParser, defaults) -> None:
    # The remedies of 09_stabilizing; each maps to one TrainConfig field (see _stabilizing_config). Those whose
    # default is part of the default recipe (R3GAN's loss: --r1, --r2, --beta1, --reg-every) default to None here:
    # a run takes TrainConfig's value (a conditional run: the plain recipe's), and the help says which.
    g = t.add_argument_group("stabilizing (09_stabilizing)")
    g.add_argument(
        "--spectral-norm",
        action="store_true",
        help="spectral normalisation of D's layers (Miyato et al. 2018)",
    )
    _add_options(
        g,
        [
            (
                "--r1",
                _non_negative_float,
                None,
                f"R1 penalty weight gamma on real images (default {defaults.r1:g}; 0: off; --conditional: 0)",
            ),
            (
                "--r2",
                _non_negative_float,
                None,
                f"R2 penalty weight gamma on generated images (default {defaults.r2:g}; R3GAN: = r1; "
                "--conditional: 0)",
            ),
        ],
    )
    g.add_argument(
        "--augment",
        nargs="?",
        const="translation,cutout",
        default="",
        help="DiffAugment of real and fake images for D (default policy when given alone: translation,cutout)",
    )
    g.add_argument(
        "--minibatch-std",
        action="store_true",
        help="minibatch standard-deviation channel in D (Karras et al.)",
    )
    _add_options(
        g,
        [
            ("--clip", _positive_float, None, "WGAN weight clipping value (default: wgan's 0.01)"),
            ("--lr-d", _positive_float, None, "D's learning rate (TTUR); default --lr"),
            (
                "--beta1",
                float,
                None,
                f"Adam beta1 (default {defaults.beta1:g}, R3GAN's; the plain recipe and --conditional: 0.5)",
            ),
            ("--n-critic", _positive_int, 1, "D (critic) steps per G step (WGAN, WGAN-GP: 5)"),
            (
                "--reg-every",
                _positive_int,
                None,
                f"apply --r1/--r2 on every k-th D step only, k times heavier (lazy; default {defaults.reg_every}; "
                "1: every step)",
            ),
        ],
    )
    g.add_argument(
        "--optimizer",
        choices=("adam", "rmsprop"),
        default="adam",
        help="adam (default) or rmsprop (the WGAN paper's, with --lr 5e-5)",
    )
    g.add_argument(
        "--d-norm",
        choices=("auto", "batch", "layer", "none"),
        default="auto",
        help="D's normalisation (auto: layer norm with a gradient penalty, none with spectral norm, else batch)",
    )


def _stabilizing_config(args) -> dict:
    # The TrainConfig fields set by _add_stabilizing_options; those of the default recipe only when given.
    out = dict(
        spectral_norm=args.spectral_norm,
        augment=args.augment,
        minibatch_std=args.minibatch_std,
        clip=args.clip,
        lr_d=args.lr_d,
        n_critic=args.n_critic,
        optimizer=args.optimizer,
        d_norm=args.d_norm,
    )
    given = {"r1": args.r1, "r2": args.r2, "beta1": args.beta1, "reg_every": args.reg_every}
    return out | {k: v for k, v in given.items() if v is not None}


def build_parser() -> argparse.ArgumentParser:
    from .conditional import CONDITIONINGS
    from .losses import LOSSES
    from .train_config import TrainConfig

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
    epochs_help = (
        "total number of epochs to train (optional with --max-seconds: then the time budget alone stops it)"
    )
    _add_options(t, [("--epochs", _non_negative_int, None, epochs_help)])
    t.add_argument(
        "--out", type=Path, required=True, help="run folder: checkpoint.pt, samples.png, history.png go here"
    )
    _add_options(
        t,
        [
            ("--seed", _non_negative_int, defaults.seed, "random seed (default %(default)s)"),
            ("--batch-size", _positive_int, defaults.batch_size, "batch size (default %(default)s)"),
            ("--lr", _positive_float, defaults.lr, "Adam learning rate for G and D (default %(default)s)"),
        ],
    )
    t.add_argument(
        "--loss",
        type=_loss_name,
        choices=list(LOSSES),
        default=None,
        help="loss family (gan_lessons.losses.LOSSES): "
        + "; ".join(f"{name}: {family.label}" for name, family in LOSSES.items())
        + f" (default {defaults.loss}; --conditional: nonsaturating; wgan-gp also accepted)",
    )
    _add_options(
        t,
        [
            (
                "--gp-weight",
                _non_negative_float,
                None,
                "weight of the gradient penalty in D's loss (default: the loss family's own, 10 for wgan_gp, else 0)",
            ),
            ("--latent-dim", _positive_int, defaults.latent_dim, "size of z (default %(default)s)"),
            (
                "--max-seconds",
                _positive_float,
                None,
                "stop (and checkpoint) after this many seconds of training; on its own, train until then",
            ),
            ("--device", str, "auto", "auto (cuda if available, else cpu), cpu or cuda[:N]"),
            (
                "--fid-every",
                _non_negative_int,
                0,
                "also measure FID (LeNet features, 1,000 samples) every this many steps (default 0: only at the end)",
            ),
        ],
    )
    t.add_argument(
        "--resume", action="store_true", help="continue from --out/checkpoint.pt up to --epochs in total"
    )
    t.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_stabilizing_options(t, defaults)
    c = t.add_argument_group("conditional (10_conditional_gan)")
    c.add_argument(
        "--conditional",
        action="store_true",
        help="class-conditional G(z, y) and D(x, y) with the chapter's recipe (a projection D with an auxiliary "
        "classifier, on the plain non-saturating loss: R1 and R2 are for unconditional runs); then "
        "`sample --label 7` draws sevens",
    )
    c.add_argument(
        "--conditioning",
        choices=CONDITIONINGS,
        default=None,
        help="how D sees the label (default with --conditional: the recipe's projection; concat: one-hot planes)",
    )
    _add_options(
        c,
        [("--aux-weight", _non_negative_float, None, "weight of the AC-GAN class term (recipe: 1; 0: off)")],
    )

    s = sub.add_parser(
        "sample",
        help="draw N digits from a checkpoint into a .png grid or a .npz array",
        description="Sample digits from a trained checkpoint.",
    )
    s.add_argument("checkpoint", type=Path, help="a checkpoint.pt written by `train`")
    _add_options(s, [("--n", _positive_int, 64, "number of digits (default %(default)s)")])
    s.add_argument(
        "--out",
        type=Path,
        required=True,
        help="FILE.png (an image grid) or FILE.npz (uint8 array 'images', N x 28 x 28)",
    )
    label_help = (
        "digit 0-9 to draw, for a checkpoint trained with --conditional (default: 0, 1, ..., 9 in turn)"
    )
    _add_options(
        s,
        [
            ("--seed", _non_negative_int, 0, "seed for the latent vectors (default %(default)s)"),
            ("--device", str, "auto", "auto, cpu or cuda[:N]"),
            ("--label", int, None, label_help),
        ],
    )
    return parser


def _conditional_config(args) -> dict:
    # --conditional: the recipe of 10_conditional_gan, each part of which --conditioning / --aux-weight can change.
    # It trains on the plain non-saturating recipe (the conditional D takes no R1/R2), not TrainConfig's default.
    from .conditional import CONDITIONAL_RECIPE
    from .config import PLAIN_RECIPE

    if not args.conditional:
        if args.conditioning is not None or args.aux_weight is not None:
            raise ValueError("--conditioning and --aux-weight are for conditional runs: add --conditional.")
        return {}
    given = {"conditioning": args.conditioning, "aux_weight": args.aux_weight}
    return {
        "conditional": True,
        **PLAIN_RECIPE,
        **CONDITIONAL_RECIPE,
        **{k: v for k, v in given.items() if v is not None},
    }


def _new_config(args):
    """The TrainConfig of a new run: TrainConfig's defaults (R3GAN's loss), or with --conditional the plain recipe
    and chapter 10's; then every flag given."""
    from .dcgan import TrainConfig

    settings = dict(
        latent_dim=args.latent_dim,
        batch_size=args.batch_size,
        lr=args.lr,
        gp_weight=args.gp_weight,
        seed=args.seed,
        device=args.device,
    )
    settings |= _conditional_config(args) | _stabilizing_config(args)  # what is given overrides a recipe
    if args.loss is not None:
        settings["loss"] = args.loss
    return TrainConfig(**settings)


def _train(args) -> None:
    import torch

    from .data import load_mnist
    from .dcgan import load_checkpoint, new_run, train, train_conditional
    from .metrics import evaluate
    from .plot import plot_history, show_images
    from .trackers import FIDTracker, eval_table

    ckpt = args.out / "checkpoint.pt"
    if args.epochs is None and args.max_seconds is None:
        raise ValueError(
            "Give --epochs N, --max-seconds S or both (for example --max-seconds 180 trains for 3 minutes)."
        )
    if args.resume:
        run = load_checkpoint(ckpt, device=args.device, latent_dim=args.latent_dim)
        if args.loss is not None and args.loss != run.config.loss:
            raise ValueError(
                f"Checkpoint {ckpt} was trained with --loss {run.config.loss}, not {args.loss}. "
                f"Resume with --loss {run.config.loss} (or none), or train a new run in another --out folder."
            )
        print(f"Resuming {ckpt} at epoch {run.epoch} (step {run.step}, loss {run.config.loss}).")
    else:
        run = new_run(_new_config(args))
    data = load_mnist("train")  # the GAN trains on the train split; it is scored on the held-out test split
    test = load_mnist("test", verbose=False)
    dist = getattr(args, "dist", None)  # set by main() under torchrun (gan_lessons.distributed)
    if run.config.conditional and (dist is not None or args.epochs is None):
        raise ValueError(
            "--conditional trains for a number of epochs in one process: add --epochs N (--max-seconds S may "
            "still cap the time), and run it as `python -m gan_lessons train ...`, not under torchrun."
        )
    if dist is not None:
        dist.check_data(data, run.config.batch_size)
        print(
            f"Data-parallel: {dist.world_size} processes ({dist.backend}), batch {run.config.batch_size} each."
        )
    goal = (
        f"to {args.epochs} epoch{'s' if args.epochs != 1 else ''}"
        if args.epochs is not None
        else f"for {args.max_seconds:g} seconds"
    )
    print(f"Device: {run.device}. Loss: {run.config.loss}. Training {goal}, writing {ckpt}.")
    tracker = (
        FIDTracker(test, every=args.fid_every or 10**12, n=1000) if dist is None or dist.is_main else None
    )
    trainer = train_conditional if run.config.conditional else partial(train, dist=dist)
    trainer(
        run,
        data,
        args.epochs,
        max_seconds=args.max_seconds,
        checkpoint_path=ckpt if dist is None or dist.is_main else None,
        progress=not args.no_progress,
        on_step=tracker,
    )
    if dist is not None and not _ddp_finish(dist, run):
        return
    if run.step == 0:
        print("No training steps were run (epochs already reached).")
        return
    import matplotlib

    matplotlib.use("Agg")
    show_images(run.sample(), title=f"fixed noise, step {run.step}").savefig(
        args.out / "samples.png", dpi=120
    )
    plot_history(run.history, loss=run.config.loss).savefig(args.out / "history.png", dpi=120)
    h = run.history
    report = evaluate(run.sample(1000), test, net=tracker.net)
    print(
        f"Done: {run.step} steps, {run.elapsed:.1f} s; last D loss {h['d_loss'][-1]:.3f}, G loss {h['g_loss'][-1]:.3f}."
    )
    evals = eval_table(h)
    if evals.get("fid"):
        print(
            "FID (LeNet features) during training: "
            + ", ".join(f"step {s}: {v:.1f}" for s, v in zip(evals["step"], evals["fid"]))
        )
    print(report)
    if run.config.conditional:
        from .conditional import conditioning_accuracy

        labels = torch.arange(1000) % 10
        print(
            conditioning_accuracy(
                run.sample(z=torch.randn(1000, run.config.latent_dim), labels=labels), labels
            )
        )
    print(f"Files: {ckpt}, {args.out / 'samples.png'}, {args.out / 'history.png'}")


def _ddp_finish(dist, run) -> bool:
    # Every rank ends with rank 0's weights and checks it; True on rank 0, which goes on to plot and evaluate.
    dist.sync_buffers(run.G, run.D, run.G_ema)
    same = dist.weights_match(run.G, run.D, run.G_ema)
    images = run.step * run.config.batch_size * dist.world_size
    print(
        f"Weights {'identical' if same else 'DIFFERENT'} on all {dist.world_size} ranks (G, D, G_ema). "
        f"Throughput: {images / max(run.elapsed, 1e-9):.0f} images/s in all."
    )
    if not same:
        raise RuntimeError("The ranks' weights differ after training: please report this as a bug.")
    return (
        dist.is_main and not run.interrupted
    )  # Ctrl-C: torchrun gives the ranks 30 s to exit; the checkpoint is saved


def _sample(args) -> None:
    import torch

    from .data import to_uint8
    from .dcgan import load_checkpoint

    suffix = args.out.suffix.lower()
    if suffix not in (".png", ".npz"):
        raise ValueError(f"--out must end in .png (image grid) or .npz (uint8 array); got {args.out.name!r}.")
    run = load_checkpoint(args.checkpoint, device=args.device)
    if args.label is not None and not run.config.conditional:
        raise ValueError(
            f"--label needs a conditional checkpoint (trained with --conditional); {args.checkpoint} is not one."
        )
    z = torch.randn(args.n, run.config.latent_dim, generator=torch.Generator().manual_seed(args.seed))
    labels = None
    if run.config.conditional:
        from .layers import check_labels

        labels = (
            torch.arange(args.n) % 10
            if args.label is None
            else check_labels(args.label, args.n, who="--label")
        )
    images = torch.cat(
        [
            run.sample(z=chunk, labels=None if labels is None else labels[i * 1000 : i * 1000 + len(chunk)])
            for i, chunk in enumerate(z.split(1000))
        ]
    )
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
    from .distributed import env_rank, init_from_env, launched_by_torchrun

    dist = None
    try:
        if args.command == "train" and launched_by_torchrun():
            args.dist = dist = init_from_env(args.device)  # gloo on CPU, nccl on GPUs
            args.device = str(dist.device)
            if not dist.is_main:  # rank 0 alone prints, shows progress and writes files
                args.no_progress = True
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the life of this process)
        (_train if args.command == "train" else _sample)(args)
    except (ValueError, FileNotFoundError, FloatingPointError) as exc:
        if env_rank() == 0:  # under torchrun every rank meets the same bad input: say it once
            print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if dist is not None:
            dist.close()
    return 0
