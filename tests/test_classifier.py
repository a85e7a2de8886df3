import pytest
import torch

from gan_lessons import LeNet, accuracy, load_mnist, predict, set_seed, train_classifier


def test_lenet_shapes_and_errors():
    net = LeNet(feature_dim=16)
    x = torch.zeros(3, 1, 28, 28)
    assert net(x).shape == (3, 10) and net.features(x).shape == (3, 16)
    with pytest.raises(ValueError, match=r"LeNet expects images of shape \(N, 1, 28, 28\)"):
        net(torch.zeros(3, 28, 28))


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
