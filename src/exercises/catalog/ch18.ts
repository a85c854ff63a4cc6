// Chapter 18 exercises: training in parallel (docs/18-training-in-parallel.md). The ring
// all-reduce of PyTorch DDP (Li et al., 2020), ZeRO-1's shard of the flat parameters (Rajbhandari
// et al., 2020), Megatron-LM's column- and row-parallel split of a Linear pair (Shoeybi et al.,
// 2019), and GPipe's schedule and its bubble (Huang et al., 2019).

import type { Rng } from '../../tensor/rng.js';
import type { ExerciseSpec } from '../spec.js';
import { ringChunkRange } from '../../parallel/ring.js';
import '../../parallel/ring-sim.js'; // registers ringAllReduceSteps
import { referenceOf } from '../registry.js';
import '../../parallel/pipeline/schedule.js'; // registers gpipeSchedule
import '../../parallel/tensor/shard.js'; // registers shardLinear
import {
  ddpRingStep,
  ownedChunks,
  ringVariant,
  sameStates,
  scheduleBubbleStep,
  tensorParallelMlpStep,
  zeroShardStep,
} from './ch18-helpers.js';

const ranks = (rng: Rng, N: number, n: number, scale = 1) =>
  Array.from({ length: N }, () => Float32Array.from({ length: n }, () => rng.normal() * scale));

// ring-all-reduce

const ringSpec: ExerciseSpec = {
  id: 'ring-all-reduce',
  chapter: 18,
  section: 'Data parallel and the all-reduce',
  title: 'The ring all-reduce, step by step: reduce-scatter, then all-gather',
  exportName: 'ringAllReduceSteps',
  slot: 'ringAllReduceSteps',
  pureInputs: true,
  topics: ['training', 'performance'],
  tolerance: { atol: 1e-5, rtol: 1e-5 },
  compare:
    'NCCL and gloo run this ring under torch.distributed.all_reduce; DDP divides each gradient ' +
    'bucket by the world size before all-reducing it (the library divides after the ring), NCCL ' +
    'switches to trees across many nodes, and Horovod brought the ring to deep learning ' +
    '(Sergeev & Del Balso, 2018).',
  hints: [
    'Cut the n floats into N chunks as the library does: chunk c is [c·L, (c+1)·L) with L = ceil(n/N), ' +
      'clipped to n. Each step, every rank r reads from its LEFT neighbour r - 1 (mod N), using the ' +
      'buffers as they were before the step (copy them first), and you push a copy of all N buffers.',
    'Reduce-scatter step s = 0..N-2: rank r adds the left neighbour’s chunk (r - s - 2) mod N to its ' +
      'own, so after N - 1 steps rank r holds the full sum of chunk r. All-gather step s = 0..N-2: rank ' +
      'r copies the left neighbour’s chunk (r - s - 1) mod N.',
    'states = [copies of xs]; for each step: before = bufs copied; for r: [lo, hi] of chunk c(r); ' +
      'for i in lo..hi: bufs[r][i] = bufs[r][i] + before[(r-1+N)%N][i] (all-gather: = before[...][i]); ' +
      'states.push(bufs copied).',
  ],
  cases: (rng) => [
    { name: '2 ranks, n = 6', args: [ranks(rng, 2, 6)] },
    { name: '3 ranks, n = 7: a shorter last chunk', args: [ranks(rng, 3, 7)] },
    { name: '4 ranks, n = 10', args: [ranks(rng, 4, 10)] },
    { name: '4 ranks, n = 3: an empty chunk', args: [ranks(rng, 4, 3)] },
    { name: '1 rank: no steps', args: [ranks(rng, 1, 5)] },
    { name: '5 ranks, n = 23, large values (±1000)', args: [ranks(rng, 5, 23, 1000)] },
  ],
  diagnose(got, want, c) {
    const [xs] = c.args as [Float32Array[]];
    const N = xs.length;
    const w = want as Float32Array[][];
    if (!Array.isArray(got)) return 'return the list of states: each a list of the N ranks’ Float32Arrays';
    if (got.length !== 2 * N - 1)
      return `return 2N - 1 = ${2 * N - 1} states: the inputs, then one after each of the 2 (N - 1) steps`;
    const last = w[w.length - 1]!;
    const averaged = last.map((b) => b.map((v) => v / N));
    if (N > 1 && sameStates([got[got.length - 1]], [averaged]))
      return 'the states hold sums: the library’s allReduceMean divides by N after the ring, not inside it';
    if (N > 1 && sameStates(got, ringVariant(xs, { gatherAdds: true })))
      return 'the all-gather copies the finished chunk from the left neighbour; adding it counts it twice';
    if (N > 2 && sameStates(got, ringVariant(xs, { fromRight: true })))
      return 'each rank reads its right neighbour: in the library’s ring rank r reads rank r - 1 (mod N)';
    const owned = ownedChunks(got, xs);
    const bad = owned?.findIndex((ch, r) => ch !== r) ?? -1;
    if (owned && bad >= 0 && N > 1)
      return (
        `after the reduce-scatter rank ${bad} holds ` +
        `${owned[bad]! < 0 ? 'no chunk' : `chunk ${owned[bad]}`} ` +
        `fully summed: rank r must own chunk r (chunkRange), start step 0 at chunk (r - 2) mod N`
      );
    return null;
  },
  extra: [ddpRingStep],
};

