// Chapter 9, example 2: load a GPT-2 directory in Hugging Face's layout (the tiny random one that
// scripts/make-hf-gpt2-fixture.py made with PyTorch), compare our logits with PyTorch's, look at
// the next-token distribution, measure perplexity, and export it back.   npx tsx docs/examples/09-hf-gpt2.ts

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, noGrad, softmax } from '../../src/index.js';
import { openSafetensorsFile } from '../../src/io/safetensors-file.js';
import { loadPretrained, saveHfGpt2 } from '../../src/io/load-pretrained.js';
import { evaluateText, gptLogits } from '../../src/eval/index.js';

const dir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hf-gpt2', 'tiny');
const file = openSafetensorsFile(join(dir, 'model.safetensors'));
for (const t of file.tensors.filter(
  (t) => t.name.startsWith('h.0.attn') || t.name.startsWith('h.0.mlp.c_fc'),
)) {
  console.log(`HF  ${t.name.padEnd(24)} ${t.dtype} [${t.shape.join(', ')}]`);
}
file.close();

const { model, tokenizer, format } = loadPretrained(dir);
const c = model.config;
console.log(
  `loaded ${format}: vocab ${c.vocabSize}, context ${c.blockSize}, ${c.nLayer} layers, ${c.nHead} heads, C ${c.nEmbd}, MLP ${c.mlpHidden}, ${c.activation}, eps ${c.normEps}, tied head ${c.tieWeights}`,
);
for (const name of ['h.0.attn.c_attn.weight', 'h.0.mlp.c_fc.weight']) {
  const p = model.namedParameters().find(([n]) => n === name)![1];
  console.log(`ours ${name.padEnd(23)} [${p.shape.join(', ')}]  (transposed: Linear stores (out, in))`);
}

const golden = JSON.parse(readFileSync(join(dir, '..', 'golden.json'), 'utf8')) as {
  text: string;
  ids: number[];
  tiny: { logits: number[] };
};
const ids = tokenizer!.encode(golden.text);
console.log(
  `text ${JSON.stringify(golden.text)}\n  -> ${ids.length} tokens: ${ids
    .slice(0, 8)
    .map((id) => JSON.stringify(tokenizer!.piece(id)))
    .join(' ')} ...`,
);
const logits = noGrad(() => model.forward(tensor([ids])).logits); // (1, T, V)
const maxDiff = golden.tiny.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - logits.data[i])), 0);
console.log(
  `logits (1, ${ids.length}, ${c.vocabSize}); largest difference from PyTorch: ${maxDiff < 1e-5 ? 'under 1e-5' : maxDiff.toExponential(1)}`,
);

const prompt = tokenizer!.encode('The cat');
const last = noGrad(() =>
  softmax(
    model
      .forward(tensor([prompt]))
      .logits.narrow(1, prompt.length - 1, 1)
      .reshape(c.vocabSize),
  ),
);
const top = [...last.data]
  .map((p, id) => ({ p, id }))
  .sort((a, b) => b.p - a.p)
  .slice(0, 3);
console.log(
  `after "The cat": ${top.map(({ p, id }) => `${JSON.stringify(tokenizer!.piece(id))} ${p.toFixed(3)}`).join(', ')}`,
);

const text = readFileSync(join(dir, '..', 'eval.txt'), 'utf8');
for (const stride of [undefined, 12]) {
  const r = evaluateText(gptLogits(model), tokenizer!, text, { stride });
  console.log(
    `eval.txt, ${stride ? `stride ${stride}` : 'disjoint windows'}: ${r.tokens} tokens, ${r.predicted} predicted, loss ${r.loss.toFixed(4)}, perplexity ${Math.round(r.perplexity)}, ${r.bitsPerByte.toFixed(3)} bits/byte`,
  );
}

const out = mkdtempSync(join(tmpdir(), 'llmfs-ch9-'));
const written = saveHfGpt2(out, model, tokenizer);
const again = loadPretrained(out).model;
const same = noGrad(() => again.forward(tensor([ids])).logits.data.every((v, i) => v === logits.data[i]));
console.log(
  `exported ${written.map((p) => p.slice(out.length + 1)).join(', ')}; reloaded logits identical: ${same}`,
);
rmSync(out, { recursive: true });
