"""Checkpoints (gan_lessons.dcgan's checkpoints, gan_lessons.shipped's atomic writer): atomic writes, safe reads, clear errors, exact resumes."""

import os
import signal
from dataclasses import asdict

import pytest
import torch

from gan_lessons import (
    PLAIN_RECIPE,
    TrainConfig,
    load_checkpoint,
    load_generator,
    load_pretrained_generator,
    new_run,
    read_checkpoint,
    save_checkpoint,
    train,
)
from gan_lessons import dcgan as checkpoint_mod
from gan_lessons.dcgan import (
    PRETRAINED_G_FORMAT,
    PRETRAINED_G_SHA256,
    Generator,
    pretrained_generator_path,
)
from gan_lessons.shipped import sha256_of

from runs import SMALL, assert_same_weights


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


@pytest.fixture
def weights_only_calls(monkeypatch) -> list:
    """The `weights_only` argument of every torch.load call made while the test runs."""
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(checkpoint_mod.torch, "load", spy)
    return calls


def test_read_uses_weights_only(tmp_path, weights_only_calls):
    path = save_checkpoint(new_run(TrainConfig(**SMALL)), tmp_path / "ck.pt")
    assert read_checkpoint(path)["format"] == checkpoint_mod.CHECKPOINT_FORMAT
    assert weights_only_calls == [True]


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
        run = new_run(TrainConfig(**SMALL, conditional=True, **{**PLAIN_RECIPE, **options}))
        train_conditional(run, data, 1, progress=False, max_seconds=0.5)
        back = load_checkpoint(save_checkpoint(run, tmp_path / "c.pt"))
        assert back.config == run.config
        assert_same_weights(run, back)
        assert hasattr(back.D, "embed" if "projection" in options.values() else "classifier")
        assert torch.equal(back.sample(labels=3), run.sample(labels=3))


