// Point-to-point messages between two ranks of a group (group.ts), the primitive pipeline
// parallelism (GPipe, Huang et al., 2019) passes activations with. Each ordered pair of ranks has
// one channel: p2pCapacity floats of shared memory and four Int32 words. A message that fits is
// buffered (send returns at once, as MPI's eager protocol); a longer one goes piece by piece, the
// sender waiting for the receiver to take each piece, so two ranks that both send long messages
// before receiving wait for each other forever (as with MPI): order them (one receives first).

import { LlmfsError } from '../errors.js';
/** What a channel needs of a group member (group.ts's Group). */
export interface P2PMember {
  readonly rank: number;
  readonly size: number;
  readonly ctrl: Int32Array;
  readonly mem: { p2p: SharedArrayBuffer; p2pCapacity: number };
  p2pWords(from: number, to: number): number;
  waitUntil(words: Int32Array, index: number, ok: (v: number) => boolean): void;
  fail(): void;
}

/** Header words of a channel: pieces written, pieces read, this piece's length, the message's. */
export const P2P_WORDS = 4;
const WRITTEN = 0;
const READ = 1;
const LEN = 2;
const TOTAL = 3;

function channel(g: P2PMember, from: number, to: number): { h: number; slot: Float32Array } {
  const cap = g.mem.p2pCapacity;
  const offset = (from * g.size + to) * cap * 4;
  return { h: g.p2pWords(from, to), slot: new Float32Array(g.mem.p2p, offset, cap) };
}

export function sendTo(g: P2PMember, x: Float32Array, to: number): void {
  const { h, slot } = channel(g, g.rank, to);
  const c = g.ctrl;
  for (let o = 0; o < x.length || o === 0; o += slot.length) {
    const written = Atomics.load(c, h + WRITTEN);
    g.waitUntil(c, h + READ, (read) => read === written); // the channel is empty
    const piece = x.subarray(o, Math.min(x.length, o + slot.length));
    slot.set(piece);
    c[h + LEN] = piece.length;
    c[h + TOTAL] = x.length;
    Atomics.store(c, h + WRITTEN, written + 1);
    Atomics.notify(c, h + WRITTEN);
    if (x.length === 0) break;
  }
}

export function recvFrom(g: P2PMember, out: Float32Array, from: number): void {
  const { h, slot } = channel(g, from, g.rank);
  const c = g.ctrl;
  for (let o = 0; o < out.length || o === 0;) {
    const read = Atomics.load(c, h + READ);
    g.waitUntil(c, h + WRITTEN, (written) => written > read);
    const total = c[h + TOTAL];
    const len = c[h + LEN];
    if (total !== out.length) {
      g.fail();
      throw new LlmfsError(
        `recv: rank ${from} sent ${total} floats to rank ${g.rank}, which expected ${out.length}`,
      );
    }
    out.set(slot.subarray(0, len), o);
    o += len;
    Atomics.store(c, h + READ, read + 1);
    Atomics.notify(c, h + READ);
    if (out.length === 0) break;
  }
}
