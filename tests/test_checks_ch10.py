"""gan_lessons.checks.ch10: right answers in two forms pass; typical mistakes each get their own hint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_lessons.checks import WrongAnswer, check_d_input, check_label_planes


def planes_expand(y, size):
    return F.one_hot(y, 10).float()[:, :, None, None].expand(-1, -1, size, size)


def planes_numpy(y, size):  # another form: a NumPy array built with a loop
    out = np.zeros((len(y), 10, size, size), np.float32)
    for i, d in enumerate(y.tolist()):
        out[i, d] = 1
    return out


@pytest.mark.parametrize(
    "fn", [planes_expand, planes_numpy, lambda y, s: F.one_hot(y, 10)[:, :, None, None].repeat(1, 1, s, s)]
)
def test_label_planes_right(fn, capsys):
    check_label_planes(fn)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda y, s: F.one_hot(y, 10).float(), "flat one-hot"),
        (lambda y, s: F.one_hot(y, 11).float()[:, :, None, None].expand(-1, -1, s, s), "wrong size"),
        (lambda y, s: y.float()[:, None, None, None].expand(-1, 1, s, s), "one label plane"),
        (lambda y, s: planes_expand((y + 1) % 10, s), "plane next to"),
        (lambda y, s: 1 - planes_expand(y, s), "Inverted"),
        (lambda y, s: None, "return"),
        (lambda y, s: F.one_hot(y).float()[:, :, None, None].expand(-1, -1, s, s), "largest label"),
        (
            lambda y, s: F.one_hot(y, 9).float()[:, :, None, None].expand(-1, -1, s, s),
            "9 label planes.*wrong size",
        ),
        (lambda y, s: F.one_hot(y, 10).float()[:, :, None, None], r"\(N, 10, 1, 1\).*expand"),
        (lambda y, s: planes_expand(y, 28), "size argument"),
        (lambda y, s: F.one_hot(y, 10).float()[:, None, None, :].expand(-1, s, s, -1), "channels last"),
    ],
)
def test_label_planes_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_label_planes(fn)


def d_input_cat(x, y):
    return torch.cat([x, planes_expand(y, 28)], 1)


def d_input_loop(x, y):
    out = torch.zeros(len(x), 11, 28, 28)
    out[:, 0] = x[:, 0]
    out[torch.arange(len(y)), 1 + y] = 1
    return out


def d_input_numpy(x, y):  # a NumPy array, with long planes made by indexing an identity matrix
    planes = np.eye(10, dtype=np.int64)[y.numpy()][:, :, None, None] * np.ones((1, 1, 28, 28), np.int64)
    return np.concatenate([x.numpy(), planes], axis=1)


@pytest.mark.parametrize("fn", [d_input_cat, d_input_loop, d_input_numpy])
def test_d_input_right(fn, capsys):
    check_d_input(fn)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda x, y: x, "goes to G but not to D"),
        (lambda x, y: planes_expand(y, 28), "label planes alone"),
        (
            lambda x, y: torch.cat([x, F.one_hot(y, 11).float()[:, :, None, None].expand(-1, -1, 28, 28)], 1),
            "wrong size",
        ),
        (lambda x, y: torch.cat([planes_expand(y, 28), x], 1), "image first"),
        (lambda x, y: torch.cat([x, y.float()[:, None, None, None].expand(-1, 1, 28, 28)], 1), "not one-hot"),
        (lambda x, y: torch.cat([(x + 1) / 2, planes_expand(y, 28)], 1), "unchanged"),
        (lambda x, y: torch.cat([x, planes_expand((y + 1) % 10, 28)], 1), "plane next to"),
        (
            lambda x, y: torch.cat([x, F.one_hot(y).float()[:, :, None, None].expand(-1, -1, 28, 28)], 1),
            "largest label",
        ),
        (
            lambda x, y: torch.cat([x, F.one_hot(y, 9).float()[:, :, None, None].expand(-1, -1, 28, 28)], 1),
            "8 label planes.*wrong size|9 label planes.*wrong size",
        ),
        (lambda x, y: torch.cat([x, F.one_hot(y, 10).float()[:, :, None, None]], 1), "images' size"),
        (lambda x, y: torch.cat([x, planes_expand(y, 28)], 0), "dim=1"),
        (lambda x, y: torch.cat([x, planes_expand(y, 28)], -1), "dim=1"),
        (lambda x, y: torch.cat([x.flatten(1), F.one_hot(y, 10).float()], 1), "flattened"),
    ],
)
def test_d_input_wrong(fn, hint):
    with pytest.raises(WrongAnswer, match=hint):
        check_d_input(fn)


def test_checker_called_wrongly():
    with pytest.raises(ValueError, match="Pass your function"):
        check_d_input(3)
