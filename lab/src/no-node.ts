// What the browser build gets for `node:worker_threads`: the kernel worker
// (src/kernels/threads/worker.mjs) imports it only when it runs under Node, so in the page it is
// never used; aliasing it here keeps Vite from warning that it externalized a Node module.

export const parentPort = null;
