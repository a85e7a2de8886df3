"""Data-parallel training on PyTorch's own engine (torch.distributed and DistributedDataParallel).
Introduced with the instructor CLI of 05_dcgan_mnist; the chapters themselves train in one process.

    torchrun --standalone --nproc_per_node=2 -m gan_lessons train --epochs 30 --out runs/class

torchrun starts N copies of the CLI and tells each its place (RANK, WORLD_SIZE, LOCAL_RANK, ...).
`init_from_env` joins them into one group (`gloo` on CPU, `nccl` on GPUs, one GPU per process) and
returns a `Distributed`, which `gan_lessons.dcgan.train(..., dist=...)` uses for exactly three things:

- the models wrapped in `DistributedDataParallel` (each rank computes gradients on its own batch,
  DDP averages them, so the weights stay identical on every rank);
- each rank's share of every epoch (`DistributedSampler`, with `set_epoch` so each epoch is shuffled
  anew; `--batch-size` is per process, the effective batch is N times larger);
- one stop decision for all ranks (time budget, Ctrl-C), so no rank waits for a step the others skip.

The GAN step is still `update_D` then `update_G`; the EMA generator and the checkpoint format do not
change (rank 0 saves the unwrapped networks), so `python -m gan_lessons sample` reads a DDP checkpoint.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import torch
import torch.distributed as torch_dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import BatchSampler, DataLoader, Dataset, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from .config import get_device

_STOP_CODES = {None: 0, "time": 1, "interrupted": 2}  # the most urgent reason wins (all_reduce MAX)


def launched_by_torchrun() -> bool:
    """True in a process started by torchrun with more than one process in all."""
    return "RANK" in os.environ and int(os.environ.get("WORLD_SIZE", "1")) > 1


def env_rank() -> int:
    """This process's rank as torchrun set it (0 outside torchrun)."""
    return int(os.environ.get("RANK", "0"))


@dataclass
class Distributed:
    """This process's place in a data-parallel group, and the helpers the training loop needs."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes checkpoints, plots, the progress bar and the metrics."""
        return self.rank == 0

    def wrap(self, module: nn.Module) -> nn.Module:
        """`module` in DistributedDataParallel (its parameters are the same tensors, unwrapped)."""
        ids = [self.device.index] if self.device.type == "cuda" else None
        # channels_last 1-channel convolution weights: two equally valid stride layouts; harmless, said once per step
        warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")
        # broadcast_buffers=False: D runs twice before one backward (real, then fake); re-broadcasting BatchNorm's
        # running statistics in place between them breaks autograd on torch 2.11 (measured). Each rank keeps its
        # own running statistics while training; sync_buffers() gives every rank rank 0's at the end.
        return DistributedDataParallel(module, device_ids=ids, broadcast_buffers=False)

    def check_data(self, data: Dataset, batch_size: int) -> None:
        """A ValueError unless every rank gets at least one full batch per epoch."""
        per_rank = len(data) // self.world_size
        if per_rank < batch_size:
            most = max(1, len(data) // batch_size)
            raise ValueError(
                f"--nproc_per_node={self.world_size} splits {len(data)} images into {per_rank} per process, "
                f"less than one batch of {batch_size}. Use --nproc_per_node {most} or fewer, or a smaller "
                f"--batch-size (it is per process)."
            )

    def steps_per_epoch(self, data: Dataset, batch_size: int) -> int:
        self.check_data(data, batch_size)
        return (len(data) // self.world_size) // batch_size

    def loader(self, data: Dataset, batch_size: int, seed: int, epoch: int) -> DataLoader:
        """This rank's batches of one epoch: a DistributedSampler (same seed on all ranks, epoch set on it)."""
        sampler = DistributedSampler(
            data, num_replicas=self.world_size, rank=self.rank, shuffle=True, seed=seed, drop_last=True
        )
        sampler.set_epoch(epoch)
        pin = self.device.type == "cuda"
        if isinstance(data, TensorDataset):  # one index per batch, as in engine.epoch_loader
            batches = BatchSampler(sampler, batch_size, drop_last=True)
            return DataLoader(data, sampler=batches, batch_size=None, pin_memory=pin)
        return DataLoader(data, sampler=sampler, batch_size=batch_size, drop_last=True, pin_memory=pin)

    def agree(self, stop_reason: str | None) -> str | None:
        """The stop reason of the rank that most needs to stop (Ctrl-C over time budget over none)."""
        flag = torch.tensor([_STOP_CODES[stop_reason]], device=self.device)
        torch_dist.all_reduce(flag, op=torch_dist.ReduceOp.MAX)
        return {code: reason for reason, code in _STOP_CODES.items()}[int(flag.item())]

    def seed_noise(self, run) -> None:
        """Give each rank its own stream of z (rank 0 keeps the run's, which the checkpoint saves)."""
        if self.rank > 0:
            run.noise_gen.manual_seed(run.config.seed + 2 + 1_000_003 * self.rank + run.step)

    def sync_buffers(self, *modules: nn.Module | None) -> None:
        """Copy rank 0's buffers (BatchNorm running statistics) to every rank: after the last step they
        differ by that step's local batch; rank 0's are the ones in the checkpoint."""
        for module in modules:
            if module is not None:
                for b in module.buffers():
                    torch_dist.broadcast(b, src=0)

    def weights_match(self, *modules: nn.Module | None) -> bool:
        """True when every parameter and buffer of `modules` is bitwise the same on all ranks."""
        tensors = [t for m in modules if m is not None for t in (*m.parameters(), *m.buffers())]
        flat = torch.cat([t.detach().reshape(-1).double() for t in tensors])
        gathered = [torch.empty_like(flat) for _ in range(self.world_size)]
        torch_dist.all_gather(gathered, flat)
        return all(torch.equal(g, gathered[0]) for g in gathered)

    def barrier(self) -> None:
        torch_dist.barrier()

    def close(self) -> None:
        """Leave the group (every rank calls it once, at the end)."""
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


def _device_for(device: str, local_rank: int, local_world: int) -> torch.device:
    base = get_device(device)  # 'cuda' without a GPU: get_device's clear error, before joining any group
    if base.type != "cuda":
        return base
    count = torch.cuda.device_count()
    if local_world > count:
        raise ValueError(
            f"--nproc_per_node={local_world} processes need one GPU each, but this machine has {count}. "
            f"Use --nproc_per_node {count} or fewer (or --device cpu)."
        )
    return torch.device("cuda", local_rank)


def init_from_env(device: str = "auto") -> Distributed | None:
    """Join the process group torchrun set up; None when not launched by torchrun with 2 or more processes.

    `device` 'auto' or 'cuda' gives each process its own GPU (cuda:LOCAL_RANK) and `nccl`; 'cpu' gives `gloo`.
    """
    if not launched_by_torchrun():
        return None
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    dev = _device_for(device, local_rank, local_world)
    backend = "nccl" if dev.type == "cuda" else "gloo"
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    torch_dist.init_process_group(backend=backend, rank=rank, world_size=world)
    return Distributed(rank, world, local_rank, dev, backend)
