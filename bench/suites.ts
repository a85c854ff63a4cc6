// The list of benchmark suites, one file each. Add a suite by importing it here.

import type { Suite } from './harness.js';
import { engineSuite } from './engine.js';
import { kernelsSuite } from './kernels.js';
import { tokenizerSuite } from './tokenizer.js';
import { generateSuite } from './generate.js';
import { trainingSuite } from './training.js';
import { exercisesSuite } from './exercises.js';
import { finetuneSuite } from './finetune.js';
import { alignSuite } from './align.js';
import { quantSuite } from './quant.js';
import { quantGenerateSuite } from './quant-generate.js';
import { ggufSuite } from './gguf.js';
import { pruneSuite } from './prune.js';
import { diagnoseSuite } from './diagnose.js';
import { moeSuite } from './moe.js';
import { attentionVariantsSuite } from './attention-variants.js';
import { llamaSuite } from './llama.js';
import { visionSuite } from './vision.js';
import { parallelSuite } from './parallel.js';

export const suites: Suite[] = [
  engineSuite,
  kernelsSuite,
  tokenizerSuite,
  generateSuite,
  trainingSuite,
  finetuneSuite,
  alignSuite,
  quantSuite,
  quantGenerateSuite,
  pruneSuite,
  diagnoseSuite,
  exercisesSuite,
  ggufSuite,
  moeSuite,
  attentionVariantsSuite,
  llamaSuite,
  visionSuite,
  parallelSuite,
];
