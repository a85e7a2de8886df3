"""Checkers for the exercises of 09_evaluating: each runs a student's function on known cases and,
when it is wrong, recognises the usual mistakes and says which one it is. Introduced in 09_evaluating.

A correct answer prints a short confirmation and returns True; a wrong one raises `ExerciseError`
(an AssertionError) whose message is the hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch

from .metrics import frechet_distance, knn_radii


class ExerciseError(AssertionError):
    """A wrong exercise answer; the message says what to change. Introduced in 09_evaluating."""


def _close(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b)


def _as_float(value, what: str) -> float:
    """Turn a student's return value into a Python float, or explain why it is not one."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    if arr.size != 1:
        raise ExerciseError(
            f"{what} should return one number; it returned an array of shape {arr.shape}. "
            "Did you forget a np.trace(...) or a .sum()?"
        )
    if np.iscomplexobj(arr):
        if abs(arr.imag.item()) > 1e-6 * max(1.0, abs(arr.real.item())):
            raise ExerciseError(
                f"{what} returned the complex number {arr.item()}: take the real part of the matrix square "
                "root (scipy.linalg.sqrtm(...).real) before the trace."
            )
        raise ExerciseError(
            f"{what} returned a complex number ({arr.item()}). sqrtm can return a tiny imaginary part "
            "from rounding: keep its .real, and return a float."
        )
    return float(arr.item())


def _sqrtm(m: np.ndarray) -> np.ndarray:
    return np.real(scipy.linalg.sqrtm(m))


# --------------------------------------------------------------------------------------------
# Exercise 1: the Fréchet distance
# --------------------------------------------------------------------------------------------
def _fd_cases() -> list[tuple]:
    rng = np.random.default_rng(9)
    cases = []
    for d in (2, 5):
        a, b = rng.uniform(0.1, 1.0, size=(d, d)), rng.uniform(0.1, 1.0, size=(d, d))
        s1 = a @ a.T + 0.5 * np.eye(d)  # positive entries keep elementwise mistakes finite
        s2 = b @ b.T + 0.8 * np.eye(d)
        cases.append((rng.normal(size=d), s1, rng.normal(size=d) + 1.0, s2))
    return cases


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
        "sqrtm(S1) @ sqrtm(S2) is not (S1 S2)^(1/2) when S1 and S2 do not commute (they rarely do): "
        "take the root of the product, sqrtm(S1 @ S2).",
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1) @ _sqrtm(s2)),
    ),
]


def check_frechet_distance(fn: Callable) -> bool:
    """Exercise (09_evaluating): fn(mu1, sigma1, mu2, sigma2) must return the Fréchet distance as a float."""
    for case in _fd_cases():
        mu1, s1, mu2, s2 = (np.array(c, copy=True) for c in case)
        try:
            got = fn(mu1, s1, mu2, s2)
        except Exception as exc:
            raise ExerciseError(
                f"Your function raised {type(exc).__name__}: {exc}. It gets NumPy arrays: means of "
                f"shape ({len(mu1)},) and covariances ({len(mu1)}, {len(mu1)})."
            ) from exc
        got = _as_float(got, "Your function")
        expected = frechet_distance(*case)
        if _close(got, expected):
            continue
        if not math.isfinite(got):
            raise ExerciseError(
                f"Your function returned {got}. NaN usually comes from np.sqrt of negative entries: "
                "use the matrix square root scipy.linalg.sqrtm and keep its .real part."
            )
        for hint, mistake in _FD_MISTAKES:
            if _close(got, float(mistake(*case))):
                raise ExerciseError(hint)
        raise ExerciseError(
            f"For a {len(mu1)}-D case your function gives {got:.4f}; the Fréchet distance is "
            f"{expected:.4f}. Write it term by term: ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 @ S2))."
        )
    mu, s = _fd_cases()[0][:2]
    same = _as_float(fn(mu, s, mu.copy(), s.copy()), "Your function")
    if abs(same) > 1e-6:
        raise ExerciseError(f"Two identical Gaussians must be at distance 0; yours gives {same:.3g}.")
    print("Correct: your Fréchet distance matches gan_lessons.metrics.frechet_distance on every case.")
    return True


# --------------------------------------------------------------------------------------------
# Exercise 2: KL divergence of a class histogram to uniform
# --------------------------------------------------------------------------------------------
_KL_CASES = [
    np.array([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]),
    np.array([500, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    np.array([30, 10, 0, 5, 25, 0, 12, 8, 6, 4]),
]


def _kl_ref(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] * len(p))))


