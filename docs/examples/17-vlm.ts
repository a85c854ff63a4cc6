// Chapter 17, example: an image becomes tokens, and text learns to read them. A test scene cut
// into 16x16 patches (unfold + one matrix is a strided convolution, checked by hand here); the
// word tokenizer and the VQA loss mask; the two vision-language models at their defaults.
//   npx tsx docs/examples/17-vlm.ts

import { sceneExample } from '../../src/vision/scenes/dataset.js';
import { imageToTensor } from '../../src/vision/to-tensor.js';
import { unfoldPatches } from '../../src/tensor/ops/unfold-patches.js';
import { WordTokenizer } from '../../src/vision/text/word-tokenizer.js';
import { captionExample, vqaExample, IGNORE, createVlm } from '../../src/vision/vlm/index.js';
import { PatchEmbedding } from '../../src/vision/model/patch-embedding.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/tensor/grad-mode.js';

// 1. A scene of the test split as the model's input, then as 9 patch tokens.
const { record, image } = sceneExample('test', 8);
console.log(`test scene 8: "${record.caption}"`);
const x = imageToTensor(image).reshape(1, 3, 48, 48); // (B, C, H, W)
const patches = unfoldPatches(x, 16); // (B, N, C·P·P)
console.log(`image (${x.shape.join(', ')}) -> patches (${patches.shape.join(', ')})`);

// 2. The patch embedding is a Conv2d(3, D, kernel 16, stride 16): output (d, i, j) computed as a
// convolution, Σ over c, y, x of W[d, c, y, x] · image[c, 16i + y, 16j + x] + b[d].
manualSeed(0);
const embed = new PatchEmbedding(3, 16, 8);
const z = noGrad(() => embed.forward(x)); // (1, 9, 8)
const w = embed.proj.weight.data; // (D, C·P·P), the conv weight (D, C, P, P) flattened
const b = embed.proj.bias!.data;
let worst = 0;
for (let d = 0; d < 8; d++)
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = b[d];
      for (let c = 0; c < 3; c++)
        for (let yy = 0; yy < 16; yy++)
          for (let xx = 0; xx < 16; xx++)
            s += w[d * 768 + c * 256 + yy * 16 + xx] * x.data[c * 2304 + (16 * i + yy) * 48 + 16 * j + xx];
      worst = Math.max(worst, Math.abs(s - z.data[(i * 3 + j) * 8 + d]));
    }
console.log(
  `unfold + Linear vs the strided convolution by loops: max difference ${worst < 1e-5 ? '< 1e-5' : worst}`,
);

// 3. Words as tokens; a question is context, only its answer is scored.
const tok = new WordTokenizer();
const cap = captionExample(tok, record.caption);
console.log(`vocabulary ${tok.vocabSize} words; the caption is ${cap.ids.length} input tokens, all scored`);
const q = record.questions.find((e) => e.kind === 'colour')!;
const ex = vqaExample(tok, q.question, q.answer);
const shown = ex.ids.map(
  (id, t) => `${tok.piece(id)}→${ex.targets[t] === IGNORE ? '·' : tok.piece(ex.targets[t])}`,
);
console.log(`vqa: ${shown.join(' ')}`);

// 4. The two kinds at the defaults: what the decoder reads.
for (const kind of ['prefix', 'cross'] as const) {
  const m = createVlm({ kind, vocabSize: tok.vocabSize }, 0);
  const ids = tensor([cap.ids]); // (1, T)
  const out = noGrad(() => m.forward(x, ids, cap.targets));
  const seq =
    kind === 'prefix'
      ? `9 image + ${cap.ids.length} text positions in one causal sequence`
      : `${cap.ids.length} text positions, 9 image tokens as memory`;
  console.log(
    `${kind.padEnd(6)} ${m.numParameters().toLocaleString('en-US').padStart(7)} parameters; ${seq}; ` +
      `logits (${out.logits.shape.join(', ')}), untrained loss ${out.loss!.item().toFixed(3)}`,
  );
}
