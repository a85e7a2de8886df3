import re
import shutil

import numpy as np
import pytest
import torch

from gan_lessons import data as data_mod
from gan_lessons.data import SUBSET_FILE, load_mnist, load_subset_arrays, shuffled_indices, to_uint8
from gan_lessons.dcgan import load_pretrained_generator, pretrained_generator_path
from gan_lessons.feature_net import feature_net_path, load_feature_net


def test_subset_loads_real_digits_in_range(capsys):
    ds = load_mnist()
    line = capsys.readouterr().out.strip()
    assert line.startswith("MNIST: shipped real subset") and "5,000 digits" in line and "\n" not in line
    assert len(ds) == 5000 and ds.source == "subset"
    x, y = ds[0]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert ds.images.min() == -1.0 and ds.images.max() == 1.0
    assert torch.bincount(ds.labels).tolist() == [500] * 10
    # a real digit: ink on a black background, about a fifth of the pixels lit
    lit = (ds.images_uint8 > 128).float().mean().item()
    assert 0.08 < lit < 0.25


def test_splits_are_disjoint_and_balanced():
    train, test = load_mnist("train", verbose=False), load_mnist("test", verbose=False)
    assert (len(train), len(test)) == (4000, 1000)
    assert torch.bincount(test.labels).tolist() == [100] * 10
    flat = lambda d: {bytes(img.numpy().tobytes()) for img in d.images_uint8}
    assert not flat(train) & flat(test)


def test_to_uint8_inverts_the_scaling():
    ds = load_mnist(verbose=False)
    assert torch.equal(to_uint8(ds.images[:, 0]), ds.images_uint8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist("validation")
    with pytest.raises(ValueError, match="source must be"):
        load_mnist(source="internet")


def test_full_requested_but_absent_says_how_to_get_it(tmp_path):
    shutil.copy(data_mod.DATA_DIR / SUBSET_FILE, tmp_path / SUBSET_FILE)
    with pytest.raises(ValueError, match="download=True"):
        load_mnist(source="full", root=tmp_path)
    # auto falls back to the subset without touching the network
    assert load_mnist(root=tmp_path, verbose=False).source == "subset"


def test_missing_subset_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"mnist_5k\.npz is missing.*git checkout"):
        load_mnist(root=tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_corrupt_subset_gets_a_clear_error(tmp_path, damage):
    target = tmp_path / SUBSET_FILE
    raw = (data_mod.DATA_DIR / SUBSET_FILE).read_bytes()
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw = raw[:1000] + bytes([raw[1000] ^ 0xFF]) + raw[1001:]
    else:
        raw = b""
    target.write_bytes(raw)
    with pytest.raises(ValueError, match=r"mnist_5k\.npz is corrupt or truncated.*sha256"):
        load_subset_arrays(target)


def test_full_mnist_is_used_when_present(tmp_path, monkeypatch, capsys):
    """With data/MNIST present, load_mnist goes through torchvision (faked here: no download in tests)."""

    class FakeTV:
        data = torch.zeros(7, 28, 28, dtype=torch.uint8)
        targets = torch.arange(7)

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"")
    monkeypatch.setattr(data_mod, "_torchvision_mnist", lambda root, split, download: FakeTV())
    ds = load_mnist(root=tmp_path)
    assert ds.source == "full" and len(ds) == 7
    assert "full torchvision MNIST" in capsys.readouterr().out


def test_shipped_file_matches_readme_checksum():
    readme = (data_mod.DATA_DIR / "README.md").read_text()
    assert data_mod.SUBSET_SHA256 in readme
    images, labels = load_subset_arrays()
    assert images.dtype == np.uint8 and labels.max() == 9


def test_shuffled_indices_are_a_fixed_permutation_that_mixes_the_sorted_classes():
    order = shuffled_indices(1000)
    assert torch.equal(order.sort().values, torch.arange(1000))  # each index once
    assert torch.equal(order, shuffled_indices(1000, 0))  # the same seed, the same order
    assert not torch.equal(order, shuffled_indices(1000, 1))
    test = load_mnist("test", source="subset", verbose=False)
    assert len(test.labels[:100].unique()) < 10  # the shipped split is sorted by class...
    assert len(test.labels[shuffled_indices(len(test))[:100]].unique()) == 10  # ...a shuffled pick is not


# Both weights files shipped in data/ are read by data.read_shipped_weights; each loader names its own file
# and the tool that rebuilds it.
SHIPPED_WEIGHTS = {
    "feature net": (load_feature_net, feature_net_path, "train_feature_net"),
    "pretrained G": (load_pretrained_generator, pretrained_generator_path, "make_pretrained_generator"),
}


@pytest.mark.parametrize("loader, shipped, tool", SHIPPED_WEIGHTS.values(), ids=list(SHIPPED_WEIGHTS))
def test_a_missing_or_changed_shipped_weights_file_names_the_file_and_the_fix(
    loader, shipped, tool, tmp_path
):
    with pytest.raises(
        FileNotFoundError, match=rf"nothere\.pt is missing.*git checkout -- data/nothere\.pt.*{tool}\.py"
    ):
        loader(tmp_path / "nothere.pt")
    name = shipped().name
    fix = rf"git checkout -- data/{re.escape(name)}.*{tool}\.py"
    bad = tmp_path / name
    blob = bytearray(shipped().read_bytes())
    blob[len(blob) // 2] ^= 0xFF  # one byte changed
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match=rf"{re.escape(name)} is corrupt or was changed.*sha256.*{fix}"):
        loader(bad)
    bad.write_bytes(bytes(blob[: len(blob) // 2]))  # truncated
    with pytest.raises(ValueError, match=rf"corrupt or was changed.*{fix}"):
        loader(bad)
    with pytest.raises(ValueError, match=rf"cannot be read.*{fix}"):  # without the checksum, torch.load fails
        loader(bad, expected_sha256=None)
