"""gan_lessons.baselines (02_core_concepts): the LeNet classifier and the autoencoder, their errors for students,
and that training lowers their losses."""

import pytest
import torch
from torch.utils.data import TensorDataset

from gan_lessons import (
    AutoEncoder,
    LeNet,
    accuracy,
    load_mnist,
    predict,
    set_seed,
    train_autoencoder,
    train_classifier,
)


def test_lenet_shapes_and_errors():
    net = LeNet(feature_dim=16)
    x = torch.zeros(3, 1, 28, 28)
    assert net(x).shape == (3, 10) and net.features(x).shape == (3, 16)
    with pytest.raises(ValueError, match=r"LeNet expects images of shape \(N, 1, 28, 28\)"):
        net(torch.zeros(3, 28, 28))


@pytest.mark.slow
def test_training_learns_the_digits():
    train = load_mnist("train", verbose=False)
    test = load_mnist("test", verbose=False)
    set_seed(0)  # the net's initial weights: without it they depend on the tests that ran before (xdist)
    net = LeNet(feature_dim=32)
    before = accuracy(net, test)
    losses = train_classifier(net, train, num_epochs=2, progress=False)
    assert losses[-1] < losses[0]
    assert accuracy(net, test) > max(0.9, before + 0.5)
    assert predict(net, test.images[:5]).shape == (5,)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(num_epochs=-1), "num_epochs must be an integer >= 0"),
        (dict(lr=0), "batch_size and lr must be > 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_classifier(LeNet(), load_mnist("test", verbose=False), **kwargs)


# --- the autoencoder ---------------------------------------------------------------------------


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
