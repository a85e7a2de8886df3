"""Checkers for 06_evaluating: the Fréchet distance, the KL divergence of a class histogram to
uniform, and the k-NN radii of precision and recall. Each runs a student's function on known cases
and, when it is wrong, recognises the usual mistakes and says which one it is."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg
import torch

from ..metrics import coverage_from_counts, frechet_distance, knn_radii
from .core import WrongAnswer, as_float, as_tensor, call_student, checker, close, correct, require_callable

_ATOL = 1e-6  # these answers are computed, not typed in: compare tightly


def _result(value: Any, what: str, hint: str = "") -> float:
    """A student's returned number as a float; a complex one (from sqrtm) gets its own hint."""
    arr = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
    if np.iscomplexobj(arr) and np.size(arr) == 1:
        z = complex(np.asarray(arr).item())
        if abs(z.imag) > 1e-6 * max(1.0, abs(z.real)):
            raise WrongAnswer(
                f"Your function returned the complex number {z}: take the real part of the matrix square "
                "root (scipy.linalg.sqrtm(...).real) before the trace."
            )
        raise WrongAnswer(
            f"Your function returned a complex number ({z}). sqrtm can return a tiny imaginary part "
            "from rounding: keep its .real, and return a float."
        )
    return as_float(value, what, returned=True, hint=hint)


def _sqrtm(m: np.ndarray) -> np.ndarray:
    return np.real(scipy.linalg.sqrtm(m))


# --------------------------------------------------------------------------------------------
# Exercise 1: the Fréchet distance
# --------------------------------------------------------------------------------------------
def _fd_cases() -> list[tuple]:
    """Two random cases with positive entries (elementwise mistakes stay finite), then one whose
    covariances correlate their two features in opposite directions: a diagonal entry of
    sqrtm(S1 @ S2) is negative there, so np.abs of the root changes its trace."""
    rng = np.random.default_rng(9)
    cases = []
    for d in (2, 5):
        a, b = rng.uniform(0.1, 1.0, size=(d, d)), rng.uniform(0.1, 1.0, size=(d, d))
        s1 = a @ a.T + 0.5 * np.eye(d)
        s2 = b @ b.T + 0.8 * np.eye(d)
        cases.append((rng.normal(size=d), s1, rng.normal(size=d) + 1.0, s2))
    s1, s2 = np.array([[4.0, -1.8], [-1.8, 1.0]]), np.array([[4.0, 1.8], [1.8, 1.0]])
    cases.append((np.array([0.5, -1.0]), s1, np.array([-0.3, 0.4]), s2))
    return cases


def _fd_shape_hint(value: Any) -> str:
    """What a returned array instead of one number says about the formula."""
    shape = np.shape(value.detach() if isinstance(value, torch.Tensor) else value)
    if len(shape) == 1:
        return "The mean term is one number: sum the squared differences, np.sum((mu1 - mu2) ** 2)."
    if len(shape) == 2:
        return "The covariance term is one number: the trace of the matrix, np.trace(...)."
    return ""


