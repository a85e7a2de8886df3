"""gan_lessons.engine: the one loop (budgets, history rows, epochs, callbacks, save, Ctrl-C, resuming) and
`fit`; the GAN step's options. The trainers built on it are tested with their methods (test_train.py for
the DCGAN and pix2pix, test_baselines.py, test_ddpm.py)."""

import math
import os
import signal

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from gan_lessons.engine import DOptions, Loop, Position, check_budget, fit, update_D, update_G


def _loop(num_epochs=None, max_steps=None, max_seconds=None, steps_per_epoch=3, **kw):
    seen = []
    history: dict = {}
    loop = Loop(
        Position(),
        lambda epoch: [(epoch, b) for b in range(steps_per_epoch)],
        steps_per_epoch,
        history,
        num_epochs=num_epochs,
        max_steps=max_steps,
        max_seconds=max_seconds,
        progress=False,
        **kw,
    )
    return loop, seen, history


def test_epochs_rows_and_rollover():
    loop, seen, history = _loop(num_epochs=2)
    assert loop.run(lambda batch: seen.append(batch) or {"loss": float(len(seen))}) is None
    assert seen == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]  # epoch e's batches, in order
    s = loop.state
    assert (s.epoch, s.batch_in_epoch, s.step, s.interrupted) == (2, 0, 6, False)
    assert history["step"] == [1, 2, 3, 4, 5, 6]
    assert history["epoch"] == pytest.approx([1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    assert history["loss"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert list(history) == ["step", "epoch", "loss", "time"] and history["time"] == sorted(history["time"])
    assert loop.run(lambda batch: {"loss": 0.0}) is None and loop.state.step == 6  # done: nothing more


def test_max_steps_stops_mid_epoch_and_a_later_call_resumes_there():
    loop, seen, _ = _loop(max_steps=4)
    loop.run(lambda batch: seen.append(batch) or {})
    assert seen == [(0, 0), (0, 1), (0, 2), (1, 0)] and loop.state.batch_in_epoch == 1
    loop.max_steps = 6
    loop.run(lambda batch: seen.append(batch) or {})
    assert seen[4:] == [(1, 1), (1, 2)], "the resumed call skips the batches already done"


def test_a_finish_mid_epoch_is_saved_once():
    saves = []
    loop, _, _ = _loop(max_steps=4, save=lambda: saves.append(loop.state.step))
    loop.run(lambda batch: {})
    assert saves == [3, 4], "the end of epoch 1, and the finish at step 4 in epoch 2"


def test_time_budget_stops_with_the_reason():
    loop, _, _ = _loop(num_epochs=None, max_seconds=1e-9)
    assert loop.run(lambda batch: {}) == "time" and loop.state.step == 1


def test_callbacks_after_every_step_and_save_at_epoch_ends():
    calls, saves = [], []
    loop, _, _ = _loop(num_epochs=2, callbacks=[lambda s: calls.append(s.step)], save=lambda: saves.append(1))
    loop.run(lambda batch: {})
    assert calls == [1, 2, 3, 4, 5, 6] and len(saves) == 2


def test_ctrl_c_stops_after_the_step_keeps_the_position_and_saves():
    saves = []
    loop, _, history = _loop(num_epochs=5, save=lambda: saves.append(loop.state.step))

    def step(batch):
        if loop.state.step == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C: a request to stop after this step
        return {"x": 1.0}

    assert loop.run(step) == "interrupted"
    assert loop.state.interrupted and loop.state.step == 4 and len(history["step"]) == 4
    assert saves == [3, 4], "saved at the end of epoch 1 and at the stop"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "the handler is restored"


def test_no_batch_is_a_clear_error():
    loop, _, _ = _loop(num_epochs=1, steps_per_epoch=0)
    with pytest.raises(ValueError, match="gives no batch to train on"):
        loop.run(lambda batch: {})


@pytest.mark.parametrize(
    "args, message",
    [
        ((None, None), "Give num_epochs, max_seconds or both"),
        ((-1, None), "num_epochs must be an integer >= 0"),
        ((1.5, None), "num_epochs must be an integer >= 0"),
        ((None, 0), "max_seconds must be a number of seconds > 0"),
        ((None, "60"), "max_seconds must be a number of seconds > 0"),
        ((None, float("nan")), "max_seconds must be a number of seconds > 0"),  # would never stop
        ((None, True), "max_seconds must be a number of seconds > 0"),
    ],
)
def test_check_budget_errors(args, message):
    with pytest.raises(ValueError, match=message):
        check_budget(*args)


def test_doptions_reject_negative_weights():
    with pytest.raises(ValueError, match="gp_weight must be >= 0"):
        DOptions(gp_weight=-1)
    with pytest.raises(ValueError, match="r1_weight must be >= 0"):
        DOptions(r1_weight=-0.5)
    with pytest.raises(ValueError, match="r1_weight must be >= 0"):
        DOptions(r1_weight=math.nan)
    with pytest.raises(ValueError, match="r2_weight must be >= 0"):
        DOptions(r2_weight=-1.0)


class _Quadratic(nn.Module):
    # D(x) = a * ||x||^2 / 2 with one parameter a, so grad_x D = a x (the penalties have closed forms).
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        return 0.5 * self.a * x.flatten(1).pow(2).sum(1)


def test_update_d_adds_half_gamma_r2_on_the_fakes():
    D = _Quadratic()
    opt = torch.optim.SGD(D.parameters(), lr=0.0)  # measure the loss without moving D
    real, fake = torch.zeros(4, 2), torch.full((4, 2), 2.0)  # ||fake||^2 = 8, and R1 at the reals is 0
    base, _, _ = update_D(D, opt, real, fake, "rpgan")
    with_r2, _, _ = update_D(D, opt, real, fake, "rpgan", DOptions(r2_weight=3.0))
    with_r1, _, _ = update_D(D, opt, real, fake, "rpgan", DOptions(r1_weight=3.0))
    assert with_r2.item() - base.item() == pytest.approx(0.5 * 3.0 * 8.0)
    assert with_r1.item() == pytest.approx(base.item())  # R1 looks at the reals, where the gradient is 0


def test_a_paired_g_step_needs_the_reals_and_compares_with_them():
    D = _Quadratic()
    G_param = nn.Parameter(torch.full((4, 2), 1.0))  # the "generator" is its own output
    opt_g = torch.optim.SGD([G_param], lr=0.0)
    with pytest.raises(ValueError, match="pass the real batch"):
        update_G(D, opt_g, G_param * 1, "rpgan")
    real = torch.full((4, 2), 2.0)  # D(real) = 4, D(fake) = 1: loss softplus(4 - 1)
    loss = update_G(D, opt_g, G_param * 1, "rpgan", x_real=real)
    assert loss.item() == pytest.approx(math.log1p(math.exp(3.0)), rel=1e-6)
    assert update_G(D, opt_g, G_param * 1, "nonsaturating").item() != pytest.approx(loss.item())


def test_fit_trains_and_is_reproducible():
    x = torch.randn(40, 3, generator=torch.Generator().manual_seed(1))
    data = TensorDataset(x, x @ torch.tensor([[1.0], [-2.0], [0.5]]))  # a target the model can learn

    def run():
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        losses = fit(model, data, lambda m, x, y: ((m(x) - y) ** 2).mean(), 10, 16, 0.1, progress=False)
        return model, losses

    (m1, l1), (m2, l2) = run(), run()
    assert len(l1) == 10 * 3  # 40 samples in batches of 16: 3 steps per epoch, the last one partial
    assert l1 == l2 and torch.equal(m1.weight, m2.weight)
    assert sum(l1[-3:]) < sum(l1[:3]) / 2  # the last epoch's loss is well below the first's
    with pytest.raises(ValueError, match="num_epochs must be an integer >= 0"):
        fit(m1, data, lambda m, x, y: m(x).sum(), -1, 16, 0.1)


def test_fit_sees_the_batches_of_a_plain_dataloader_loop_epoch_after_epoch():
    """The wrong world: the loop leaving an epoch's DataLoader unexhausted, so the sampler's generator skips
    a call and every later epoch shuffles differently from `for epoch: for x, y in loader`."""
    from torch.utils.data import DataLoader

    data = TensorDataset(
        torch.arange(12.0)[:, None], torch.zeros(12)
    )  # whole batches: the sampler is not run dry
    seen = []

    def batch_loss(model, x, y):
        seen.append(x.flatten().tolist())
        return model(x).sum() * 0

    fit(torch.nn.Linear(1, 1), data, batch_loss, 3, 4, 0.1, seed=5, progress=False)
    loader = DataLoader(data, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(5))
    expected = [x.flatten().tolist() for _ in range(3) for x, _ in loader]
    assert seen == expected and len(seen) == 9
