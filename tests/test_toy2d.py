"""gan_lessons.toy2d (04_toy_gan_playground), the 2-D game: presets, networks, the stepper and its losses from
the registry (gan_lessons.losses). Its readouts and your own points: tests/test_points2d.py; its live view and
GIF: tests/test_plot.py; its dashboard: tests/test_widgets.py."""

import numpy as np
import pytest
import torch

from gan_lessons import toy2d as toy
from gan_lessons.config import single_thread
from gan_lessons.losses import LOSSES, d_loss_hinge, g_loss_hinge, gradient_penalty
from gan_lessons.points2d import PRESETS, make_data, modes_reached, parse_points
from gan_lessons.toy2d import (
    TOY_GP_WEIGHT,
    ToyDiscriminator,
    ToyGAN,
    ToyGenerator,
)

# -- presets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "custom"])
def test_presets_sample_points_near_their_modes(preset):
    data = make_data(preset)
    x = data.sample(500, generator=torch.Generator().manual_seed(0))
    assert x.shape == (500, 2) and x.dtype == torch.float32 and torch.isfinite(x).all()
    assert np.abs(x.numpy()).max() < data.extent, "the view must show all the data"
    # real data covers all of its own modes
    assert modes_reached(x, data.modes, data.mode_radius) == 1.0


def test_ring_and_grid_geometry():
    ring = make_data("ring")
    assert ring.modes.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(ring.modes, axis=1), 2.0)
    assert make_data("grid").modes.shape == (25, 2)


def test_custom_preset_uses_the_points_and_rejects_bad_ones():
    data = make_data("custom", [(0, 0), (1, 1), (1, 1)])
    assert data.modes.shape == (2, 2)
    x = data.sample(200, generator=torch.Generator().manual_seed(0))
    assert modes_reached(x, data.modes, data.mode_radius) == 1.0
    with pytest.raises(ValueError, match=r"pass points=\[\(x1, y1\)"):
        make_data("custom")
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        make_data("custom", [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        make_data("custom", [(0, np.nan)])


def test_bad_preset_and_sample_size():
    with pytest.raises(ValueError, match="Unknown data preset 'rings': choose one of ring, grid"):
        make_data("rings")
    with pytest.raises(ValueError, match="n must be a positive integer; got 0"):
        make_data("ring").sample(0)


# -- networks and the gradient penalty on 2-D points ------------------------------------------


def test_networks_shapes_and_errors():
    G, D = ToyGenerator(3, 16), ToyDiscriminator(16)
    assert G(torch.randn(7, 3)).shape == (7, 2)
    assert D(torch.randn(7, 2)).shape == (7,)
    with pytest.raises(ValueError, match=r"shape \(N, 3\); got \(7, 2\)"):
        G(torch.randn(7, 2))
    with pytest.raises(ValueError, match=r"points of shape \(N, 2\); got \(7, 3\)"):
        D(torch.randn(7, 3))
    with pytest.raises(ValueError, match="latent_dim must be an integer between 1 and 64; got 0"):
        ToyGenerator(0)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    D = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[0.6, 0.8]]))  # |w| = 1
    x_real, x_fake = torch.randn(32, 2), torch.randn(32, 2)
    assert gradient_penalty(D, x_real, x_fake).item() == pytest.approx(0, abs=1e-10)
    with torch.no_grad():
        D.weight.mul_(3)  # |w| = 3: penalty (3 - 1)^2 = 4
    assert gradient_penalty(D, x_real, x_fake).item() == pytest.approx(4, rel=1e-5)


