"""The 1-D Gaussian maths of chapter 03, against closed forms and Monte Carlo."""

import math

import numpy as np
import pytest

from gan_lessons import theory


def test_pdf_integrates_to_one_and_matches_scipy():
    from scipy.stats import norm

    x = theory.density_grid(-20, 20, 8001)
    p = theory.gaussian_pdf(x, 1.5, 0.7)
    assert np.trapezoid(p, x) == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(p, norm.pdf(x, 1.5, 0.7))


def test_d_star_formula_and_edge_cases():
    d = theory.optimal_discriminator(np.array([1.0, 0.0, 0.0, 3.0]), np.array([1.0, 2.0, 0.0, 1.0]))
    assert d.tolist() == [0.5, 0.0, 0.5, 0.75]


def test_d_star_maximises_pointwise_value():
    game = theory.gaussian_game(1.0, 1.5)
    best = theory.value_function(game.d_star, game.p_data, game.p_g, game.x)
    rng = np.random.default_rng(0)
    for _ in range(5):
        other = np.clip(game.d_star + rng.normal(0, 0.05, game.x.shape), 0, 1)
        assert theory.value_function(other, game.p_data, game.p_g, game.x) < best


@pytest.mark.parametrize("mu_g, sigma_g", [(0.0, 1.0), (2.0, 1.0), (1.0, 0.5), (-3.0, 3.0), (20.0, 1.0)])
def test_value_identity(mu_g, sigma_g):
    game = theory.gaussian_game(mu_g, sigma_g)
    assert 0.0 <= game.jsd <= math.log(2) + 1e-9
    assert game.value == pytest.approx(-math.log(4) + 2 * game.jsd, abs=1e-9)
    assert abs(game.identity_gap) < 1e-9


def test_jsd_closed_form_limits_and_symmetry():
    x = theory.density_grid(-15, 15, 6001)
    p, q = theory.gaussian_pdf(x, 0, 1), theory.gaussian_pdf(x, 1, 2)
    assert theory.js_divergence(p, p, x) == pytest.approx(0.0, abs=1e-12)
    assert theory.js_divergence(p, q, x) == pytest.approx(theory.js_divergence(q, p, x))
    far = theory.gaussian_game(40.0, 1.0)
    assert far.jsd == pytest.approx(math.log(2), abs=1e-9)
    # KL between Gaussians has a closed form
    kl = math.log(2 / 1) + (1 + 1) / (2 * 4) - 0.5
    assert theory.kl_divergence(p, q, x) == pytest.approx(kl, abs=1e-6)


def test_value_monte_carlo():
    rng = np.random.default_rng(0)
    game = theory.gaussian_game(2.0, 1.0)
    xr, xf = rng.normal(0, 1, 200_000), rng.normal(2, 1, 200_000)
    d = lambda x: theory.optimal_discriminator(theory.gaussian_pdf(x, 0, 1), theory.gaussian_pdf(x, 2, 1))
    mc = np.log(d(xr)).mean() + np.log(1 - d(xf)).mean()
    assert mc == pytest.approx(game.value, abs=0.01)


def test_generator_loss_grads():
    g = theory.generator_loss_grads(np.array([0.0, 0.5, 1.0]))
    assert g["saturating"].tolist() == [0.0, -0.5, -1.0]
    assert g["nonsaturating"].tolist() == [-1.0, -0.5, 0.0]


