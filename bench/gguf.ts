// GGUF export: file size per number format, and generation speed of the same model in our
// engine and in llama.cpp (node-llama-cpp's prebuilt CPU build) at the same thread count, side
// by side in one run. cpu-small and the gpt2 shape (124M), random weights (speed does not depend
// on them). 1-token prompt, greedy, KV cache on both sides; tokens/s over the generated tokens.
// Each comparison runs at the bench's thread count on both sides (`--threads 1,2` gives both):
// ours on the backend bench/run.ts installed, llama.cpp with as many threads.
// ggml's threads spin-wait at every op, so on a machine shared with other work the many-thread
// llama.cpp rows can collapse; the 1-thread rows are the fair comparison there.
//   ours f32   : our GPT
//   ours int8  : the same GPT quantized (quant/: every Linear and the tables, per-row int8)
//   ours int8, int8 activations: the same, with the opt-in integer product (x quantized per row,
//                as q8_0's product quantizes it per block of 32): the fair match for q8_0
//   llama.cpp  : the exported file, f32 or q8_0

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';
import type { Suite, BenchRow } from './harness.js';
import { GPT, GPT_PRESETS } from '../src/model/index.js';
import { generate } from '../src/generate/index.js';
import { manualSeed } from '../src/tensor/rng.js';
import { getBackend, setBackend } from '../src/kernels/backend.js';
import type { WasmBackend } from '../src/kernels/wasm/backend.js';
import { createNodeWasmBackend } from '../src/kernels/threads/node.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import { saveGguf } from '../src/io/gguf/export-gguf.js';
import type { GgufQuant } from '../src/io/gguf/gpt2-gguf.js';
import { BpeTokenizer } from '../src/tokenizer/bpe.js';
import { MergeList } from '../src/tokenizer/rules.js';

/** A byte-level BPE with no merges: 256 byte tokens and <|endoftext|>; the rest of V is padding. */
function bytesTokenizer(): BpeTokenizer {
  const vocab = Array.from({ length: 256 }, (_, b) => new Uint8Array([b]));
  return new BpeTokenizer({
    vocab,
    rules: new MergeList([]),
    merges: [],
    specialTokens: { '<|endoftext|>': 256 },
  });
}

function ourTokensPerSecond(model: GPT, n: number): number {
  // warm-up: the decoding path reaches V8's optimizing tier only after a few hundred tokens
  for (let i = 0; i < 3; i++) generate(model, [0], { maxNewTokens: n });
  const t0 = performance.now();
  generate(model, [0], { maxNewTokens: n });
  return n / ((performance.now() - t0) / 1000);
}

async function llamaTokensPerSecond(lm: LlamaModel, n: number, threads: number): Promise<number> {
  const context = await lm.createContext({ contextSize: 256, threads, flashAttention: false });
  try {
    const run = async (count: number): Promise<number> => {
      const seq = context.getSequence();
      const t0 = performance.now();
      let got = 0;
      for await (const token of seq.evaluate([0 as Token], { temperature: 0 })) {
        void token;
        if (++got >= count) break;
      }
      const s = (performance.now() - t0) / 1000;
      seq.dispose();
      return count / s;
    };
    await run(n); // warm-up, as ours
    return await run(n);
  } finally {
    await context.dispose();
  }
}

export const ggufSuite: Suite = {
  name: 'gguf',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const row = (name: string, value: number, unit: string, note?: string): void =>
      void rows.push({ suite: 'gguf', name, value, unit, note });
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const dir = mkdtempSync(join(tmpdir(), 'llmfs-bench-gguf-'));
    const tok = bytesTokenizer();
    try {
      for (const [shape, n] of [
        ['cpu-small', 64],
        ['gpt2', 32],
      ] as const) {
        manualSeed(0);
        const model = new GPT({
          ...GPT_PRESETS[shape],
          ...(shape === 'cpu-small' ? { vocabSize: 257 } : {}),
        });
        model.eval();
        const sizes: Partial<Record<GgufQuant, number>> = {};
        for (const quant of ['f32', 'f16', 'q8_0', 'q4_0'] as const) {
          const path = join(dir, `${shape}-${quant}.gguf`);
          sizes[quant] = saveGguf(path, model, tok, { quant, name: shape, eosTokenId: 256 }).bytes;
          row(
            `${shape} file ${quant}`,
            sizes[quant] / 2 ** 20,
            'MiB',
            `${((100 * sizes[quant]) / sizes.f32!).toFixed(1)}% of f32`,
          );
        }
        // Ours on the backend bench/run.ts installed for this thread count (where the model's
        // parameters live, so no copies), llama.cpp told the same count.
        const cores = getBackend();
        const t = (cores as Partial<WasmBackend>).threads ?? 1;
        const q8 = new GPT(model.config);
        q8.loadStateDict(model.stateDict());
        quantizeModel(q8, { bits: 8 }); // every Linear and both tables, as q8_0 stores them
        q8.eval();
        const ours = ourTokensPerSecond(model, n);
        row(`${shape} ${t} thread(s): ours f32`, ours, 'tokens/s', `${n} tokens, backend ${cores.name}`);
        const ours8 = ourTokensPerSecond(q8, n);
        row(
          `${shape} ${t} thread(s): ours int8`,
          ours8,
          'tokens/s',
          `${(ours8 / ours).toFixed(2)}x ours f32`,
        );
        // llama.cpp's q8_0 product quantizes the activations to 8 bits too: our opt-in equivalent
        const act8 = await createNodeWasmBackend({ threads: t, int8Activations: true });
        setBackend(act8);
        let oursQ8 = 0;
        try {
          oursQ8 = ourTokensPerSecond(q8, n);
        } finally {
          setBackend(cores);
          act8.close();
        }
        row(
          `${shape} ${t} thread(s): ours int8, int8 activations`,
          oursQ8,
          'tokens/s',
          `${(oursQ8 / ours).toFixed(2)}x ours f32 (opt-in; q8_0's arithmetic)`,
        );
        for (const quant of ['f32', 'q8_0'] as const) {
          const lm = await llama.loadModel({ modelPath: join(dir, `${shape}-${quant}.gguf`), gpuLayers: 0 });
          const theirs = await llamaTokensPerSecond(lm, n, t);
          const mine = quant === 'f32' ? ours : oursQ8;
          const vs = `ours${quant === 'f32' ? ' f32' : ' int8 x int8'} / llama.cpp ${(mine / theirs).toFixed(2)}x`;
          row(`${shape} ${t} thread(s): llama.cpp ${quant}`, theirs, 'tokens/s', vs);
          await lm.dispose();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await llama.dispose();
    }
    return rows;
  },
};
