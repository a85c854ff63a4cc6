#!/usr/bin/python3
"""Continue training an `llmfs` model with PyTorch on many processes and machines.

Data parallel training as PyTorch DDP does it (Li et al., 2020): every process holds the whole
model, takes its own random batches from train.bin, and the gradients are averaged across
processes by an all-reduce during backward, so every replica takes the same optimizer step.
--zero1 shards the AdamW moments across processes (ZeRO stage 1, Rajbhandari et al., 2020);
--fsdp shards parameters, gradients and moments too (FSDP, ZeRO stage 3).

Input: a Hugging Face GPT-2 directory (`llmfs export --format hf`) and nanoGPT token files
(`llmfs tokenize --out-bin`). Output: a Hugging Face directory that `llmfs generate/eval` load.
Run (one machine, 2 processes, CPU):
  torchrun --nproc_per_node 2 scripts/torchrun/train_ddp.py --model HF_DIR --data BIN_DIR --out OUT
Many machines: the same command on each, with --nnodes N --node_rank R --master_addr HOST
--master_port PORT added to torchrun's flags.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import Block, load_hf_dir, save_hf_dir  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="continue training an llmfs GPT-2 with DDP/FSDP")
    p.add_argument("--model", required=True, help="Hugging Face GPT-2 directory (llmfs export --format hf)")
    p.add_argument("--data", required=True, help="directory with train.bin, val.bin, meta.json")
    p.add_argument("--out", required=True, help="directory to write the trained model to (rank 0)")
    p.add_argument("--steps", type=int, default=100, help="optimizer steps")
    p.add_argument("--batch-size", type=int, default=8, help="sequences per micro-batch, per process")
    p.add_argument("--grad-accum", type=int, default=1, help="micro-batches per step, per process")
    p.add_argument("--block-size", type=int, default=0, help="sequence length T (default: n_positions)")
    p.add_argument("--lr", type=float, default=3e-4, help="peak learning rate")
    p.add_argument("--min-lr", type=float, default=3e-5, help="cosine floor")
    p.add_argument("--warmup", type=int, default=10, help="linear warm-up steps")
    p.add_argument("--weight-decay", type=float, default=0.1, help="AdamW decay on matrices")
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--grad-clip", type=float, default=1.0, help="clip the global gradient norm (0: off)")
    p.add_argument("--eval-tokens", type=int, default=0, help="score only the first N tokens of val.bin")
    p.add_argument("--log-interval", type=int, default=10)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1, help="torch threads per process")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--zero1", action="store_true", help="shard the AdamW moments (ZeRO-1)")
    mode.add_argument("--fsdp", action="store_true", help="FullyShardedDataParallel instead of DDP")
    return p.parse_args()


# ---------------------------------------------------------------- token files
def load_tokens(data_dir, split):
    """train.bin / val.bin as a read-only numpy array, checked against meta.json."""
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    if meta.get("format") != "nanogpt-bin" or meta.get("dtype") not in ("uint16", "uint32"):
        raise ValueError(f"{data_dir}/meta.json: not an llmfs token directory (format, dtype)")
    path = os.path.join(data_dir, f"{split}.bin")
    width = 2 if meta["dtype"] == "uint16" else 4
    size = os.path.getsize(path)
    if size % width != 0 or size // width != meta[f"{split}_tokens"]:
        count = meta[f"{split}_tokens"]
        raise ValueError(f"{path}: {size} bytes, but meta.json says {count} {meta['dtype']} ids")
    return np.memmap(path, dtype="<u2" if width == 2 else "<u4", mode="r"), meta


def get_batch(tokens, batch_size, T, gen, device):
    """B random windows of T + 1 tokens: x = w[:-1], y = w[1:], each (B, T), as nanoGPT's get_batch."""
    starts = torch.randint(len(tokens) - T - 1, (batch_size,), generator=gen).tolist()
    w = torch.stack([torch.from_numpy(tokens[s : s + T + 1].astype(np.int64)) for s in starts]).to(device)
    return w[:, :-1], w[:, 1:]


