"""FID after a fixed number of images seen: a load-independent fingerprint of the default training.

    python benchmarks/fid_at_fixed_images.py            # 4 epochs of the 4,000-digit train split

Same seed, same steps: on one machine, the same code gives bit-identical weights, so this prints the
same FID and the same hash of G's moving average. Used to check that a refactor changed nothing
(issue 9: FID 627.130, G_ema hash 181c27f7db3a7e29, before and after). Prints numbers; asserts nothing.
"""

import argparse
import hashlib
import time

import torch

from gan_lessons import TrainConfig, fid, load_mnist, new_run, train

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
data = load_mnist(split="train")
real = load_mnist(split="test", verbose=False).images[:1000]
run = new_run(TrainConfig(seed=0, device="cpu"))
start = time.perf_counter()
train(run, data, num_epochs=args.epochs, progress=False)
seconds = time.perf_counter() - start
z = torch.randn(1000, run.config.latent_dim, generator=torch.Generator().manual_seed(123))
weights = b"".join(p.detach().numpy().tobytes() for p in run.G_sample.state_dict().values())
print(
    f"steps={run.step} images={run.step * run.config.batch_size} FID={fid(real, run.sample(z=z)):.3f} "
    f"G_ema sha={hashlib.sha256(weights).hexdigest()[:16]} train_s={seconds:.1f}"
)
