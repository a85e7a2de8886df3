"""gan_lessons.config: seeding, device choice and thread control (single_thread)."""

import random

import numpy as np
import pytest
import torch

from gan_lessons.config import get_device, set_seed, single_thread


@pytest.fixture
def threads():
    """Two or more torch threads during the test (so that single_thread has something to change)."""
    before = torch.get_num_threads()
    torch.set_num_threads(max(2, before))
    yield torch.get_num_threads()
    torch.set_num_threads(before)


def test_single_thread_runs_on_one_thread_and_restores_the_count(threads):
    with single_thread():
        assert torch.get_num_threads() == 1
        with single_thread():  # nested: the inner block leaves the outer one on one thread
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == threads


def test_single_thread_restores_the_count_after_an_exception(threads):
    with pytest.raises(RuntimeError, match="inside the block"):
        with single_thread():
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside the block")
    assert torch.get_num_threads() == threads


def test_single_thread_leaves_one_thread_alone():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with single_thread():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def _draws():
    return random.random(), float(np.random.rand()), torch.randn(3)


def test_set_seed_is_deterministic_across_python_numpy_and_torch():
    set_seed(7)
    a = _draws()
    set_seed(7)
    b = _draws()
    set_seed(8)
    c = _draws()
    assert a[:2] == b[:2] and torch.equal(a[2], b[2])
    assert a[0] != c[0] and a[1] != c[1] and not torch.equal(a[2], c[2])
    set_seed(2**40)  # seeds beyond NumPy's 2**32 are folded into its range
    assert np.isfinite(np.random.rand())


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        set_seed(bad)


def test_get_device():
    assert get_device("cpu") == torch.device("cpu")
    assert get_device(torch.device("cpu")).type == "cpu"
    assert get_device().type == get_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize(
    "name, message",
    [
        ("gpu0", "Unknown device 'gpu0': expected 'auto', 'cpu', 'cuda' or 'cuda:N'"),
        ("cuda:x", "Unknown device 'cuda:x'"),
        (3, "device must be 'auto', 'cpu' or 'cuda'; got 3"),
    ],
)
def test_get_device_errors(name, message):
    with pytest.raises(ValueError, match=message):
        get_device(name)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_get_device_cuda_without_a_gpu_is_explained():
    with pytest.raises(ValueError, match="no CUDA GPU. Use 'cpu' or 'auto'"):
        get_device("cuda")