# ---------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate(model, tokens, T, device):
    """Mean nats per token over disjoint windows of T tokens, each scoring its tokens 1..T-1 from
    their prefix: the same windows and sum as `llmfs eval` (src/eval/windows.ts). Every process runs
    every window (FSDP needs all of them in each forward); the logits' NLL is summed in float64."""
    model.eval()
    ids = torch.from_numpy(np.asarray(tokens).astype(np.int64)).to(device)
    nats, count = 0.0, 0
    for begin in range(0, len(ids) - 1, T):
        w = ids[begin : begin + T][None, :]  # (1, L)
        if w.shape[1] < 2:
            break
        logits = model(w)[0, :-1].double()  # (L - 1, V)
        nats += F.cross_entropy(logits, w[0, 1:], reduction="sum").item()
        count += w.shape[1] - 1
    model.train()
    return nats / count


# ---------------------------------------------------------------- optimisation
def lr_at(step, args):
    """Linear warm-up to --lr, then cosine decay to --min-lr over the remaining steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * progress))


def param_groups(model, weight_decay):
    """Decay the matrices (dim >= 2) only, as `llmfs train`'s AdamW does; not biases or norms."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]


def make_optimizer(model, args):
    kw = dict(lr=args.lr, betas=(args.beta1, args.beta2), eps=1e-8)
    if args.zero1:
        from torch.distributed.optim import ZeroRedundancyOptimizer

        # Each rank keeps the moments of its share of the parameters, steps them, and broadcasts.
        groups = param_groups(model, args.weight_decay)
        opt = ZeroRedundancyOptimizer(
            groups[0]["params"], optimizer_class=torch.optim.AdamW, weight_decay=args.weight_decay, **kw
        )
        opt.add_param_group(groups[1])
        return opt
    if args.fsdp:
        # FSDP flattens each wrapped module's parameters into one vector: one group for them all.
        return torch.optim.AdamW(model.parameters(), weight_decay=args.weight_decay, **kw)
    return torch.optim.AdamW(param_groups(model, args.weight_decay), **kw)


def import_fsdp():
    """PyTorch's FSDP classes, or one clear line saying why this PyTorch cannot run them here."""
    if not torch.cuda.is_available() and int(torch.__version__.split(".")[0]) < 2:
        sys.exit(f"error: --fsdp: PyTorch {torch.__version__}'s FSDP needs CUDA; on CPU use DDP or --zero1")
    from torch.distributed.fsdp import FullStateDictConfig, FullyShardedDataParallel, StateDictType
    from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy

    return FullyShardedDataParallel, StateDictType, FullStateDictConfig, transformer_auto_wrap_policy


def wrap(model, args, device):
    """DDP (a full replica per process), or FSDP with one shard unit per transformer block."""
    if not args.fsdp:
        ids = [device] if device.type == "cuda" else None
        return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    from functools import partial

    FSDP, _, _, policy = import_fsdp()
    extra = {"device_id": device} if device.type == "cuda" else {}
    return FSDP(model, auto_wrap_policy=partial(policy, transformer_layer_cls={Block}), **extra)


def full_state_dict(model, args):
    """The unsharded weights on rank 0 (FSDP gathers them; DDP's replica already has them)."""
    if not args.fsdp:
        return {k: v.detach().cpu().clone() for k, v in model.module.state_dict().items()}
    FSDP, StateDictType, FullStateDictConfig, _ = import_fsdp()
    config = FullStateDictConfig(offload_to_cpu=True, rank0_only=True)
    with FSDP.state_dict_type(model, StateDictType.FULL_STATE_DICT, config):
        return model.state_dict()


def clip(model, args):
    """Clip the global gradient norm: DDP's gradients are already the all-reduced mean on every
    rank, so the local norm is the global one; FSDP's are sharded, so it reduces the norm itself."""
    if args.grad_clip <= 0:
        return
    if args.fsdp:
        model.clip_grad_norm_(args.grad_clip)
    else:
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)