# ---------------------------------------------------------------- the shipped generator (02_core_concepts)
def test_shipped_generator_loads_verified_and_samples_deterministically():
    assert sha256_of(pretrained_generator_path()) == PRETRAINED_G_SHA256
    state = torch.load(pretrained_generator_path(), weights_only=True)
    course = TrainConfig()  # tools/make_pretrained_generator.py trains the course defaults
    assert (state["latent_dim"], state["width"]) == (course.latent_dim, course.width)
    G = load_pretrained_generator()
    assert isinstance(G, Generator) and not G.training and G.latent_dim == course.latent_dim
    z = torch.randn(64, G.latent_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        x, again = G(z), load_pretrained_generator()(z)
        other = G(torch.randn(64, G.latent_dim, generator=torch.Generator().manual_seed(1)))
    assert x.shape == (64, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() >= -1 and x.max() <= 1
    assert torch.equal(x, again), "the same seed gives the same samples"
    assert not torch.equal(x, other) and x.std(0).mean() > 0.1, "different z, different digits"


def test_loading_the_shipped_generator_uses_weights_only(weights_only_calls):
    load_pretrained_generator()
    assert weights_only_calls == [True]


def test_a_torch_file_of_another_format_is_not_a_pretrained_generator(tmp_path):
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(
        ValueError, match=rf"other\.pt is not a pretrained generator file.*'{PRETRAINED_G_FORMAT}'"
    ):
        load_pretrained_generator(other, expected_sha256=None)
    torch.save(torch.zeros(2), other)  # not even a dict
    with pytest.raises(ValueError, match="is not a pretrained generator file"):
        load_pretrained_generator(other, expected_sha256=None)
    ck = save_checkpoint(new_run(TrainConfig(**SMALL)), tmp_path / "ck.pt")
    with pytest.raises(ValueError, match=r"is a training checkpoint: load its generator with load_generator"):
        load_pretrained_generator(ck, expected_sha256=None)
    # with the checksum: not the shipped bytes, so refused before its format is read
    with pytest.raises(ValueError, match="corrupt or was changed"):
        load_pretrained_generator(other)


def test_generator_file_that_does_not_fit_its_settings(tmp_path):
    state = torch.load(pretrained_generator_path(), weights_only=True)
    path = tmp_path / "mine.pt"
    torch.save(state | {"latent_dim": 100}, path)
    with pytest.raises(ValueError, match=r"mine\.pt does not match its own configuration"):
        load_pretrained_generator(path, expected_sha256=None)
    torch.save(state | {"format": PRETRAINED_G_FORMAT, "state_dict": {"x": print}}, path)
    with pytest.raises(ValueError, match=r"mine\.pt cannot be read"):  # weights_only: a function is refused
        load_pretrained_generator(path, expected_sha256=None)


def test_a_generator_made_by_the_tool_loads_without_the_shipped_checksum(tmp_path):
    """expected_sha256=None: a file you rebuilt yourself (same format, other bytes) loads and samples."""
    state = torch.load(pretrained_generator_path(), weights_only=True)
    state["state_dict"] = {
        k: v * 0.5 if v.is_floating_point() and k.endswith("weight") else v
        for k, v in state["state_dict"].items()
    }
    path = tmp_path / "mine.pt"
    torch.save(state, path)
    G = load_pretrained_generator(path, expected_sha256=None)
    z = torch.randn(8, G.latent_dim)
    with torch.no_grad():
        assert not torch.equal(G(z), load_pretrained_generator()(z))


def test_finish_weights_file_checks_or_writes_and_names_the_constant_to_update(tmp_path, capsys):
    """The last step of tools/train_feature_net.py and tools/make_pretrained_generator.py."""
    from gan_lessons.shipped import finish_weights_file

    path = tmp_path / "w.pt"
    args = ("OLD_SHA256", "gan_lessons/somewhere.py")
    assert finish_weights_file(b"new", path, True, "0" * 64, *args) == 1  # nothing there yet: differs
    assert "DIFFERS" in capsys.readouterr().out and not path.exists()  # --check never writes
    assert finish_weights_file(b"new", path, False, "0" * 64, *args) == 0
    out = capsys.readouterr().out
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o644  # readable by all
    assert f"wrote {path}" in out and 'Now set OLD_SHA256 = "' in out and "gan_lessons/somewhere.py" in out
    assert finish_weights_file(b"new", path, True, "0" * 64, *args) == 0
    assert "identical to the shipped file" in capsys.readouterr().out
    digest = sha256_of(path)
    finish_weights_file(b"new", path, False, digest, *args)  # the expected bytes: nothing to update
    assert "Now set" not in capsys.readouterr().out


def test_a_checkpoint_written_before_the_engine_still_loads_upgrades_and_trains_on():
    """tests/fixtures/checkpoint_before_the_engine.pt was written by commit 4ea88ea (before the package moved
    to one file per method on one engine): latent_dim=8, width=4, batch 32, 2 epochs of 64 digits
    (shuffled_indices(4000)[:64] of load_mnist("train")), a FIDTracker every 2 steps (its old fid_steps/fid
    keys). The wrong worlds: a renamed state-dict key, a changed config field, an old history misread."""
    from pathlib import Path

    from torch.utils.data import TensorDataset

    from gan_lessons import load_checkpoint, load_mnist, shuffled_indices, to_uint8, train

    run = load_checkpoint(Path(__file__).parent / "fixtures" / "checkpoint_before_the_engine.pt")
    assert (run.step, run.epoch, run.batch_in_epoch) == (4, 2, 0)
    assert "fid_steps" not in run.history and run.history["evals"]["step"] == [2, 4]
    assert len(run.history["evals"]["fid"]) == 2
    assert torch.equal(to_uint8(run.sample()), run.history["samples"][-1]), "G's moving average restored"
    data = load_mnist("train", verbose=False)
    pick = shuffled_indices(len(data))[:64]
    train(run, TensorDataset(data.images[pick], data.labels[pick]), 3, progress=False)
    assert run.step == 6 and len(run.history["step"]) == 6
