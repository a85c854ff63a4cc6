// Weights must be finite numbers: a NaN or an infinity (a diverged run, a damaged or hand-edited
// file) would load silently and make every logit NaN, so generation prints garbage. One pass over
// the parameters at load time names the first bad tensor instead.

import { LlmfsError } from '../errors.js';
import type { Module } from '../nn/module.js';

/** Throws an LlmfsError naming the first parameter holding NaN or ±Infinity, and where. */
export function checkFiniteWeights(model: Module, where: string): void {
  for (const [name, p] of model.namedParameters()) checkFiniteTensor(name, p.data, where);
}

/** The same check for one tensor's values (a loader that quantizes them without a parameter). */
export function checkFiniteTensor(name: string, data: ArrayLike<number>, where: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      // v - v is NaN exactly when v is NaN or ±Infinity.
      throw new LlmfsError(
        `${where}: tensor '${name}' holds ${v} at element ${i} of ${data.length}; the weights are ` +
          `damaged (or the run that saved them diverged): use an earlier checkpoint`,
      );
    }
  }
}