def train_step(model, opt, next_batch, args, device):
    """One optimizer step over grad_accum micro-batches (next_batch() gives each (x, y)); returns
    the mean loss across all ranks. DDP all-reduces in the last micro-batch's backward only (no_sync
    skips the others), so the gradient is the mean over every rank's micro-batches."""
    total = 0.0
    for micro in range(args.grad_accum):
        x, y = next_batch()
        last = micro == args.grad_accum - 1
        ctx = contextlib.nullcontext() if last else model.no_sync()
        with ctx:
            logits = model(x)  # (B, T, V)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)) / args.grad_accum
            loss.backward()
        total += loss.item()
    clip(model, args)
    opt.step()
    opt.zero_grad(set_to_none=True)
    mean = torch.tensor([total], device=device)
    dist.all_reduce(mean)  # for the log only: the loss averaged over every rank's batches
    return mean.item() / dist.get_world_size()


# ---------------------------------------------------------------- main
def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    # torchrun's environment gives rank, world size and the master's address: gloo on CPU, NCCL on GPUs
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    log = print if rank == 0 else (lambda *a, **k: None)

    torch.manual_seed(args.seed)  # the same start everywhere (DDP also broadcasts rank 0's weights)
    model, cfg = load_hf_dir(args.model)
    T = args.block_size or cfg["n_positions"]
    if T > cfg["n_positions"]:
        raise ValueError(f"--block-size {T} exceeds the model's n_positions {cfg['n_positions']}")
    train, meta = load_tokens(args.data, "train")
    val, _ = load_tokens(args.data, "val")
    if meta["vocab_size"] > cfg["vocab_size"]:
        raise ValueError(f"token files have vocab_size {meta['vocab_size']}, the model {cfg['vocab_size']}")
    if args.eval_tokens:
        val = val[: args.eval_tokens]
    model = wrap(model.to(device), args, device)
    opt = make_optimizer(model, args)
    gen = torch.Generator().manual_seed(args.seed + 1000 * rank)  # each rank its own batches

    mode = "FSDP" if args.fsdp else "DDP + ZeRO-1" if args.zero1 else "DDP"
    tokens_per_step = world * args.grad_accum * args.batch_size * T
    where = f"{world} processes ({dist.get_backend()}, {device.type})"
    log(f"{mode} on {where}: {tokens_per_step} tokens per step, {len(train)} train tokens")
    before = evaluate(model, val, T, device)
    log(f"val loss before: {before:.4f} ({len(val)} tokens)")
    start = time.time()
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        loss = train_step(model, opt, lambda: get_batch(train, args.batch_size, T, gen, device), args, device)
        if step % args.log_interval == 0 or step == args.steps - 1:
            rate = tokens_per_step * (step + 1) / (time.time() - start)
            log(f"step {step + 1}/{args.steps} loss {loss:.4f} lr {lr_at(step, args):.2e} {rate:.0f} tok/s")
    seconds = time.time() - start
    after = evaluate(model, val, T, device)
    log(f"val loss after: {after:.4f} ({len(val)} tokens)")
    rate = tokens_per_step * args.steps / seconds
    log(f"trained {args.steps} steps in {seconds:.1f} s: {rate:.0f} tokens/s")

    state = full_state_dict(model, args)
    if rank == 0:
        summary = dict(
            mode=mode, processes=world, steps=args.steps, tokens_per_step=tokens_per_step,
            seconds=round(seconds, 2), tokens_per_second=round(rate), val_tokens=len(val),
            val_loss_before=before, val_loss_after=after,
        )
        log_file = {"torchrun_log.json": json.dumps(summary, indent=2) + "\n"}
        save_hf_dir(state, cfg, args.model, args.out, extra=log_file)
        log(f"saved {args.out}")
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
