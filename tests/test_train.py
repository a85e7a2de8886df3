import os
import signal

import pytest
import torch

from gan_lessons import TrainConfig, load_checkpoint, load_generator, new_run, save_checkpoint, train
from gan_lessons.data import MNISTDigits, load_mnist
from gan_lessons.models import Generator
from gan_lessons.train import NonFiniteLossError

SMALL = dict(latent_dim=8, width=4, batch_size=32, device="cpu", sample_every=3, n_fixed=8)


@pytest.fixture(scope="module")
def digits() -> MNISTDigits:
    full = load_mnist(verbose=False)
    idx = torch.arange(0, 5000, 25)  # 200 digits, all classes -> 6 steps per epoch
    return MNISTDigits(full.images_uint8[idx], full.labels[idx], source="subset")


def _state(run):
    state = {
        **{f"G.{k}": v for k, v in run.G.state_dict().items()},
        **{f"D.{k}": v for k, v in run.D.state_dict().items()},
    }
    if run.G_ema is not None:
        state |= {f"G_ema.{k}": v for k, v in run.G_ema.state_dict().items()}
    return state


def _assert_same_weights(a, b):
    sa, sb = _state(a), _state(b)
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k


def test_history_and_samples(digits):
    run = new_run(TrainConfig(**SMALL))
    hist = train(run, digits, 2, progress=False)
    assert run.step == 12 and run.epoch == 2 and run.batch_in_epoch == 0
    for key in ("d_loss", "g_loss", "d_real", "d_fake", "time"):
        assert len(hist[key]) == 12
    assert all(0 <= v <= 1 for v in hist["d_real"] + hist["d_fake"])
    assert hist["time"] == sorted(hist["time"])
    assert hist["sample_steps"] == [0, 3, 6, 9, 12]
    assert hist["samples"][0].dtype == torch.uint8 and hist["samples"][0].shape == (8, 1, 28, 28)
    # training moves the generator: the fixed-noise samples change
    assert not torch.equal(hist["samples"][0], hist["samples"][-1])


def test_ema_generator_is_an_average_and_is_sampled(digits, tmp_path):
    run = new_run(TrainConfig(**SMALL, ema=0.9))
    train(run, digits, 1, progress=False)
    g, g_ema = next(run.G.parameters()), next(run.G_ema.parameters())
    assert not torch.equal(g, g_ema) and not g_ema.requires_grad
    with torch.no_grad():
        expected = run.G_ema.eval()(run.fixed_noise)
    assert torch.equal(run.sample(), expected)
    back = load_checkpoint(save_checkpoint(run, tmp_path / "ema.pt"))
    assert torch.equal(back.sample(), run.sample())
    assert torch.equal(load_generator(tmp_path / "ema.pt")(run.fixed_noise), expected)


def test_same_seed_same_samples(digits):
    a, b = new_run(TrainConfig(**SMALL)), new_run(TrainConfig(**SMALL))
    train(a, digits, 1, progress=False)
    train(b, digits, 1, progress=False)
    assert torch.equal(a.sample(), b.sample())
    c = new_run(TrainConfig(**{**SMALL, "seed": 1}))
    train(c, digits, 1, progress=False)
    assert not torch.equal(a.sample(), c.sample())


def test_checkpoint_round_trip(digits, tmp_path):
    run = new_run(TrainConfig(**SMALL))
    train(run, digits, 1, progress=False)
    path = save_checkpoint(run, tmp_path / "ck.pt")
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"
    back = load_checkpoint(path)
    _assert_same_weights(run, back)
    assert back.step == run.step and back.history["d_loss"] == run.history["d_loss"]
    assert torch.equal(back.sample(), run.sample())
    G = load_generator(path, Generator(SMALL["latent_dim"], SMALL["width"]))
    assert torch.equal(G(run.fixed_noise), run.sample())


def _interrupt_at(step):
    def on_step(run):
        if run.step == step:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C and Jupyter's stop button send

    return on_step


