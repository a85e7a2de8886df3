"""Data-parallel training under torchrun (gan_lessons.distributed): 2 CPU processes with gloo, resume,
Ctrl-C, the same checkpoint format, and the bad inputs. The torchrun runs are real subprocesses."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from gan_lessons import load_checkpoint, load_mnist
from gan_lessons.cli import main
from gan_lessons.distributed import Distributed, _device_for, init_from_env, launched_by_torchrun

SMALL = ["--device", "cpu", "--latent-dim", "16", "--batch-size", "128", "--no-progress"]


def torchrun(*args, nproc=2, timeout=400, **popen):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"]
    cmd += ["-m", "gan_lessons", *map(str, args)]
    if popen:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _cpu(rank, world):
    return Distributed(
        rank=rank, world_size=world, local_rank=rank, device=torch.device("cpu"), backend="gloo"
    )


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    first = torchrun("train", "--epochs", 1, "--out", out, *SMALL)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    return out, first


@pytest.mark.slow
def test_two_processes_train_with_gloo_and_agree(ddp_run):
    out, first = ddp_run
    assert "Data-parallel: 2 processes (gloo), batch 128 each." in first.stdout
    assert "Weights identical on all 2 ranks (G, D, G_ema)" in first.stdout
    assert first.stdout.count("Done:") == 1  # rank 0 alone prints and writes
    run = load_checkpoint(out / "checkpoint.pt")
    assert (
        run.epoch == 1 and run.step == 4000 // 2 // 128
    )  # the CLI trains on the 4,000-digit train split; each rank: its half of the epoch
    assert run.G_ema is not None


@pytest.mark.slow
def test_resume_continues_and_the_checkpoint_samples_as_usual(ddp_run, tmp_path):
    out, _ = ddp_run
    again = torchrun("train", "--epochs", 2, "--out", out, "--resume", *SMALL)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "Resuming" in again.stdout and "at epoch 1" in again.stdout
    assert "Weights identical on all 2 ranks" in again.stdout
    run = load_checkpoint(out / "checkpoint.pt")
    assert run.epoch == 2 and run.step == 2 * (4000 // 2 // 128)
    assert main(["sample", str(out / "checkpoint.pt"), "--n", "16", "--out", str(tmp_path / "s.npz")]) == 0


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--latent-dim", "32"], "latent_dim=16, but latent_dim=32"),
        (["--latent-dim", "16", "--loss", "hinge"], "was trained with --loss rpgan, not hinge"),
    ],
)
@pytest.mark.slow
def test_ddp_resume_with_other_settings_is_refused(ddp_run, flags, message):
    out, _ = ddp_run
    result = torchrun(
        "train", "--epochs", 3, "--out", out, "--resume", "--no-progress", "--device", "cpu", *flags
    )
    assert result.returncode != 0
    assert result.stderr.count("error: ") == 1 and message in result.stderr  # said once, by rank 0


@pytest.mark.slow
def test_ctrl_c_stops_all_ranks_with_the_checkpoint_intact(tmp_path):
    """Ctrl-C in a terminal reaches torchrun and its workers (one process group); torchrun passes it on again."""
    p = torchrun("train", "--max-seconds", 300, "--out", tmp_path, *SMALL, start_new_session=True)
    try:
        deadline = time.time() + 300
        while not (tmp_path / "checkpoint.pt").exists() and time.time() < deadline and p.poll() is None:
            time.sleep(0.5)  # the first epoch's checkpoint: training is under way
        os.killpg(p.pid, signal.SIGINT)
        output = p.communicate(timeout=120)[0]
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert "Training interrupted at step" in output, output[-3000:]
    assert "Weights identical on all 2 ranks" in output
    run = load_checkpoint(tmp_path / "checkpoint.pt")
    assert run.step > 4000 // 2 // 128 - 1


def test_each_rank_gets_its_own_share_and_epochs_reshuffle():
    data = load_mnist(verbose=False)
    ranks = [_cpu(r, 2) for r in range(2)]
    seen = []
    for d in ranks:
        labels = torch.cat([y for _, y in d.loader(data, 500, seed=0, epoch=0)])
        assert len(labels) == 2500
        seen.append(labels)
    assert not torch.equal(seen[0], seen[1])
    again = torch.cat([y for _, y in ranks[0].loader(data, 500, seed=0, epoch=0)])
    other_epoch = torch.cat([y for _, y in ranks[0].loader(data, 500, seed=0, epoch=1)])
    assert torch.equal(again, seen[0]) and not torch.equal(other_epoch, seen[0])
    assert ranks[0].steps_per_epoch(data, 128) == 2500 // 128


def test_more_processes_than_batches_is_a_clear_error():
    data = load_mnist(verbose=False)
    with pytest.raises(
        ValueError,
        match=r"--nproc_per_node=3 splits 5000 images into 1666 per process, less than one batch of 2000\. Use --nproc_per_node 2 or fewer",
    ):
        _cpu(0, 3).check_data(data, 2000)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        _device_for("cuda", 0, 2)
    assert main(["train", "--max-seconds", "1", "--out", str(tmp_path), "--device", "cuda"]) == 2
    assert "this machine has no CUDA GPU" in capsys.readouterr().err


def test_more_processes_than_gpus_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(
        ValueError, match=r"--nproc_per_node=2 processes need one GPU each, but this machine has 1"
    ):
        _device_for("cuda", 1, 2)


def test_outside_torchrun_training_stays_in_one_process(monkeypatch):
    for name in ("RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert not launched_by_torchrun() and init_from_env("cpu") is None
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")  # torchrun --nproc_per_node=1: plain training
    assert init_from_env("cpu") is None
