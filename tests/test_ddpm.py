"""gan_lessons.ddpm: the noise schedule, the denoiser's shapes, training, both samplers, the errors."""

import pytest
import torch
from torch.utils.data import TensorDataset

from gan_lessons import Denoiser, NoiseSchedule, diffusion_sample, train_denoiser


def test_schedule_ends_in_noise_and_add_noise_is_the_formula():
    s = NoiseSchedule(100)
    assert s.betas.shape == (100,) and torch.all(s.betas > 0) and torch.all(s.betas < 1)
    assert s.alpha_bars[0] > 0.99 and s.alpha_bars[-1] < 0.01  # clean at the start, noise at the end
    assert torch.all(s.alpha_bars[1:] < s.alpha_bars[:-1])
    x0, noise = torch.rand(3, 1, 28, 28), torch.randn(3, 1, 28, 28)
    t = torch.tensor([0, 50, 99])
    abar = s.alpha_bars[t].view(-1, 1, 1, 1)
    assert torch.allclose(s.add_noise(x0, t, noise), abar.sqrt() * x0 + (1 - abar).sqrt() * noise)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": 1}, "steps must be an integer >= 2"),
        ({"steps": 10.5}, "steps must be an integer >= 2"),
        ({"beta_start": 0.1, "beta_end": 0.01}, "beta_start < beta_end"),
    ],
)
def test_schedule_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NoiseSchedule(**kwargs)


def test_denoiser_shapes_and_errors():
    m = Denoiser(16)
    out = m(torch.randn(5, 1, 28, 28), torch.rand(5))
    assert out.shape == (5, 1, 28, 28)
    with pytest.raises(ValueError, match="multiple of 8"):
        Denoiser(12)
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        m(torch.randn(5, 3, 32, 32), torch.zeros(5))
    with pytest.raises(ValueError, match=r"one time in \[0, 1\] per image, shape \(5,\)"):
        m(torch.randn(5, 1, 28, 28), torch.zeros(4))
    with pytest.raises(ValueError, match="one time in"):
        m(torch.randn(5, 1, 28, 28), 0.5)


def test_both_models_reach_the_network_on_the_same_time_range():
    # wrong world (the old code): diffusion fed its step index 0..99, flow matching t * 1000
    s = NoiseSchedule(100)
    times = s.time(torch.arange(100))
    assert times.min() > 0 and times.max() == 1.0  # the pure-noise step is t = 1, as in flow matching
    seen = []
    m = Denoiser(8)
    m.register_forward_pre_hook(lambda _m, args: seen.append(args[1].clone()))
    diffusion_sample(m, s, 2, steps=4)
    from gan_lessons import flow_sample

    flow_sample(m, 2, steps=4)
    ddim, flow = torch.cat(seen[:4]), torch.cat(seen[4:])
    assert ddim.max() == flow.max() == 1.0 and 0 <= ddim.min() and 0 < flow.min() <= 0.25


def test_the_denoiser_depends_on_the_step():
    torch.manual_seed(0)
    m = Denoiser(16)
    x = torch.randn(2, 1, 28, 28)
    assert not torch.allclose(m(x, torch.tensor([0.0, 0.0])), m(x, torch.tensor([0.9, 0.9])))


def test_training_lowers_the_loss():
    torch.manual_seed(0)
    x = torch.rand(256, 1, 28, 28) * 2 - 1
    x[:, :, 8:20, 12:16] = 1.0  # a shared "stroke" to learn
    data = TensorDataset(x, torch.zeros(256, dtype=torch.long))
    losses = train_denoiser(
        Denoiser(16), data, NoiseSchedule(50), num_epochs=4, batch_size=32, progress=False
    )
    assert len(losses) == 4 * 8
    assert sum(losses[-4:]) < sum(losses[:4])


@pytest.mark.parametrize("steps", [None, 3])
def test_samplers_shape_range_and_determinism(steps):
    torch.manual_seed(0)
    m, s = Denoiser(8), NoiseSchedule(8)
    a = diffusion_sample(m, s, 3, steps=steps, seed=1)
    b = diffusion_sample(m, s, 3, steps=steps, seed=1)
    c = diffusion_sample(m, s, 3, steps=steps, seed=2)
    assert a.shape == (3, 1, 28, 28) and a.min() >= -1 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert m.training, "the sampler restores the training mode"


def test_ddim_makes_fewer_network_calls():
    calls = []
    m, s = Denoiser(8), NoiseSchedule(8)
    m.register_forward_hook(lambda *_: calls.append(1))
    diffusion_sample(m, s, 2, steps=4)
    assert len(calls) == 4
    calls.clear()
    diffusion_sample(m, s, 2)
    assert len(calls) == 8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 2, "steps": 0}, "between 1 and"),
        ({"n": 2, "steps": 9}, "between 1 and"),
        ({"n": 0}, "positive"),
    ],
)
def test_sampler_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        diffusion_sample(Denoiser(8), NoiseSchedule(8), **kwargs)


def test_flow_matching_pair_is_the_straight_line():
    from gan_lessons import flow_matching_pair

    x0, noise = torch.rand(3, 1, 28, 28), torch.randn(3, 1, 28, 28)
    x_t, v = flow_matching_pair(x0, noise, torch.tensor([0.0, 0.5, 1.0]))
    assert torch.allclose(x_t[0], x0[0]) and torch.allclose(x_t[2], noise[2])
    assert torch.allclose(x_t[1], (x0[1] + noise[1]) / 2) and torch.allclose(v, noise - x0)


