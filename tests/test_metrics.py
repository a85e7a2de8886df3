"""gan_lessons.metrics: the shipped feature network, FID against closed forms and a reference,
precision/recall and coverage on constructed cases, memorisation, input errors, FIDTracker
(conditioning accuracy and FID per class: test_conditional.py)."""

import math
import warnings

import numpy as np
import pytest
import scipy.linalg
import torch

from gan_lessons import TrainConfig, load_mnist, new_run, shuffled_indices, train
from gan_lessons.baselines import accuracy
from gan_lessons.feature_net import (
    FEATURE_NET_SHA256,
    LeNet,
    as_images,
    class_probabilities,
    feature_net_path,
    lenet_features,
    load_feature_net,
    penultimate,
    probabilities_from_features,
)
from gan_lessons.metrics import (
    FID_LABEL,
    MIN_FID_SAMPLES,
    EvalReport,
    FeatureStats,
    SmallSampleWarning,
    class_coverage,
    coverage_from_counts,
    evaluate,
    evaluate_features,
    feature_stats,
    fid,
    frechet_distance,
    inception_score_from_probs,
    inception_score_like,
    knn_radii,
    nearest_neighbours,
    precision_recall,
    precision_recall_from_features,
)
from gan_lessons.shipped import sha256_of
from gan_lessons.trackers import FIDTracker


@pytest.fixture(scope="module")
def test_set():
    return load_mnist("test", source="subset", verbose=False)


@pytest.fixture(scope="module")
def train_set():
    return load_mnist("train", source="subset", verbose=False)