def _old_toy_gradient_penalty(D, x_real, x_fake, generator):
    """The toy's own penalty before the registry's (gan_lessons/toy2d.py, toy.py until the loss registry)."""
    eps = torch.rand(len(x_real), 1, generator=generator)
    x_hat = (eps * x_real + (1 - eps) * x_fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def test_gradient_penalty_on_2d_points_equals_the_old_formula():
    torch.manual_seed(0)
    D = ToyDiscriminator(16)
    x_real, x_fake = torch.randn(64, 2), torch.randn(64, 2)
    new = gradient_penalty(D, x_real, x_fake, torch.Generator().manual_seed(5))
    old = _old_toy_gradient_penalty(D, x_real, x_fake, torch.Generator().manual_seed(5))
    assert new.item() == old.item() and new.item() > 0  # bit for bit: eps drawn as (N, 1), as before
    (g_new,) = torch.autograd.grad(new, list(D.parameters())[0])
    (g_old,) = torch.autograd.grad(old, list(D.parameters())[0])
    torch.testing.assert_close(g_new, g_old, rtol=0, atol=0)


@pytest.mark.parametrize("loss", ["hinge2", "wasserstein", "", 3])
def test_unknown_loss_is_a_clear_error(loss):
    with pytest.raises(ValueError, match="Unknown loss .*: choose one of minimax, nonsaturating"):
        ToyGAN(loss=loss)
    gan = ToyGAN()
    with pytest.raises(ValueError, match="Unknown loss"):
        gan.set(loss=loss)
    assert gan.settings.loss == "nonsaturating", "a rejected change leaves the settings alone"


# -- the stepper --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"preset": "rings"}, "Unknown data preset"),
        ({"lr_d": 0}, r"lr_d \(a learning rate\) must be a number in \(0, 1\]"),
        ({"lr_g": float("nan")}, r"lr_g \(a learning rate\)"),
        ({"d_steps": 0}, "d_steps must be an integer between 1 and 100; got 0"),
        ({"latent_dim": 2.0}, "latent_dim must be an integer"),
        ({"hidden": 1}, "hidden must be an integer between 2"),
        ({"optimizer": "rmsprop"}, "Unknown optimizer 'rmsprop': choose one of adam, sgd"),
        ({"seed": -1}, "seed must be a non-negative integer"),
    ],
)
def test_stepper_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ToyGAN(**kwargs)


def test_step_counts_d_and_g_updates():
    gan = ToyGAN(d_steps=3, batch_size=32)
    gan.step(4)
    assert (gan.d_step_count, gan.g_step_count, gan.iteration) == (12, 4, 4)
    assert gan.history["step"] == [1, 2, 3, 4] and len(gan.history["d_loss"]) == 4
    assert np.isfinite(gan.history["d_loss"]).all() and np.isfinite(gan.history["g_loss"]).all()
    gan.step_d()
    assert (gan.d_step_count, gan.g_step_count) == (13, 4)
    gan.step_g()
    assert (gan.d_step_count, gan.g_step_count) == (13, 5)
    st = gan.state()
    assert st["iteration"] == 5 and st["d_steps_done"] == 13 and st["settings"]["d_steps"] == 3


def test_same_seed_same_run_and_different_seed_different_run():
    a, b, c = ToyGAN(seed=3), ToyGAN(seed=3), ToyGAN(seed=4)
    for gan in (a, b, c):
        gan.step(30)
    np.testing.assert_array_equal(a.samples(), b.samples())
    assert a.history["g_loss"] == b.history["g_loss"]
    assert not np.allclose(a.samples(), c.samples())


def test_set_changes_live_settings_and_reset_rebuilds():
    gan = ToyGAN()
    gan.step(5)
    gan.set(loss="least_squares", lr_d=3e-3, lr_g=2e-4, d_steps=2)
    assert gan.opt_d.param_groups[0]["lr"] == 3e-3 and gan.opt_g.param_groups[0]["lr"] == 2e-4
    gan.step(2)
    assert gan.iteration == 7 and gan.d_step_count == 5 + 4  # training went on
    with pytest.raises(ValueError, match=r"\['latent_dim'\] cannot change during training; use reset"):
        gan.set(latent_dim=3)
    with pytest.raises(ValueError, match="lr_g"):
        gan.set(lr_g=-1)
    assert gan.settings.lr_g == 2e-4, "a rejected change leaves the settings alone"
    gan.reset(latent_dim=3, preset="grid")
    assert gan.iteration == 0 and gan.history["step"] == [] and gan.G.latent_dim == 3
    assert gan.data.name == "grid" and gan.settings.loss == "least_squares"
    with pytest.raises(ValueError, match="Unknown setting"):
        gan.reset(colour="red")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("preset", ["ring", "spiral"])
