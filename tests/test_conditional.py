"""Conditional-generator metrics (gan_lessons.conditional): real digits with their true labels stand in
for a perfect conditional G, and the same digits with shifted labels for a G that ignores its label."""

from __future__ import annotations

import numpy as np
import pytest

from gan_lessons import load_mnist
from gan_lessons.conditional import conditioning_accuracy, fid_per_class


@pytest.fixture(scope="module")
def real():
    return load_mnist("test", verbose=False)


def test_conditioning_accuracy_on_real_digits(real):
    right = conditioning_accuracy(real, real.labels)
    assert right.accuracy > 0.95 and right.per_class.min() > 0.85
    assert right.counts.sum() == len(real) and right.confusion.sum() == len(real)
    wrong = conditioning_accuracy(real, (real.labels + 1) % 10)  # every label shifted: a G that ignores y
    assert wrong.accuracy < 0.05
    with pytest.raises(ValueError, match="labels"):
        conditioning_accuracy(real, real.labels[:5])
    with pytest.raises(ValueError, match="digits 0..9; got 10"):
        conditioning_accuracy(real.images[:2], [3, 10])


def test_fid_per_class_is_small_for_the_right_class_and_large_for_a_shifted_one(real):
    train = load_mnist("train", verbose=False)
    pick = np.arange(0, len(train), 4)  # 1,000 training digits, 100 per class, against the test split's
    right = fid_per_class(train.images[pick], train.labels[pick], real)
    shifted = fid_per_class(train.images[pick], (train.labels[pick] + 1) % 10, real)
    assert right.shape == (10,) and np.isfinite(right).all()
    assert (shifted > 3 * right).all(), (right, shifted)  # each class compared with its own real digits


def test_fid_per_class_names_its_input_errors(real):
    with pytest.raises(ValueError, match="one label per generated image"):
        fid_per_class(real.images[:10], real.labels[:9], real)
    with pytest.raises(ValueError, match="labelled data set"):
        fid_per_class(real.images[:10], real.labels[:10], real.images)


def test_a_class_with_fewer_than_two_samples_gets_nan(real):
    labels = np.zeros(20, dtype=np.int64)
    labels[0] = 7  # one sample of digit 7, none of 1..6, 8, 9
    out = fid_per_class(real.images[:20], labels, real)
    assert np.isfinite(out[0]) and np.isnan(out[1:]).all()


def test_recall_per_class_is_high_for_the_class_and_low_for_one_kind_of_digit(real):
    from gan_lessons.conditional import recall_per_class

    train = load_mnist("train", verbose=False)
    pick = np.concatenate([np.flatnonzero(train.labels.numpy() == d)[:60] for d in range(10)])
    x, y = train.images[pick], train.labels[pick]
    precision, recall = recall_per_class(x, y, real)
    assert recall.mean() > 0.6 and precision.mean() > 0.6, (recall, precision)
    # a "G" that draws the same digit for every z of a class: one real image repeated per class
    one_each = np.concatenate(
        [np.repeat(np.flatnonzero(train.labels.numpy() == d)[:1], 60) for d in range(10)]
    )
    _, collapsed = recall_per_class(train.images[one_each], train.labels[one_each], real)
    assert collapsed.max() < 0.1 and collapsed.mean() < recall.mean() / 5, collapsed
    with pytest.raises(ValueError, match="one label per generated image"):
        recall_per_class(x, y[:-1], real)
    with pytest.raises(ValueError, match="labelled data set"):
        recall_per_class(x, y, real.images)


def test_the_pooled_projection_is_the_papers():
    import torch

    from gan_lessons import ConditionalDiscriminator

    torch.manual_seed(0)
    D = ConditionalDiscriminator(width=8, conditioning="projection_pooled").eval()
    x, y = torch.rand(5, 1, 28, 28) * 2 - 1, torch.tensor([0, 1, 2, 3, 9])
    with torch.no_grad():
        h = x
        for layer in D.net[:-1]:
            h = layer(h)
        pooled = h.sum((2, 3))
        assert D.embed.weight.shape == (10, 16)  # 2w numbers per class, not 2w * 49
        expected = D.psi(pooled).flatten() + (D.embed(y) * pooled).sum(1)
        assert torch.allclose(D(x, y), expected, atol=1e-5)
        assert not torch.allclose(D(x, y), D(x, (y + 1) % 10))
    D_linear = ConditionalDiscriminator(width=8, conditioning="projection")
    assert D_linear.embed.weight.shape == (10, 16 * 7 * 7)  # the recipe's class-specific linear last layer


