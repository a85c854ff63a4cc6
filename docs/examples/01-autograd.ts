// Chapter 1's runnable example: build a tiny graph, backpropagate, and prove the gradient with
// finite differences.   npx tsx docs/examples/01-autograd.ts

import { tensor, gradcheck, randn, Rng } from '../../src/index.js';

// y = sum(tanh(x W + b)): a one-layer network's output.
const x = tensor([
  [1, 2],
  [3, -1],
]);
const W = tensor(
  [
    [0.5, -0.2],
    [0.1, 0.3],
  ],
  { requiresGrad: true },
);
const b = tensor([0.1, -0.1], { requiresGrad: true });
const y = x.matmul(W).add(b).tanh().sum();
console.log('y =', y.item().toFixed(6));

y.backward();
console.log('dy/dW =', W.grad!.toString());
console.log('dy/db =', b.grad!.toString());

// Check dy/dW element (0,0) by hand with a central difference: (f(w+h) - f(w-h)) / 2h.
const f = (w00: number) => {
  const W2 = tensor([
    [w00, -0.2],
    [0.1, 0.3],
  ]);
  return x.matmul(W2).add(b.detach()).tanh().sum().item();
};
const h = 1e-3;
console.log('finite difference dy/dW[0,0] =', ((f(0.5 + h) - f(0.5 - h)) / (2 * h)).toFixed(6));

// The library's gradcheck does this for every element, in float64.
const W64 = randn([2, 2], { dtype: 'float64', rng: new Rng(1) }).requireGrad();
const result = gradcheck((w) => x.to('float64').matmul(w).tanh().sum(), [W64]);
console.log('gradcheck:', result.ok ? 'ok' : 'FAILED', 'max error', result.maxError.toExponential(2));
