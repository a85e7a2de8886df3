import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from gan_lessons import image_grid, plot_history, show_images, show_sample_progress


def test_image_grid_accepts_floats_uint8_and_numpy():
    floats = torch.full((6, 1, 28, 28), -1.0)
    floats[0] = 1.0
    grid = image_grid(floats, nrow=3)
    assert grid.shape == (2 * 30 + 2, 3 * 30 + 2)  # 2 rows x 3 columns of 28 px with 2-px padding
    assert grid.min() == 0.0 and grid.max() == 1.0
    assert np.allclose(image_grid(np.zeros((4, 28, 28), dtype=np.uint8), nrow=2)[2:30, 2:30], 0)
    with pytest.raises(ValueError, match=r"shape \(N, 1, H, W\) or \(N, H, W\); got \(784,\)"):
        image_grid(torch.zeros(784))


def _history(with_fid: bool) -> dict:
    n = 50
    h = {
        "step": list(range(1, n + 1)),
        "d_loss": [1.0] * n,
        "g_loss": [2.0] * n,
        "d_real": [0.7] * n,
        "d_fake": [0.3] * n,
        "sample_steps": [0, 25, 50],
        "samples": [torch.zeros(16, 1, 28, 28, dtype=torch.uint8)] * 3,
    }
    if with_fid:
        h |= {"fid_steps": [25, 50], "fid": [300.0, 200.0]}
    return h


@pytest.mark.parametrize("with_fid, panels", [(False, 2), (True, 3)])
def test_plot_history_panels(with_fid, panels):
    fig = plot_history(_history(with_fid))
    assert len(fig.axes) == panels
    assert fig.axes[1].get_ylim() == (0, 1)
    plt.close(fig)


def test_sample_progress_and_show_images():
    fig = show_sample_progress(_history(False), max_grids=2)
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 50"]
    plt.close(fig)
    fig = show_images(torch.zeros(8, 1, 28, 28), title="t")
    assert fig.axes[0].get_title() == "t"
    plt.close(fig)


def test_empty_history_is_explained():
    empty = {k: [] for k in ("step", "d_loss", "g_loss", "d_real", "d_fake", "sample_steps", "samples")}
    with pytest.raises(ValueError, match="train for at least one step"):
        plot_history(empty)
    with pytest.raises(ValueError, match="No samples"):
        show_sample_progress(empty)
