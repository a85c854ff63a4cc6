// Starts a rank's worker thread on its entry module (workerData.entry, a URL). Plain JavaScript,
// as the kernel worker is: under tsx (tests, `npm run`) the entry is TypeScript and this file
// registers tsx in the worker first, since a worker does not inherit the parent's loader hooks;
// in the built package (dist/) the entry is JavaScript and nothing needs registering.

import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entry);