def _kl_reversed(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    u = np.full(len(p), 1 / len(p))
    with np.errstate(divide="ignore"):
        return float(np.sum(u * (np.log(u) - np.log(p))))


def _kl_unnormalised(counts: np.ndarray) -> float:
    c = counts.astype(float)
    nz = c > 0
    return float(np.sum(c[nz] * np.log(c[nz] * len(c))))


def check_kl_to_uniform(fn: Callable) -> bool:
    """Exercise (09_evaluating): fn(counts) -> KL(p || uniform) in nats, where p = counts / counts.sum()."""
    for counts in _KL_CASES:
        try:
            got = fn(counts.copy())
        except Exception as exc:
            raise ExerciseError(
                f"Your function raised {type(exc).__name__}: {exc}. It gets a NumPy array of 10 counts."
            ) from exc
        got = _as_float(got, "Your function")
        expected = _kl_ref(counts)
        if _close(got, expected, atol=1e-6):
            continue
        if math.isnan(got):
            raise ExerciseError(
                "You got NaN: a class with 0 samples gives 0 * log 0. By convention that term is 0, so "
                "sum only over the classes with p > 0 (p[p > 0])."
            )
        reverse = _kl_reversed(counts)
        if got == math.inf or (math.isfinite(reverse) and _close(got, reverse)):
            raise ExerciseError(
                "That is KL(uniform || p), the other direction, which is infinite as soon as one digit is "
                "missing. Coverage uses KL(p || uniform) = sum p log(p / (1/10))."
            )
        if expected > 0 and _close(got, expected / math.log(2)):
            raise ExerciseError(
                "Your answer is in bits (log base 2). Use the natural log, np.log, to get nats."
            )
        if _close(got, _kl_unnormalised(counts)):
            raise ExerciseError("Normalise the counts to probabilities first: p = counts / counts.sum().")
        if _close(got, -expected):
            raise ExerciseError("The sign is flipped: KL(p || u) = sum p log(p / u) is never negative.")
        raise ExerciseError(
            f"For counts {counts.tolist()} the KL divergence to uniform is {expected:.4f} nats; you got {got:.4f}."
        )
    print(
        "Correct: 0 for a uniform histogram, log 10 = 2.303 nats for a single digit, and the mixed case too."
    )
    return True


# --------------------------------------------------------------------------------------------
# Exercise 3: k-NN radii, the building block of precision and recall
# --------------------------------------------------------------------------------------------
def check_knn_radii(fn: Callable) -> bool:
    """Exercise (09_evaluating): fn(feats, k) -> (N,) distance from each row of feats (N, D) to its k-th nearest other row."""
    gen = torch.Generator().manual_seed(3)
    feats = torch.randn(40, 4, generator=gen, dtype=torch.float64)
    for k in (1, 3):
        try:
            got = fn(feats.clone(), k)
        except Exception as exc:
            raise ExerciseError(
                f"Your function raised {type(exc).__name__}: {exc}. It gets a float tensor (40, 4) and k."
            ) from exc
        got = torch.as_tensor(
            np.asarray(got.detach().cpu() if isinstance(got, torch.Tensor) else got), dtype=torch.float64
        )
        expected = knn_radii(feats, k)
        if got.shape != expected.shape:
            raise ExerciseError(
                f"Return one radius per point, shape ({len(feats)},); yours has shape {tuple(got.shape)}. "
                "Take the k-th smallest distance along dim=1."
            )
        if torch.allclose(got, expected, rtol=1e-5, atol=1e-8):
            continue
        dist = torch.cdist(feats, feats)
        ordered = dist.sort(dim=1).values
        if torch.allclose(got, ordered[:, k - 1], rtol=1e-5) or (
            k == 1 and torch.allclose(got, torch.zeros_like(got))
        ):
            raise ExerciseError(
                "Each point is its own nearest neighbour at distance 0: skip it, so the k-th neighbour is "
                "column k of the sorted distances (topk(k + 1, largest=False), then [:, k])."
            )
        if torch.allclose(got, expected**2, rtol=1e-5):
            raise ExerciseError(
                "These are squared distances. The radius is a plain Euclidean distance: take the square "
                "root, or use torch.cdist."
            )
        if k + 1 < len(feats) and torch.allclose(got, ordered[:, k + 1], rtol=1e-5):
            raise ExerciseError(
                "One neighbour too far: with the point itself in column 0 of the sorted distances, the k-th "
                "neighbour is column k, not k + 1."
            )
        if torch.allclose(got, dist.sort(dim=1, descending=True).values[:, k - 1], rtol=1e-5):
            raise ExerciseError("Those are the farthest points. Sort ascending (topk(..., largest=False)).")
        raise ExerciseError(
            f"With k={k} your radii differ from the distances to the k-th nearest other point "
            f"(first expected {expected[:3].tolist()}, got {got[:3].tolist()})."
        )
    print("Correct: each radius is the distance to the k-th nearest other point.")
    return True


__all__ = ["ExerciseError", "check_frechet_distance", "check_kl_to_uniform", "check_knn_radii"]
