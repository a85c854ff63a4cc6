// The tiled attention's row-wise steps in wasm (assembly/attention.ts, through wasmRows) equal the
// plain loops (jsRows): the masked softmax with its log-sum-exp, P recomputed from it, and dS, on
// odd shapes (rows and keys not multiples of 4 or of the 64-query block, one head), under the
// causal edge and a padding mask, with -Infinity scores and rows that see no key; the copies of
// one head's rows into and out of the tiles, in place in wasm memory; on every wasm
// build this runtime selects (plain SIMD, unshared and shared memory; relaxed SIMD where it runs,
// or under Node 20's flag). The whole attention and 30 training steps on the fast backend then
// match the reference backend.

import { test, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Rng, manualSeed } from '../../src/tensor/rng.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { attentionForward, attentionBackward } from '../../src/kernels/js/attention.js';
import { tiledAttentionForward, tiledAttentionBackward } from '../../src/kernels/wasm/tiled-attention.js';
import { jsRows, wasmRows, type RowSteps } from '../../src/kernels/wasm/tiled-attention-rows.js';
import { createWasmBackend, type WasmBackend } from '../../src/kernels/wasm/backend.js';
import { resetBackend, setBackend, type AttentionDims } from '../../src/kernels/backend.js';
import { GPT } from '../../src/model/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { randint } from '../../src/tensor/creation.js';
import { assertNear } from './random.js';

const backends: WasmBackend[] = [
  await createWasmBackend({ zeroCopy: false }), // unshared memory
  await createWasmBackend({ zeroCopy: true }), // shared memory
  await createWasmBackend({ relaxed: false }), // plain SIMD even where relaxed runs
];
after(() => {
  resetBackend();
  for (const be of backends) be.close();
});

interface Block {
  Tq: number;
  Tk: number;
  i0: number;
  nq: number;
  causal: boolean;
  mask: boolean;
}

function dims(c: Block, hs: number): AttentionDims {
  // batch row 1 hides its keys 1, 2 and the last one; batch row 2 hides every key
  const keyMask = c.mask
    ? Float32Array.from({ length: 3 * c.Tk }, (_, i) => {
        const b = Math.floor(i / c.Tk),
          j = i % c.Tk;
        return b === 2 || (b === 1 && (j === 1 || j === 2 || j === c.Tk - 1)) ? 0 : 1;
      })
    : null;
  return { B: 3, Tq: c.Tq, Tk: c.Tk, nh: 1, nkv: 1, hs, scale: 1 / Math.sqrt(hs), causal: c.causal, keyMask };
}

const blocks: Block[] = [
  { Tq: 70, Tk: 70, i0: 64, nq: 6, causal: true, mask: false }, // the tail block of T = 70
  { Tq: 70, Tk: 70, i0: 0, nq: 64, causal: true, mask: true }, // row 0 sees one key
  { Tq: 5, Tk: 13, i0: 0, nq: 5, causal: false, mask: true },
  { Tq: 3, Tk: 7, i0: 0, nq: 3, causal: true, mask: false }, // after a cache: rows see 5, 6, 7
  { Tq: 1, Tk: 1, i0: 0, nq: 1, causal: true, mask: false },
  { Tq: 9, Tk: 4, i0: 0, nq: 9, causal: true, mask: false }, // the first 5 rows see no key
];

/** Scores with a scattering of -Infinity (and one row all -Infinity), as masks upstream make. */
function scores(n: number, nk: number, rng: Rng): Float32Array {
  const s = Float32Array.from({ length: n }, () => rng.normal() * 3);
  for (let i = 0; i < n; i += 7) s[i] = -Infinity;
  if (n >= 2 * nk) s.fill(-Infinity, nk, 2 * nk);
  return s;
}

