// A group of N ranks (threads) sharing memory, with synchronous collectives built on Atomics, so
// a rank may call them anywhere, even inside a backward pass: the gradient all-reduce of PyTorch
// DDP (Li et al., 2020), the reduce-scatter and all-gather of ZeRO (Rajbhandari et al., 2020).
//
// Memory (made once by createGroupMemory, handed to every rank):
//   ctrl: Int32  [failed (0, or 1 + the failing rank), progress[0..N), p2p headers[N*N*3]]
//   data: Float32  one buffer of `capacity` floats per rank; a rank writes only its own buffer
//                  and reads the others'
//   p2p:  Float32  one channel of `p2pCapacity` floats per (sender, receiver) pair
// Each rank counts the stages it has completed in progress[rank]; every collective is a list of
// stages that every rank runs in the same order, so a rank waits on a neighbour's counter to know
// the neighbour's buffer holds what it needs. A wait polls a shared "failed" word every POLL_MS:
// a rank that throws (fail()), or dies (the coordinator calls markFailed), wakes every other rank
// with a GroupAbortedError instead of leaving it hanging.

import { LlmfsError } from '../errors.js';
import { chunkRange, ringAllReduce, type RingMode } from './ring.js';
import { P2P_WORDS, recvFrom, sendTo } from './p2p.js';

export { chunkRange } from './ring.js';

const FAILED = 0;
const PROGRESS = 1;
/** How long one Atomics.wait sleeps before it looks at the failed word again. */
const POLL_MS = 50;
/** Polls before sleeping: a neighbour is usually a few microseconds away. */
const SPINS = 64;

/** The shared memory of a group; structured-cloneable, so it can be posted to each worker. */
export interface GroupMemory {
  size: number;
  /** Floats in each rank's collective buffer (larger arrays are reduced in pieces). */
  capacity: number;
  /** Floats in each point-to-point channel (larger messages go in pieces). */
  p2pCapacity: number;
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  p2p: SharedArrayBuffer;
}

/** Raised in every other rank when one rank of the group fails: the failing rank has the cause. */
export class GroupAbortedError extends LlmfsError {
  constructor(
    readonly rank: number,
    readonly failedRank: number,
  ) {
    super(`rank ${rank}: stopped because rank ${failedRank} failed`);
    this.name = 'GroupAbortedError';
  }
}

export function createGroupMemory(
  size: number,
  opts: { capacity?: number; p2pCapacity?: number } = {},
): GroupMemory {
  if (!Number.isInteger(size) || size < 1) throw new LlmfsError(`group: size must be >= 1, got ${size}`);
  const capacity = Math.max(size, Math.floor(opts.capacity ?? 1 << 20));
  const p2pCapacity = Math.max(1, Math.floor(opts.p2pCapacity ?? 1 << 16));
  return {
    size,
    capacity,
    p2pCapacity,
    ctrl: new SharedArrayBuffer((PROGRESS + size + size * size * P2P_WORDS) * 4),
    data: new SharedArrayBuffer(size * capacity * 4),
    p2p: new SharedArrayBuffer(size * size * p2pCapacity * 4),
  };
}

/**
 * Marks the group failed on behalf of `rank` (the coordinator does this when a worker dies
 * without saying so) and wakes every waiting rank. The first failure is the one kept.
 */
export function markFailed(mem: GroupMemory, rank: number): void {
  const ctrl = new Int32Array(mem.ctrl);
  Atomics.compareExchange(ctrl, FAILED, 0, rank + 1);
  for (let i = 0; i < ctrl.length; i++) Atomics.notify(ctrl, i);
}

/** The rank that failed first, or -1. */
export function failedRank(mem: GroupMemory): number {
  return Atomics.load(new Int32Array(mem.ctrl), FAILED) - 1;
}

export class Group {
  readonly size: number;
  readonly capacity: number;
  readonly ctrl: Int32Array;
  /** buffers[q]: rank q's collective buffer (capacity floats). */
  readonly buffers: Float32Array[];
  /** Stages this rank has completed (equal on every rank between collectives). */
  private t = 0;