@pytest.mark.parametrize("ema", [0.0, 0.9])
def test_interrupt_keeps_state_and_resume_matches_uninterrupted_run(digits, tmp_path, capsys, ema):
    reference = new_run(TrainConfig(**SMALL, ema=ema))
    train(reference, digits, 3, progress=False)

    run = new_run(TrainConfig(**SMALL, ema=ema))
    ckpt = tmp_path / "run.pt"
    train(run, digits, 3, progress=False, checkpoint_path=ckpt, on_step=_interrupt_at(8))
    out = capsys.readouterr().out
    assert "Training interrupted at step 8" in out and "train(run, data, num_epochs=3)" in out
    assert run.interrupted and run.step == 8 and run.epoch == 1 and run.batch_in_epoch == 2
    assert len(run.history["d_loss"]) == 8
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "handler restored"

    resumed = load_checkpoint(ckpt)  # as after a kernel restart
    assert resumed.step == 8
    train(resumed, digits, 3, progress=False)
    _assert_same_weights(reference, resumed)
    assert resumed.history["d_loss"] == pytest.approx(reference.history["d_loss"])

    train(run, digits, 3, progress=False)  # or resume in memory, in the same kernel
    _assert_same_weights(reference, run)


def test_interrupt_outside_a_step_raised_as_keyboardinterrupt_is_caught(digits):
    def boom(run):
        if run.step == 2:
            raise KeyboardInterrupt

    run = new_run(TrainConfig(**SMALL))
    train(run, digits, 1, progress=False, on_step=boom)
    assert run.interrupted and run.step == 2


def test_nan_is_reported_at_the_step(digits):
    run = new_run(TrainConfig(**SMALL))

    def poison(r):
        if r.step == 4:
            with torch.no_grad():
                next(r.D.parameters()).fill_(float("nan"))

    with pytest.raises(NonFiniteLossError, match=r"discriminator loss became nan at step 5"):
        train(run, digits, 2, progress=False, on_step=poison)
    assert run.step == 4 and len(run.history["d_loss"]) == 4


def test_max_seconds_stops_and_checkpoints(digits, tmp_path, capsys):
    run = new_run(TrainConfig(**SMALL))
    ckpt = tmp_path / "t.pt"
    train(run, digits, 10_000, progress=False, max_seconds=0.5, checkpoint_path=ckpt)
    assert "0.5-second budget" in capsys.readouterr().out
    assert 0 < run.step < 10_000 * 6 and run.elapsed < 5
    assert load_checkpoint(ckpt).step == run.step


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=0), r"lr \(learning rate\) must be a number > 0.*got 0"),
        (dict(lr=-1e-3), "must be a number > 0"),
        (dict(batch_size=0), "batch_size must be a positive integer; got 0"),
        (dict(latent_dim=-2), "latent_dim must be a positive integer"),
        (dict(device="gpu"), "Unknown device 'gpu'"),
        (dict(g_loss="wasserstein"), "g_loss must be one of"),
        (dict(ema=1.0), r"ema \(the decay of G's moving average\) must be in \[0, 1\)"),
    ],
)
def test_bad_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        new_run(TrainConfig(**{**SMALL, **kwargs}))


def test_bad_epochs_and_batch_larger_than_data(digits):
    run = new_run(TrainConfig(**SMALL))
    with pytest.raises(ValueError, match=r"num_epochs must be an integer >= 0; got -1"):
        train(run, digits, -1)
    big = new_run(TrainConfig(**{**SMALL, "batch_size": 1000}))
    with pytest.raises(ValueError, match="larger than the data set"):
        train(big, digits, 1)


def test_zero_epochs_does_nothing(digits):
    run = new_run(TrainConfig(**SMALL))
    train(run, digits, 0, progress=False)
    assert run.step == 0


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", None])
def test_corrupt_checkpoint(tmp_path, digits, content):
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
