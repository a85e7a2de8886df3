"""gan_lessons.checks.ch10: right answers in two forms pass; typical mistakes each get their own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons import ConditionalDiscriminator
from gan_lessons.checks import WrongAnswer, check_ac_terms, check_projection_logits


def proj_right(phi, y, psi, embed):
    pooled = phi.sum((2, 3))
    return psi(pooled).flatten() + (embed(y) * pooled).sum(1)


def proj_einsum(phi, y, psi, embed):  # another form: einsum on the unpooled map, NumPy out
    pooled = phi.sum(-1).sum(-1)
    inner = torch.einsum("nc,nchw->n", embed.weight[y], phi)
    return (pooled @ psi.weight.T + psi.bias).squeeze(1).numpy() + inner.numpy()


@pytest.mark.parametrize("fn", [proj_right, proj_einsum])
def test_projection_right(fn, capsys):
    check_projection_logits(fn)
    assert capsys.readouterr().out.startswith("Correct!")


def test_the_package_pooled_projection_is_the_exercise():
    torch.manual_seed(0)
    D = ConditionalDiscriminator(width=8, conditioning="projection_pooled").eval()
    x, y = torch.rand(4, 1, 28, 28) * 2 - 1, torch.tensor([1, 2, 3, 4])
    with torch.no_grad():
        phi = x
        for layer in D.net[:-1]:
            phi = layer(phi)
        assert torch.allclose(D(x, y), proj_right(phi, y, D.psi, D.embed), atol=1e-5)


WRONG_PROJECTION = [
    (lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten(), "Nothing in your logit depends on the label"),
    (lambda phi, y, psi, e: (e(y) * phi.sum((2, 3))).sum(1), "label-free part"),
    (
        lambda phi, y, psi, e: psi(phi.mean((2, 3))).flatten() + (e(y) * phi.mean((2, 3))).sum(1),
        "not an average",
    ),
    (
        lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten() + (e(y) * phi.sum((2, 3))).sum(),
        "not one for the whole batch",
    ),
    (
        lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten() + (e.weight.sum(0) * phi.sum((2, 3))).sum(1),
        "its own label",
    ),
    (lambda phi, y, psi, e: psi(phi.sum((2, 3)) + e(y)).flatten(), "not a projection"),
    (
        lambda phi, y, psi, e: psi(phi.sum((2, 3))) + (e(y) * phi.sum((2, 3))).sum(1, keepdim=True),
        "not a column",
    ),
    (lambda phi, y, psi, e: proj_right(phi, y, psi, e) + 1, "do not match"),
    (lambda phi, y, psi, e: None, "return"),
]


@pytest.mark.parametrize("fn, hint", WRONG_PROJECTION)
def test_projection_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_projection_logits(fn)


def ac_right(r, f, y, with_fakes):
    d_term = F.cross_entropy(r, y)
    if with_fakes:
        d_term = d_term + F.cross_entropy(f, y)
    return d_term, F.cross_entropy(f, y)


def ac_by_hand(r, f, y, with_fakes):  # another form: log-softmax by hand, NumPy numbers, a list
    def ce(logits):
        logp = logits - torch.logsumexp(logits, 1, keepdim=True)
        return np.float64(-logp[torch.arange(len(y)), y].mean().item())

    return [ce(r) + ce(f) * with_fakes, ce(f)]


@pytest.mark.parametrize("fn", [ac_right, ac_by_hand])
def test_ac_right(fn, capsys):
    check_ac_terms(fn)
    assert capsys.readouterr().out.startswith("Correct!")


def _ce(logits, y):
    return F.cross_entropy(logits, y)


WRONG_AC = [
    (lambda r, f, y, w: (_ce(r, y) + _ce(f, y), _ce(f, y)), "real digits alone"),  # always with the fakes
    (lambda r, f, y, w: (_ce(r, y), _ce(f, y)), "also learns from the generated"),  # never with them
    (lambda r, f, y, w: ((_ce(r, y) + _ce(f, y)) / 2 if w else _ce(r, y), _ce(f, y)), "not average"),
    (lambda r, f, y, w: (_ce(f, y), _ce(r, y)), "swapped"),
    (lambda r, f, y, w: ac_right(r, f, y, w)[0], "Return two numbers"),
    (lambda r, f, y, w: (ac_right(r, f, y, w)[0], -_ce(f, y)), "not its negative"),
    (lambda r, f, y, w: ac_right(r.softmax(1), f.softmax(1), y, w), "softmax twice"),
    (
        lambda r, f, y, w: (
            F.cross_entropy(r, y, reduction="sum") + w * F.cross_entropy(f, y, reduction="sum"),
            F.cross_entropy(f, y, reduction="sum"),
        ),
        "Average over the batch",
    ),
    (
        lambda r, f, y, w: (_ce(r, r.argmax(1)) + w * _ce(f, f.argmax(1)), _ce(f, f.argmax(1))),
        "current guess",
    ),
    (lambda r, f, y, w: (ac_right(r, f, y, w)[0], _ce(f, (y + 1) % 10)), "G's class term is off"),
    (lambda r, f, y, w: (ac_right(r, f, y, w)[0] + 1, _ce(f, y)), "D's class term is off"),
    (lambda r, f, y: ac_right(r, f, y, False), "raised TypeError"),  # the old signature, without with_fakes
    (lambda r, f, y, w: None, "Return two numbers"),
]


@pytest.mark.parametrize("fn, hint", WRONG_AC)
def test_ac_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_ac_terms(fn)


def test_no_hint_shows_code():
    """The hints name the idea, never the code that answers it."""
    from gan_lessons.checks import ch10

    hints = [h for h, _ in ch10._PROJECTION_MISTAKES + ch10._AC_MISTAKES]
    for code in ("cross_entropy", "F.", "embed(y)", ".sum(", "psi(phi", "<embed"):
        assert not any(code in h for h in hints), code


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_projection_logits(torch.zeros(3))
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_ac_terms(3)
