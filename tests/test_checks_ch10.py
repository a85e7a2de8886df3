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
    (lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten(), "projection term is missing"),
    (lambda phi, y, psi, e: (e(y) * phi.sum((2, 3))).sum(1), "unconditional term"),
    (lambda phi, y, psi, e: psi(phi.mean((2, 3))).flatten() + (e(y) * phi.mean((2, 3))).sum(1), "not a mean"),
    (
        lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten() + (e(y) * phi.sum((2, 3))).sum(),
        "not sum over the batch",
    ),
    (
        lambda phi, y, psi, e: psi(phi.sum((2, 3))).flatten() + (e.weight.sum(0) * phi.sum((2, 3))).sum(1),
        "own label",
    ),
    (lambda phi, y, psi, e: psi(phi.sum((2, 3)) + e(y)).flatten(), "not a projection"),
    (lambda phi, y, psi, e: psi(phi.sum((2, 3))) + (e(y) * phi.sum((2, 3))).sum(1, keepdim=True), "flatten"),
    (lambda phi, y, psi, e: proj_right(phi, y, psi, e) + 1, "do not match"),
    (lambda phi, y, psi, e: None, "return"),
]


@pytest.mark.parametrize("fn, hint", WRONG_PROJECTION)
def test_projection_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_projection_logits(fn)


def ac_right(r, f, y):
    return F.cross_entropy(r, y), F.cross_entropy(f, y)


def ac_by_hand(r, f, y):  # another form: log-softmax by hand, NumPy numbers, a list
    def ce(logits):
        logp = logits - torch.logsumexp(logits, 1, keepdim=True)
        return np.float64(-logp[torch.arange(len(y)), y].mean().item())

    return [ce(r), ce(f)]


@pytest.mark.parametrize("fn", [ac_right, ac_by_hand])
def test_ac_right(fn, capsys):
    check_ac_terms(fn)
    assert capsys.readouterr().out.startswith("Correct!")


WRONG_AC = [
    (
        lambda r, f, y: (F.cross_entropy(r, y) + F.cross_entropy(f, y), F.cross_entropy(f, y)),
        "real digits only",
    ),
    (lambda r, f, y: (F.cross_entropy(f, y), F.cross_entropy(r, y)), "swapped"),
    (lambda r, f, y: (F.cross_entropy(r, y), -F.cross_entropy(f, y)), "minimises"),
    (lambda r, f, y: (F.cross_entropy(r.softmax(1), y), F.cross_entropy(f.softmax(1), y)), "softmax first"),
    (
        lambda r, f, y: (F.cross_entropy(r, y, reduction="sum"), F.cross_entropy(f, y, reduction="sum")),
        "Average over the batch",
    ),
    (lambda r, f, y: (F.cross_entropy(r, r.argmax(1)), F.cross_entropy(f, f.argmax(1))), "argmax"),
    (lambda r, f, y: (F.cross_entropy(r, y), F.cross_entropy(f, (y + 1) % 10)), "G's class term"),
    (lambda r, f, y: F.cross_entropy(r, y), "Return two numbers"),
    (lambda r, f, y: None, "Return two numbers"),
]


@pytest.mark.parametrize("fn, hint", WRONG_AC)
def test_ac_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_ac_terms(fn)


def test_not_a_function():
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_projection_logits(torch.zeros(3))
    with pytest.raises(ValueError, match="Pass your function itself"):
        check_ac_terms(3)