/** Runs softmax, recomputeP and gradScores of `steps` on one block; returns every output. */
function steps(rows: RowSteps, c: Block, b: number, hs: number, seed: number) {
  const d = dims(c, hs);
  const nk = Math.min(c.Tk, (c.causal ? c.Tk - c.Tq + c.i0 + c.nq - 1 : c.Tk - 1) + 1);
  const rng = new Rng(seed);
  const S0 = scores(c.nq * nk, nk, rng);
  const dP = Float32Array.from({ length: c.nq * nk }, () => rng.normal());
  const dO = Float32Array.from({ length: c.nq * hs }, () => rng.normal());
  const O = Float32Array.from({ length: c.nq * hs }, () => rng.normal());
  const session = rows([c.nq * nk, c.nq * nk, c.nq * hs, c.nq * hs], d);
  try {
    const [S, dS, dOb, Ob] = session.tiles;
    S.set(S0);
    const lse = new Float64Array(c.nq + 2);
    session.softmax(S, c.nq, nk, c.i0, b, lse, 2);
    const P = Float32Array.from(S);
    S.set(S0);
    session.recomputeP(S, c.nq, nk, c.i0, b, lse, 2);
    const P2 = Float32Array.from(S);
    dS.set(dP);
    dOb.set(dO);
    Ob.set(O);
    session.gradScores(S, dS, c.nq, nk, dOb, Ob);
    return { P, lse: lse.subarray(2), P2, dS: Float32Array.from(dS) };
  } finally {
    session.close();
  }
}

for (const be of backends) {
  test(`attention rows on ${be.name}${be.heap.zeroCopy ? ' (shared memory)' : ''} equal the plain loops`, () => {
    const rows = wasmRows(be.heap, be.kernels);
    for (const c of blocks) {
      for (const b of c.mask ? [0, 1, 2] : [0]) {
        for (const hs of [1, 5, 8]) {
          const what = `${JSON.stringify(c)} b=${b} hs=${hs}`;
          const want = steps(jsRows, c, b, hs, c.Tk + hs);
          const got = steps(rows, c, b, hs, c.Tk + hs);
          assertNear(got.P, want.P, `P ${what}`, 1e-5, 1e-7);
          assertNear(got.lse, want.lse, `lse ${what}`, 1e-6, 1e-6);
          assertNear(got.P2, want.P2, `P recomputed ${what}`, 1e-5, 1e-7);
          assertNear(got.dS, want.dS, `dS ${what}`, 1e-5, 1e-6);
          if (b === 2) assert.deepEqual([...got.lse], new Array(c.nq).fill(-Infinity), 'no key: lse -inf');
        }
      }
    }
  });
}

test('attention rows: gather and scatter in wasm memory equal the plain copies (odd head sizes, adding)', () => {
  const be = backends[1];
  if (!be.heap.zeroCopy) return; // no shared memory: the arrays cannot live in wasm memory
  const d: AttentionDims = {
    B: 2,
    Tq: 7,
    Tk: 7,
    nh: 3,
    nkv: 3,
    hs: 5,
    scale: 1,
    causal: true,
    keyMask: null,
  };
  const rng = new Rng(9);
  for (const hs of [1, 5, 8]) {
    const width = 3 * hs;
    const x = be.allocPersistent(2 * 7 * width)!;
    x.forEach((_, i) => (x[i] = rng.normal()));
    const results = [jsRows, wasmRows(be.heap, be.kernels)].map((rows) => {
      const y = be.allocPersistent(x.length)!; // persistent storage is cut outside a session
      y.set(x);
      const session = rows([7 * hs], d);
      try {
        const [tile] = session.tiles;
        session.gather(x, 1, 7, width, 2, hs, 2, 7, tile); // batch row 1, head 2, rows 2..6
        const gathered = Float32Array.from(tile.subarray(0, 5 * hs));
        session.scatter(y, 1, 7, width, 1, hs, 2, 7, tile, true); // added into head 1
        session.scatter(y, 0, 7, width, 0, hs, 0, 5, tile, false); // written over head 0
        const out = Float32Array.from(y);
        be.heap.releasePersistent(y);
        return { gathered, out };
      } finally {
        session.close();
      }
    });
    assert.deepEqual(results[1].gathered, results[0].gathered, `gather hs=${hs}`);
    assert.deepEqual(results[1].out, results[0].out, `scatter hs=${hs}`);
    be.heap.releasePersistent(x);
  }
});

