// A test worker: joins a group and runs one scripted collective scenario (group.test.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { Group, type GroupMemory } from '../../src/parallel/group.js';

interface Job {
  mem: GroupMemory;
  rank: number;
  scenario: string;
  n: number;
}

const { mem, rank, scenario, n } = workerData as Job;
const g = new Group(mem, rank);
// Rank r's input: deterministic, different on each rank.
const input = (r: number, len: number) =>
  Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37 + r * 1.3) * (r + 1));

try {
  const out: Record<string, Float32Array | number[]> = {};
  if (scenario === 'collectives') {
    const x = input(rank, n);
    g.allReduceSum(x);
    out.sum = x;
    const m = input(rank, n);
    g.allReduceMean(m);
    out.mean = m;
    const rs = input(rank, n);
    out.rsRange = g.reduceScatterSum(rs);
    out.rs = rs;
    out.gathered = g.allGather(Float32Array.from([rank * 10, rank * 10 + 1, rank * 10 + 2]));
    const b = rank === 1 ? input(7, n) : new Float32Array(n);
    g.broadcast(b, 1);
    out.broadcast = b;
    g.barrier();
    // A ring of point-to-point messages, each rank to its right neighbour. Messages longer than
    // the channel go piece by piece and block the sender, so rank 0 receives first (as with MPI).
    const right = (rank + 1) % g.size;
    const left = (rank + g.size - 1) % g.size;
    const got = new Float32Array(n);
    if (rank === 0) g.recv(got, left);
    g.send(input(rank + 100, n), right);
    if (rank !== 0) g.recv(got, left);
    out.p2p = got;
    // A short message is buffered: both send first, then receive.
    g.send(Float32Array.from([rank, -rank]), left);
    const short = new Float32Array(2);
    g.recv(short, right);
    out.short = short;
  } else if (scenario === 'throw') {
    const x = input(rank, n);
    g.allReduceSum(x);
    if (rank === 1) {
      g.fail();
      throw new Error('planted failure on rank 1');
    }
    g.allReduceSum(x); // the others wait here for rank 1, and must wake
  } else if (scenario === 'die') {
    if (rank === 1) process.exit(3);
    g.allReduceSum(input(rank, n));
  }
  parentPort!.postMessage({ ok: true, out });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: (err as Error).message, name: (err as Error).name });
}
