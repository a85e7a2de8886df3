"""gan_lessons.checks.ch06 (06_evaluating): a right answer passes in two forms; each typical wrong
answer gets its own hint, as WrongAnswer."""

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

from gan_lessons.checks import (
    WrongAnswer,
    check_frechet_distance,
    check_kl_to_uniform,
    check_knn_radii,
)
from gan_lessons.metrics import frechet_distance

from runs import accepted


def _sqrtm(m):
    return scipy.linalg.sqrtm(m).real


# ---------------------------------------------------------------- Fréchet distance
def fd_right(mu1, s1, mu2, s2):
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)))


FD_WRONG = [
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - _sqrtm(s1 @ s2)),
        "factor 2 is missing",
    ),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.sqrt(s1 @ s2)),
        "matrix square root",
    ),
    (
        lambda m1, s1, m2, s2: np.linalg.norm(m1 - m2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
        "squared distance",
    ),
    (lambda m1, s1, m2, s2: np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)), "mean term .* is missing"),
    (lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2), "covariance term is missing"),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2) - 2 * np.sqrt(np.trace(s1 @ s2)),
        r"before the trace",
    ),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1) @ _sqrtm(s2)),
        "do not commute",
    ),
    (lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 + 2 * _sqrtm(s1 @ s2)), "minus sign"),
    (
        lambda m1, s1, m2, s2: (
            np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2)) + 1j
        ),
        "complex",
    ),
    (lambda m1, s1, m2, s2: (m1 - m2) ** 2, r"returned an array of shape \(2,\).*np\.sum"),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + s1 + s2 - 2 * _sqrtm(s1 @ s2),
        r"returned an array of shape \(2, 2\).*np\.trace",
    ),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.sum(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
        "adds every entry",
    ),
    (lambda m1, s1, m2, s2: np.sqrt(fd_right(m1, s1, m2, s2)), "not its square root"),
    (
        lambda m1, s1, m2, s2: np.mean((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
        "sum of the squared differences",
    ),
    (
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 * s2)),
        "entry by entry",
    ),
    (
        lambda m1, s1, m2, s2: (
            np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * np.abs(scipy.linalg.sqrtm(s1 @ s2)))
        ),
        r"np\.abs",
    ),
    (lambda m1, s1, m2, s2: m1.size(), "raised TypeError"),
    (lambda m1, s1, m2, s2: 2 * fd_right(m1, s1, m2, s2), "Write it term by term"),
    (lambda m1, s1, m2, s2: None, "is a `return` statement missing"),
]


@pytest.mark.parametrize(
    "right",
    [
        fd_right,
        frechet_distance,
        lambda *a: torch.tensor(fd_right(*a)),
        lambda *a: torch.tensor([fd_right(*a)], dtype=torch.float32),
        lambda m1, s1, m2, s2: np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _sqrtm(s1 @ s2)),
        lambda m1, s1, m2, s2: fd_right(m2, s2, m1, s1),
        lambda m1, s1, m2, s2: (
            np.linalg.norm(m1 - m2) ** 2
            + np.trace(s1)
            + np.trace(s2)
            - 2 * np.trace(_sqrtm(_sqrtm(s1) @ s2 @ _sqrtm(s1)))
        ),
        lambda m1, s1, m2, s2: abs(
            np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2))
        ),
    ],
    ids=[
        "float",
        "package",
        "tensor",
        "float32-1-element",
        "numpy-float64",
        "swapped",
        "symmetric-root",
        "abs-of-complex",
    ],
)
def test_frechet_distance_checker_accepts_the_right_answer(right, capsys):
    check_frechet_distance(right)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", FD_WRONG)
def test_frechet_distance_checker_names_each_mistake(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_frechet_distance(wrong)


# ---------------------------------------------------------------- KL to uniform
def kl_right(counts):
    p = counts / counts.sum()
    p = p[p > 0]
    return float(np.sum(p * np.log(p * len(counts))))


def kl_torch(counts):
    """A float64 tensor, from torch's own KL between two categorical distributions."""
    c = torch.as_tensor(counts, dtype=torch.float64)
    probs, uniform = c / c.sum(), torch.full_like(c, 1 / len(c))
    categorical = torch.distributions.Categorical
    return torch.distributions.kl_divergence(categorical(probs=probs), categorical(probs=uniform))


def kl_ten(counts):  # a uniform over 10 classes, whatever the histogram
    p = counts / counts.sum()
    p = p[p > 0]
    return float(np.sum(p * np.log(p * 10)))


def kl_k_after_filter(counts):  # K counted after the empty classes were dropped
    p = counts / counts.sum()
    p = p[p > 0]
    return float(np.sum(p * np.log(p * len(p))))


def kl_mean(counts):
    p = counts / counts.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p * len(p)), 0.0)
    return float(np.mean(terms))


def kl_mean_nonzero(counts):
    p = counts / counts.sum()
    p_nz = p[p > 0]
    return float(np.mean(p_nz * np.log(p_nz * len(p))))


def kl_nan(counts):
    p = counts / counts.sum()
    return float(np.sum(p * np.log(p * 10)))


def kl_reversed(counts):
    p = counts / counts.sum()
    return float(np.sum(0.1 * np.log(0.1 / p)))


def kl_bits(counts):
    p = counts / counts.sum()
    p = p[p > 0]
    return float(np.sum(p * np.log2(p * 10)))


def kl_unnormalised(counts):
    c = counts[counts > 0].astype(float)
    return float(np.sum(c * np.log(c * 10)))


def kl_negative(counts):
    return -kl_right(counts)


