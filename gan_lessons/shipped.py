"""The files shipped in data/, in one registry: name, sha256, what reads it and the tool that rebuilds it;
the one sha256-checked, `weights_only` reader of the shipped weights; and the atomic writer that
checkpoints and the rebuilding tools share. Introduced in 00_index (the data set in use)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import torch

from .config import DATA_DIR


@dataclass(frozen=True)
class ShippedFile:
    """One file of data/: its sha256 (checked on every load), the function that reads it, and the tool in
    tools/ that rebuilds it (`--check` says whether a rebuild gives the same bytes)."""

    name: str
    sha256: str
    what: str  # how error messages name it
    reader: str  # the gan_lessons function that loads it
    tool: str  # the script that rebuilds it
    rebuild_time: str = ""  # said in the error message, so a student knows what a rebuild costs

    @property
    def path(self) -> Path:
        return DATA_DIR / self.name

    def fix(self, name: str | None = None) -> str:
        """What to do when the file is missing or damaged (`name`: the file's name, if not the default path)."""
        cost = f" ({self.rebuild_time})" if self.rebuild_time else ""
        return (
            f"Restore it with `git checkout -- data/{name or self.name}` (it ships with the course), "
            f"or rebuild it with `python {self.tool}`{cost}."
        )


SUBSET_FILE = "mnist_5k.npz"
FEATURE_NET_FILE = "lenet_mnist.pt"
PRETRAINED_G_FILE = "dcgan_mnist_g.pt"
# The tools print a file's sha256 when they rebuild it; data/README.md records the same values.
SUBSET_SHA256 = "246e0c30eeea57c8d0037d3f38c8e00651ec204cc61b8022563e9aeeb9d756f4"
FEATURE_NET_SHA256 = "72be70a25b7ddad3d90c312a0616373f5710d255ebb68808bc2099666758b1cc"
STABILIZING_TABLE_FILE = "stabilizing_table.json"
STABILIZING_TABLE_SHA256 = "cfdf8649c09c0cac2bff4e00412ce14525a9aa8464cd9d6e720ed52dfa8c5f10"
PRETRAINED_G_SHA256 = "1941d1fe674b0d7ea54bcbb12eae7e16431a90e537f689c46434b2fc2d680be0"

SHIPPED: dict[str, ShippedFile] = {
    f.name: f
    for f in (
        ShippedFile(
            SUBSET_FILE,
            SUBSET_SHA256,
            "MNIST subset",
            "gan_lessons.data.load_subset_arrays",
            "tools/make_mnist_subset.py",
        ),
        ShippedFile(
            FEATURE_NET_FILE,
            FEATURE_NET_SHA256,
            "feature network",
            "gan_lessons.feature_net.load_feature_net",
            "tools/train_feature_net.py",
            "about a minute on a CPU",
        ),
        ShippedFile(
            PRETRAINED_G_FILE,
            PRETRAINED_G_SHA256,
            "pretrained generator",
            "gan_lessons.dcgan.load_pretrained_generator",
            "tools/make_pretrained_generator.py",
            "5 to 25 minutes on a CPU",
        ),
        ShippedFile(
            STABILIZING_TABLE_FILE,
            STABILIZING_TABLE_SHA256,
            "remedies table",
            "gan_lessons.remedies.load_stabilizing_table",
            "tools/make_stabilizing_table.py",
            "7 to 15 minutes on a busy 2-core CPU",
        ),
    )
}


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_shipped_weights(path: Path, what: str, expected_sha256: str | None, fix: str) -> tuple[object, str]:
    """`torch.load(weights_only=True)` of a weights file shipped in data/, and its sha256, after checking that
    it exists and (unless `expected_sha256` is None) that its bytes are the shipped ones. Each failure is a
    one-line error naming the `what` file and `fix`. Used by the feature net (06) and the pretrained G (02)."""
    if not path.is_file():
        raise FileNotFoundError(f"The {what} file {path} is missing. {fix}")
    blob = path.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise ValueError(
            f"The {what} file {path} is corrupt or was changed: its sha256 is {digest[:12]}..., "
            f"expected {expected_sha256[:12]}... (see data/README.md). {fix}"
        )
    try:
        return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True), digest
    except Exception as exc:
        raise ValueError(f"The {what} file {path} cannot be read ({first_line(exc)}). {fix}") from None


def float32_weights(state_dict: dict) -> dict:
    """A shipped state dict (stored in float16 to halve the file) with its floating-point tensors in float32."""
    return {k: v.float() if v.is_floating_point() else v for k, v in state_dict.items()}


def first_line(exc: Exception) -> str:
    """The first line of an exception's message (at most 120 characters), or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0][:120] if text else type(exc).__name__


def write_atomically(path: str | Path, write: Callable[[BinaryIO], object], mode: int | None = None) -> Path:
    """Call `write(fh)` on a temporary file beside `path`, then rename it over `path`: a crash or Ctrl-C
    while writing leaves the previous file whole and no temporary file. `mode` sets the permissions (the
    temporary file's own are 0600). Used for checkpoints and by the tools that rebuild data/'s weights."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def finish_weights_file(
    blob: bytes, path: Path, check: bool, expected_sha256: str, constant: str, module: str
) -> int:
    """The last step of the tools that rebuild data/'s weights (tools/train_feature_net.py,
    tools/make_pretrained_generator.py). With `check`, compare `blob` with the file at `path`: exit status 0
    when identical. Otherwise write it atomically, readable by all (not private to whoever rebuilt it), and
    say to update `constant` in `module` when its sha256 is not `expected_sha256`."""
    if check:
        same = path.is_file() and path.read_bytes() == blob
        print("identical to the shipped file" if same else f"DIFFERS from {path}")
        return 0 if same else 1
    write_atomically(path, lambda fh: fh.write(blob), mode=0o644)
    print(f"wrote {path}")
    digest = hashlib.sha256(blob).hexdigest()
    if digest != expected_sha256:
        print(f'Now set {constant} = "{digest}" in {module} and update data/README.md.')
    return 0


