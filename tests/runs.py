"""Shared by the tests: a tiny configuration and exact weight comparison (training, checkpoints), and what a
checker's right answer looks like (the checker tests)."""

import contextlib
import io

import torch

SMALL = dict(latent_dim=8, width=4, batch_size=32, device="cpu", sample_every=3, n_fixed=8)


def run_state(run) -> dict:
    """Every tensor of G, D and G's moving average, by name."""
    state = {
        **{f"G.{k}": v for k, v in run.G.state_dict().items()},
        **{f"D.{k}": v for k, v in run.D.state_dict().items()},
    }
    if run.G_ema is not None:
        state |= {f"G_ema.{k}": v for k, v in run.G_ema.state_dict().items()}
    return state


def assert_same_weights(a, b) -> None:
    """Bit-identical weights (torch.equal), naming the first tensor that differs."""
    sa, sb = run_state(a), run_state(b)
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k


def accepted(call) -> bool:
    """True when `call()` (a checker given a right answer) raises nothing, prints a line starting "Correct!" and
    returns None (so an exercise cell shows no Out[n] line)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = call()
    return result is None and out.getvalue().startswith("Correct!")
