"""The chapter-02 autoencoder: shapes, errors for students, and that training lowers the reconstruction error."""

import pytest
import torch
from torch.utils.data import TensorDataset

from gan_lessons.autoencoder import AutoEncoder, train_autoencoder


def test_shapes_and_range():
    ae = AutoEncoder(latent_dim=8, width=8)
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    assert ae.encode(x).shape == (5, 8)
    out = ae(x)
    assert out.shape == (5, 1, 28, 28) and out.min() >= -1 and out.max() <= 1


def test_training_reduces_error():
    torch.manual_seed(0)
    x = torch.rand(64, 1, 28, 28).round() * 2 - 1
    data = TensorDataset(x, torch.zeros(64, dtype=torch.long))
    ae = AutoEncoder(latent_dim=8, width=8)
    losses = train_autoencoder(ae, data, num_epochs=10, batch_size=16, progress=False)
    assert len(losses) == 40
    assert sum(losses[-4:]) < sum(losses[:4])
    assert not ae.training  # left in eval mode


@pytest.mark.parametrize(
    "call, msg",
    [
        (lambda: AutoEncoder(latent_dim=0), "positive integers"),
        (lambda: AutoEncoder().encode(torch.zeros(2, 28, 28)), "unsqueeze"),
        (lambda: AutoEncoder(latent_dim=16).decode(torch.zeros(2, 8)), r"\(N, 16\)"),
        (
            lambda: train_autoencoder(AutoEncoder(), TensorDataset(torch.zeros(2, 1, 28, 28)), num_epochs=-1),
            "num_epochs",
        ),
        (lambda: train_autoencoder(AutoEncoder(), TensorDataset(torch.zeros(2, 1, 28, 28)), lr=0), "lr"),
    ],
)
def test_errors_for_students(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()
