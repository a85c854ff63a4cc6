// `llmfs start` (what `npm start` runs): the project's main job. Until the GPT trainer lands,
// it trains a 2-layer MLP on the two-spirals task with the engine and prints the loss falling.

import type { Command } from './commands.js';
import { parseArgs, helpText } from './args.js';
import { Rng, fromArray, crossEntropy, noGrad } from '../tensor/index.js';
import { Linear, Sequential, Tanh } from '../nn/index.js';
import { SGD } from '../train/sgd.js';

const specs = {
  steps: { type: 'int', help: 'training steps', default: 1500 },
  seed: { type: 'int', help: 'random seed', default: 42 },
  help: { type: 'boolean', help: 'show this help' },
} as const;

export const startCommand: Command = {
  summary: 'the main demo: train a small network from scratch and watch the loss fall',
  run(argv) {
    const { flags } = parseArgs('start', argv, specs);
    if (flags.help) {
      console.log(helpText('llmfs start [options]', startCommand.summary, specs));
      return 0;
    }
    const steps = flags.steps as number;
    const rng = new Rng(flags.seed as number);
    const n = 200;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      const r = (i / n) * 0.9 + 0.1;
      const theta = (i / n) * 3 * Math.PI + cls * Math.PI;
      xs.push(r * Math.cos(theta) + 0.02 * rng.normal(), r * Math.sin(theta) + 0.02 * rng.normal());
      ys.push(cls);
    }
    const x = fromArray(xs, [n, 2]); // (N, 2) points
    const model = new Sequential(new Linear(2, 64, { rng }), new Tanh(), new Linear(64, 2, { rng }));
    const opt = new SGD(model.parameters(), { lr: 0.3, momentum: 0.9 });
    console.log(`two spirals: ${n} points, MLP 2-64-2 (${model.numParameters()} parameters), SGD with momentum`);
    const t0 = performance.now();
    for (let step = 0; step <= steps; step++) {
      const loss = crossEntropy(model.forward(x), ys);
      if (step % Math.max(1, Math.floor(steps / 10)) === 0 || step === steps) {
        console.log(`step ${String(step).padStart(5)}  loss ${loss.item().toFixed(4)}`);
      }
      if (step === steps) break;
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    const pred = noGrad(() => model.forward(x).argmax(-1));
    const acc = ys.filter((c, i) => pred.data[i] === c).length / n;
    console.log(`accuracy ${(acc * 100).toFixed(1)}% in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  },
};
