"""Checkers for 10_conditional_gan: the projection discriminator's logit (Miyato & Koyama 2018, with the paper's
global sum pooling) and the auxiliary classifier's class terms for D and G (AC-GAN, Odena et al. 2017: D's
classifier learns from reals and fakes; in the chapter's recipe, from the real digits only). The hints name the
idea that is missing, never the code."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .core import WrongAnswer, as_float, as_tensor, call_student, checker, close, correct, require_callable


def _projection_case(seed: int, n: int = 5, c: int = 6):
    gen = torch.Generator().manual_seed(seed)
    phi = torch.randn((n, c, 7, 7), generator=gen)
    y = torch.tensor([3, 0, 9, 7, 3][:n])
    psi = torch.nn.Linear(c, 1)
    embed = torch.nn.Embedding(10, c)
    with torch.no_grad():
        for p in (psi.weight, psi.bias, embed.weight):
            p.copy_(torch.randn(p.shape, generator=gen))
    return phi, y, psi, embed


def _pooled(phi: torch.Tensor) -> torch.Tensor:
    return phi.sum((2, 3))


_PROJECTION_MISTAKES: list[tuple[str, Callable]] = [
    (
        "Nothing in your logit depends on the label: D can say 'a real digit', never 'a real y'. The projection "
        "adds a class part, the label's own vector compared with the pooled features.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten(),
    ),
    (
        "Only the class part is there: the paper's logit also has a label-free part, read from the same pooled "
        "features, that asks 'is this a real digit at all?'.",
        lambda phi, y, psi, e: (e(y) * _pooled(phi)).sum(1),
    ),
    (
        "Check the pooling: the paper's is a global *sum* over the positions, not an average.",
        lambda phi, y, psi, e: psi(phi.mean((2, 3))).flatten() + (e(y) * phi.mean((2, 3))).sum(1),
    ),
    (
        "The class part is an inner product for each image: one number per image, not one for the whole batch.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten() + (e(y) * _pooled(phi)).sum(),
    ),
    (
        "Each image's class part uses the vector of its own label (one-hot y picks one row of V), not all the "
        "classes' vectors together.",
        lambda phi, y, psi, e: psi(_pooled(phi)).flatten() + (e.weight.sum(0) * _pooled(phi)).sum(1),
    ),
    (
        "The label's vector is compared with the features by an inner product; adding it to them (or to the logit) "
        "is not a projection.",
        lambda phi, y, psi, e: psi(_pooled(phi) + e(y)).flatten(),
    ),
]


@checker
def check_projection_logits(fn: Callable) -> None:
    """Exercise (10): fn(phi (N, C, 7, 7), y (N,), psi: Linear(C, 1), embed: Embedding(10, C)) -> logits (N,)."""
    require_callable(fn, "check_projection_logits(projection_logits)")
    for seed in (10, 11):
        phi, y, psi, embed = _projection_case(seed)
        with torch.no_grad():
            got = call_student(
                fn,
                phi.clone(),
                y.clone(),
                psi,
                embed,
                about="It gets phi (N, C, 7, 7), labels y (N,), psi = nn.Linear(C, 1) and embed = nn.Embedding(10, C).",
            )
            got = as_tensor(got, "the logits, one per image, shape (N,)", torch.float64)
            right = psi(_pooled(phi)).flatten() + (embed(y) * _pooled(phi)).sum(1)
            if got.numel() == len(y) and got.dim() == 2:
                raise WrongAnswer(
                    f"Return one logit per image, shape ({len(y)},), not a column ({len(y)}, 1)."
                )
            if tuple(got.shape) != (len(y),):
                raise WrongAnswer(
                    f"The logits have shape ({len(y)},), one per image; yours have shape {tuple(got.shape)}."
                )
            if close(got, right, atol=1e-4):
                continue
            for hint, mistake in _PROJECTION_MISTAKES:
                if close(got, mistake(phi, y, psi, embed), atol=1e-4):
                    raise WrongAnswer(hint)
        raise WrongAnswer(
            "The logits do not match the paper's projection: a label-free part read from the pooled features, "
            "plus each image's label vector compared with those same pooled features."
        )
    return correct(
        "Your logit is Miyato & Koyama's projection: 'a real digit?' plus 'a real y?', one vector per class."
    )


def _ac_right(r: torch.Tensor, f: torch.Tensor, y: torch.Tensor, with_fakes: bool) -> tuple:
    d_term = F.cross_entropy(r, y) + (F.cross_entropy(f, y) if with_fakes else 0.0)
    return d_term, F.cross_entropy(f, y)


# Each mistake: (hint, the wrong answer as a function of (real logits, fake logits, y, with_fakes)).
_AC_MISTAKES: list[tuple[str, Callable]] = [
    (
        "With with_fakes=False (the recipe), D's classifier is taught by the real digits alone: the generated "
        "images do not enter D's class term.",
        lambda r, f, y, w: (F.cross_entropy(r, y) + F.cross_entropy(f, y), F.cross_entropy(f, y)),
    ),
    (
        "With with_fakes=True (Odena et al.), D's classifier also learns from the generated images, with the "
        "labels they were drawn for, added to what it learns from the real digits.",
        lambda r, f, y, w: (F.cross_entropy(r, y), F.cross_entropy(f, y)),
    ),
    (
        "Odena et al.'s class objective adds the two log-likelihoods, real and generated; it does not average them.",
        lambda r, f, y, w: (
            (F.cross_entropy(r, y) + F.cross_entropy(f, y)) / 2 if w else F.cross_entropy(r, y),
            F.cross_entropy(f, y),
        ),
    ),
    (
        "D and G are swapped: the real digits, whose labels are true, teach D's classifier; G is the one paid "
        "through its fakes.",
        lambda r, f, y, w: (
            F.cross_entropy(f, y) + (F.cross_entropy(r, y) if w else 0.0),
            F.cross_entropy(r, y),
        ),
    ),
    (
        "G wants its fakes read as the digit it was asked for, so its term must fall as D reads them right: "
        "a term G minimises, like D's, not its negative.",
        lambda r, f, y, w: (_ac_right(r, f, y, w)[0], -F.cross_entropy(f, y)),
    ),
    (
        "The class outputs are raw scores (logits); turning them into probabilities before the loss applies the "
        "softmax twice.",
        lambda r, f, y, w: _ac_right(torch.softmax(r, 1), torch.softmax(f, 1), y, w),
    ),
    (
        "Average over the batch, as every loss in the course does; a total grows with the batch size.",
        lambda r, f, y, w: tuple(t * len(y) for t in _ac_right(r, f, y, w)),
    ),
    (
        "Teach with the labels the digits were drawn for (for reals, their true labels), not with the "
        "classifier's own current guess: that target teaches nothing.",
        lambda r, f, y, w: (
            F.cross_entropy(r, r.argmax(1)) + (F.cross_entropy(f, f.argmax(1)) if w else 0.0),
            F.cross_entropy(f, f.argmax(1)),
        ),
    ),
]


@checker
def check_ac_terms(fn: Callable) -> None:
    """Exercise (10): fn(real_class_logits (N, 10), fake_class_logits (N, 10), y (N,), with_fakes) -> (D's term,
    G's term), each to be minimised; with_fakes=False is the recipe, True Odena et al.'s D."""
    require_callable(fn, "check_ac_terms(ac_terms)")
    for seed, with_fakes in ((20, False), (21, True), (22, False), (23, True)):
        gen = torch.Generator().manual_seed(seed)
        r, f = torch.randn((6, 10), generator=gen) * 2, torch.randn((6, 10), generator=gen) * 2
        y = torch.tensor([3, 0, 9, 7, 1, 5])
        got = call_student(
            fn,
            r.clone(),
            f.clone(),
            y.clone(),
            with_fakes,
            about="It gets class logits (N, 10) for reals and fakes, y (N,) and with_fakes (True or False).",
        )
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise WrongAnswer("Return two numbers: D's class term and G's class term, in that order.")
        d_term = as_float(got[0], "D's class term", returned=True)
        g_term = as_float(got[1], "G's class term", returned=True)
        right = [float(v) for v in _ac_right(r, f, y, with_fakes)]
        if close(d_term, right[0]) and close(g_term, right[1]):
            continue
        for hint, mistake in _AC_MISTAKES:
            want = [float(v) for v in mistake(r, f, y, with_fakes)]
            if close(d_term, want[0]) and close(g_term, want[1]):
                raise WrongAnswer(hint)
        which = "D's" if not close(d_term, right[0]) else "G's"
        raise WrongAnswer(
            f"{which} class term is off (with_fakes={with_fakes}): a class term is a classifier's loss on the "
            "images that teach it, against the labels they carry, averaged over the batch."
        )
    return correct(
        "Your class terms are AC-GAN's: D learns to read digits, G is paid when D reads its fakes as asked."
    )