test('attention rows: the plain loops give P rows summing to 1, 0 where masked, lse -inf where nothing is seen', () => {
  const c = blocks[2];
  const { P, lse } = steps(jsRows, c, 1, 5, 3);
  for (let r = 0; r < c.nq; r++) {
    const row = P.subarray(r * c.Tk, (r + 1) * c.Tk);
    for (const j of [1, 2, c.Tk - 1]) assert.equal(row[j], 0);
    if (r === 1) {
      // every score of row 1 is -Infinity: no weight anywhere
      assert.ok(row.every((x) => x === 0) && lse[r] === -Infinity);
      continue;
    }
    assert.ok(Math.abs(row.reduce((s, x) => s + x, 0) - 1) < 1e-6, `row ${r} sums to 1`);
    assert.ok(Number.isFinite(lse[r]));
  }
  const none = steps(jsRows, blocks[5], 0, 5, 3); // the first 5 rows of Tq 9 over Tk 4 see nothing
  assert.deepEqual([...none.lse.subarray(0, 5)], new Array(5).fill(-Infinity));
  assert.ok(none.P.subarray(0, 5 * 4).every((x) => x === 0));
});

test('tiled attention with the wasm rows equals the row-by-row reference (T = 70, 130; 1 head; masks; arrays in wasm memory or not)', () => {
  const cases = [
    { B: 2, Tq: 70, Tk: 70, nh: 1, nkv: 1, hs: 7, causal: true, mask: false },
    { B: 2, Tq: 67, Tk: 130, nh: 2, nkv: 1, hs: 5, causal: true, mask: true },
    { B: 3, Tq: 65, Tk: 9, nh: 3, nkv: 3, hs: 4, causal: false, mask: true },
  ];
  for (const be of backends) {
    for (const c of cases) {
      const rng = new Rng(c.Tq + c.hs);
      const rnd = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
      const q = rnd(c.B * c.Tq * c.nh * c.hs),
        k = rnd(c.B * c.Tk * c.nkv * c.hs),
        v = rnd(k.length),
        dout = rnd(q.length);
      // the last batch row sees no key at all; the others lose their last 3
      const keyMask = c.mask
        ? Float32Array.from({ length: c.B * c.Tk }, (_, i) =>
            Math.floor(i / c.Tk) === c.B - 1 || i % c.Tk >= c.Tk - 3 ? 0 : 1,
          )
        : null;
      const d: AttentionDims = { ...c, scale: 1 / Math.sqrt(c.hs), keyMask };
      // `wasmMemory`: every array in the backend's wasm memory (as arena buffers are in training),
      // so the gathers and scatters run in place; else ordinary arrays, copied row by row
      const run = (fwd: typeof attentionForward, bwd: typeof attentionBackward, wasmMemory = false) => {
        const held: Float32Array[] = [];
        const place = (x: Float32Array): Float32Array => {
          const y = wasmMemory ? be.allocPersistent(x.length) : null;
          if (y === null) return Float32Array.from(x);
          held.push(y);
          y.set(x);
          return y;
        };
        const [qq, kk, vv, ddout] = [q, k, v, dout].map(place);
        const [out, dq, dk, dv] = [q, q, k, v].map((x) => place(new Float32Array(x.length)));
        const lse = new Float64Array(c.B * c.nh * c.Tq);
        if (wasmMemory && be.heap.zeroCopy) assert.ok(be.heap.owns(qq) && be.heap.owns(dk));
        fwd(qq, kk, vv, out, lse, d);
        bwd(qq, kk, vv, out, lse, ddout, dq, dk, dv, d);
        const res = {
          out: Float32Array.from(out),
          lse,
          dq: Float32Array.from(dq),
          dk: Float32Array.from(dk),
          dv: Float32Array.from(dv),
        };
        for (const y of held) be.heap.releasePersistent(y);
        return res;
      };
      const want = run(attentionForward, attentionBackward);
      const rows = wasmRows(be.heap, be.kernels);
      const onJsGemm = run(
        (...a) => tiledAttentionForward(jsBackend.gemm, ...a, rows),
        (...a) => tiledAttentionBackward(jsBackend.gemm, ...a, rows),
      );
      const onBackend = run(be.attentionForward, be.attentionBackward);
      const inWasm = run(be.attentionForward, be.attentionBackward, true);
      for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) {
        assertNear(onJsGemm[key], want[key], `${key} js gemm ${be.name} ${JSON.stringify(c)}`, 1e-4, 1e-5);
        assertNear(onBackend[key], want[key], `${key} ${be.name} ${JSON.stringify(c)}`, 1e-4, 1e-5);
        assertNear(
          inWasm[key],
          want[key],
          `${key} in wasm memory ${be.name} ${JSON.stringify(c)}`,
          1e-4,
          1e-5,
        );
      }
    }
  }
});

