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


def test_setup_chapter_seeds_prints_one_status_line_and_rejects_bad_threads(capsys):
    from gan_lessons import setup_chapter

    chapter = setup_chapter("05_dcgan_mnist", seed=3, device="cpu")
    first = torch.rand(3)
    setup_chapter("05_dcgan_mnist", seed=3, device="cpu")
    assert torch.equal(first, torch.rand(3)), "the same seed gives the same numbers"
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == lines[1] == chapter.status() and lines[0].startswith(
        "05_dcgan_mnist · seed 3 · device cpu"
    )
    for bad in (0, -1, 1.5, True, "1"):
        with pytest.raises(ValueError, match="threads must be None or an integer >= 1"):
            setup_chapter("x", threads=bad)


def test_setup_chapter_threads_apply_to_the_chapters_cells_only():
    """In a notebook, the chapter's thread count holds inside its cells and is restored between them."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    try:
        shell.run_cell(f"from gan_lessons import setup_chapter; setup_chapter('x', threads={target})")
        assert torch.get_num_threads() == before, "restored after the setup cell"
        shell.run_cell("import torch; inside = torch.get_num_threads()")
        assert shell.user_ns["inside"] == target, "a later cell runs on the chapter's threads"
        assert torch.get_num_threads() == before, "and the count is restored after it"
        # A rerun of the setup cell, with another count, then a chapter without threads: the kernel's own
        # count comes back each time (the wrong world: each rerun lowering the count for good).
        shell.run_cell(f"setup_chapter('x', threads={target + 1})")
        shell.run_cell("inside = torch.get_num_threads()")
        assert shell.user_ns["inside"] == target + 1 and torch.get_num_threads() == before
        shell.run_cell("setup_chapter('y')")
        shell.run_cell("inside = torch.get_num_threads()")
        assert shell.user_ns["inside"] == before and torch.get_num_threads() == before
    finally:
        hooks = getattr(shell, "_gan_lessons_thread_hooks", None)
        for event, callback in hooks["callbacks"] if hooks else []:
            shell.events.unregister(event, callback)
        torch.set_num_threads(before)