@pytest.mark.parametrize(
    "call, msg",
    [
        (lambda: theory.gaussian_pdf(0.0, 0.0, 0.0), "standard deviation"),
        (lambda: theory.gaussian_game(0.0, -1.0), "sigma_g"),
        (lambda: theory.density_grid(1, 0), "lo < hi"),
        (lambda: theory.density_grid(0, 1, 2), "at least 3"),
        (lambda: theory.optimal_discriminator(np.ones(3), np.ones(4)), "same points"),
        (lambda: theory.optimal_discriminator(-np.ones(3), np.ones(3)), "log-densities"),
        (lambda: theory.value_function(np.full(3, 2.0), np.ones(3), np.ones(3), np.arange(3.0)), "sigmoid"),
        (lambda: theory.generator_loss_grads(np.array([1.5])), "probability"),
    ],
)
def test_errors_for_students(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


# ---- W1, sliding supports and the Dirac GAN (09_stabilizing, 08_training_pitfalls)
def test_wasserstein1_of_two_gaussians_is_the_mean_gap_and_of_uniforms_the_shift():
    x = theory.density_grid(-15, 15, 30001)
    p, q = theory.gaussian_pdf(x, 0, 1), theory.gaussian_pdf(x, 2.5, 1)
    assert abs(theory.wasserstein1(p, q, x) - 2.5) < 1e-3  # same shape, shifted: W1 = the shift
    p, q = theory.gaussian_pdf(x, 0, 1), theory.gaussian_pdf(x, 0, 2)
    assert (
        abs(theory.wasserstein1(p, q, x) - np.sqrt(2 / np.pi)) < 1e-3
    )  # E|X|*(2-1) for N(0, s^2): s*sqrt(2/pi)
    assert theory.wasserstein1(p, p, x) == 0


def test_sliding_divergences_exact_values():
    div = theory.sliding_divergences([0.0, 0.5, 1.0, 2.0])
    assert np.allclose(div["jsd"], np.log(2) * np.array([0, 0.5, 1, 1]), atol=2e-3)
    assert div["kl"][0] == 0 and np.all(np.isinf(div["kl"][1:]))
    assert np.allclose(div["w1"], [0, 0.5, 1, 2], atol=1e-3)


def test_dirac_gan_circles_and_r1_converges():
    plain = theory.dirac_gan(steps=1000, lr=0.1)
    r1 = theory.dirac_gan(steps=1000, lr=0.1, r1=1.0)
    simultaneous = theory.dirac_gan(steps=1000, lr=0.1, alternating=False)
    assert plain.shape == (1001, 2) and np.linalg.norm(plain, axis=1).min() > 1.3
    assert abs(theory.winding(plain)) > 5
    assert np.linalg.norm(r1[-1]) < 1e-3
    assert np.linalg.norm(simultaneous[-1]) > np.linalg.norm(simultaneous[0])  # spirals out
    wgan_gp = theory.dirac_gan(steps=3000, lr=0.1, loss="wgan", gp=1.0)
    assert abs(wgan_gp[-1, 0] - 2.0) < 1e-3 and abs(wgan_gp[-1, 1]) < 1e-6  # stalls at theta = 2 * lambda


def test_dirac_best_response_is_the_root():
    psi = theory.dirac_best_response(1.5, 0.3)
    sig = 1 / (1 + np.exp(-psi * 1.5))
    assert abs(-1.5 * sig - 0.3 * psi) < 1e-9 and psi < 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss="hinge"), "loss must be one of gan, wgan"),
        (dict(steps=0), "steps must be a whole number >= 1"),
        (dict(lr=0), "lr must be a finite number"),
        (dict(r1=-1), "r1 must be a finite number >= 0"),
        (dict(lr_d=float("nan")), "lr_d must be a finite number"),
    ],
)
def test_dirac_gan_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        theory.dirac_gan(**kwargs)


def test_w1_and_best_response_bad_inputs():
    x = theory.density_grid(0, 1, 11)
    with pytest.raises(ValueError, match="same length"):
        theory.wasserstein1(np.ones(11), np.ones(10), x)
    with pytest.raises(ValueError, match="negative"):
        theory.wasserstein1(-np.ones(11), np.ones(11), x)
    with pytest.raises(ValueError, match="unbounded"):
        theory.dirac_best_response(1.0, 0.0)
    with pytest.raises(ValueError, match="lo < hi"):
        theory.uniform_pdf(x, 1.0, 1.0)


def test_ring_escape_path_walks_one_fake_to_the_empty_mode():
    real, path = theory.ring_escape_path(n_modes=8, n_points=5)
    assert real.shape == (8, 2) and path.shape == (5, 8, 2)
    np.testing.assert_allclose(path[0, -1], real[0], atol=1e-12)  # starts doubled on mode 0
    np.testing.assert_allclose(path[-1], real, atol=1e-12)  # ends with every mode covered once
    np.testing.assert_allclose(np.linalg.norm(path[:, -1], axis=1), 2.0)  # walks along the ring
    with pytest.raises(ValueError, match="n_modes"):
        theory.ring_escape_path(n_modes=2)


def test_best_response_landscape_separable_has_a_barrier_fixed_pairing_none():
    # Sun, Fang & Schwing 2020: mode collapse is a basin of the standard loss, not of RpGAN with fixed pairs.
    real, path = theory.ring_escape_path(n_points=6)
    value = {p: np.array([theory.best_response_value(real, f, p) for f in path]) for p in theory.PAIRINGS}
    assert value["separable"].max() - value["separable"][0] > 0.02  # climbs before it falls
    assert np.all(np.diff(value["paired"]) <= 1e-7)  # downhill all the way
    assert (
        value["paired_random"].max() - value["paired_random"][0] > 0.02
    )  # random pairs: the barrier is back
    for p in theory.PAIRINGS:  # every path ends lower than it starts: covering the empty mode is better
        assert value[p][-1] < value[p][0] - 0.05


def test_best_response_value_at_the_equilibrium_matches_the_formula():
    # Fakes on the reals: D can do no better than a constant, f = 0: 2 log(1/2) separable, log(1/2) paired.
    real, _ = theory.ring_escape_path()
    assert theory.best_response_value(real, real, "separable") == pytest.approx(-2 * np.log(2), abs=1e-6)
    assert theory.best_response_value(real, real, "paired") == pytest.approx(-np.log(2), abs=1e-6)


def test_best_response_value_refuses_bad_input():
    real, path = theory.ring_escape_path()
    with pytest.raises(ValueError, match="pairing must be one of"):
        theory.best_response_value(real, path[0], "relativistic")
    with pytest.raises(ValueError, match="as many of each"):
        theory.best_response_value(real, path[0][:5], "paired")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        theory.best_response_value(real[:, :1], path[0])
    with pytest.raises(ValueError, match="bandwidth"):
        theory.best_response_value(real, path[0], bandwidth=0)