// zero-shard-range

const zeroSpec: ExerciseSpec = {
  id: 'zero-shard-range',
  chapter: 18,
  section: 'ZeRO-1: sharding the optimizer state',
  title: 'ZeRO-1’s shard: the flat range of the parameters rank r owns',
  exportName: 'chunkRange',
  slot: 'chunkRange',
  topics: ['training', 'performance'],
  compare:
    "DeepSpeed's ZeRO stage 1 pads the flat buffer to a multiple of N and gives each rank an equal " +
    "partition; PyTorch's ZeroRedundancyOptimizer shards whole parameters instead (greedy by size), " +
    'and FSDP pads every flat parameter to a multiple of the world size.',
  hints: [
    'Every chunk has the same length L = ceil(n / N) (the ring’s chunks: the shard must be exactly ' +
      'what the reduce-scatter leaves summed on rank c); the last chunks may be shorter, or empty.',
    'Chunk c starts at c·L and ends at (c + 1)·L; clip both to n so that no range runs past the end.',
    'const L = Math.ceil(n / N); return [Math.min(n, c * L), Math.min(n, (c + 1) * L)];',
  ],
  cases: () => [
    { name: 'n 10, N 4, rank 1', args: [10, 4, 1] },
    { name: 'n 10, N 4, rank 3: the shorter last chunk', args: [10, 4, 3] },
    { name: 'n 12, N 4, rank 2: even split', args: [12, 4, 2] },
    { name: 'n 5, N 4, rank 3: an empty chunk at the end', args: [5, 4, 3] },
    { name: 'n 3, N 5, rank 4: more ranks than floats', args: [3, 5, 4] },
    { name: 'n 7, N 1: one rank owns all', args: [7, 1, 0] },
    { name: 'a million floats, N 3, rank 1', args: [1_000_001, 3, 1] },
  ],
  diagnose(got, _want, c) {
    const [n, N, r] = c.args as [number, number, number];
    if (!Array.isArray(got) || got.length !== 2) return 'return [lo, hi], the half-open range of chunk c';
    const [lo, hi] = got as [number, number];
    const f = Math.floor(n / N);
    if (lo === r * f && hi === (r + 1) * f && n % N !== 0)
      return 'floor(n / N) leaves the last n mod N floats to nobody: chunks have ceil(n / N) floats';
    const q = n % N;
    const spread = [r * f + Math.min(r, q), (r + 1) * f + Math.min(r + 1, q)];
    if (lo === spread[0] && hi === spread[1])
      return (
        'a fair split (the first n mod N chunks one longer, like numpy.array_split), but not the ' +
        'ring’s: the shard must be the chunk the reduce-scatter leaves summed, ceil(n / N) long'
      );
    if (hi > n) return `the range runs past the end (n = ${n}): clip lo and hi to n`;
    const [rl, rh] = ringChunkRange(n, N, r);
    if (lo === rl && hi === rh - 1 && rh > rl)
      return 'the range is half-open: hi is the first index after the chunk, not its last';
    return null;
  },
  extra: [zeroShardStep],
};

