// A kernel worker (plain JavaScript so it runs the same under tsx, plain Node and a browser): it
// instantiates the kernel module on the shared memory, then loops waiting on its slot of the
// control block for gemm jobs (protocol in pool.ts). A seq of -1 tells it to stop.

const SLOT = 16, SEQ = 0, DONE = 1, FAILED = 2, ARGS = 3;

const isNode = typeof globalThis.process === 'object' && typeof globalThis.process.versions?.node === 'string';
const port = isNode ? (await import('node:worker_threads')).parentPort : globalThis;
const listen = (cb) => (isNode ? port.on('message', cb) : port.addEventListener('message', (e) => cb(e.data)));

listen(({ module, memory, ctrl, slot }) => {
  let gemm;
  try {
    gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  } catch (err) {
    port.postMessage(`cannot instantiate the kernel module: ${err}`);
    return;
  }
  const c = new Int32Array(ctrl, slot * SLOT * 4, SLOT);
  port.postMessage('ready');
  let seen = 0;
  for (;;) {
    Atomics.wait(c, SEQ, seen);
    const seq = Atomics.load(c, SEQ);
    if (seq === seen) continue;
    if (seq < 0) return;
    seen = seq;
    const a = c.subarray(ARGS, ARGS + 12);
    try {
      gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
    } catch (err) {
      c[FAILED] = 1;
      console.error(`kernel worker: ${err}`);
    }
    Atomics.store(c, DONE, seq);
    Atomics.notify(c, DONE);
  }
});