def test_flow_sample_with_the_exact_velocity_lands_on_the_data():
    # a "model" that knows the one data point: v = (x - target) / t along the straight line
    from gan_lessons import flow_sample

    target = torch.full((1, 1, 28, 28), 0.3)

    class Exact(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x, t):
            return (x - target) / t.view(-1, 1, 1, 1)

    out = flow_sample(Exact(), 4, steps=3)
    assert torch.allclose(out, target.expand(4, -1, -1, -1), atol=1e-5)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        flow_sample(Exact(), 4, steps=0)


def test_training_flow_matching_lowers_its_loss():
    from gan_lessons import load_mnist, train_flow_matching

    torch.manual_seed(0)
    digits = load_mnist("train", verbose=False)
    data = TensorDataset(digits.images[::16], digits.labels[::16])  # 250 digits of every class
    losses = train_flow_matching(Denoiser(8), data, num_epochs=4, batch_size=32, progress=False)
    assert sum(losses[-4:]) < 0.8 * sum(losses[:4]), losses


@pytest.mark.parametrize("kind", ["ddpm", "flow"])
def test_the_shipped_denoisers_load_and_sample_digits(kind):
    from gan_lessons import class_coverage, flow_sample, load_denoiser

    model = load_denoiser(kind)
    x = (
        diffusion_sample(model, NoiseSchedule(100), 200, 20)
        if kind == "ddpm"
        else flow_sample(model, 200, 20)
    )
    # digits of several kinds, not noise or one digit (measured: 7 of 10 for both, at 630 steps)
    assert class_coverage(x).num_covered >= 5


def test_load_denoiser_errors(tmp_path):
    from gan_lessons import load_denoiser

    with pytest.raises(ValueError, match="kind must be one of"):
        load_denoiser("gan")
    bad = tmp_path / "x.pt"
    bad.write_bytes(b"not a file")
    with pytest.raises(ValueError, match="corrupt or was changed"):
        load_denoiser("ddpm", bad)


# ---- the comparison's measurements (12_where_gans_stand, 13_faq, benchmarks/gan_vs_diffusion.py)
def test_comparison_samplers_are_keyed_by_network_calls_and_make_digits():
    from gan_lessons import Generator, comparison_samplers

    torch.manual_seed(0)
    m, s = Denoiser(8), NoiseSchedule(8)
    samplers = comparison_samplers(Generator(latent_dim=8, width=8).eval(), m, m, s, steps=(1, 3))
    assert list(samplers) == [
        ("GAN", 1),
        ("diffusion, DDIM", 1),
        ("diffusion, DDIM", 3),
        ("diffusion, DDPM", 8),
        ("flow matching, Euler", 1),
        ("flow matching, Euler", 3),
    ]
    calls = []
    m.register_forward_hook(lambda *_: calls.append(1))
    for (name, n_calls), sample in samplers.items():
        calls.clear()
        x = sample(3, seed=1)
        assert x.shape == (3, 1, 28, 28) and not x.requires_grad
        assert len(calls) == (0 if name == "GAN" else n_calls), name  # the key counts the denoiser's calls
        assert torch.equal(x, sample(3, seed=1)) and not torch.equal(x, sample(3, seed=2)), name
    assert ("diffusion, DDPM", 8) not in comparison_samplers(None, m, m, s, steps=(1,), ancestral=False)


def test_sampling_grid_means_fid_over_seeds_and_times_per_call():
    import warnings

    from gan_lessons import SmallSampleWarning, load_feature_net, load_mnist, ms_per_image, sampling_grid

    digits = load_mnist("train", source="subset", verbose=False).images
    real, others = digits[::20], digits[1::20]  # 200 digits each, of every class

    def noise(n, seed=0):
        return torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed)) * 2 - 1

    def copies(n, seed=0):
        return others[torch.randperm(len(others), generator=torch.Generator().manual_seed(seed))[:n]]

    noise, copies = {("noise", 1): noise}, {("copies", 2): copies}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        grid = sampling_grid({**noise, **copies}, real, load_feature_net(), 150, seeds=(0, 1))
    row = grid[("noise", 1)]
    assert len(row["fids"]) == 2 and row["fids"][0] != row["fids"][1]  # each seed draws other images
    assert row["fid"] == pytest.approx(sum(row["fids"]) / 2)
    assert grid[("copies", 2)]["fid"] < row["fid"] / 10  # real digits score far better than noise
    assert grid[("copies", 2)]["ms_per_call"] == pytest.approx(grid[("copies", 2)]["ms"] / 2)
    assert row["ms"] > 0 and ms_per_image(noise[("noise", 1)], 10, 2) > 0
    with pytest.raises(ValueError, match="repeats"):
        ms_per_image(noise[("noise", 1)], 10, 0)


def test_training_step_seconds_times_the_three_recipes():
    from gan_lessons import RECIPE_STEPS, load_comparison, training_step_seconds

    comparison = load_comparison(verbose=False)
    assert (len(comparison.data), len(comparison.test)) == (
        4000,
        1000,
    )  # the subset, whatever else is present
    cost = training_step_seconds(comparison.data, n_steps=2, repeats=1)
    assert list(cost) == list(RECIPE_STEPS) and all(0 < c < 60 for c in cost.values())
    # the U-Net at 14x14 costs several DCGAN steps (measured: about 3 to 4): a wrong timer gives them alike
    assert cost["diffusion"] > 1.5 * cost["GAN"] and cost["flow matching"] > 1.5 * cost["GAN"], cost
