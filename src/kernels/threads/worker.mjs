// A kernel worker (plain JavaScript so it runs the same under tsx, plain Node and a browser): it
// instantiates the kernel module on the shared memory, then waits on its slot of the control
// block; woken, it takes slabs of the posted gemm, quantized product or row job until none is
// left (protocol in pool.ts).

const BY_ROWS = 11,
  SIZE = 12,
  COUNT = 13,
  NEXT = 14,
  ACC = 15,
  KIND = 16,
  QARGS = 17,
  RARGS = 29,
  RFLOATS = RARGS + 18,
  KIND_ROWS = 10,
  GEMV_T = 4,
  GEMV_N = 5;
/** How long an idle worker polls for the next job before it sleeps (Atomics.wait). */
const SPIN_MS = 0.2;
const SEQ = 0,
  DONE = 1,
  FAILED = 2,
  WORK = 3;

const isNode =
  typeof globalThis.process === 'object' && typeof globalThis.process.versions?.node === 'string';
const port = isNode ? (await import('node:worker_threads')).parentPort : globalThis;
const listen = (cb) =>
  isNode ? port.on('message', cb) : port.addEventListener('message', (e) => cb(e.data));

listen(({ module, memory, ctrl, slot }) => {
  let k, gemm, gemvT, gemvN, qgemmInt8, qgemmInt4, qgemmInt8Q8;
  try {
    k = new WebAssembly.Instance(module, { env: { memory } }).exports;
    ({ gemm, gemvT, gemvN, qgemmInt8, qgemmInt4, qgemmInt8Q8 } = k);
  } catch (err) {
    port.postMessage(`cannot instantiate the kernel module: ${err}`);
    return;
  }
  const c = new Int32Array(ctrl);
  const f = new Float32Array(ctrl, RFLOATS * 4, 9);
  // pool.ts ROW_KERNEL: slab of n units with pointers p (already advanced), ints i, floats f
  const rowKernels = [
    null,
    (p, n, cols) => k.softmaxForward(p[0], p[1], n, cols),
    (p, n, cols) => k.softmaxBackward(p[0], p[1], p[2], n, cols),
    (p, n, cols) => k.logSoftmaxForward(p[0], p[1], n, cols),
    (p, n, cols) => k.logSoftmaxBackward(p[0], p[1], p[2], n, cols),
    (p, n, cols) => k.layerNormForward(p[0], p[1], p[2], p[3], p[4], p[5], n, cols, f[0]),
    (p, n) => k.geluTanhForward(p[0], p[1], n),
    (p, n) => k.geluTanhBackward(p[0], p[1], p[2], n),
    (p, n) => k.adamw(p[0], p[1], p[2], p[3], n, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]),
    (p, n, cols, i) => k.binary(i[0], p[0], i[1], p[1], i[2], p[2], n, cols),
  ];
  port.postMessage('ready');
  let seen = 0;
  for (;;) {
    // Spin a little before sleeping: kernel calls come in bursts (a decoding step's gemvs are
    // tens of µs apart), and waking a sleeping thread costs tens of µs each time.
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(c, slot + SEQ) === seen && performance.now() < until);
    Atomics.wait(c, slot + SEQ, seen);
    const seq = Atomics.load(c, slot + SEQ);
    if (seq === seen) continue;
    if (seq < 0) return;
    seen = seq;
    try {
      const kind = c[KIND];
      if (kind === 0 || kind === GEMV_T || kind === GEMV_N) gemmSlabs(c, slot, kind);
      else if (c[KIND] === KIND_ROWS) rowSlabs(c);
      else quantSlabs(c);
    } catch (err) {
      c[slot + FAILED] = 1;
      console.error(`kernel worker: ${err}`);
    }
    Atomics.store(c, slot + DONE, seq);
    Atomics.notify(c, slot + DONE);
  }

  // a gemm (kind 0) in slabs of rows or columns of C; a gemv (GEMV_T, GEMV_N) in slabs of columns
  function gemmSlabs(c, slot, kind) {
    const [M, N, K, a, rsA, csA, b, rsB, csB, cc, ldc] = c.subarray(0, 11);
    const byRows = c[BY_ROWS] === 1,
      size = c[SIZE],
      count = c[COUNT],
      work = c[slot + WORK],
      acc = c[ACC];
    for (let i = Atomics.add(c, NEXT, 1); i < count; i = Atomics.add(c, NEXT, 1)) {
      const s = i * size;
      const n = Math.min(size, (byRows ? M : N) - s);
      if (kind === GEMV_T) gemvT(M, n, K, a, rsA, b + 4 * s * csB, csB, cc + 4 * s, ldc, acc);
      else if (kind === GEMV_N) gemvN(M, n, K, a, rsA, csA, b + 4 * s, rsB, cc + 4 * s, ldc, acc);
      else if (byRows)
        gemm(n, N, K, a + 4 * s * rsA, rsA, csA, b, rsB, csB, cc + 4 * s * ldc, ldc, work, acc);
      else gemm(M, n, K, a, rsA, csA, b + 4 * s * csB, rsB, csB, cc + 4 * s, ldc, work, acc);
    }
  }

  // a quantized product (pool.ts QuantJob): slabs of output columns j0..j1
  function quantSlabs(c) {
    const [M, N, K, G, x, ldx, q, s, z, y, ldy, t] = c.subarray(QARGS, QARGS + 12);
    const kind = c[KIND],
      size = c[SIZE],
      count = c[COUNT];
    for (let i = Atomics.add(c, NEXT, 1); i < count; i = Atomics.add(c, NEXT, 1)) {
      const j0 = i * size,
        j1 = Math.min(N, j0 + size);
      if (kind === 1) qgemmInt8(M, K, x, ldx, q, s, y, ldy, j0, j1);
      else if (kind === 2) qgemmInt4(M, K, G, x, ldx, q, s, z, y, ldy, j0, j1);
      else qgemmInt8Q8(M, K, x, t, q, s, y, ldy, j0, j1);
    }
  }

  // a row job (pool.ts RowJob): slab i is units [i size, i size + n)
  function rowSlabs(c) {
    const [kernel, units, cols] = c.subarray(RARGS, RARGS + 3);
    const ptrs = c.subarray(RARGS + 3, RARGS + 9),
      strides = c.subarray(RARGS + 9, RARGS + 15),
      ints = Array.from(c.subarray(RARGS + 15, RARGS + 18)),
      run = rowKernels[kernel],
      size = c[SIZE],
      count = c[COUNT];
    for (let i = Atomics.add(c, NEXT, 1); i < count; i = Atomics.add(c, NEXT, 1)) {
      const u0 = i * size;
      const p = Array.from(ptrs, (x, j) => x + u0 * strides[j]);
      run(p, Math.min(size, units - u0), cols, ints);
    }
  }
});
