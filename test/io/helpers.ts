// Test helpers for io/: build safetensors bytes from a header (object or raw text) and data, and
// a small seeded PRNG for the fuzz tests.

/** [u64 LE length][header text, space-padded to 8][data]; `headerLength` overrides the prefix. */
export function makeFile(
  header: object | string,
  data: Uint8Array = new Uint8Array(0),
  headerLength?: number,
): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  const out = new Uint8Array(8 + padded.length + data.length);
  const view = new DataView(out.buffer);
  const n = headerLength ?? padded.length;
  view.setUint32(0, n % 2 ** 32, true);
  view.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(padded, 8);
  out.set(data, 8 + padded.length);
  return out;
}

/** Little-endian float32 bytes of `values`. */
export function f32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** mulberry32: a tiny seeded generator, so every fuzz case can be replayed from its seed. */
export function prng(seed: number): {
  next: () => number;
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
} {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)] };
}
