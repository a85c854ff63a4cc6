// Reference solution of ring-all-reduce (chapter 18, section "Data parallel and the all-reduce").

/** The ranks' buffers before the ring and after each of its 2 (N - 1) steps. */
export function ringAllReduceSteps(xs: readonly Float32Array[]): Float32Array[][] {
  const N = xs.length;
  const n = xs[0]!.length;
  const L = Math.ceil(n / N);
  const chunk = (c: number) => [Math.min(n, c * L), Math.min(n, (c + 1) * L)] as const;
  const mod = (a: number) => ((a % N) + N) % N;
  const bufs = xs.map((x) => Float32Array.from(x));
  const states = [bufs.map((b) => b.slice())];
  const step = (chunkOf: (r: number) => number, add: boolean) => {
    const before = bufs.map((b) => b.slice()); // every rank sends what it held before the step
    bufs.forEach((b, r) => {
      const [lo, hi] = chunk(chunkOf(r));
      const left = before[mod(r - 1)]!;
      for (let i = lo; i < hi; i++) b[i] = add ? b[i]! + left[i]! : left[i]!;
    });
    states.push(bufs.map((b) => b.slice()));
  };
  for (let s = 0; s < N - 1; s++) step((r) => mod(r - s - 2), true); // reduce-scatter
  for (let s = 0; s < N - 1; s++) step((r) => mod(r - s - 1), false); // all-gather
  return states;
}
