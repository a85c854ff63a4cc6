// A two-layer induction circuit with weights set by hand (Olsson et al., 2022, section 2; Elhage et
// al., 2021, "A Mathematical Framework for Transformer Circuits"), inside our GPT so the scores run
// on it exactly as on a trained model. The residual stream has three subspaces:
//   tok  [0, V)            one-hot of the current token (wte)
//   pos  [V, V + P)        one-hot of the position (wpe)
//   prev [V + P, 2V + P)   written by layer 0: the previous token
// Layer 0, head 0 (previous-token head): query at position i reads pos i, key at j reads pos j into
// dimension j + 1, so q_i · k_j is large only for j = i - 1; its value copies tok into prev.
// Layer 1, head 0 (induction head): query reads tok, key reads prev, so query i attends to every j
// whose previous token is x[i]: the token after x[i]'s earlier occurrence.
// Head 1 of each layer has zero weights: uniform attention, writes nothing. MLPs are zero. Every
// embedding row is one-hot, so each residual vector has the same mean and norm and LayerNorm is the
// same affine map at every position; its mean shift adds a constant per query to the scores, which
// the softmax ignores.

import { GPT } from '../../model/gpt.js';
import { noGrad } from '../../tensor/grad-mode.js';

export const CIRCUIT = { V: 12, P: 24, gain: 6 };

export function inductionCircuit(): GPT {
  const { V, P, gain } = CIRCUIT;
  const C = 2 * V + P; // 48
  const model = new GPT({ vocabSize: V, blockSize: P, nLayer: 2, nHead: 2, nEmbd: C }).eval();
  const hs = C / 2;
  const params = new Map(model.namedParameters());
  const w = (name: string) => params.get(name)!.data;
  noGrad(() => {
    for (const [name, p] of params) p.data.fill(name.includes('ln_') && name.endsWith('.weight') ? 1 : 0);
  });
  // Linear weights are (out, in): entry [o][i] at o * in + i.
  const set = (name: string, inDim: number, o: number, i: number, v: number) => (w(name)[o * inDim + i] = v);
  for (let t = 0; t < V; t++) set('wte.weight', C, t, t, 1);
  for (let i = 0; i < P; i++) set('wpe.weight', C, i, V + i, 1);
  const qkv0 = 'h.0.attn.c_attn.weight';
  for (let i = 0; i < P && i < hs; i++) set(qkv0, C, i, V + i, gain); // q: pos i -> dim i
  for (let j = 0; j + 1 < P && j + 1 < hs; j++) set(qkv0, C, C + j + 1, V + j, gain); // k: pos j -> dim j + 1
  for (let t = 0; t < V; t++) set(qkv0, C, 2 * C + t, t, 1); // v: tok -> dim t
  for (let t = 0; t < V; t++) set('h.0.attn.c_proj.weight', C, V + P + t, t, 1); // -> prev
  const qkv1 = 'h.1.attn.c_attn.weight';
  for (let t = 0; t < V; t++) {
    set(qkv1, C, t, t, gain); // q: tok
    set(qkv1, C, C + t, V + P + t, gain); // k: prev
  }
  return model;
}
