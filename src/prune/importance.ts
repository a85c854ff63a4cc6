// How much each attention head and each MLP neuron matters, the score structured pruning ranks by.
// Gradient score (Michel et al., 2019, "Are Sixteen Heads Really Better than One?", eq. 2): give
// head h a gate ξ_h on its output, y = c_proj(Σ_h ξ_h · head_h), and score I_h = E_x |∂L(x)/∂ξ_h|
// at ξ = 1 (here x is a batch of windows). No gate needs to exist in the model: ξ_h scales the
// columns of c_proj.weight that read head h, so by the chain rule
//   ∂L/∂ξ_h = Σ_i Σ_{j ∈ head h} (∂L/∂W)[i, j] · W[i, j],   W = c_proj.weight (C, nh·hs).
// A neuron j of the MLP is gated the same way through column j of mlp.c_proj.weight, which gives
//   ∂L/∂ξ_j = Σ_{b,t} a_j · ∂L/∂a_j   (activation × gradient, the Taylor score of Molchanov et al., 2017).
// Weight-norm score (no data): the size of what the head or neuron can write to the residual stream,
// ||value rows|| · ||c_proj columns|| for a head, ||c_fc row|| (· ||c_gate row||) · ||c_proj column||
// for a neuron.

import type { GPT } from '../model/gpt.js';
import { denseMlp, type Block } from '../model/block.js';
import { Linear } from '../nn/layers.js';
import type { Tensor } from '../tensor/tensor.js';
import { BatchSampler, type TokenArray } from '../train/data.js';
import { LlmfsError } from '../errors.js';

export type ImportanceKind = 'gradient' | 'norm';

export interface ImportanceOptions {
  kind?: ImportanceKind;
  /** Text for the gradient score. */
  tokens?: TokenArray;
  /** Batches the gradient score averages over (default 8) and windows per batch (default 4). */
  batches?: number;
  batchSize?: number;
  seed?: number;
}

/** A Linear of a block, or one clear error (e.g. a quantized model, whose Linears were replaced). */
export function linearOf(m: unknown, what: string): Linear {
  if (!(m instanceof Linear))
    throw new LlmfsError(`prune: ${what} is not a float Linear (prune before quantizing)`);
  return m;
}

/**
 * s[l][g] = Σ_i Σ_{j ∈ group g} G[i, j] · W[i, j] for W = the (C, n·size) weight of each block's
 * `pick` and G its gradient: the gate derivative of each group of `size` input columns.
 */
function columnGateGradients(model: GPT, pick: (b: Block) => Linear, size: number): number[][] {
  return [...model.h].map((block) => {
    const lin = pick(block);
    const [rows, cols] = lin.weight.shape;
    const W = lin.weight.data;
    const G = lin.weight.grad?.data;
    if (!G) throw new LlmfsError('prune: no gradient reached the output projections');
    const s = new Array<number>(cols / size).fill(0);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) s[Math.floor(j / size)] += G[i * cols + j] * W[i * cols + j];
    return s;
  });
}

/** The mean over batches of |gate gradient|, for heads and neurons from the same backward passes. */
function gradientScores(model: GPT, o: ImportanceOptions): { heads: number[][]; neurons: number[][] } {
  if (!o.tokens) throw new LlmfsError('prune: the gradient importance score needs text (--data)');
  const n = o.batches ?? 8;
  if (!(Number.isInteger(n) && n >= 1)) throw new LlmfsError(`prune: score batches must be >= 1, got ${n}`);
  const sampler = new BatchSampler(
    o.tokens,
    model.config.blockSize,
    o.batchSize ?? 4,
    o.seed ?? 0,
    'prune --data',
  );
  const heads = [...model.h].map(() => new Array<number>(model.config.nHead).fill(0));
  const neurons = [...model.h].map(() => new Array<number>(model.config.mlpHidden).fill(0));
  model.eval(); // no dropout: the score of the model as it will be used
  for (let b = 0; b < n; b++) {
    const batch = sampler.next(); // x, y (B, T)
    const g = gateGradients(model, batch.x, batch.y);
    g.heads.forEach((row, l) => row.forEach((v, h) => (heads[l][h] += Math.abs(v) / n)));
    g.neurons.forEach((row, l) => row.forEach((v, j) => (neurons[l][j] += Math.abs(v) / n)));
  }
  return { heads, neurons };
}

/**
 * The signed gate derivatives ∂L/∂ξ on one batch, x and y (B, T): heads [layer][head] and neurons
 * [layer][neuron]. Leaves no gradient behind.
 */
export function gateGradients(model: GPT, x: Tensor, y: Tensor): { heads: number[][]; neurons: number[][] } {
  model.zeroGrad();
  model.forward(x, { targets: y }).loss!.backward();
  const hs = model.config.headDim;
  const heads = columnGateGradients(model, (blk) => linearOf(blk.attn.c_proj, 'attn.c_proj'), hs);
  const neurons = columnGateGradients(
    model,
    (blk) => linearOf(denseMlp(blk, 'prune').c_proj, 'mlp.c_proj'),
    1,
  );
  model.zeroGrad();
  return { heads, neurons };
}

/** √(Σ W[r, c]²) over rows r0..r1-1 and columns c0..c1-1 of a row-major (rows, cols) matrix. */
function blockNorm(
  W: ArrayLike<number>,
  cols: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
): number {
  let s = 0;
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += W[r * cols + c] ** 2;
  return Math.sqrt(s);
}

function normHeadScores(model: GPT): number[][] {
  const { nHead: nh, nKvHead: nkv, headDim: hs, nEmbd: C } = model.config;
  return [...model.h].map((blk) => {
    const attn = linearOf(blk.attn.c_attn, 'attn.c_attn');
    const proj = linearOf(blk.attn.c_proj, 'attn.c_proj');
    const vRow = nh * hs + nkv * hs; // the value rows start after the query and key rows
    const group = nh / nkv;
    return Array.from({ length: nh }, (_, h) => {
      const v0 = vRow + Math.floor(h / group) * hs;
      const v = blockNorm(attn.weight.data, C, v0, v0 + hs, 0, C); // (hs, C) value rows
      return v * blockNorm(proj.weight.data, nh * hs, 0, C, h * hs, (h + 1) * hs); // (C, hs) columns
    });
  });
}

function normNeuronScores(model: GPT): number[][] {
  const { nEmbd: C, mlpHidden: H } = model.config;
  return [...model.h].map((blk) => {
    const mlp = denseMlp(blk, 'prune');
    const fc = linearOf(mlp.c_fc, 'mlp.c_fc').weight.data; // (H, C)
    const gate = mlp.c_gate ? linearOf(mlp.c_gate, 'mlp.c_gate').weight.data : null; // (H, C)
    const proj = linearOf(mlp.c_proj, 'mlp.c_proj').weight.data; // (C, H)
    return Array.from({ length: H }, (_, j) => {
      const up = blockNorm(fc, C, j, j + 1, 0, C) * (gate ? blockNorm(gate, C, j, j + 1, 0, C) : 1);
      return up * blockNorm(proj, H, 0, C, j, j + 1);
    });
  });
}

/** Importance of every head, [layer][head]. */
export function headImportance(model: GPT, o: ImportanceOptions = {}): number[][] {
  return (o.kind ?? 'gradient') === 'norm' ? normHeadScores(model) : gradientScores(model, o).heads;
}

/** Importance of every MLP neuron, [layer][neuron]. */
export function neuronImportance(model: GPT, o: ImportanceOptions = {}): number[][] {
  return (o.kind ?? 'gradient') === 'norm' ? normNeuronScores(model) : gradientScores(model, o).neurons;
}
