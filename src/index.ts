// llm-from-scratch: the portable entry point (`import ... from 'llm-from-scratch'`). Tensors and
// autograd, nn, tokenizers, models, training, generation and evaluation, plus the WebAssembly SIMD
// backend; nothing here imports a Node module, so it runs (and bundles) unchanged in a browser.
// File I/O, checkpoints, the default corpus and worker threads are in the Node entry (./node.ts).

export * from './tensor/index.js';
export * from './nn/index.js';
export { LlmfsError } from './errors.js';
export { getBackend, setBackend, resetBackend, type Backend } from './kernels/backend.js';
export {
  createWasmBackend,
  wasmSupported,
  type WasmBackend,
  type WasmBackendOptions,
} from './kernels/wasm/backend.js';
export type { SpawnWorker, WorkerPort } from './kernels/threads/pool.js';
export { VERSION } from './version.js';
export * from './model/index.js';
export * from './tokenizer/index.js';
export * from './io/index.js';
export * from './train/index.js';
export * from './generate/index.js';
export * from './eval/index.js';
export {
  gptConfigFromHf,
  gptFromHf,
  gptToHf,
  hfTensorLayout,
  HF_MODEL_TYPE,
  type TensorSource,
  type HfExport,
  type HfGpt2Config,
} from './io/hf-gpt2.js';
export * from './exercises/index.js';
