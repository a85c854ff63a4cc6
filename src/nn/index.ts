// Neural-network building blocks: Module, Parameter, layers, containers and initialisers.

export { Module, type StateDict, type UnaryModule } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, Embedding, LayerNorm, RMSNorm, Dropout } from './layers.js';
export { ModuleList, Sequential, GELU, ReLU, SiLU, Tanh, Sigmoid } from './containers.js';
export { LoRALinear, type LoraOptions } from './lora.js';
export * as init from './init.js';