_FD_MISTAKES: list[tuple[str, Callable]] = [
    (
        "The cross term is -2 tr((S1 S2)^(1/2)): the factor 2 is missing.",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - _sqrtm(s1 @ s2)),
    ),
    (
        "np.sqrt takes the square root of each entry; FID needs the matrix square root, scipy.linalg.sqrtm(S1 @ S2).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.sqrt(np.abs(s1 @ s2))),
    ),
    (
        "The mean term is the squared distance ||mu1 - mu2||^2, not the distance ||mu1 - mu2||.",
        lambda m1, s1, m2, s2: np.linalg.norm(m1 - m2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
    ),
    (
        "The mean term ||mu1 - mu2||^2 is missing: two sets with different means would get the same FID.",
        lambda m1, s1, m2, s2: np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
    ),
    (
        "The covariance term is missing: FID compares the spreads tr(S1 + S2 - 2 (S1 S2)^(1/2)) as well as the means.",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2),
    ),
    (
        "The square root goes on the matrix product before the trace: tr((S1 S2)^(1/2)), not sqrt(tr(S1 S2)).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2) - 2 * np.sqrt(np.trace(s1 @ s2)),
    ),
    (
        "The cross term is subtracted: tr(S1 + S2 - 2 (S1 S2)^(1/2)), with a minus sign.",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 + 2 * _sqrtm(s1 @ s2)),
    ),
    (
        "np.sum adds every entry of the matrix; the formula needs its trace, the sum of its diagonal: np.trace(...).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.sum(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
    ),
    (
        "Return the formula's value, ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)), not its square root: "
        "FID is that squared distance as it stands.",
        lambda m1, s1, m2, s2: math.sqrt(frechet_distance(m1, s1, m2, s2)),
    ),
    (
        "The mean term is the sum of the squared differences, np.sum((mu1 - mu2) ** 2), not their mean.",
        lambda m1, s1, m2, s2: np.mean((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
    ),
    (
        "S1 * S2 multiplies entry by entry; (S1 S2)^(1/2) needs the matrix product, sqrtm(S1 @ S2).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 * s2)),
    ),
    (
        "np.abs of the square root flips the sign of its negative entries, and the diagonal can have some: "
        "take its real part, scipy.linalg.sqrtm(...).real.",
        lambda m1, s1, m2, s2: (
            np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.abs(scipy.linalg.sqrtm(s1 @ s2)))
        ),
    ),
    (
        "sqrtm(S1) @ sqrtm(S2) is not (S1 S2)^(1/2) when S1 and S2 do not commute (they rarely do): "
        "take the root of the product, sqrtm(S1 @ S2).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1) @ _sqrtm(s2)),
    ),
]


@checker
def check_frechet_distance(fn: Callable) -> None:
    """Exercise (06): fn(mu1, sigma1, mu2, sigma2) must return the Fréchet distance as a float."""
    require_callable(fn, "check_frechet_distance(my_frechet)")
    for case in _fd_cases():
        mu1, s1, mu2, s2 = (np.array(c, copy=True) for c in case)
        d = len(mu1)
        got = call_student(
            fn,
            mu1,
            s1,
            mu2,
            s2,
            about=f"It gets NumPy arrays: means of shape ({d},) and covariances ({d}, {d}).",
        )
        got = _result(got, "the Fréchet distance", _fd_shape_hint(got))
        expected = frechet_distance(*case)
        if close(got, expected, atol=_ATOL):
            continue
        if not math.isfinite(got):
            raise WrongAnswer(
                f"Your function returned {got}. NaN usually comes from np.sqrt of negative entries: "
                "use the matrix square root scipy.linalg.sqrtm and keep its .real part."
            )
        for hint, mistake in _FD_MISTAKES:
            if close(got, float(mistake(*case)), atol=_ATOL):
                raise WrongAnswer(hint)
        raise WrongAnswer(
            f"For a {d}-D case your function gives {got:.4f}; the Fréchet distance is "
            f"{expected:.4f}. Write it term by term: ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 @ S2))."
        )
    mu, s = _fd_cases()[0][:2]
    same = _result(call_student(fn, mu, s, mu.copy(), s.copy()), "the Fréchet distance")
    if abs(same) > 1e-6:
        raise WrongAnswer(f"Two identical Gaussians must be at distance 0; yours gives {same:.3g}.")
    return correct("Your Fréchet distance matches gan_lessons.metrics.frechet_distance on every case.")


