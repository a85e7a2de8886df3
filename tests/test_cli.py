"""The instructor CLI. The module fixture `trained` and the sampling test run it as a real subprocess
(python -m gan_lessons, the real entry point); the other tests call the same `main` in-process (the
same parsing, training and messages, without a new Python and torch start-up each: seconds each)."""

import contextlib
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from gan_lessons import TrainConfig, load_checkpoint, new_run, save_checkpoint
from gan_lessons.cli import main
from gan_lessons.losses import LOSSES


def cli(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "gan_lessons", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_main(capsys, *args) -> subprocess.CompletedProcess:
    """`main(args)` in-process, returned like a subprocess run: exit code, stdout, stderr."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def test_help_documents_every_flag(capsys):
    out = run_main(capsys, "train", "--help").stdout
    for flag in (
        "--epochs",
        "--out",
        "--seed",
        "--batch-size",
        "--lr",
        "--latent-dim",
        "--loss",
        "--gp-weight",
        "--max-seconds",
        "--device",
        "--resume",
    ):
        assert flag in out
    for name in LOSSES:  # built from the registry: a new family shows up with no CLI change
        assert name in out
    out = run_main(capsys, "sample", "--help").stdout
    for flag in ("checkpoint", "--n", "--out", "--seed"):
        assert flag in out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = cli(
        "train",
        "--epochs",
        1,
        "--out",
        out,
        "--latent-dim",
        16,
        "--batch-size",
        128,
        "--no-progress",
        "--fid-every",
        20,
    )
    assert result.returncode == 0, result.stderr
    assert "MNIST: shipped real subset" in result.stdout
    assert "FID (LeNet features) during training: step 20: " in result.stdout  # 39 steps: FID at step 20
    assert "FID (LeNet features): " in result.stdout and "class coverage" in result.stdout
    return out


@pytest.mark.slow
def test_train_writes_checkpoint_and_plots(trained):
    for name in ("checkpoint.pt", "samples.png", "history.png"):
        assert (trained / name).stat().st_size > 0


@pytest.mark.slow
def test_sample_npz_and_png(trained, tmp_path, capsys):
    npz = tmp_path / "s.npz"
    result = cli("sample", trained / "checkpoint.pt", "--n", 50, "--out", npz)
    assert result.returncode == 0, result.stderr
    images = np.load(npz)["images"]
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8 and images.max() > 128
    png = tmp_path / "grid.png"
    assert run_main(capsys, "sample", trained / "checkpoint.pt", "--n", 16, "--out", png).returncode == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_resume_continues_to_the_total(trained, capsys):
    result = run_main(
        capsys, "train", "--epochs", 2, "--out", trained, "--resume", "--latent-dim", 16, "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    assert "Resuming" in result.stdout and "at epoch 1" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--epochs", "-1", "--out", "r"], "--epochs: expected a whole number >= 0, got -1"),
        (["train", "--epochs", "2", "--out", "r", "--lr", "0"], "--lr: expected a finite number > 0"),
        (
            ["train", "--epochs", "2", "--out", "r", "--batch-size", "0"],
            "--batch-size: expected a whole number > 0",
        ),
        (["train", "--epochs", "two", "--out", "r"], "expected a whole number >= 0, got 'two'"),
        (["train", "--epochs", "1", "--out", "r", "--device", "tpu"], "Unknown device 'tpu'"),
        (["train", "--out", "r"], "Give --epochs N, --max-seconds S or both"),
        (
            ["train", "--conditional", "--max-seconds", "5", "--out", "r"],
            "--conditional trains for a number of epochs in one process: add --epochs N",
        ),
        (
            ["train", "--epochs", "1", "--out", "r", "--aux-weight", "1"],
            "--conditioning and --aux-weight are for conditional runs: add --conditional.",
        ),
        (
            [
                "train",
                "--conditional",
                "--epochs",
                "1",
                "--out",
                "r",
                "--conditioning",
                "none",
                "--aux-weight",
                "0",
            ],
            "conditioning='none' without an auxiliary classifier (aux_weight=0) gives a D that never uses the label",
        ),
        (
            ["train", "--conditional", "--epochs", "1", "--out", "r", "--r1", "10"],
            "error: r1=10.0: the R1 penalty is for unconditional runs only",
        ),
        (
            ["train", "--conditional", "--epochs", "1", "--out", "r", "--conditioning", "onehot"],
            "argument --conditioning: invalid choice: 'onehot'",
        ),
        (["fly"], "invalid choice: 'fly'"),
        (
            ["train", "--epochs", "1", "--out", "r", "--loss", "wasserstein"],
            "argument --loss: invalid choice: 'wasserstein' (choose from 'minimax', 'nonsaturating'",
        ),
        (
            ["train", "--epochs", "1", "--out", "r", "--gp-weight", "-1"],
            "--gp-weight: expected a finite number >= 0",
        ),
    ],
)
def test_bad_flags_get_one_clear_line(args, message, capsys):
    """In-process (fast); the subprocess tests above and below cover the real entry point."""
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_bad_files(tmp_path, capsys):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"\x00" * 100)
    result = run_main(capsys, "sample", bad, "--out", tmp_path / "s.npz")
    assert result.returncode == 2 and "broken.pt is truncated, corrupt" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_main(capsys, "sample", tmp_path / "missing.pt", "--out", tmp_path / "s.npz")
    assert result.returncode == 2 and "does not exist" in result.stderr
    good = save_checkpoint(new_run(TrainConfig(latent_dim=8, width=4)), tmp_path / "ck.pt")
    result = run_main(capsys, "sample", good, "--out", tmp_path / "s.jpg")
    assert result.returncode == 2 and "must end in .png" in result.stderr
    result = run_main(
        capsys, "train", "--epochs", 1, "--out", tmp_path, "--resume"
    )  # no checkpoint.pt in tmp_path
    assert result.returncode == 2 and "does not exist" in result.stderr


@pytest.mark.parametrize("loss", ["hinge", "wgan-gp"])
@pytest.mark.slow
def test_train_with_another_loss_family(tmp_path, loss, capsys):
    result = run_main(
        capsys,
        "train",
        "--epochs",
        1,
        "--out",
        tmp_path,
        "--loss",
        loss,
        "--latent-dim",
        16,
        "--batch-size",
        128,
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    canonical = loss.replace("-", "_")
    assert f"Loss: {canonical}." in result.stdout
    run = load_checkpoint(tmp_path / "checkpoint.pt")
    assert run.config.loss == canonical and run.epoch == 1 and run.step > 0
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert all(math.isfinite(v) for v in run.history[key]), key
    # in-process (fast): resuming with another loss is refused
    args = [
        "train",
        "--epochs",
        "2",
        "--out",
        str(tmp_path),
        "--resume",
        "--latent-dim",
        "16",
        "--loss",
        "minimax",
    ]
    assert main(args) == 2
    assert f"was trained with --loss {canonical}, not minimax" in capsys.readouterr().err


def test_unknown_loss_is_one_error_line(capsys):
    result = run_main(capsys, "train", "--epochs", 1, "--out", "r", "--loss", "wasserstein")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "invalid choice: 'wasserstein'" in errors[0] and "'hinge'" in errors[0]


def test_resume_with_other_latent_dim(tmp_path, capsys):
    save_checkpoint(new_run(TrainConfig(latent_dim=8, width=4)), tmp_path / "checkpoint.pt")
    result = run_main(capsys, "train", "--epochs", 1, "--out", tmp_path, "--resume", "--latent-dim", 32)
    assert result.returncode == 2 and "latent_dim=8, but latent_dim=32" in result.stderr


@pytest.mark.slow
def test_max_seconds_alone_trains_until_the_budget(tmp_path, capsys):
    result = run_main(
        capsys, "train", "--out", tmp_path, "--max-seconds", 2, "--no-progress", "--latent-dim", 16
    )
    assert result.returncode == 0, result.stderr
    assert "Training for 2 seconds" in result.stdout and "Stopped after the 2-second budget" in result.stdout
    run = load_checkpoint(tmp_path / "checkpoint.pt")
    assert run.step > 0 and run.elapsed >= 2


@pytest.mark.slow
def test_max_seconds_stops_near_its_budget_with_a_loadable_checkpoint(tmp_path, capsys):
    import time

    from gan_lessons import load_checkpoint

    start = time.perf_counter()
    result = run_main(
        capsys, "train", "--epochs", 10_000, "--out", tmp_path, "--max-seconds", 3, "--no-progress"
    )
    wall = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert "Stopped after the 3-second budget" in result.stdout
    run = load_checkpoint(tmp_path / "checkpoint.pt")
    assert run.step > 0 and run.elapsed < 3 + 2  # training stops within one step of the budget
    print(f"--max-seconds 3: training {run.elapsed:.2f} s, whole command {wall:.1f} s (evaluation included)")


def test_stabilizing_flags_reach_the_config(tmp_path, capsys):
    from gan_lessons.cli import _stabilizing_config, build_parser

    args = build_parser().parse_args(
        ["train", "--epochs", "1", "--out", str(tmp_path), "--loss", "wgan-gp", "--spectral-norm", "--r1", "5",
         "--r2", "2", "--augment", "--minibatch-std", "--lr-d", "4e-4", "--n-critic", "5", "--d-norm", "layer"]
    )  # fmt: skip
    config = _stabilizing_config(args)
    assert config == dict(
        spectral_norm=True, r1=5.0, r2=2.0, augment="translation,cutout", minibatch_std=True, clip=None, lr_d=4e-4,
        n_critic=5, optimizer="adam", d_norm="layer",
    )  # fmt: skip
    args = build_parser().parse_args(
        ["train", "--epochs", "1", "--out", str(tmp_path), "--augment", "color", "--clip", "0.02", "--beta1", "0.5",
         "--reg-every", "3"]
    )  # fmt: skip
    assert _stabilizing_config(args) | {} == dict(
        spectral_norm=False, augment="color", minibatch_std=False, clip=0.02, lr_d=None, beta1=0.5, n_critic=1,
        reg_every=3, optimizer="adam", d_norm="auto",
    )  # fmt: skip
    args = build_parser().parse_args(
        ["train", "--epochs", "1", "--out", str(tmp_path), "--loss", "wgan", "--optimizer", "rmsprop", "--lr", "5e-5",
         "--n-critic", "5"]
    )  # fmt: skip
    assert _stabilizing_config(args)["optimizer"] == "rmsprop" and _stabilizing_config(args)["n_critic"] == 5
    for bad in (["--n-critic", "0"], ["--optimizer", "sgd"], ["--d-norm", "group"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["train", "--epochs", "1", "--out", str(tmp_path), *bad])
    out = run_main(capsys, "train", "--help").stdout
    for flag in (
        "--spectral-norm",
        "--r1",
        "--r2",
        "--augment",
        "--minibatch-std",
        "--clip",
        "--lr-d",
        "--n-critic",
        "--optimizer",
    ):
        assert flag in out


def test_defaults_are_trainconfigs(tmp_path, capsys):
    """A run with no flags trains TrainConfig's recipe (R3GAN's loss, lazy R1 + R2, beta1 0), and the help says
    so; --conditional trains the plain recipe with chapter 10's; a flag given overrides either."""
    from gan_lessons import CONDITIONAL_RECIPE, PLAIN_RECIPE
    from gan_lessons.cli import _new_config, build_parser

    def config(*flags):
        return _new_config(
            build_parser().parse_args(["train", "--epochs", "1", "--out", str(tmp_path), *flags])
        )

    course, plain = TrainConfig(), config("--conditional")
    assert (course.loss, course.r1, course.r2, course.beta1, course.reg_every) == ("rpgan", 1.0, 1.0, 0.0, 4)
    assert config() == course  # no flag: TrainConfig's defaults, every field
    assert {
        k: getattr(plain, k) for k in PLAIN_RECIPE | CONDITIONAL_RECIPE
    } == PLAIN_RECIPE | CONDITIONAL_RECIPE
    assert plain.conditional
    given = config("--loss", "hinge", "--r1", "0", "--beta1", "0.5", "--reg-every", "1")
    assert (given.loss, given.r1, given.r2, given.beta1, given.reg_every) == ("hinge", 0.0, 1.0, 0.5, 1)
    assert config("--conditional", "--loss", "hinge").loss == "hinge"
    out = " ".join(run_main(capsys, "train", "--help").stdout.split())  # argparse wraps the help text
    for text in ("(default rpgan;", "(default 1; 0: off;", "Adam beta1 (default 0,", "(lazy; default 4;"):
        assert text in out, text


