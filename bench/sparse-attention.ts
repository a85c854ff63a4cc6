// A quick measurement (not a suite): forward + backward time of the sparse attention op against
// full causal attention at T = 256, 512, 1024, two heads of 32. Full attention runs on the plain js
// kernel (the same loop style as the sparse kernel) and on the wasm backend's tiled kernel; the
// sparse op always runs its js kernel. Run: node --import tsx bench/sparse-attention.ts

import { timeMs } from './harness.js';
import { Rng } from '../src/tensor/rng.js';
import { randn } from '../src/tensor/creation.js';
import { fusedAttention } from '../src/tensor/ops/attention.js';
import { sparseAttention } from '../src/tensor/ops/sparse-attention.js';
import { attentionPattern, keyLists } from '../src/model/attention-patterns.js';
import { setBackend, resetBackend } from '../src/kernels/backend.js';
import { createNodeWasmBackend } from '../src/kernels/threads/node.js';
import type { Tensor } from '../src/tensor/tensor.js';

const [B, nh, hs] = [1, 2, 32];

function step(f: (q: Tensor, k: Tensor, v: Tensor) => Tensor, Tn: number): () => void {
  const rng = new Rng(1);
  const q = randn([B, Tn, nh * hs], { rng }).requireGrad();
  const k = randn([B, Tn, nh * hs], { rng }).requireGrad();
  const v = randn([B, Tn, nh * hs], { rng }).requireGrad();
  const g = randn([B, Tn, nh * hs], { rng });
  return () => {
    q.grad = k.grad = v.grad = null;
    f(q, k, v).backward(g);
  };
}

const wasm = await createNodeWasmBackend({ threads: 1 });
const rows: string[] = [];
rows.push(
  '| T | full (js) | full (wasm tiles) | sliding W=64 | strided l=32 | fixed l=32 c=4 | pairs full / sliding / strided / fixed |',
);
rows.push('|---|---|---|---|---|---|---|');
for (const Tn of [256, 512, 1024]) {
  const full = (q: Tensor, k: Tensor, v: Tensor) => fusedAttention(q, k, v, { nHead: nh, causal: true });
  const sparse = (kind: string, W: number, c?: number) => {
    const lists = keyLists(attentionPattern(kind, W, c)!, Tn);
    return { lists, f: (q: Tensor, k: Tensor, v: Tensor) => sparseAttention(q, k, v, { nHead: nh, lists }) };
  };
  const opts = { warmup: 2, repeats: 5, minMs: 200 };
  resetBackend();
  const fullJs = timeMs(step(full, Tn), opts);
  setBackend(wasm);
  const fullWasm = timeMs(step(full, Tn), opts);
  resetBackend();
  const pats = [sparse('sliding', 64), sparse('sparse-strided', 32), sparse('sparse-fixed', 32, 4)];
  const times = pats.map((p) => timeMs(step(p.f, Tn), opts));
  const pairs = [(Tn * (Tn + 1)) / 2, ...pats.map((p) => p.lists.keys.length)];
  const ms = (t: number) => `${t.toFixed(1)} ms`;
  rows.push(
    `| ${Tn} | ${ms(fullJs)} | ${ms(fullWasm)} | ${times.map(ms).join(' | ')} | ${pairs.join(' / ')} |`,
  );
}
console.log(rows.join('\n'));
process.exit(0);
