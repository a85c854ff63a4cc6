#!/bin/sh
# Makes test/fixtures/torchrun/: a tiny GPT-2 (the `tiny` preset, a 300-token BPE) trained 20
# steps by `llmfs train`, exported, then trained 10 more steps by train_ddp.py on 2 processes
# (DDP, gloo, CPU). test/io/torchrun-fixture.test.ts checks that llmfs scores the result's
# val.bin exactly as the script printed. Needs PyTorch; run from the repo root:
#   sh scripts/torchrun/make-fixture.sh
set -e
OUT=test/fixtures/torchrun
WORK=$(mktemp -d)
llmfs() { node bin/llmfs.mjs "$@"; }
llmfs tokenizer train --out "$WORK/tok" --vocab-size 300 --max-chars 50000
llmfs train --preset tiny --tokenizer "$WORK/tok" --max-chars 50000 --steps 20 --out "$WORK/run"
llmfs export --format hf --model "$WORK/run/last" --out "$WORK/start"
rm -rf "$OUT"
mkdir -p "$OUT"
llmfs tokenize --encoding "$WORK/start" --max-chars 20000 --out-bin "$OUT/tokens"
# --redirects 1 --tee 1: Debian's torchrun 1.13 on Python 3.11 fails with its default of 0.
torchrun --nproc_per_node 2 --redirects 1 --tee 1 scripts/torchrun/train_ddp.py \
  --model "$WORK/start" --data "$OUT/tokens" --out "$OUT/model" \
  --steps 10 --batch-size 4 --lr 1e-3 --warmup 2 --log-interval 1 2>/dev/null | tee "$OUT/train.log"
rm -rf "$WORK"
