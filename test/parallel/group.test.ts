import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from '../../src/parallel/spawn-node.js';
import { chunkRange, createGroupMemory, markFailed, type GroupMemory } from '../../src/parallel/group.js';
import { sumThenDivide } from '../../src/parallel/ring.js';

type Reply = { ok: boolean; out?: Record<string, Float32Array | number[]>; error?: string; name?: string };

/** Runs `scenario` on N worker threads; a worker that exits without replying marks the group failed. */
function runRanks(mem: GroupMemory, scenario: string, n: number): Promise<(Reply | null)[]> {
  return Promise.all(
    Array.from({ length: mem.size }, (_, rank) => {
      const w = startWorker(new URL('./group-worker.ts', import.meta.url), { mem, rank, scenario, n });
      return new Promise<Reply | null>((resolve) => {
        let reply: Reply | null = null;
        w.on('message', (m: Reply) => (reply = m));
        w.on('error', (e) => (reply = { ok: false, error: e.message }));
        w.on('exit', (code) => {
          if (code !== 0 && reply === null) markFailed(mem, rank);
          resolve(reply);
        });
      });
    }),
  );
}

const input = (r: number, len: number) =>
  Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37 + r * 1.3) * (r + 1));

for (const [N, n, capacity] of [
  [2, 1000, 1 << 12],
  [3, 1001, 1 << 12],
  [4, 1003, 30], // pieces: the buffer holds far less than x
] as const) {
  test(`group of ${N} (n ${n}, capacity ${capacity}): ring all-reduce equals sum-then-divide; gather, broadcast, send/recv deliver`, async () => {
    const mem = createGroupMemory(N, { capacity, p2pCapacity: 64 });
    const replies = await runRanks(mem, 'collectives', n);
    const xs = Array.from({ length: N }, (_, r) => input(r, n));
    const sum = sumThenDivide(xs);
    const mean = sumThenDivide(xs, N);
    for (let r = 0; r < N; r++) {
      const o = replies[r]!.out!;
      assert.ok(replies[r]!.ok, replies[r]!.error);
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs((o.sum as Float32Array)[i] - sum[i]) <= 1e-6 * (1 + Math.abs(sum[i])), `sum ${i}`);
        assert.ok(Math.abs((o.mean as Float32Array)[i] - mean[i]) <= 1e-6 * (1 + Math.abs(mean[i])));
      }
      // Reduce-scatter: chunk r is the sum, the rest is this rank's own input untouched.
      const [lo, hi] = chunkRange(n, N, r);
      assert.deepEqual(o.rsRange, [lo, hi]);
      const rs = o.rs as Float32Array;
      for (let i = 0; i < n; i++) {
        const want = i >= lo && i < hi ? sum[i] : xs[r][i];
        assert.ok(Math.abs(rs[i] - want) <= 1e-6 * (1 + Math.abs(want)));
      }
      const gathered = Array.from(o.gathered as Float32Array);
      assert.deepEqual(
        gathered,
        Array.from({ length: N }, (_, q) => [q * 10, q * 10 + 1, q * 10 + 2]).flat(),
      );
      assert.deepEqual(o.broadcast, input(7, n));
      assert.deepEqual(o.p2p, input(((r + N - 1) % N) + 100, n));
      const right = (r + 1) % N;
      assert.deepEqual(o.short, Float32Array.from([right, -right]));
    }
  });
}

test('group: with two ranks the ring sum is exactly the reference sum', async () => {
  const mem = createGroupMemory(2, { capacity: 256 });
  const replies = await runRanks(mem, 'collectives', 999);
  const sum = sumThenDivide([input(0, 999), input(1, 999)]);
  for (const r of replies) assert.deepEqual(r!.out!.sum, sum);
});

test('group: a rank that throws wakes the others with a clear error', async () => {
  const mem = createGroupMemory(3, { capacity: 64 });
  const replies = await runRanks(mem, 'throw', 100);
  assert.equal(replies[1]!.error, 'planted failure on rank 1');
  for (const r of [0, 2]) {
    assert.equal(replies[r]!.name, 'GroupAbortedError');
    assert.equal(replies[r]!.error, `rank ${r}: stopped because rank 1 failed`);
  }
});

test('group: a rank that dies (exits) is marked failed by its spawner and the others wake', async () => {
  const mem = createGroupMemory(3, { capacity: 64 });
  const replies = await runRanks(mem, 'die', 100);
  assert.equal(replies[1], null);
  for (const r of [0, 2]) assert.equal(replies[r]!.error, `rank ${r}: stopped because rank 1 failed`);
});