@pytest.fixture(scope="module")
def noise():
    return torch.rand(1000, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1


def random_spd(rng, d, scale=1.0):
    a = rng.normal(size=(d, d))
    return scale * (a @ a.T / d + 0.1 * np.eye(d))


# ---------------------------------------------------------------- the feature network
def test_shipped_feature_net_loads_verified_and_classifies_held_out_digits(test_set):
    assert sha256_of(feature_net_path()) == FEATURE_NET_SHA256
    net = load_feature_net()
    assert isinstance(net, LeNet) and not net.training and net.feature_dim == 64
    assert (lenet_features(test_set).std(0) > 0).all()  # pre-ReLU features: no unit stuck at 0
    assert all(not p.requires_grad for p in net.parameters())
    assert accuracy(net, test_set) >= 0.975  # 98.2% recorded in data/README.md
    assert load_feature_net() is net  # cached


def test_class_probabilities_from_features_are_the_networks_own_posteriors(test_set):
    net = load_feature_net()
    x = as_images(test_set.images[::10])
    with torch.no_grad():
        direct = torch.softmax(net(x).double(), dim=1)  # LeNet's forward: body (ReLU included), then head
    feats = lenet_features(x, net)
    from_feats = probabilities_from_features(feats, net)
    # fails if the head read the features without their ReLU, or took the logits for probabilities
    assert torch.allclose(from_feats, direct, atol=1e-6)
    assert torch.allclose(from_feats.sum(1), torch.ones(len(x), dtype=torch.float64))
    assert torch.equal(class_probabilities(x, net), from_feats)


def test_a_file_that_is_not_a_feature_net_cannot_be_read(tmp_path):
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    with pytest.raises(
        ValueError, match=r"other\.pt cannot be read \(no 'gan_lessons.feature_net/1' marker\)"
    ):
        load_feature_net(other, expected_sha256=None)


# ---------------------------------------------------------------- Fréchet distance: closed forms
def test_frechet_distance_matches_the_one_dimensional_closed_form():
    # N(m1, s1^2) vs N(m2, s2^2): (m1 - m2)^2 + (s1 - s2)^2
    for m1, s1, m2, s2 in [(0.0, 1.0, 0.0, 1.0), (1.0, 2.0, -0.5, 0.5), (3.0, 0.1, 3.0, 4.0)]:
        assert frechet_distance([m1], [[s1**2]], [m2], [[s2**2]]) == pytest.approx(
            (m1 - m2) ** 2 + (s1 - s2) ** 2, rel=1e-10, abs=1e-12
        )


def test_frechet_distance_matches_the_closed_form_for_commuting_covariances():
    # S1 = Q diag(a) Q^T, S2 = Q diag(b) Q^T: FD = ||mu1 - mu2||^2 + sum (sqrt(a) - sqrt(b))^2
    rng = np.random.default_rng(0)
    d = 16
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a, b = rng.uniform(0.1, 3, d), rng.uniform(0.1, 3, d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance(mu1, q @ np.diag(a) @ q.T, mu2, q @ np.diag(b) @ q.T)
    assert got == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_agrees_with_scipy_sqrtm_for_general_covariances():
    rng = np.random.default_rng(1)
    for d in (2, 10, 64):
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        s1, s2 = random_spd(rng, d), random_spd(rng, d, 2.0)
        reference = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
        assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(reference, rel=1e-8)


def test_fid_of_samples_approaches_the_gaussian_closed_form():
    # Features drawn from two known Gaussians: the sample FID converges to the closed form.
    rng = np.random.default_rng(2)
    d, n = 8, 200_000
    mu1, mu2 = np.zeros(d), np.full(d, 0.5)
    s1, s2 = random_spd(rng, d), random_spd(rng, d, 1.5)
    f1 = rng.multivariate_normal(mu1, s1, size=n)
    f2 = rng.multivariate_normal(mu2, s2, size=n)
    a, b = FeatureStats.from_features(f1), FeatureStats.from_features(f2)
    assert frechet_distance(a.mu, a.sigma, b.mu, b.sigma) == pytest.approx(
        frechet_distance(mu1, s1, mu2, s2), rel=0.02
    )


def test_frechet_distance_is_symmetric_zero_on_identical_and_handles_singular_covariances():
    rng = np.random.default_rng(3)
    mu1, mu2, s1, s2 = rng.normal(size=5), rng.normal(size=5), random_spd(rng, 5), random_spd(rng, 5)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(frechet_distance(mu2, s2, mu1, s1), rel=1e-9)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)
    singular = np.diag([1.0, 2.0, 0.0, 0.0, 3.0])  # dead features, as ReLU units give
    value = frechet_distance(mu1, singular, mu1, singular)
    assert math.isfinite(value) and value == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0, 0.0], np.eye(2), [0.0], np.eye(1)), "same D"),
        (([0.0, 0.0], np.array([[1.0, 0.5], [0.0, 1.0]]), [0.0, 0.0], np.eye(2)), "sigma1 is not symmetric"),
        (([0.0, np.nan], np.eye(2), [0.0, 0.0], np.eye(2)), "NaN or Inf"),
    ],
)
def test_frechet_distance_rejects_bad_statistics(args, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(*args)


# ---------------------------------------------------------------- FID on images
def test_fid_is_zero_for_identical_sets_symmetric_and_deterministic(test_set, train_set):
    assert fid(test_set, test_set) == pytest.approx(0.0, abs=1e-6)
    a, b = train_set.images[::4], test_set.images
    ab, ba = fid(a, b), fid(b, a)
    assert ab == pytest.approx(ba, rel=1e-6)
    assert fid(a, b) == ab  # same inputs, same number
    assert 0 < ab < 30


def test_fid_accepts_uint8_and_float_forms_of_the_same_images(test_set):
    as_uint8 = fid(test_set.images_uint8[:500], test_set.images_uint8[500:])
    as_float = fid(test_set.images[:500], test_set.images[500:])
    as_numpy = fid(test_set.images_uint8[:500].numpy(), test_set.images_uint8[500:].numpy())
    assert as_uint8 == pytest.approx(as_float, rel=1e-6) == pytest.approx(as_numpy, rel=1e-6)


def test_fid_is_large_for_real_vs_noise(test_set, train_set, noise):
    real_vs_real = fid(test_set, train_set.images[::4])
    real_vs_noise = fid(test_set, noise)
    assert real_vs_noise > 50 * real_vs_real
    assert real_vs_noise > 500


def test_fid_accepts_precomputed_statistics(test_set, noise):
    stats = feature_stats(test_set)
    assert isinstance(stats, FeatureStats) and stats.n == 1000 and stats.sigma.shape == (64, 64)
    assert fid(stats, noise) == pytest.approx(fid(test_set, noise), rel=1e-9)


def test_small_samples_give_a_warning_that_says_so(test_set):
    with pytest.warns(SmallSampleWarning, match=r"from 200 real and 200 generated samples is biased upwards"):
        fid(test_set.images[:200], test_set.images[200:400])
    with pytest.warns(
        SmallSampleWarning, match=r"no more than the 64 feature dimensions, so the covariance is singular"
    ):
        fid(test_set.images[:50], test_set.images[50:100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fid(test_set.images, test_set.images)  # 1,000 each: no warning
    assert MIN_FID_SAMPLES == 1000 and FID_LABEL == "FID (LeNet features)"


@pytest.mark.slow
def test_fid_falls_as_a_dcgan_trains(train_set, test_set):
    """A short fixed-seed run: FID (LeNet features) of 500 fixed-noise samples, measured by FIDTracker against
    the held-out test digits; training on 1,600 training digits drawn at random (the subset is sorted by class:
    the first 1,600 would be zeros, ones and twos)."""
    pick = shuffled_indices(len(train_set))[:1600]
    subset = torch.utils.data.TensorDataset(train_set.images[pick], train_set.labels[pick])
    run = new_run(TrainConfig(device="cpu", seed=0))
    tracker = FIDTracker(test_set, every=50, n=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        tracker.record(run)
        train(run, subset, num_epochs=4, progress=False, on_step=tracker)  # 100 steps of batch 64
        assert (
            tracker.record(run) == run.history["evals"]["fid"][-1]
        )  # already measured at step 100: not twice
    assert run.history["evals"]["step"] == [0, 50, 100]
    first, middle, last = run.history["evals"]["fid"]
    # Measured with TrainConfig seeds 0, 1, 2: 7094 -> 3445 -> 1077, 7092 -> 2513 -> 926, 7088 -> 2980 -> 1012.
    assert last < middle < first
    assert last < 0.85 * first


# ---------------------------------------------------------------- IS analogue and coverage
def test_inception_score_from_constructed_posteriors():
    eye = torch.eye(10, dtype=torch.float64)
    assert inception_score_from_probs(eye.repeat(5, 1)) == pytest.approx(10.0)  # confident, every class
    assert inception_score_from_probs(eye[[3] * 50]) == pytest.approx(1.0)  # confident, one class
    assert inception_score_from_probs(torch.full((50, 10), 0.1)) == pytest.approx(1.0)  # no confidence
    assert inception_score_from_probs(eye[[0, 1] * 25]) == pytest.approx(2.0)  # two classes
    with pytest.raises(ValueError, match="rows are probability distributions"):
        inception_score_from_probs(torch.ones(4, 10))


def test_inception_score_like_on_real_and_one_digit_sets(test_set):
    assert inception_score_like(test_set) > 9.0
    ones = test_set.images[test_set.labels == 1]
    assert inception_score_like(ones) < 1.5


def test_coverage_on_constructed_histograms():
    uniform = coverage_from_counts([10] * 10)
    assert uniform.num_covered == 10 and uniform.kl_to_uniform == pytest.approx(0.0, abs=1e-12)
    single = coverage_from_counts([0, 0, 0, 7, 0, 0, 0, 0, 0, 0])
    assert single.num_covered == 1 and single.kl_to_uniform == pytest.approx(math.log(10))
    two = coverage_from_counts([50, 50] + [0] * 8)
    assert two.num_covered == 2 and two.kl_to_uniform == pytest.approx(math.log(5))
    edge = coverage_from_counts([5, 95] + [0] * 8)  # exactly 5% counts as covered
    assert edge.num_covered == 2
    assert list(edge.fractions[:2]) == [0.05, 0.95]
    skewed = coverage_from_counts([4, 96] + [0] * 8)
    assert skewed.num_covered == 1
    assert "1/10 digits" in str(skewed)


@pytest.mark.parametrize(
    "counts, threshold, message",
    [
        ([0] * 10, 0.05, "positive total"),
        ([1, -1, 3], 0.05, "non-negative"),
        ([[1, 2], [3, 4]], 0.05, "1-D histogram"),
        ([1] * 10, 5, "between 0 and 1"),
    ],
)
def test_coverage_rejects_bad_histograms(counts, threshold, message):
    with pytest.raises(ValueError, match=message):
        coverage_from_counts(counts, threshold)


def test_class_coverage_of_real_digits_and_of_a_collapsed_set(test_set):
    real = class_coverage(test_set)
    assert real.num_covered == 10 and real.kl_to_uniform < 0.01
    assert real.counts.sum() == 1000
    sevens = class_coverage(test_set.images[test_set.labels == 7])
    assert sevens.num_covered == 1 and sevens.kl_to_uniform > 2.0
    probs = class_probabilities(test_set.images[:10])
    assert probs.shape == (10, 10) and torch.allclose(probs.sum(1), torch.ones(10, dtype=torch.float64))


# ---------------------------------------------------------------- precision and recall
def test_knn_radii_exclude_the_point_itself():
    feats = torch.tensor([[0.0], [1.0], [3.0], [6.0]])
    assert knn_radii(feats, 1).tolist() == [1.0, 1.0, 2.0, 3.0]
    assert knn_radii(feats, 2).tolist() == [3.0, 2.0, 3.0, 5.0]
    with pytest.raises(ValueError, match="need more than k=4"):
        knn_radii(feats, 4)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        knn_radii(feats, 0)


def test_precision_recall_on_constructed_gaussian_features():
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(1000, 2, generator=gen, dtype=torch.float64)
    same = precision_recall_from_features(real, torch.randn(1000, 2, generator=gen, dtype=torch.float64))
    assert same.precision > 0.9 and same.recall > 0.9
    collapsed = precision_recall_from_features(
        real, 0.1 * torch.randn(1000, 2, generator=gen, dtype=torch.float64)
    )
    assert collapsed.precision > 0.95 and collapsed.recall < 0.2
    off = precision_recall_from_features(real, 4 + torch.randn(1000, 2, generator=gen, dtype=torch.float64))
    assert off.precision < 0.1 and off.recall < 0.1


def test_precision_recall_separate_collapsed_noisy_and_smudged_digits(test_set, train_set, noise):
    real = train_set.images[::4]
    pr_real = precision_recall(real, test_set)
    assert pr_real.precision > 0.8 and pr_real.recall > 0.8
    assert "precision" in str(pr_real) and pr_real.k == 3
    collapsed = test_set.images[test_set.labels == 3]  # sharp, real digits, but only threes
    pr_collapsed = precision_recall(real, collapsed)
    assert pr_collapsed.precision > 0.8 and pr_collapsed.recall < 0.3
    pr_noise = precision_recall(real, noise)  # noise is not a digit
    assert pr_noise.precision < 0.5 and pr_noise.recall < 0.01
    shuffled = test_set.images[shuffled_indices(1000, 2)]
    smudged = torch.maximum(test_set.images, shuffled)  # every digit, each overlaid with another
    pr_smudged = precision_recall(real, smudged)
    assert pr_smudged.precision < pr_real.precision - 0.15 and pr_smudged.recall > 2 * pr_collapsed.recall


# ---------------------------------------------------------------- memorisation
def test_nearest_neighbours_finds_copied_training_images(train_set, test_set):
    picks = torch.tensor([5, 17, 3999])
    copies = train_set.images_uint8[picks]
    result = nearest_neighbours(copies, train_set, k=3)
    assert result.indices[:, 0].tolist() == picks.tolist()
    assert torch.allclose(result.nearest_distance, torch.zeros(3), atol=1e-5)
    assert (result.distances[:, 1:] > 0).all() and (result.distances.diff(dim=1) >= 0).all()
    assert result.neighbours.shape == (3, 3, 1, 28, 28)
    some = shuffled_indices(len(test_set))[:20]  # not only zeros
    held_out = nearest_neighbours(test_set.images[some], train_set, k=2)
    assert (held_out.nearest_distance > 1.0).all()  # new digits are not copies (nearest measured: 3.8)
    fig = result.plot()
    assert len(fig.axes) == 3 * 4
    with pytest.raises(ValueError, match="k must be an integer between 1 and the number of training images"):
        nearest_neighbours(copies, train_set.images[:2], k=3)


# ---------------------------------------------------------------- evaluate() and the tracker
def test_evaluate_agrees_with_the_separate_metrics(test_set, train_set):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        fake, real = test_set.images[::3], train_set.images[::6]  # balanced: the subset is sorted by class
        report = evaluate(fake, real)
        assert isinstance(report, EvalReport)
        assert report.fid == pytest.approx(fid(real, fake), rel=1e-9)
        pr = precision_recall(real, fake)
    assert (report.precision, report.recall) == (pr.precision, pr.recall)
    assert report.num_covered == class_coverage(fake).num_covered
    assert report.is_like == pytest.approx(inception_score_like(fake))
    assert (report.n_real, report.n_fake) == (667, 334)
    # the tracker's path, from features computed once, gives the same report
    net = load_feature_net()
    again = evaluate_features(lenet_features(real, net), lenet_features(fake, net), net)
    assert again.as_dict() == report.as_dict()
    assert FID_LABEL in str(report) and set(report.as_dict()) >= {"fid", "precision", "recall", "num_covered"}


@pytest.mark.parametrize("kwargs, message", [({"every": 0}, "every"), ({"n": 1}, "n \\(samples per FID\\)")])
def test_fid_tracker_rejects_bad_settings(test_set, kwargs, message):
    with pytest.raises(ValueError, match=message):
        FIDTracker(test_set, **kwargs)


# ---------------------------------------------------------------- input checking
BAD_INPUTS = [
    ([[0.0] * 28] * 28, "expected a numpy array or torch tensor of images; got list"),
    (torch.zeros(4, 28, 28, dtype=torch.int64), "integer images must be uint8.*got dtype torch.int64"),
    (np.zeros((4, 28, 28), dtype=np.int32), "integer images must be uint8"),
    (torch.zeros(4, 1, 28, 28, dtype=torch.bool), "got dtype torch.bool"),
    (torch.zeros(4, 3, 28, 28), "MNIST is grayscale \\(1 channel\\); these have 3"),
    (torch.zeros(4, 28, 28), "Float images need the channel dimension: x.unsqueeze\\(1\\)"),
    (torch.zeros(4, 784), "Reshape flat vectors"),
    (torch.zeros(28, 28, dtype=torch.uint8), "single image"),
    (torch.zeros(4, 1, 32, 32), "must be 28x28; these are 32x32"),
    (torch.zeros(4, 28, 28, 1), "channel is last"),
    (torch.zeros(0, 1, 28, 28), "got 0 images"),
    (torch.full((4, 1, 28, 28), float("nan")), "NaN or Inf"),
    (torch.full((4, 1, 28, 28), 200.0), "look like 0..255 pixel values"),
    (torch.full((4, 1, 28, 28), -3.0), "must lie in \\[-1, 1\\].*tanh"),
    (np.empty(2, dtype=object), "object array"),
]


@pytest.mark.parametrize("bad, message", BAD_INPUTS, ids=[m[:30] for _, m in BAD_INPUTS])
def test_each_bad_input_gets_its_message(bad, message):
    with pytest.raises(ValueError, match=message):
        as_images(bad, "fake")


@pytest.mark.parametrize(
    "metric",
    [
        lambda x: fid(x, x),
        inception_score_like,
        class_coverage,
        lambda x: precision_recall(x, x),
        lambda x: nearest_neighbours(x, x),
        lambda x: lenet_features(x),
    ],
)
def test_every_metric_checks_its_input(metric):
    with pytest.raises(ValueError, match="fake|real|images|train"):
        metric(torch.zeros(8, 3, 28, 28))


def test_images_in_zero_one_get_a_warning():
    with pytest.warns(UserWarning, match=r"every pixel is >= 0.*x \* 2 - 1"):
        as_images(torch.rand(4, 1, 28, 28), "fake")


def test_as_images_converts_uint8_to_the_generator_range(test_set):
    x = as_images(test_set.images_uint8[:5])
    assert x.dtype == torch.float32 and x.shape == (5, 1, 28, 28)
    assert torch.equal(x, test_set.images[:5])
    assert torch.equal(as_images(test_set), test_set.images)


def test_fid_agrees_with_torchmetrics_given_the_same_feature_extractor(test_set, noise):
    """An independent reference: torchmetrics' FrechetInceptionDistance with the LeNet as custom features."""
    tm_fid = pytest.importorskip("torchmetrics.image.fid")
    net = load_feature_net()

    class LeNetFeatures(torch.nn.Module):
        num_features = net.feature_dim

        def forward(self, x):  # torchmetrics passes what update() got: here uint8 (N, 1, 28, 28)
            return penultimate(net, x.float() / 127.5 - 1)

    for fake in (test_set.images[500:], noise[:500]):
        metric = tm_fid.FrechetInceptionDistance(feature=LeNetFeatures(), normalize=False)
        metric.update(test_set.images_uint8[:500].unsqueeze(1), real=True)
        fake_uint8 = as_images(fake).add(1).mul(127.5).round().to(torch.uint8)
        metric.update(fake_uint8, real=False)
        reference = float(metric.compute())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            ours = fid(test_set.images_uint8[:500], fake_uint8[:, 0])
        assert ours == pytest.approx(reference, rel=1e-3)
