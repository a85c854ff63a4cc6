// The active kernel backend: `getBackend()` is what every op calls; `setBackend()` installs a
// faster one (missing methods fall back to the plain reference kernels in ./js). The interface a
// backend implements, and which loops must go through it, are in ./backend-interface.ts.

import type { Backend } from './backend-interface.js';
import { jsBackend } from './js/index.js';

export type {
  Backend,
  BinaryOp,
  GemmArgs,
  AttentionDims,
  KeyLists,
  SparseAttentionDims,
  QuantGemmArgs,
  QuantMatrix,
} from './backend-interface.js';

let current: Backend = jsBackend;

export function getBackend(): Backend {
  return current;
}

/** Installs a backend; missing methods fall back to the reference kernels. */
export function setBackend(backend: Partial<Backend> & { name: string }): void {
  current = { ...jsBackend, ...backend };
}

export function resetBackend(): void {
  current = jsBackend;
}