  constructor(
    readonly mem: GroupMemory,
    readonly rank: number,
  ) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= mem.size)
      throw new LlmfsError(`group: rank must be in [0, ${mem.size}), got ${rank}`);
    this.size = mem.size;
    this.capacity = mem.capacity;
    this.ctrl = new Int32Array(mem.ctrl);
    this.buffers = Array.from(
      { length: this.size },
      (_, q) => new Float32Array(mem.data, q * mem.capacity * 4, mem.capacity),
    );
  }

  // ---- the collectives (every rank calls each one, in the same order) ----

  /** x = x_0 + x_1 + ... + x_{N-1}, in place on every rank (ring: reduce-scatter, then all-gather). */
  allReduceSum(x: Float32Array): void {
    this.ring(x, 'all-reduce');
  }

  /** x = (x_0 + ... + x_{N-1}) / N, in place: the gradient average of data parallelism. */
  allReduceMean(x: Float32Array): void {
    this.ring(x, 'all-reduce');
    const n = this.size;
    if (n > 1) for (let i = 0; i < x.length; i++) x[i] /= n;
  }

  /**
   * Sums x over the ranks, but only chunk `rank` of it (chunkRange) ends up reduced on this rank;
   * the rest of x is left as it was. Returns that chunk's range [lo, hi).
   */
  reduceScatterSum(x: Float32Array): [number, number] {
    this.ring(x, 'reduce-scatter');
    return chunkRange(x.length, this.size, this.rank);
  }

  /** Each rank holds chunk `rank` of x (chunkRange); afterwards every rank holds all of x. */
  allGatherChunks(x: Float32Array): void {
    this.ring(x, 'all-gather');
  }

  /** Concatenates equal-length parts in rank order: (N * part.length,) on every rank. */
  allGather(part: Float32Array): Float32Array {
    const out = new Float32Array(this.size * part.length);
    out.set(part, this.rank * part.length);
    this.allGatherChunks(out);
    return out;
  }

  /** x = root's x on every rank. */
  broadcast(x: Float32Array, root: number): void {
    this.checkRank(root, 'broadcast root');
    const cap = this.capacity;
    for (let o = 0; o < x.length || o === 0; o += cap) {
      const piece = x.subarray(o, Math.min(x.length, o + cap));
      this.beginWrite();
      if (this.rank === root) this.buffers[root].set(piece);
      this.advance();
      this.waitProgress(root, this.t);
      if (this.rank !== root) piece.set(this.buffers[root].subarray(0, piece.length));
      this.advance();
      if (x.length === 0) break;
    }
  }

  /** Returns once every rank has called barrier. */
  barrier(): void {
    this.advance();
    for (let q = 0; q < this.size; q++) this.waitProgress(q, this.t);
  }

  // ---- point to point (only the two ranks involved call these) ----

  /** Sends x to rank `to`; returns once it is in the channel (messages up to p2pCapacity floats). */
  send(x: Float32Array, to: number): void {
    this.checkRank(to, 'send: destination');
    sendTo(this, x, to);
  }

  /** Receives into `out` what rank `from` sent; the lengths must agree. */
  recv(out: Float32Array, from: number): void {
    this.checkRank(from, 'recv: source');
    recvFrom(this, out, from);
  }

  // ---- failure ----

  /** Marks the group failed by this rank (call it before rethrowing): the others wake and stop. */
  fail(): void {
    markFailed(this.mem, this.rank);
  }

  /** Throws GroupAbortedError if any rank has failed. */
  checkFailed(): void {
    const f = Atomics.load(this.ctrl, FAILED);
    if (f !== 0) throw new GroupAbortedError(this.rank, f - 1);
  }

  /**
   * Waits until `ok(words[index])` holds, polling the failed word: the one way this group's
   * ranks (and users of its shared words, such as a coordinator's flags) block.
   */
  waitUntil(words: Int32Array, index: number, ok: (v: number) => boolean): void {
    for (let spin = 0; ; spin++) {
      const v = Atomics.load(words, index);
      if (ok(v)) return;
      this.checkFailed();
      if (spin >= SPINS) Atomics.wait(words, index, v, POLL_MS);
    }
  }

  // ---- stages (used by ring.ts and p2p.ts) ----

  /** This rank finished one more stage: publish it and wake whoever waits on it. */
  advance(): void {
    this.t++;
    Atomics.store(this.ctrl, PROGRESS + this.rank, this.t);
    Atomics.notify(this.ctrl, PROGRESS + this.rank);
  }

  /** Stages completed by this rank. */
  get stage(): number {
    return this.t;
  }

  /** Waits until rank q has completed `stage` stages. */
  waitProgress(q: number, stage: number): void {
    this.waitUntil(this.ctrl, PROGRESS + q, (v) => v >= stage);
  }

  /**
   * Before writing its buffer, a rank waits until every rank has completed the stages it has:
   * no one is still reading the buffer for an earlier collective.
   */
  beginWrite(): void {
    for (let q = 0; q < this.size; q++) if (q !== this.rank) this.waitProgress(q, this.t);
  }

  /** The Int32 header words of the channel from -> to (p2p.ts). */
  p2pWords(from: number, to: number): number {
    return PROGRESS + this.size + (from * this.size + to) * P2P_WORDS;
  }

  private ring(x: Float32Array, mode: RingMode): void {
    if (this.size > 1) ringAllReduce(this, x, mode);
  }

  private checkRank(q: number, what: string): void {
    if (!Number.isInteger(q) || q < 0 || q >= this.size)
      throw new LlmfsError(`group: ${what} must be a rank in [0, ${this.size}), got ${q}`);
  }
}