KL_WRONG = [
    (kl_nan, "0 \\* log 0"),
    (kl_reversed, "other direction"),
    (kl_bits, "in bits"),
    (kl_unnormalised, "Normalise the counts"),
    (kl_negative, "sign is flipped"),
    (kl_ten, "not a fixed 10: this histogram has 7 classes"),
    (kl_k_after_filter, "counted BEFORE you drop"),
    (kl_mean, "drop the division by the number of classes"),
    (kl_mean_nonzero, "not a mean over the non-empty classes"),
    (lambda c: 0.5, "KL divergence to uniform is"),
    (lambda c: c / c.sum(), r"returned an array of shape \(10,\).*sum over the classes"),
]


@pytest.mark.parametrize(
    "right",
    [kl_right, lambda c: scipy.stats.entropy(c, np.ones(len(c))), kl_torch],
    ids=["numpy", "scipy-entropy", "torch-float64"],
)
def test_kl_checker_accepts_the_right_answer(right):
    with np.errstate(divide="ignore", invalid="ignore"):
        assert accepted(lambda: check_kl_to_uniform(right))


@pytest.mark.parametrize("wrong, hint", KL_WRONG, ids=[h for _, h in KL_WRONG])
def test_kl_checker_names_each_mistake(wrong, hint):
    with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(WrongAnswer, match=hint):
        check_kl_to_uniform(wrong)


def test_kl_checker_gives_each_mistake_its_own_hint():
    hints = set()
    for wrong, _ in KL_WRONG:
        with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(WrongAnswer) as err:
            check_kl_to_uniform(wrong)
        hints.add(str(err.value).split(";")[0])  # the fallback's numbers differ per answer: keep its words
    assert len(hints) == len(KL_WRONG)


# ---------------------------------------------------------------- k-NN radii
def radii_right(feats, k):
    return torch.cdist(feats, feats).topk(k + 1, dim=1, largest=False).values[:, k]


RADII_WRONG = [
    (
        lambda f, k: torch.cdist(f, f).topk(k, dim=1, largest=False).values[:, k - 1],
        "its own nearest neighbour",
    ),
    (lambda f, k: radii_right(f, k) ** 2, "squared distances"),
    (
        lambda f, k: torch.cdist(f, f).topk(k + 2, dim=1, largest=False).values[:, k + 1],
        "One neighbour too far",
    ),
    (lambda f, k: torch.cdist(f, f).topk(k, dim=1).values[:, k - 1], "farthest points"),
    (lambda f, k: torch.cdist(f, f).topk(k + 1, dim=1).values[:, k], "farthest points"),
    (lambda f, k: torch.cdist(f, f)[:, :k], "one radius per point"),
    (
        lambda f, k: torch.cdist(f, f).topk(k + 1, dim=0, largest=False).values[:, k],
        r"shape \(40,\).*along dim=1",
    ),
    (lambda f, k: torch.cdist(f, f)[:, k], "Sort each row"),
    (
        lambda f, k: torch.cdist(f, f).topk(k + 1, dim=1, largest=False).values[:, 1:].mean(1),
        "not the mean of the k nearest",
    ),
    (lambda f, k: torch.cdist(f, f).topk(k + 1, dim=1, largest=False).indices[:, k], r"indices"),
    (lambda f, k: torch.cdist(f, f, p=1).topk(k + 1, dim=1, largest=False).values[:, k], "Manhattan"),
    (lambda f, k: radii_right(f, k) + 0.1, "differ from the distances"),
    (lambda f, k: None, "is a `return` statement missing"),
]


@pytest.mark.parametrize(
    "right",
    [
        radii_right,
        lambda f, k: torch.cdist(f, f).sort(dim=1).values[:, k].numpy(),
        lambda f, k: radii_right(f.float(), k),
        lambda f, k: radii_right(f, k).tolist(),
        lambda f, k: torch.cdist(f, f).fill_diagonal_(float("inf")).kthvalue(k, dim=1).values,
    ],
    ids=["tensor", "numpy", "float32", "list", "diagonal-masked"],
)
def test_knn_checker_accepts_the_right_answer(right):
    assert accepted(lambda: check_knn_radii(right))


@pytest.mark.parametrize("wrong, hint", RADII_WRONG)
def test_knn_checker_names_each_mistake(wrong, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_knn_radii(wrong)


def test_knn_checker_hints_do_not_suggest_the_k_th_smallest_with_the_point_itself():
    with pytest.raises(WrongAnswer) as err:
        check_knn_radii(lambda f, k: torch.cdist(f, f)[:, :k])
    assert "k-th smallest" not in str(err.value) and "column 0 is the point itself" in str(err.value)


def test_each_fd_mistake_is_told_apart_on_the_first_case_it_fails():
    """Where a mistake first differs from the right value, no other mistake gives that value too."""
    from gan_lessons.checks.ch06 import _FD_MISTAKES, _fd_cases

    for i, (hint, mistake) in enumerate(_FD_MISTAKES):
        case = next(c for c in _fd_cases() if not np.isclose(mistake(*c), frechet_distance(*c), atol=1e-6))
        others = [float(m(*case)) for j, (_, m) in enumerate(_FD_MISTAKES) if j != i]
        assert not np.isclose(others, float(mistake(*case)), atol=1e-6).any(), hint


def test_each_knn_mistake_has_its_own_value():
    from gan_lessons.checks.ch06 import _knn_mistakes

    feats = torch.randn(40, 4, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    for k in (1, 3):
        mistakes = _knn_mistakes(feats, k)
        for i, (hint, radii) in enumerate(mistakes):
            for other_hint, other in mistakes[i + 1 :]:
                assert hint == other_hint or not torch.allclose(radii, other, rtol=1e-5, atol=1e-8)
