// llm-from-scratch: the library's public entry point.

export * from './tensor/index.js';
export * from './nn/index.js';
export { LlmfsError } from './errors.js';
export { getBackend, setBackend, resetBackend, type Backend } from './kernels/backend.js';
export { VERSION } from './version.js';
export * from './model/index.js';
export * from './tokenizer/index.js';
export * from './data/index.js';
export * from './io/index.js';
export * from './train/index.js';
export * from './generate/index.js';
export * from './eval/index.js';
export { gptConfigFromHf, gptFromHf, gptToHf, hfTensorLayout, HF_MODEL_TYPE, type TensorSource, type HfExport, type HfGpt2Config } from './io/hf-gpt2.js';