def test_obedient_samples_keeps_the_first_obeyed_of_each_class(real):
    from gan_lessons.conditional import obedient_samples

    x, y = obedient_samples(real, real.labels, 20)
    assert x.shape == (200, 1, 28, 28) and (y.bincount(minlength=10) == 20).all()
    assert conditioning_accuracy(x, y).accuracy == 1.0  # only samples the classifier reads as asked
    # a G that ignores its label: every digit shifted, nothing is read as asked
    with pytest.raises(ValueError, match="only 0 samples of digit 0 are read as a 0"):
        obedient_samples(real, (real.labels + 1) % 10, 5)
    with pytest.raises(ValueError, match="labels"):
        obedient_samples(real.images[:10], real.labels[:9], 1)
    with pytest.raises(ValueError, match="per_class"):
        obedient_samples(real, real.labels, 0)


def test_recall_on_obeyed_samples_does_not_see_the_wrong_digits(real):
    """A 'G' that draws another class's digit one time in four, and otherwise the same digits as an obedient one,
    gets the same recall per class on its obeyed samples: the wrong digits are left out."""
    from gan_lessons.conditional import obedient_samples, recall_per_class

    train = load_mnist("train", verbose=False)
    idx = [np.flatnonzero(train.labels.numpy() == d)[:80] for d in range(10)]
    every4 = np.arange(80) % 4 == 3
    obedient = np.concatenate(idx)
    # class d: every fourth sample a digit d + 1; the others idx[d] in order, so the obeyed ones are idx[d]'s prefix
    disobedient = np.concatenate(
        [np.where(every4, idx[(d + 1) % 10], idx[d][np.cumsum(~every4) - 1]) for d in range(10)]
    )
    asked = np.repeat(np.arange(10), 80)
    x_o, _ = obedient_samples(train.images[obedient], asked, 40)
    x_d, _ = obedient_samples(train.images[disobedient], asked, 40)
    assert (x_o == x_d).float().mean() > 0.99  # the same right digits, in the same order
    _, o_obedient = recall_per_class(*obedient_samples(train.images[obedient], asked, 40), real)
    _, o_disobedient = recall_per_class(*obedient_samples(train.images[disobedient], asked, 40), real)
    assert abs(o_disobedient.mean() - o_obedient.mean()) < 0.02, (o_disobedient.mean(), o_obedient.mean())


@pytest.mark.parametrize("variant", ["plain", "recipe", "recipe_step200"])
def test_the_shipped_conditional_generators_load(variant):
    import torch

    from gan_lessons import ConditionalGenerator, load_conditional_generator

    G = load_conditional_generator(variant)
    assert isinstance(G, ConditionalGenerator) and not G.training
    assert G(torch.zeros(2, G.latent_dim), [3, 7]).shape == (2, 1, 28, 28)


def test_the_shipped_recipe_obeys_and_the_plain_run_less():
    """The chapter's headline, on the shipped files (chapter 10 measures it on 1,000 samples)."""
    import torch

    from gan_lessons import load_conditional_generator

    labels = torch.arange(300) % 10
    z = torch.randn(300, 64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        acc = {
            v: conditioning_accuracy(load_conditional_generator(v)(z, labels), labels).accuracy
            for v in ("plain", "recipe_step200", "recipe")
        }
    assert acc["recipe"] > 0.95 and acc["recipe_step200"] > 0.85 and acc["plain"] < acc["recipe"] - 0.15, acc


def test_a_conditional_generator_file_round_trips_and_bad_files_are_named(tmp_path):
    import torch

    from gan_lessons import ConditionalGenerator, conditional_generator_bytes, load_conditional_generator

    torch.manual_seed(0)
    G = ConditionalGenerator(latent_dim=64, width=32).eval()
    path = tmp_path / "G.pt"
    path.write_bytes(conditional_generator_bytes(G, "plain", 496))
    loaded = load_conditional_generator("plain", path, check_sha256=False)
    z, y = torch.randn(4, 64), torch.tensor([0, 1, 2, 3])
    with torch.no_grad():
        assert (loaded(z, y) - G(z, y)).abs().max() < 0.02  # float16 weights
    with pytest.raises(ValueError, match="not a shipped 'recipe' conditional generator"):
        load_conditional_generator("recipe", path, check_sha256=False)  # a plain file read as the recipe
    with pytest.raises(ValueError, match="corrupt or was changed.*git checkout -- data/G.pt"):
        load_conditional_generator("plain", path)  # not the shipped bytes
    with pytest.raises(FileNotFoundError, match="missing.*make_conditional_generators.py"):
        load_conditional_generator("plain", tmp_path / "nothere.pt")
    with pytest.raises(ValueError, match="Unknown shipped conditional generator 'fancy'"):
        load_conditional_generator("fancy")
