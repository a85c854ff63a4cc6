// Element types. Models run in float32; float64 exists so that finite-difference gradient
// checks can be done in double precision (central differences lose half the digits).

import { activeArena } from './arena.js';
import { getBackend } from '../kernels/backend.js';
import type { DType, FloatArray } from '../kernels/dtype.js';

export type { DType, FloatArray } from '../kernels/dtype.js';

/** A zero-filled buffer: from the active arena inside a training step (see arena.ts), else new. */
export function allocate(dtype: DType, size: number): FloatArray {
  const arena = activeArena();
  if (arena && size >= 16) return arena.take(dtype, size);
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/**
 * A buffer the caller will overwrite in full before reading it (a kernel's output): like
 * allocate, but an arena's recycled buffer keeps its old values instead of being zero-filled.
 */
export function allocateOverwritten(dtype: DType, size: number): FloatArray {
  const arena = activeArena();
  if (arena && size >= 16) return arena.take(dtype, size, false);
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** The result dtype of an op on several inputs: float64 if any input is float64. */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/**
 * Zero-filled float32 storage for something that lives long (a parameter, an optimizer moment):
 * where the backend's kernels use it without copies (wasm memory) when it offers that, else new.
 */
export function allocatePersistent(size: number): Float32Array {
  return getBackend().allocPersistent(size) ?? new Float32Array(size);
}