def _nothing():
    return contextlib.nullcontext()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--augment", "flip"], "Unknown augmentation policy 'flip'"),
        (["--loss", "wgan", "--beta1", "0", "--clip", "0"], "expected a finite number > 0"),
        (["--r1", "-1"], "expected a finite number >= 0"),
        (["--r2", "-1"], "expected a finite number >= 0"),
    ],
)
def test_bad_stabilizing_flags(tmp_path, args, message, capsys):
    with pytest.raises(SystemExit) if "expected" in message else _nothing():
        code = main(["train", "--epochs", "1", "--out", str(tmp_path), "--latent-dim", "8", *args])
        assert code == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.slow
def test_train_with_remedies_in_process(tmp_path, capsys):
    code = main(
        ["train", "--epochs", "1", "--out", str(tmp_path), "--latent-dim", "8", "--batch-size", "256",
         "--loss", "hinge", "--spectral-norm", "--augment", "--no-progress"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = load_checkpoint(tmp_path / "checkpoint.pt")
    assert (
        run.config.spectral_norm and run.config.augment == "translation,cutout" and run.config.loss == "hinge"
    )


@pytest.mark.slow
def test_conditional_train_and_sample_label(tmp_path, capsys):
    out = tmp_path / "cgan"
    assert (
        main(
            [
                "train",
                "--conditional",
                "--epochs",
                "1",
                "--max-seconds",
                "2",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    assert "conditioning accuracy" in capsys.readouterr().out
    config = load_checkpoint(out / "checkpoint.pt").config
    assert config.conditional and (config.conditioning, config.aux_weight) == (
        "projection",
        1.0,
    )  # the recipe
    assert (
        main(
            [
                "sample",
                str(out / "checkpoint.pt"),
                "--label",
                "7",
                "--n",
                "4",
                "--out",
                str(tmp_path / "s.npz"),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "s.npz")["images"].shape == (4, 28, 28)
    for bad in ("10", "-1"):
        capsys.readouterr()
        assert (
            main(["sample", str(out / "checkpoint.pt"), "--label", bad, "--out", str(tmp_path / "s.png")])
            == 2
        )
        assert f"Unknown label {bad}" in capsys.readouterr().err


@pytest.mark.slow
def test_label_needs_a_conditional_checkpoint(trained, tmp_path, capsys):
    assert (
        main(["sample", str(trained / "checkpoint.pt"), "--label", "3", "--out", str(tmp_path / "s.png")])
        == 2
    )
    assert "--conditional" in capsys.readouterr().err


@pytest.mark.slow
def test_conditional_recipe_parts_can_be_changed(tmp_path, capsys):
    """--conditioning/--aux-weight override the recipe: concat with no class term is the plain conditional GAN."""
    out = tmp_path / "plain"
    args = ["train", "--conditional", "--conditioning", "concat", "--aux-weight", "0"]
    assert main([*args, "--epochs", "1", "--max-seconds", "1", "--out", str(out), "--no-progress"]) == 0
    config = load_checkpoint(out / "checkpoint.pt").config
    assert (config.conditioning, config.aux_weight) == ("concat", 0.0)