// column-row-split

const mat = (rng: Rng, rows: number, cols: number) =>
  Float32Array.from({ length: rows * cols }, () => Math.round(rng.normal() * 100) / 10);

const splitSpec: ExerciseSpec = {
  id: 'column-row-split',
  chapter: 18,
  section: 'Tensor parallel',
  title: 'Megatron’s split of a Linear: column-parallel rows of W, row-parallel columns',
  exportName: 'shardLinear',
  slot: 'shardLinear',
  pureInputs: true,
  topics: ['model', 'performance'],
  compare:
    "Megatron-LM's ColumnParallelLinear and RowParallelLinear split the same way (its weights are " +
    "PyTorch's (out, in), so a 'column' of XA is a row of W); PyTorch's DTensor expresses it as " +
    'ColwiseParallel / RowwiseParallel placements, and Hugging Face reads them from a tp_plan.',
  hints: [
    'W is (rows, cols) = (out, in), row-major. Y = X Wᵀ: a column-parallel layer splits the OUTPUT ' +
      'features, so rank r keeps a block of rows/n whole rows of W; a row-parallel layer splits the ' +
      'INPUT features, so it keeps cols/n columns of every row.',
    "Blocks are contiguous: 'column' keeps rows [r·rows/n, (r+1)·rows/n), which is one slice of the " +
      "flat array; 'row' keeps columns [r·k, (r+1)·k) with k = cols/n, a piece of each of the rows.",
    'column: return w.slice(rank*(rows/n)*cols, (rank+1)*(rows/n)*cols); row: for each i, ' +
      'out.set(w.subarray(i*cols + rank*k, i*cols + (rank+1)*k), i*k)',
  ],
  cases: (rng) => [
    { name: 'column, W (4, 3), 2 ranks, rank 1', args: [mat(rng, 4, 3), 4, 3, 2, 1, 'column'] },
    { name: 'row, W (3, 4), 2 ranks, rank 0', args: [mat(rng, 3, 4), 3, 4, 2, 0, 'row'] },
    { name: 'column, c_fc (32, 8), 4 ranks, rank 2', args: [mat(rng, 32, 8), 32, 8, 4, 2, 'column'] },
    { name: 'row, c_proj (8, 32), 4 ranks, rank 3', args: [mat(rng, 8, 32), 8, 32, 4, 3, 'row'] },
    { name: 'column, a bias (6, 1), 3 ranks, rank 1', args: [mat(rng, 6, 1), 6, 1, 3, 1, 'column'] },
    { name: 'row, 1 rank: the whole W', args: [mat(rng, 2, 5), 2, 5, 1, 0, 'row'] },
  ],
  diagnose(got, _want, c) {
    const [w, rows, cols, n, rank, split] = c.args as [Float32Array, number, number, number, number, string];
    const ref = referenceOf('shardLinear');
    const other = split === 'column' ? 'row' : 'column';
    const same = (x: Float32Array) =>
      ArrayBuffer.isView(got) &&
      (got as Float32Array).length === x.length &&
      x.every((v, i) => (got as Float32Array)[i] === v);
    if (same(ref(w, rows, cols, n, rank, other)))
      return split === 'column'
        ? 'that is the row split: column-parallel splits the OUTPUT features, whole rows of W (out, in)'
        : 'that is the column split: row-parallel splits the INPUT features, columns of W (out, in)';
    if (split === 'column') {
      const strided = new Float32Array((rows / n) * cols);
      for (let j = 0; j < rows / n; j++)
        strided.set(w.subarray((j * n + rank) * cols, (j * n + rank + 1) * cols), j * cols);
      if (n > 1 && same(strided))
        return 'rows r, r + n, r + 2n...: the library keeps one contiguous block of rows per rank';
    }
    return null;
  },
  extra: [tensorParallelMlpStep],
};

