"""Checkpoints (gan_lessons.checkpoint): atomic writes, safe reads, clear errors, exact resumes."""

import os
import signal
from dataclasses import asdict

import pytest
import torch
from runs import SMALL, assert_same_weights

from gan_lessons import (
    TrainConfig,
    load_checkpoint,
    load_generator,
    new_run,
    read_checkpoint,
    save_checkpoint,
    train,
)
from gan_lessons import checkpoint as checkpoint_mod
from gan_lessons.models import Generator


def test_checkpoint_round_trip(digits, tmp_path):
    run = new_run(TrainConfig(**SMALL))
    train(run, digits, 1, progress=False)
    path = save_checkpoint(run, tmp_path / "ck.pt")
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"
    back = load_checkpoint(path)
    assert_same_weights(run, back)
    assert back.step == run.step and back.history["d_loss"] == run.history["d_loss"]
    assert back.config == run.config
    assert torch.equal(back.sample(), run.sample())
    G = load_generator(path, Generator(SMALL["latent_dim"], SMALL["width"]))
    assert torch.equal(G(run.fixed_noise), run.sample())


def test_write_is_atomic(tmp_path, monkeypatch):
    """A crash while writing leaves the previous checkpoint whole, and no temporary file."""
    run = new_run(TrainConfig(**SMALL))
    path = save_checkpoint(run, tmp_path / "ck.pt")
    before = path.read_bytes()

    def crash(obj, fh):
        fh.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_mod.torch, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(run, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.pt"]


def test_read_uses_weights_only(tmp_path, monkeypatch):
    path = save_checkpoint(new_run(TrainConfig(**SMALL)), tmp_path / "ck.pt")
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(checkpoint_mod.torch, "load", spy)
    assert read_checkpoint(path)["format"] == checkpoint_mod.CHECKPOINT_FORMAT
    assert calls == [True]


def test_file_that_would_run_code_is_refused(tmp_path):
    """weights_only=True: a pickle that calls a function on load is rejected, not run."""
    path = tmp_path / "evil.pt"
    torch.save({"format": checkpoint_mod.CHECKPOINT_FORMAT, "payload": print}, path)
    with pytest.raises(ValueError, match=r"evil\.pt is truncated, corrupt or not a gan_lessons checkpoint"):
        read_checkpoint(path)


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", None])
def test_corrupt_checkpoint(tmp_path, content):
    path = tmp_path / "bad.pt"
    if content is None:  # a real checkpoint, cut in half
        run = new_run(TrainConfig(**SMALL))
        save_checkpoint(run, path)
        content = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.pt is truncated, corrupt or not a gan_lessons checkpoint"):
        load_checkpoint(path)


def test_plain_torch_file_is_not_a_checkpoint(tmp_path):
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a gan_lessons checkpoint"):
        load_checkpoint(tmp_path / "other.pt")


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt")


def test_checkpoint_with_other_latent_dim(tmp_path):
    path = save_checkpoint(new_run(TrainConfig(**SMALL)), tmp_path / "ck.pt")
    with pytest.raises(ValueError, match=r"latent_dim=8, but latent_dim=100 was asked for"):
        load_checkpoint(path, latent_dim=100)
    with pytest.raises(ValueError, match=r"trained with latent_dim=8, but this generator has latent_dim=100"):
        load_generator(path, Generator(latent_dim=100, width=4))


def test_old_checkpoint_with_g_loss_still_loads(tmp_path):
    """Checkpoints written before the loss registry name the loss `g_loss`."""
    run = new_run(TrainConfig(**SMALL, loss="minimax"))
    path = save_checkpoint(run, tmp_path / "old.pt")
    state = torch.load(path, weights_only=True)
    config = asdict(run.config)
    config["g_loss"] = config.pop("loss")
    del config["gp_weight"]
    state["config"] = config
    torch.save(state, path)
    back = load_checkpoint(path)
    assert back.config.loss == "minimax" and back.config.gp_weight is None
    assert_same_weights(run, back)


@pytest.mark.parametrize("ema", [0.0, 0.9])
def test_resume_from_checkpoint_matches_uninterrupted_run(digits, tmp_path, ema):
    reference = new_run(TrainConfig(**SMALL, ema=ema))
    train(reference, digits, 3, progress=False)

    def stop_at_8(r):
        if r.step == 8:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C and Jupyter's stop button send

    run = new_run(TrainConfig(**SMALL, ema=ema))
    ckpt = tmp_path / "run.pt"
    train(run, digits, 3, progress=False, checkpoint_path=ckpt, on_step=stop_at_8)
    assert run.interrupted and run.step == 8
    resumed = load_checkpoint(ckpt)  # as after a kernel restart: mid-epoch (epoch 1, batch 2)
    assert (resumed.step, resumed.epoch, resumed.batch_in_epoch) == (8, 1, 2)
    train(resumed, digits, 3, progress=False)
    assert_same_weights(reference, resumed)
    assert resumed.history["d_loss"] == reference.history["d_loss"]
    assert torch.equal(resumed.noise_gen.get_state(), reference.noise_gen.get_state())


def test_conditional_recipe_round_trip(tmp_path):
    """A conditional run with the AC-GAN head and projection comes back with the same D (its class head and
    label embedding) and draws the same digits."""
    from gan_lessons import train_conditional
    from gan_lessons.data import load_mnist

    data = load_mnist(verbose=False)
    for options in (dict(conditioning="projection"), dict(conditioning="none", aux_weight=1.0)):
        run = new_run(TrainConfig(**SMALL, conditional=True, **options))
        train_conditional(run, data, 1, progress=False, max_seconds=0.5)
        back = load_checkpoint(save_checkpoint(run, tmp_path / "c.pt"))
        assert back.config == run.config
        assert_same_weights(run, back)
        assert hasattr(back.D, "embed" if "projection" in options.values() else "classifier")
        assert torch.equal(back.sample(labels=3), run.sample(labels=3))
