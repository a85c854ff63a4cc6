// Start here: what `llmfs exercise check` does, through the library. A learner's function is
// checked against the library's own (seeded cases, a table of max |Δ|), then swapped into the
// library through the registry of exercisable functions, where autograd really calls it.

import { findExercise, runExercise, withImplementations, tensor, type Tensor } from '../../src/index.js';

const spec = findExercise('mul-backward')!;

// A plausible mistake: the two gradients swapped.
const swapped = (a: Tensor, b: Tensor, grad: Tensor): [Tensor, Tensor] => [grad.mul(a), grad.mul(b)];
// A correct version written with loops instead of tensor ops (when a and b have grad's shape;
// broadcasting is left to tensor ops here).
const loops = (a: Tensor, b: Tensor, grad: Tensor): [Tensor, Tensor] => {
  if (a.size !== grad.size || b.size !== grad.size) return [grad.mul(b), grad.mul(a)];
  const da = grad.mul(0); // zeros of grad's shape, filled below
  const db = grad.mul(0);
  for (let i = 0; i < grad.size; i++) {
    da.data[i] = grad.data[i]! * b.data[i]!;
    db.data[i] = grad.data[i]! * a.data[i]!;
  }
  return [da, db];
};

for (const [name, fn] of [
  ['swapped', swapped],
  ['loops', loops],
] as const) {
  const r = runExercise(spec, fn);
  console.log(`${name}: ${r.passed ? 'passed' : 'failed'}`);
  for (const c of r.checks)
    console.log(`  ${c.passed ? '✓' : '✗'} ${c.name}${c.passed ? '' : `: ${c.message}`}`);
}

// Installed in the registry, the learner's function is what autograd calls for every mul.
let calls = 0;
const counted = (a: Tensor, b: Tensor, grad: Tensor): [Tensor, Tensor] => (calls++, loops(a, b, grad));
const x = tensor([1, 2, 3], { requiresGrad: true });
withImplementations({ mulBackward: counted }, () => x.mul(x).sum().backward());
console.log(
  `d(x·x)/dx = [${[...x.grad!.data].join(', ')}] with the learner's backward called ${calls} time(s)`,
);
