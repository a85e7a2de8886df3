"""Checkers for 07_bug_hunt: find the bugs in a GAN listing the chapter has not shown (by line number; the
checker says only how many are wrong), then write the fixed step."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .core import WrongAnswer, as_float, call_student, checker, correct, require_callable

#: The exercise's listing. Line numbers are what `print_listing()` shows (1-based). `Generator` is the
#: course's DCGAN generator (BatchNorm inside); `loader` gives batches of digits in [-1, 1].
BUG_HUNT_LISTING = """\
import torch
from torch import nn

latent_dim, batch_size = 64, 64
G = Generator(latent_dim, width=32)
D = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())
bce = nn.BCEWithLogitsLoss()
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
G.eval()
show_images(G(torch.randn(16, latent_dim)))  # what G makes before training

for x_real, _ in loader:
    z = torch.randn(batch_size, latent_dim)
    x_fake = G(z)
    ones, zeros = torch.ones(batch_size, 1), torch.ones(batch_size, 1)
    eps = torch.ones(batch_size, 1, 1, 1)
    x_hat = (eps * x_real + (1 - eps) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss_d = bce(D(x_real), ones) + bce(D(x_fake.detach()), zeros) + 10 * penalty
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = bce(D(x_fake), ones)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
"""

#: line number -> what is wrong (shown only once every bug is found).
BUGS: dict[int, str] = {
    6: "D ends in a Sigmoid and BCEWithLogitsLoss applies another: a double sigmoid, D's output squeezed into "
    "(0.5, 0.73) as a 'logit', so its loss can never go below 0.31 per term",
    10: "G.eval() is never undone: G trains with BatchNorm's running statistics instead of the batch's",
    16: "zeros is a tensor of ones: real and fake are both labelled 1, so D is never taught what a fake is",
    17: "eps is fixed at 1, so x_hat is x_real: the penalty lands on the reals only, not between real and fake",
}


_STATE = {"bugs_found": False}  # Exercise 2's named hints unlock once Exercise 1 is solved


def print_listing() -> None:
    """Print the bug-hunt listing with line numbers. Introduced in 07_bug_hunt."""
    for i, line in enumerate(BUG_HUNT_LISTING.splitlines(), start=1):
        print(f"{i:2d} | {line}")


def _as_lines(found: Any) -> set[int]:
    if isinstance(found, numbers.Integral) and not isinstance(found, bool):
        found = [found]
    if isinstance(found, (str, bytes)) or not hasattr(found, "__iter__"):
        raise ValueError(
            f"Give the line numbers of the bugs as a set of integers, such as {{3, 12}}; got {found!r}."
        )
    lines = set()
    for item in found:
        if not isinstance(item, numbers.Integral) or isinstance(item, bool):
            raise ValueError(f"Line numbers are integers (such as 12); got {item!r} in {found!r}.")
        lines.add(int(item))
    return lines


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@checker(value_answer=True)
def check_bug_hunt(found: Any) -> None:
    """Exercise (07): `found` is the set of line numbers of the listing's bugs (see `print_listing()`).
    The checker says only whether the set is right (and whether it has as many lines as there are bugs):
    no count of right lines, which single-line probes would turn into the answer."""
    lines = _as_lines(found)
    n_lines = len(BUG_HUNT_LISTING.splitlines())
    if not lines:
        raise WrongAnswer(
            f"The set is empty: the listing has {len(BUGS)} bugs; put their line numbers in it."
        )
    outside = sorted(n for n in lines if not 1 <= n <= n_lines)
    if outside:
        raise WrongAnswer(f"The listing has lines 1 to {n_lines}; {outside} are not among them.")
    for shift, counting in (
        (-1, "counts its lines from 1, not 0"),
        (1, "is numbered as print_listing() shows it"),
    ):
        if lines == {n + shift for n in BUGS}:
            raise WrongAnswer(f"Every line is off by one: the listing {counting}.")
    if len(lines) != len(BUGS):
        raise WrongAnswer(
            f"The listing has {len(BUGS)} bugs; your set has {_plural(len(lines), 'line', 'lines')}. "
            "Give one line per bug."
        )
    if lines != set(BUGS):  # no count and no line: any count would tell, probe by probe, which lines are bugs
        raise WrongAnswer(
            "Not yet: that is not the set of bug lines. Run the listing in your head through the probes of "
            "the summary table, and read each line against what it claims to do."
        )
    _STATE["bugs_found"] = True
    return correct("All four: " + "; ".join(f"line {n}: {what}" for n, what in sorted(BUGS.items())) + ".")


# ----------------------------------------------------------------------------------------------
# The fixed step
# ----------------------------------------------------------------------------------------------
def _fixed_step_reference(G, D, opt_g, opt_d, x_real, z, **variant):
    # The right step, and its typical wrong variants (for the hints).
    labels, sigmoid = variant.get("labels", "right"), variant.get("sigmoid", False)
    train, at_reals, detach_g = (
        variant.get("train", True),
        variant.get("at_reals", False),
        variant.get("detach_g", False),
    )
    if train:
        G.train()
    bce = nn.BCEWithLogitsLoss()
    judge = (lambda x: torch.sigmoid(D(x))) if sigmoid else D  # noqa: E731
    n = len(x_real)
    x_fake = G(z)
    ones = torch.ones(n, 1)
    zeros = ones if labels == "both ones" else torch.zeros(n, 1)
    e = torch.ones(n, 1, 1, 1) if at_reals else torch.rand(n, 1, 1, 1)
    x_hat = (e * x_real + (1 - e) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(judge(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss_d = bce(judge(x_real), ones) + bce(judge(x_fake.detach()), zeros) + 10 * penalty
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = bce(judge(x_fake.detach() if detach_g else x_fake), ones)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


def _setup(seed: int):
    from ..dcgan import (
        Generator,
    )  # the course's G, with BatchNorm (imported here: checks may import any layer)

    torch.manual_seed(seed)
    G = Generator(8, width=4)
    D = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    for _ in range(3):  # running statistics that differ from the batch's, so eval mode shows
        G(torch.randn(32, 8) * 3 + 1)
    G.eval()  # as the listing leaves it
    gen = torch.Generator().manual_seed(seed + 1)
    x_real = torch.rand(16, 1, 28, 28, generator=gen) * 2 - 1
    z = torch.randn(16, 8, generator=gen)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-2, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-2, betas=(0.5, 0.999))
    return G, D, opt_g, opt_d, x_real, z


def _weights(*models) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for m in models for p in m.parameters()])


def _outcome(fn, seed: int, **variant):
    with torch.random.fork_rng(devices=[]):  # the student's random state is left as it was
        G, D, opt_g, opt_d, x_real, z = _setup(seed)
        torch.manual_seed(
            1000 + seed
        )  # the step's one random draw (the interpolation weights) is the same for both
        if fn is None:
            losses = _fixed_step_reference(G, D, opt_g, opt_d, x_real, z, **variant)
        else:
            out = call_student(
                fn, G, D, opt_g, opt_d, x_real, z,
                about="It receives G, D, opt_g, opt_d, x_real and z, and returns (loss_d, loss_g).",
            )  # fmt: skip
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise WrongAnswer(
                    f"Return the pair (loss_d, loss_g); your function returned {type(out).__name__}."
                )
            losses = (as_float(out[0], "loss_d", returned=True), as_float(out[1], "loss_g", returned=True))
        return losses, _weights(G), _weights(D), G.training


@checker
def check_fixed_step(fn: Callable) -> None:
    """Exercise (07): `fn(G, D, opt_g, opt_d, x_real, z)` is one step of the listing's loop with its bugs
    fixed, returning (loss_d, loss_g); the checker compares it with its own fixed step from the same weights
    and the same random state. Hints that name a bug come only after `check_bug_hunt` has passed."""
    require_callable(fn, "check_fixed_step(fixed_step)")
    for seed in (0, 1):
        (ld, lg), wg, wd, training = _outcome(fn, seed)
        (rd, rg), ref_g, ref_d, _ = _outcome(None, seed)
        same = abs(ld - rd) < 1e-4 and abs(lg - rg) < 1e-4
        if same and torch.allclose(wg, ref_g, atol=1e-5) and torch.allclose(wd, ref_d, atol=1e-5):
            continue
        for variant, hint in (
            (dict(sigmoid=True), "D already outputs logits; BCEWithLogitsLoss applies the sigmoid itself. "
             "Do not add another."),
            (dict(train=False), "G is still in eval mode (the listing left it there): put it back in training "
             "mode before the step."),
            (dict(labels="both ones"), "The fakes must be labelled 0 in D's loss, the reals 1."),
            (dict(at_reals=True), "The penalty must be taken at x_hat = eps * x_real + (1 - eps) * x_fake with "
             "eps ~ U(0, 1), one per sample (torch.rand), not at the reals."),
            (dict(detach_g=True), "G did not move: the G step must judge x_fake itself, not x_fake.detach(), and "
             "opt_g must step."),
        ):  # fmt: skip
            if not _STATE["bugs_found"]:
                break
            (vd, vg), vg_w, vd_w, _ = _outcome(None, seed, **variant)
            if abs(ld - vd) < 1e-4 and abs(lg - vg) < 1e-4 and torch.allclose(wg, vg_w, atol=1e-5):
                raise WrongAnswer(hint)
        if not _STATE["bugs_found"]:
            raise WrongAnswer("Not yet: your step's losses or weights differ from the fixed step's. Solve "
                              "Exercise 1 first (check_bug_hunt): then this checker names the mistake.")  # fmt: skip
        if not training:
            raise WrongAnswer("G is still in eval mode after your step: it must train in training mode.")
        if same:
            raise WrongAnswer("The losses are right, but the weights after the step are not: did both "
                              "optimizers step, each after its own zero_grad() and backward()?")  # fmt: skip
        raise WrongAnswer(f"Expected losses ({rd:.4f}, {rg:.4f}) on these inputs; got ({ld:.4f}, {lg:.4f}).")
    return correct("G in training mode, logits into BCEWithLogitsLoss, fakes labelled 0, the penalty between "
                   "real and fake, and the G step through D.")  # fmt: skip


__all__ = ["BUGS", "BUG_HUNT_LISTING", "check_bug_hunt", "check_fixed_step", "print_listing"]
