"""Checkers for 07_bug_hunt: find the hidden bugs in a short GAN listing, by line number."""

from __future__ import annotations

import numbers
from typing import Any

from .core import WrongAnswer, checker, correct

#: The exercise's listing. Line numbers are what `print_listing()` shows (1-based).
BUG_HUNT_LISTING = """\
import torch
from torch import nn
from torch.utils.data import DataLoader

latent_dim, batch_size = 64, 64
G = nn.Sequential(nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, 784), nn.Tanh())
D = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
bce = nn.BCEWithLogitsLoss()
opt_g = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
loader = DataLoader(data, batch_size=batch_size, shuffle=True, drop_last=True)

for x_real, _ in loader:
    x_real = x_real.view(batch_size, 784)
    z = torch.randn(batch_size, latent_dim)
    x_fake = G(z)
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
    loss_d = bce(D(x_real), ones) + bce(D(x_fake.detach()), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = bce(D(x_fake.detach()), ones)
    loss_g.backward()
    opt_g.step()
"""

#: line number -> (what is wrong, how to fix it). The hint for a missed bug names the topic only.
BUGS: dict[int, tuple[str, str]] = {
    9: (
        "opt_g holds D's parameters, so the G step moves D and G never learns",
        "One optimizer holds the wrong model's parameters: look at what each optimizer is given.",
    ),
    19: (
        "loss_d.backward() runs without opt_d.zero_grad(): D's gradients pile up from step to step "
        "(and the G step's gradients through D are added in too)",
        "One optimizer's gradients are never cleared before its backward pass.",
    ),
    22: (
        "the G step judges x_fake.detach(): no gradient reaches G",
        "In one step, the gradient cannot reach the network that should learn.",
    ),
}

#: The lines that learners often flag although they are right, with why they are right.
NOT_BUGS: dict[int, str] = {
    6: "G ends in Tanh, which matches data scaled to [-1, 1] (the course's load_mnist gives that).",
    7: "D ends without a sigmoid on purpose: BCEWithLogitsLoss takes logits.",
    8: "BCEWithLogitsLoss is the stable BCE on logits.",
    10: "opt_d holds D's parameters, as it should.",
    11: "A DataLoader with drop_last=True gives full batches, so .view(batch_size, 784) is safe.",
    12: "it is empty.",
    13: "the loop over the DataLoader is right: each batch is a pair (images, labels).",
    14: "Flattening to (batch_size, 784) is right for these linear layers.",
    15: "z has shape (batch_size, latent_dim), what G's first Linear expects.",
    16: "x_fake is made once and used by both steps; the D step detaches it, the G step must not.",
    17: "Labels of shape (batch_size, 1) match D's output.",
    18: "D's loss has both terms, real labelled 1 and fake (detached) labelled 0, with the right signs.",
    20: "opt_d.step() is right; what is missing comes before the backward pass on the line above.",
    21: "opt_g.zero_grad() is there for G.",
    23: "The backward pass of G's loss is needed; the trouble is what that loss was computed from.",
    24: "opt_g.step() is right, if opt_g holds the right parameters.",
}


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


@checker(value_answer=True)
def check_bug_hunt(found: Any) -> None:
    """Exercise (07): `found` is the set of line numbers of the listing's bugs (see `print_listing()`)."""
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
            raise WrongAnswer(
                f"Each of your lines is one {'less' if shift < 0 else 'more'} than the bugs' lines: "
                f"the listing {counting}."
            )
    not_bugs = [
        f"Line {n} is not a bug: {NOT_BUGS.get(n, 'that line is fine as it is.')}"
        for n in sorted(lines - set(BUGS))
    ]
    if not_bugs:
        raise WrongAnswer("\n".join(not_bugs))
    missed = sorted(set(BUGS) - lines)
    if missed:
        raise WrongAnswer(f"You found {len(lines)} of {len(BUGS)}. Still hidden: {BUGS[missed[0]][1]}")
    return correct(
        "All three: " + "; ".join(f"line {n}: {what}" for n, (what, _) in sorted(BUGS.items())) + "."
    )


__all__ = ["BUGS", "BUG_HUNT_LISTING", "NOT_BUGS", "check_bug_hunt", "print_listing"]