# Chapter 11's shipped segmenters: U-Nets trained on 64 labelled masks by each method (tools/make_segmenters.py).
SEGMENTERS_FILE = "segmenters_n64.pt"
SEGMENTERS_SHA256 = "94fd4fda177fe56fe9a9d0d04f16399deda7c4c6b1a0a4b93c70576a4aaf2363"
SHIPPED[SEGMENTERS_FILE] = ShippedFile(
    SEGMENTERS_FILE,
    SEGMENTERS_SHA256,
    "shipped segmenters",
    "gan_lessons.pix2pix.load_segmenter",
    "tools/make_segmenters.py",
    "about 10 minutes on one thread of a busy 2-core CPU",
)

# The playground's snapshots (04_toy_gan_playground): ToyGAN.save() files that the playground can start
# from, rebuilt by tools/make_playground_snapshots.py and read by gan_lessons.toy2d.load_shipped_snapshot.
TOY_RING_SNAPSHOT_FILE = "toy_ring_before_collapse.pt"
TOY_SPIRAL_SNAPSHOT_FILE = "toy_spiral_mid.pt"
TOY_RING_SNAPSHOT_SHA256 = "21f21ae90290ede5d2f52553d9bb8c5c4d986822a96fe1b05f42d9f0ab078b61"
TOY_SPIRAL_SNAPSHOT_SHA256 = "6af1388e7652e24553682922e7f576d429212a5c8d00cd07484b8481cfa06f5a"
SHIPPED.update(
    {
        f.name: f
        for f in (
            ShippedFile(
                TOY_RING_SNAPSHOT_FILE,
                TOY_RING_SNAPSHOT_SHA256,
                "playground snapshot (ring)",
                "gan_lessons.toy2d.load_shipped_snapshot",
                "tools/make_playground_snapshots.py",
                "about a minute on a CPU",
            ),
            ShippedFile(
                TOY_SPIRAL_SNAPSHOT_FILE,
                TOY_SPIRAL_SNAPSHOT_SHA256,
                "playground snapshot (spiral)",
                "gan_lessons.toy2d.load_shipped_snapshot",
                "tools/make_playground_snapshots.py",
                "about a minute on a CPU",
            ),
        )
    }
)

# 12_where_gans_stand's two denoisers (tools/make_denoisers.py, the recipe in gan_lessons.ddpm.DENOISER_RECIPE).
DENOISER_DDPM_SHA256 = "6dc649d1eca9576895f701fad4b1be6efb0896ef4516fa850239c14ad4bbaff4"
DENOISER_FLOW_SHA256 = "63b3ff14e3a89b8cdf64065ea093a8d6bd8e8ec91bf1982e2b17218c2b599c9d"
for _kind, _sha, _what in (
    ("ddpm", DENOISER_DDPM_SHA256, "diffusion denoiser"),
    ("flow", DENOISER_FLOW_SHA256, "flow-matching denoiser"),
):
    SHIPPED[f"denoiser_{_kind}_mnist.pt"] = ShippedFile(
        f"denoiser_{_kind}_mnist.pt",
        _sha,
        _what,
        "gan_lessons.ddpm.load_denoiser",
        "tools/make_denoisers.py",
        "about 4 minutes on a CPU",
    )

# 10_conditional_gan's shipped generators (tools/make_conditional_generators.py; the recipe in
# gan_lessons.conditional.SHIPPED_CONDITIONAL): the chapter's full-mode plain and recipe runs, and the recipe's
# run after 200 steps, so that quick mode measures the trained models' claims.
CONDITIONAL_G_FILES = {
    "plain": "conditional_plain_g.pt",
    "recipe": "conditional_recipe_g.pt",
    "recipe_step200": "conditional_recipe_g_step200.pt",
}
CONDITIONAL_G_SHA256 = {
    "plain": "12b94ba581733ff16731dedcdc7f8294835f4cb8ee2e349ccc89c2b46bda129f",
    "recipe": "9e975e694b6598ffe1c3d64ad7b21b0b84d8a0c3e088b08fa9b3aa0abb86c6c9",
    "recipe_step200": "04cf3c4262c6fb1a90b057d70f7c0f773a0e3fef3d61fe8e8b3624329e520fb7",
}
for _variant, _name in CONDITIONAL_G_FILES.items():
    SHIPPED[_name] = ShippedFile(
        _name,
        CONDITIONAL_G_SHA256[_variant],
        f"conditional generator ({_variant})",
        "gan_lessons.conditional.load_conditional_generator",
        "tools/make_conditional_generators.py",
        "5 to 12 minutes on one thread of a busy 2-core CPU",
    )
