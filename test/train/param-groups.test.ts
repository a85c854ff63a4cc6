// Decay groups come from the modules' own marks (Parameter.noDecay), not from names: the groups
// are the ones GPT-2 practice gives (matrices decayed; embeddings, norms, biases not), for GPT
// and the encoder-decoder, and a module of one's own chooses for its parameters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { GPT, EncoderDecoder } from '../../src/model/index.js';
import { Module, Parameter, Linear, Embedding } from '../../src/nn/index.js';
import { decayGroups } from '../../src/train/param-groups.js';

/** The expected groups by name, spelled out as GPT-2 practice states them. */
function expectedDecayed(name: string, ndim: number): boolean {
  if (ndim < 2) return false; // biases, norm gains
  return !/(^|\.)(wte|wpe|src_embed|tgt_embed|src_pos|tgt_pos)\./.test(name); // embeddings
}

function namesOf(model: Module, decayed: boolean): string[] {
  const groups = decayGroups(model, 0.1);
  const g = groups.find((x) => (x.weightDecay ?? 0) > 0 === decayed);
  const ps = new Set(g?.params ?? []);
  return model
    .namedParameters()
    .filter(([, p]) => ps.has(p))
    .map(([n]) => n);
}

test('decay groups: GPT and encoder-decoder get the same groups as the GPT-2 rule by name', () => {
  T.manualSeed(1);
  const models: Module[] = [
    new GPT({ vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 }),
    new GPT({
      vocabSize: 20,
      blockSize: 8,
      nLayer: 1,
      nHead: 2,
      nEmbd: 8,
      tieWeights: false,
      norm: 'rmsnorm',
      mlp: 'swiglu',
      bias: false,
    }),
    new EncoderDecoder({
      srcVocabSize: 10,
      tgtVocabSize: 12,
      dModel: 16,
      nHead: 2,
      nEncoderLayer: 1,
      nDecoderLayer: 1,
      padId: 0,
    }),
  ];
  for (const m of models) {
    const named = m.namedParameters();
    const want = named.filter(([n, p]) => expectedDecayed(n, p.ndim)).map(([n]) => n);
    const wantNot = named.filter(([n, p]) => !expectedDecayed(n, p.ndim)).map(([n]) => n);
    assert.ok(want.length > 0 && wantNot.length > 0);
    assert.deepEqual(namesOf(m, true), want);
    assert.deepEqual(namesOf(m, false), wantNot);
  }
});

test('decay groups: a module marks its own parameters; frozen ones join no group', () => {
  class Head extends Module {
    proj = new Linear(4, 3);
    table = new Embedding(5, 4);
    scale = new Parameter(T.ones([2, 2]), { noDecay: true }); // a matrix its module chose not to decay
    gain = new Parameter(T.ones([2, 2]));
  }
  const m = new Head();
  assert.deepEqual(namesOf(m, true), ['proj.weight', 'gain']);
  assert.deepEqual(namesOf(m, false), ['proj.bias', 'table.weight', 'scale']);
  m.proj.freeze();
  assert.deepEqual(namesOf(m, true), ['gain']);
  assert.deepEqual(namesOf(m, false), ['table.weight', 'scale']);
});
