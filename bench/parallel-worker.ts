// A bench worker: joins a group and times the all-reduce of a gradient-sized array (parallel.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { Group, type GroupMemory } from '../src/parallel/group.js';

const { mem, rank, n, repeats } = workerData as {
  mem: GroupMemory;
  rank: number;
  n: number;
  repeats: number;
};
const g = new Group(mem, rank);
const x = Float32Array.from({ length: n }, (_, i) => (i % 13) * 0.1 + rank);
const times: number[] = [];
for (let k = 0; k < repeats; k++) {
  g.barrier();
  const t0 = performance.now();
  g.allReduceMean(x);
  times.push(performance.now() - t0);
}
parentPort!.postMessage(times);
