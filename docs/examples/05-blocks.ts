// Chapter 5's runnable example: a pre-norm transformer block, what LayerNorm does to a row, and
// why residual connections keep gradients alive through depth.
//   npx tsx docs/examples/05-blocks.ts

import { Block, gptConfig, LayerNorm, MLP, manualSeed, randn, tensor } from '../../src/index.js';

manualSeed(0);
const ln = new LayerNorm(4);
const row = tensor([[1, 2, 3, 10]]);
const y = ln.forward(row);
console.log(
  'LayerNorm([1, 2, 3, 10]) =',
  y
    .toList()
    .map((v) => v.toFixed(3))
    .join(', '),
  ' mean',
  Math.abs(y.mean().item()).toFixed(3),
  ' var',
  y.var(-1, false, 0).item().toFixed(3),
);

const c = gptConfig({ vocabSize: 1, blockSize: 16, nLayer: 1, nHead: 4, nEmbd: 32 });
const block = new Block(c);
console.log(
  'block parameters:',
  block.numParameters(),
  ' (ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj)',
);
const gelu = new MLP({ nEmbd: 32, hidden: 128 });
const swiglu = new MLP({ nEmbd: 32, hidden: 128, kind: 'swiglu' });
console.log(
  'MLP parameters: GELU',
  gelu.numParameters(),
  ' SwiGLU',
  swiglu.numParameters(),
  '(one more matrix: the gate)',
);

// Stack 24 blocks with and without the residual path: how much gradient reaches the input?
const blocks = Array.from({ length: 24 }, () => new Block(c, 'pre'));
const inputGradStd = (residual: boolean): number => {
  const x0 = randn([1, 16, 32], { requiresGrad: true });
  let h = x0;
  for (const b of blocks) {
    // With residuals: x + attn(ln(x)), then + mlp(ln(.)). Without: only the branches.
    h = residual ? b.forward(h) : b.mlp.forward(b.ln_2.forward(b.attn.forward(b.ln_1.forward(h))));
  }
  h.sum().backward();
  return Math.sqrt(x0.grad!.var().item());
};
console.log(
  `gradient reaching the input through 24 blocks: std ${inputGradStd(true).toFixed(3)} with residuals, ${inputGradStd(false).toExponential(2)} without`,
);