# --------------------------------------------------------------------------------------------
# Exercise 2: KL divergence of a class histogram to uniform
# --------------------------------------------------------------------------------------------
_KL_CASES = [
    np.array([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]),
    np.array([500, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    np.array([30, 10, 0, 5, 25, 0, 12, 8, 6, 4]),
    np.array([40, 0, 12, 3, 25, 0, 20]),  # 7 classes: a hard-coded 10 gives a different number
]


def _kl_variants(counts: np.ndarray) -> dict[str, float]:
    """KL(p || uniform) computed with one typical mistake each."""
    p = counts / counts.sum()
    nz = p[p > 0]
    return {
        "ten": float(np.sum(nz * np.log(nz * 10))),  # uniform over 10 classes, whatever len(counts) is
        "k_after_filter": float(np.sum(nz * np.log(nz * len(nz)))),  # K counted after dropping empty classes
        "mean": float(np.sum(nz * np.log(nz * len(p))) / len(p)),  # np.mean instead of np.sum
        "mean_nonzero": float(np.mean(nz * np.log(nz * len(p)))),  # np.mean over the non-empty classes
    }


_KL_HINTS = {
    "ten": "The uniform distribution has 1/K per class with K = len(counts), not a fixed 10: this histogram "
    "has {k} classes.",
    "k_after_filter": "K is the number of classes, len(counts), counted BEFORE you drop the empty ones; with "
    "p = p[p > 0] first, len(p) misses the classes the generator never makes.",
    "mean": "KL is a sum over the classes, sum p log(p / u), not a mean: drop the division by the number of classes.",
    "mean_nonzero": "KL is a sum over the classes, sum p log(p / u), not a mean over the non-empty classes.",
}


def _kl_reversed(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    u = np.full(len(p), 1 / len(p))
    with np.errstate(divide="ignore"):
        return float(np.sum(u * (np.log(u) - np.log(p))))


def _kl_unnormalised(counts: np.ndarray) -> float:
    c = counts.astype(float)
    nz = c > 0
    return float(np.sum(c[nz] * np.log(c[nz] * len(c))))


@checker
def check_kl_to_uniform(fn: Callable) -> None:
    """Exercise (06): fn(counts) -> KL(p || uniform) in nats, where p = counts / counts.sum()."""
    require_callable(fn, "check_kl_to_uniform(my_kl_to_uniform)")
    for counts in _KL_CASES:
        got = call_student(fn, counts.copy(), about="It gets a NumPy array of counts, one per class.")
        got = _result(got, "the KL divergence", "KL is one number: sum over the classes (np.sum).")
        expected = coverage_from_counts(counts).kl_to_uniform
        if close(got, expected, atol=_ATOL):
            continue
        if math.isnan(got):
            raise WrongAnswer(
                "You got NaN: a class with 0 samples gives 0 * log 0. By convention that term is 0, so "
                "sum only over the classes with p > 0 (p[p > 0])."
            )
        reverse = _kl_reversed(counts)
        if got == math.inf or close(got, reverse, atol=_ATOL):
            raise WrongAnswer(
                "That is KL(uniform || p), the other direction, which is infinite as soon as one digit is "
                "missing. Coverage uses KL(p || uniform) = sum p log(p / (1/10))."
            )
        if expected > 0 and close(got, expected / math.log(2), atol=_ATOL):
            raise WrongAnswer(
                "Your answer is in bits (log base 2). Use the natural log, np.log, to get nats."
            )
        if close(got, _kl_unnormalised(counts), atol=_ATOL):
            raise WrongAnswer("Normalise the counts to probabilities first: p = counts / counts.sum().")
        if close(got, -expected, atol=_ATOL):
            raise WrongAnswer("The sign is flipped: KL(p || u) = sum p log(p / u) is never negative.")
        for name, value in _kl_variants(counts).items():
            if close(got, value, atol=_ATOL):
                raise WrongAnswer(_KL_HINTS[name].format(k=len(counts)))
        raise WrongAnswer(
            f"For counts {counts.tolist()} the KL divergence to uniform is {expected:.4f} nats; you got {got:.4f}."
        )
    return correct(
        "0 for a uniform histogram, log 10 = 2.303 nats for a single digit, and the mixed cases "
        "(10 and 7 classes) too."
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: k-NN radii, the building block of precision and recall
# --------------------------------------------------------------------------------------------
def _knn_mistakes(feats: torch.Tensor, k: int) -> list[tuple[str, torch.Tensor]]:
    """(hint, radii) for the usual mistakes, for one k."""
    dist = torch.cdist(feats, feats)
    ordered, order = dist.sort(dim=1)
    farthest = dist.sort(dim=1, descending=True).values
    self_hint = (
        "Each point is its own nearest neighbour at distance 0: skip it, so the k-th neighbour is "
        "column k of the sorted distances (topk(k + 1, largest=False), then [:, k])."
    )
    far_hint = "Those are the farthest points. Sort ascending (topk(..., largest=False))."
    mistakes = [
        (self_hint, ordered[:, k - 1]),
        (self_hint, torch.zeros(len(feats), dtype=feats.dtype)),  # k = 1 with the point itself
        (
            "These are squared distances. The radius is a plain Euclidean distance: take the square "
            "root, or use torch.cdist.",
            ordered[:, k] ** 2,
        ),
        (
            "One neighbour too far: with the point itself in column 0 of the sorted distances, the k-th "
            "neighbour is column k, not k + 1.",
            ordered[:, k + 1],
        ),
        (far_hint, farthest[:, k - 1]),
        (far_hint, farthest[:, k]),
        (
            "Sort each row first: column k of the unsorted distances is the distance to point number k, "
            "not to the k-th nearest point.",
            dist[:, k],
        ),
        (
            "The radius is the distance to the k-th nearest neighbour itself, not the mean of the k nearest distances.",
            ordered[:, 1 : k + 1].mean(1),
        ),
        (
            "Those are the neighbours' indices (.indices); the radius is their distance (.values).",
            order[:, k].to(feats.dtype),
        ),
        (
            "That is the Manhattan (p=1) distance; the radius is Euclidean: torch.cdist(feats, feats), whose p is 2.",
            torch.cdist(feats, feats, p=1).sort(dim=1).values[:, k],
        ),
    ]
    return [
        (hint, radii)
        for hint, radii in mistakes
        if not close(radii, knn_radii(feats, k), rtol=1e-5, atol=1e-8)
    ]


@checker
def check_knn_radii(fn: Callable) -> None:
    """Exercise (06): fn(feats, k) -> (N,) distance from each row of feats (N, D) to its k-th nearest other row."""
    require_callable(fn, "check_knn_radii(my_knn_radii)")
    gen = torch.Generator().manual_seed(3)
    feats = torch.randn(40, 4, generator=gen, dtype=torch.float64)
    for k in (1, 3):  # k = 3: the mean of the k nearest is no longer the k-th
        got = call_student(fn, feats.clone(), k, about="It gets a float tensor (40, 4) and k.")
        got = as_tensor(got, "one radius per point", dtype=torch.float64)
        expected = knn_radii(feats, k)
        if got.shape != expected.shape:
            raise WrongAnswer(
                f"Return one radius per point, shape ({len(feats)},); yours has shape {tuple(got.shape)}. "
                "Sort each row of the (N, N) distances along dim=1 and take column k (column 0 is the point itself)."
            )
        if close(got, expected, rtol=1e-5, atol=1e-8):
            continue
        for hint, radii in _knn_mistakes(feats, k):
            if close(got, radii, rtol=1e-5, atol=1e-8):
                raise WrongAnswer(hint)
        raise WrongAnswer(
            f"With k={k} your radii differ from the distances to the k-th nearest other point "
            f"(first expected {expected[:3].tolist()}, got {got[:3].tolist()})."
        )
    return correct("Each radius is the distance to the k-th nearest other point.")


__all__ = ["check_frechet_distance", "check_kl_to_uniform", "check_knn_radii"]