// gpipe-bubble

const scheduleSpec: ExerciseSpec = {
  id: 'gpipe-bubble',
  chapter: 18,
  section: 'Pipeline parallel',
  title: 'GPipe’s schedule: when each stage runs each forward and backward (and the bubble)',
  exportName: 'gpipeSchedule',
  slot: 'gpipeSchedule',
  topics: ['training', 'performance'],
  tolerance: { atol: 1e-9, rtol: 1e-9 },
  compare:
    "PyTorch's torch.distributed.pipelining has ScheduleGPipe (this one) and Schedule1F1B, which " +
    'interleaves a backward after each forward once the pipe is full: the same bubble, but only N ' +
    "micro-batches' activations held instead of M; DeepSpeed runs 1F1B, Megatron-LM 1F1B or its " +
    'interleaved form (Narayanan et al., 2021), which shrinks the bubble further.',
  hints: [
    'Stage s runs forward of micro-batch m when stage s - 1 has finished it and s has finished ' +
      'micro m - 1: start (s + m)·fwd. The last forward of the last stage ends at (N + M - 1)·fwd.',
    'Backwards go in reverse order (micro M - 1 first) and flow up: stage s can start its j-th ' +
      'backward when stage s + 1 has finished that micro-batch. With equal stages: start = ' +
      '(N + M - 1)·fwd + (N - 1 - s + j)·bwd.',
    "row s: for m: {kind:'F', micro:m, start:(s+m)*fwd, end:(s+m+1)*fwd}; then for j: start = " +
      "(N+M-1)*fwd + (N-1-s+j)*bwd, {kind:'B', micro:M-1-j, start, end:start+bwd}",
  ],
  cases: () => [
    { name: '2 stages, 2 micro, unit costs', args: [2, 2, 1, 1] },
    { name: '4 stages, 8 micro, backward 2×', args: [4, 8, 1, 2] },
    { name: '1 stage: no bubble', args: [1, 3, 1, 2] },
    { name: '3 stages, 1 micro: all bubble but one', args: [3, 1, 1, 1] },
    { name: '3 stages, 4 micro, fwd 0.5, bwd 1.5', args: [3, 4, 0.5, 1.5] },
  ],
  diagnose(got, want, c) {
    const [N, M] = c.args as [number, number];
    if (!Array.isArray(got) || got.length !== N) return `return one row of events per stage (${N})`;
    const row = got[N - 1] as { kind?: string; micro?: number }[];
    if (!Array.isArray(row) || row.length !== 2 * M)
      return `each stage runs 2M = ${2 * M} events: M forwards, M backwards`;
    const w = want as { micro: number }[][];
    const b = row.filter((e) => e.kind === 'B').map((e) => e.micro);
    if (
      M > 1 &&
      b.join() ===
        w[N - 1]!.slice(0, M)
          .map((e) => e.micro)
          .join()
    )
      return 'backwards run in reverse micro-batch order (M - 1 first), as the library’s stages run them';
    const last = got[N - 1] as { kind?: string; start?: number }[];
    const firstB = last.find((e) => e.kind === 'B');
    if (firstB && N > 1 && firstB.start !== undefined && firstB.start < (N + M - 1) * (c.args[2] as number))
      return 'a backward starts before the last stage has finished every forward: GPipe flushes first';
    return null;
  },
  extra: [scheduleBubbleStep],
};

export const chapter18: ExerciseSpec[] = [ringSpec, zeroSpec, splitSpec, scheduleSpec];
