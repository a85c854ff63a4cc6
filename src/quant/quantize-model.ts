// Quantizes every Linear of a model in place: each is replaced by a QuantizedLinear holding int8
// or int4 codes (quantized-linear.ts). Returns the names of the layers it quantized and the bytes
// their weights took before (float32) and after.

import { Module } from '../nn/module.js';
import { ModuleList } from '../nn/containers.js';
import { Linear } from '../nn/layers.js';
import { LlmfsError } from '../errors.js';
import { QuantizedLinear, type QuantizeOptions } from './quantized-linear.js';

export interface QuantizeReport {
  layers: string[];
  bytesBefore: number;
  bytesAfter: number;
}

/** Replaces each Linear below `model` by its quantized form. */
export function quantizeLinears(model: Module, o: QuantizeOptions): QuantizeReport {
  const report: QuantizeReport = { layers: [], bytesBefore: 0, bytesAfter: 0 };
  const walk = (m: Module, prefix: string): void => {
    for (const [key, child] of m.namedChildren()) {
      const name = prefix + key;
      if (child instanceof Linear) {
        const q = QuantizedLinear.fromLinear(child, o);
        (m as unknown as Record<string, Module>)[key] = q;
        if (m instanceof ModuleList) (m as unknown as { _items: Module[] })._items[Number(key)] = q;
        report.layers.push(name);
        report.bytesBefore += child.weight.size * 4;
        report.bytesAfter += q.weightBytes();
      } else if (!(child instanceof QuantizedLinear)) walk(child, `${name}.`);
    }
  };
  walk(model, '');
  if (report.layers.length === 0) throw new LlmfsError('quantize: the model has no Linear layer to quantize');
  return report;
}