def test_every_loss_trains_and_reports_state(loss, preset):
    gan = ToyGAN(preset, loss=loss, batch_size=64)
    gan.step(10)
    xs, ys, values = gan.d_grid(16)
    assert xs.shape == (16,) and values.shape == (16, 16) and np.isfinite(values).all()
    if LOSSES[loss].d_output == "logit":  # D's probability
        assert values.min() >= 0 and values.max() <= 1
    pts, dirs = gan.gradient_field(20)
    assert pts.shape == dirs.shape == (20, 2) and np.isfinite(dirs).all() and np.abs(dirs).sum() > 0
    assert gan.samples().shape == (ToyGAN.N_SHOW, 2)
    assert 0 <= gan.modes_reached() <= 1 and gan.g_grad_norm() > 0


@pytest.mark.parametrize("latent_dim, shape", [(1, (1, 20, 2)), (2, (5, 5, 2)), (4, (5, 5, 2))])
def test_manifold_shapes(latent_dim, shape):
    gan = ToyGAN(latent_dim=latent_dim)
    assert gan.manifold(5).shape == shape


def test_gradient_field_points_uphill_on_d():
    """G's non-saturating update moves each fake towards higher D(x): the arrows and D's gradient agree."""
    gan = ToyGAN()
    gan.step(50)
    pts, dirs = gan.gradient_field(64)
    x = torch.tensor(pts, requires_grad=True)
    (grad_d,) = torch.autograd.grad(gan.D(x).sum(), x)
    cos = (grad_d.numpy() * dirs).sum(1) / (np.linalg.norm(dirs, axis=1) * grad_d.norm(dim=1).numpy() + 1e-12)
    assert (cos > 0.99).all()


@pytest.mark.slow
def test_fixed_seed_outcome_nonsaturating_covers_the_ring():
    """The chapter's first claim, at the quick-mode step count: from one mode at most to most of the ring."""
    gan = ToyGAN("ring", loss="nonsaturating", seed=0)
    start = gan.modes_reached()
    gan.step(1500)
    assert start <= 0.125
    assert gan.modes_reached() >= 0.75


# -- the losses come from the registry ---------------------------------------------------------


def test_loss_names_are_normalised_and_the_family_comes_from_the_registry():
    gan = ToyGAN(loss="WGAN-GP")
    assert gan.settings.loss == "wgan_gp" and gan.family is LOSSES["wgan_gp"]
    gan.set(loss="hinge")
    assert gan.family is LOSSES["hinge"]


def test_hinge_trains_and_its_losses_are_the_registry_s():
    gan = ToyGAN(loss="hinge", batch_size=64, seed=2)
    gan.step(20)
    assert np.isfinite(gan.history["d_loss"]).all() and np.isfinite(gan.history["g_loss"]).all()
    # D's and G's losses in one step, recomputed from the stepper's own batches and outputs
    gen = gan._gen
    state = gen.get_state()
    with single_thread(), torch.no_grad():  # as the stepper computes them
        x_real = gan.data.sample(gan.settings.batch_size, generator=gen)
        x_fake = gan.G(gan._noise(gan.settings.batch_size))
        expected_d = d_loss_hinge(gan.D(x_real), gan.D(x_fake)).item()
    gen.set_state(state)
    assert gan.step_d() == pytest.approx(expected_d, rel=1e-6)  # no gradient penalty: hinge has none
    state = gen.get_state()
    with single_thread(), torch.no_grad():
        expected_g = g_loss_hinge(gan.D(gan.G(gan._noise(gan.settings.batch_size)))).item()
    gen.set_state(state)
    assert gan.step_g() == pytest.approx(expected_g, rel=1e-6)
    assert gan.history["g_loss"][-1] == pytest.approx(expected_g, rel=1e-6)


