// Compression (chapter 13): int8 and int4 weight quantization, the quantized layers, and whole-model
// quantization. Portable: no Node APIs (quantized checkpoints on disk: io/quant-layout.ts).

export { quantizeInt8, dequantizeInt8, type Int8Rows } from './int8.js';
export {
  quantizeInt4,
  dequantizeInt4,
  packNibbles,
  unpackNibbles,
  type Int4Groups,
  type Int4Options,
} from './int4.js';
export { quantizedLinear, dequantizeWeight, quantWeightBytes, isInt8, type QuantWeight } from './qmatmul.js';
export { QuantizedLinear, quantizeMatrix, type QuantBits, type QuantizeOptions } from './quantized-linear.js';
export { QuantizedEmbedding, dequantizeRow } from './quantized-embedding.js';
export {
  quantizeModel,
  quantizeLinears,
  quantizedModules,
  getModule,
  setModule,
  type QuantizeReport,
  type QuantizeModelOptions,
  type QuantizedModule,
} from './quantize-model.js';
