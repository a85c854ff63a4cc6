#!/usr/bin/python3
"""DDP's promise, checked on train_ddp.py's own train_step (Li et al., 2020): N processes with b
windows each take the same optimizer step as one process with all N·b windows, with gradient
accumulation (no_sync) and global-norm clipping included. Every rank steps its DDP replica on its
slice of a global batch, and a plain copy of the model (no torch.distributed) on the whole of it,
then prints how far apart their weights are. Plain SGD steps both, so a weight difference is lr
times a gradient difference (Adam's first step, about lr * sign(g), would magnify float noise in
gradients near zero). --no-sync skips the all-reduce: the check then fails,
as it must when the replicas are not averaged.
Run: torchrun --nproc_per_node 2 --redirects 1 --tee 1 scripts/torchrun/check_ddp.py \
       --model HF_DIR --data BIN_DIR
"""
import argparse
import contextlib
import copy
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import load_hf_dir  # noqa: E402
from train_ddp import get_batch, load_tokens, train_step  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="check DDP against one process with the global batch")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=4, help="windows per micro-batch, per process")
    p.add_argument("--grad-accum", type=int, default=2)
    p.add_argument("--grad-clip", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--no-sync", action="store_true", help="skip the all-reduce (the check must fail)")
    args = p.parse_args()
    args.fsdp = False  # train_step's clip reads it
    return args


def reference_step(model, opt, micro_batches, clip):
    """One process, the whole global batch: mean loss over all windows, clip, SGD."""
    x = torch.cat([m[0] for m in micro_batches])  # (N·A·B, T)
    y = torch.cat([m[1] for m in micro_batches])
    logits = model(x)  # (N·A·B, T, V)
    F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    opt.zero_grad(set_to_none=True)


def main():
    args = parse_args()
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    cpu = torch.device("cpu")
    model, cfg = load_hf_dir(args.model)
    T = cfg["n_positions"]
    reference = copy.deepcopy(model)
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=args.lr)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=args.lr)
    data, _ = load_tokens(args.data, "train")
    gen = torch.Generator().manual_seed(7)  # the same on every rank: each draws the global batch
    A = args.grad_accum
    for _ in range(args.steps):
        micro = [get_batch(data, args.batch_size, T, gen, cpu) for _ in range(world * A)]
        mine = iter(micro[rank * A : (rank + 1) * A])  # this rank's slice
        with ddp.no_sync() if args.no_sync else contextlib.nullcontext():
            train_step(ddp, opt, lambda: next(mine), args, cpu)
        reference_step(reference, ref_opt, micro, args.grad_clip)
    diff = max((a - b).abs().max().item() for a, b in zip(ddp.module.parameters(), reference.parameters()))
    print(f"rank {rank}: {world} processes x {A} x {args.batch_size} windows vs 1 process x "
          f"{world * A * args.batch_size}, {args.steps} steps: max |w_ddp - w_one| = {diff:.2e}")
    dist.barrier()
    dist.destroy_process_group()
    if diff > 1e-5:
        sys.exit(f"rank {rank}: DDP and one process differ by {diff:.2e} (> 1e-5)")


if __name__ == "__main__":
    main()