def _d_loss_by_hand(gan: ToyGAN, penalty: float) -> float:
    """D's loss of the stepper's next D step, recomputed: the family's loss plus penalty x GP."""
    gen, s = gan._gen, gan.settings
    state = gen.get_state()
    with single_thread():
        x_real = gan.data.sample(s.batch_size, generator=gen)
        with torch.no_grad():
            x_fake = gan.G(gan._noise(s.batch_size))
        loss = gan.family.d_loss(gan.D(x_real), gan.D(x_fake))
        if penalty:
            loss = loss + penalty * gradient_penalty(gan.D, x_real, x_fake, gen)
    gen.set_state(state)
    return loss.item()


def test_gradient_penalty_weight_semantics():
    """WGAN-GP gets the toy's 0.1 by default (as before the registry); others get none unless asked."""
    assert TOY_GP_WEIGHT == 0.1 and LOSSES["wgan_gp"].gp_weight > 0
    for loss, gp_weight, used in [
        ("wgan_gp", None, 0.1),
        ("wgan_gp", 0.5, 0.5),
        ("wgan_gp", 0, 0.0),
        ("nonsaturating", None, 0.0),
        ("hinge", 1.0, 1.0),  # asked for explicitly
    ]:
        gan = ToyGAN(loss=loss, gp_weight=gp_weight, batch_size=32)
        gan.step(2)
        assert gan.settings.penalty_weight() == used
        expected = _d_loss_by_hand(gan, used)  # before the step: it draws the same batch
        assert gan.step_d() == pytest.approx(expected, rel=1e-6), (loss, gp_weight)
    with pytest.raises(ValueError, match="gp_weight must be None"):
        ToyGAN(gp_weight=-1)


def test_no_train_method_the_step_is_step():
    """`train` means a mode switch in torch (nn.Module.train): the stepper's method is `step(n)`."""
    assert not hasattr(ToyGAN, "train")


def test_wgan_clipping_family_clips_the_toy_critic():
    from gan_lessons import ToyGAN

    gan = ToyGAN(preset="ring", loss="wgan", seed=0)
    gan.step(3)
    assert max(p.abs().max().item() for p in gan.D.parameters()) <= 0.01 + 1e-9


def test_readouts_do_not_change_a_spectrally_normalised_d():
    """The wrong world: drawing the playground (D's heatmap, G's arrows, G's gradient norm) advancing spectral
    norm's power iteration, so that how often the view redraws changes the training."""
    from gan_lessons import ToyGAN

    gan = ToyGAN(spectral_norm=True, seed=0)
    gan.step(3)
    before = {k: v.clone() for k, v in gan.D.state_dict().items()}
    gan.d_grid(8)
    gan.gradient_field(8)
    gan.g_grad_norm()
    after = gan.D.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before) and gan.D.training


def test_rpgan_with_r1_and_r2_steps_the_toy_and_its_readouts():
    # The paired family reads a real partner for each fake, in the G step and in the gradient arrows.
    gan = ToyGAN(preset="ring", loss="rpgan", r1=0.1, r2=0.1, seed=3)
    gan.step(5)
    points, arrows = gan.gradient_field(16)
    assert points.shape == arrows.shape == (16, 2) and np.isfinite(arrows).all() and np.abs(arrows).sum() > 0
    assert np.isfinite(gan.g_grad_norm())
    gan.set(r2=0.0)
    assert gan.settings.r2 == 0.0
    with pytest.raises(ValueError, match="r2 .* must be a number >= 0"):
        ToyGAN(preset="ring", r2=-1.0)


def test_integer_beta1_is_accepted():
    gan = ToyGAN(preset="ring", beta1=0, seed=0)  # an int: torch.optim.Adam alone would refuse it
    gan.step(2)
    assert gan.opt_d.param_groups[0]["betas"] == (0.0, 0.999)


# -- G steps per D step, divergences, your own points as data, snapshots (issue 25) ----------------