test('a wasm heap too small for the tiles: the plain loops serve, and the heap is left as it was', async () => {
  const small = await createWasmBackend({ maxMemoryPages: 128, zeroCopy: false }); // 8 MiB
  try {
    const d: AttentionDims = {
      B: 1,
      Tq: 8,
      Tk: 8,
      nh: 1,
      nkv: 1,
      hs: 4,
      scale: 0.5,
      causal: true,
      keyMask: null,
    };
    const top = () => {
      const m = small.heap.mark();
      small.heap.release(m);
      return m;
    };
    const before = top();
    const session = wasmRows(small.heap, small.kernels)([small.heap.memory.buffer.byteLength], d);
    try {
      assert.ok(!small.heap.owns(session.tiles[0]), 'an ordinary array, not wasm memory');
    } finally {
      session.close();
    }
    assert.equal(top(), before, 'the heap is as it was');
  } finally {
    small.close();
  }
});

test('training: 30 steps on the fast backend follow the reference backend loss curve (T = 70)', () => {
  const curve = (be: WasmBackend | null): number[] => {
    if (be) setBackend(be);
    try {
      manualSeed(3);
      const model = new GPT({ vocabSize: 31, blockSize: 70, nLayer: 1, nHead: 2, nEmbd: 16 });
      const opt = new AdamW(model.parameters(), { lr: 1e-2 });
      const x = randint(0, 31, [2, 70], { rng: new Rng(1) });
      const y = randint(0, 31, [2, 70], { rng: new Rng(2) });
      const losses: number[] = [];
      for (let s = 0; s < 30; s++) {
        opt.zeroGrad();
        const { loss } = model.forward(x, { targets: y });
        loss!.backward();
        opt.step();
        losses.push(loss!.item());
      }
      return losses;
    } finally {
      resetBackend();
    }
  };
  const reference = curve(null);
  assert.ok(reference[29] < reference[0] - 0.5, 'the model learns');
  for (const be of backends) assertNear(curve(be), reference, `losses on ${be.name}`, 2e-4, 1e-5);
});

test('attention rows: the relaxed-SIMD build passes these tests too (Node 20: rerun under its flag)', () => {
  if (backends[0].simd === 'relaxed' || process.execArgv.includes('--experimental-wasm-relaxed-simd')) return;
  const flag = '--experimental-wasm-relaxed-simd';
  const probe = spawnSync(process.execPath, [flag, '-e', ''], { encoding: 'utf8' });
  if (probe.status !== 0) return; // this runtime has neither relaxed SIMD nor the flag
  const file = fileURLToPath(import.meta.url);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a test runner of its own, reporting on its stdout (not ours)
  const r = spawnSync(process.execPath, [flag, '--import', 'tsx', '--test', file], { encoding: 'utf8', env });
  assert.equal(
    r.status,
    0,
    `under ${flag}: ${r.stdout
      .split('\n')
      .filter((l) => /^not ok|error/.test(l))
      .join('; ')}`,
  );
  assert.match(r.stdout, /# pass \d+/);
});