def test_g_steps_runs_that_many_generator_updates_per_iteration():
    gan = ToyGAN("ring", seed=0, d_steps=2, g_steps=3, batch_size=32)
    gan.step(2)
    assert (gan.d_step_count, gan.g_step_count) == (4, 6)
    gan.set(g_steps=1)
    gan.step(1)
    assert (gan.d_step_count, gan.g_step_count) == (6, 7)
    with pytest.raises(ValueError, match="g_steps"):
        gan.set(g_steps=0)


def test_record_divergences_keeps_one_row_per_iteration():
    gan = ToyGAN("ring", seed=0, batch_size=32)
    gan.step(5)
    gan.record_divergences()
    gan.record_divergences()
    gan.step(5)
    kl, js = gan.record_divergences()
    assert gan.divergence_history["step"] == [5, 10]
    assert (gan.divergence_history["kl"][-1], gan.divergence_history["js"][-1]) == (kl, js)


def test_pace_fixes_the_iterations_per_frame_and_slow_mode_waits():
    import threading
    import time

    gan = ToyGAN("ring", seed=0, batch_size=32)
    stop = threading.Event()
    frames = gan.play_frames(stop, lambda: (3, 0.2))
    t0 = time.perf_counter()
    yielded = [next(frames), next(frames), next(frames)]
    took = time.perf_counter() - t0
    stop.set()
    assert yielded == [3, 3, 3]
    assert gan.iteration == 9
    assert took >= 0.35  # two whole frames waited out their 0.2 s (the third is still drawing)


# Twelve points on the unit circle, as a file of your own gives them (reading such files: tests/test_points2d.py).
CUSTOM_POINTS = "\n".join(f"{np.cos(t):.3f}, {np.sin(t):.3f}" for t in np.linspace(0, 6, 12))


def test_custom_points_become_the_data():
    pts = parse_points(CUSTOM_POINTS)
    gan = ToyGAN("custom", points=pts.tolist(), seed=0)
    np.testing.assert_array_equal(gan.data.centers, pts)


def test_a_snapshot_goes_on_exactly_where_the_run_was(tmp_path):
    gan = ToyGAN("spiral", seed=3, g_steps=2, batch_size=64)
    gan.step(20)
    gan.record_divergences()
    path = gan.save(tmp_path / "snap.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["snap.pt"]  # written atomically: no temporary file left
    gan.step(15)
    loaded = ToyGAN.load(path)
    assert loaded.iteration == 40 and loaded.settings.g_steps == 2 and loaded.settings.preset == "spiral"
    assert loaded.divergence_history["step"] == [40]
    loaded.step(15)  # same networks, optimiser moments and noise stream: the same next 15 iterations
    np.testing.assert_array_equal(loaded.samples(), gan.samples())
    assert loaded.history["g_loss"] == gan.history["g_loss"]
    snap = torch.load(path, weights_only=True)  # tensors, numbers and strings only
    assert snap["format"] == toy.SNAPSHOT_FORMAT


def test_a_snapshot_keeps_custom_points(tmp_path):
    pts = parse_points(CUSTOM_POINTS)
    gan = ToyGAN("custom", points=pts.tolist(), seed=0, batch_size=32)
    gan.step(3)
    loaded = ToyGAN.load(gan.save(tmp_path / "mine.pt"))
    np.testing.assert_array_equal(loaded.data.centers, pts)


def test_bad_snapshots_are_refused_clearly(tmp_path):
    gan = ToyGAN("ring", seed=0)
    with pytest.raises(ValueError, match=r"A playground snapshot is a \.pt file"):
        gan.save(tmp_path / "snap.pkl")
    with pytest.raises(FileNotFoundError, match="No playground snapshot at"):
        ToyGAN.load(tmp_path / "none.pt")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    with pytest.raises(ValueError, match="Could not read the playground snapshot"):
        ToyGAN.load(tmp_path / "junk.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="Not a playground snapshot"):
        ToyGAN.load(tmp_path / "other.pt")
