// The training config: trainConfig() fills TRAIN_DEFAULTS and the derived defaults, and rejects
// each bad value with one clear line naming the field (or, for the CLI, its flag).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainConfig, TRAIN_DEFAULTS, OPTIMIZER_KINDS } from '../../src/train/config.js';
import { SCHEDULE_KINDS } from '../../src/train/schedule.js';
import { LlmfsError } from '../../src/errors.js';
import { trainConfigFrom, trainSpecs } from '../../src/cli/train.js';
import { parseArgs } from '../../src/cli/args.js';

test('trainConfig: defaults from TRAIN_DEFAULTS, and the derived ones from steps and optimizer', () => {
  const c = trainConfig();
  assert.deepEqual(c, {
    ...TRAIN_DEFAULTS,
    warmupSteps: 100,
    decaySteps: 2000,
    weightDecay: 0.1,
    minLr: 1e-4,
  });
  assert.equal(trainConfig({ lr: 5e-5 }).minLr, 5e-6, 'the floor stays below a small peak rate (lr / 10)');
  const short = trainConfig({ steps: 50, optimizer: 'sgd' });
  assert.equal(short.warmupSteps, 5); // min(100, steps / 10)
  assert.equal(short.decaySteps, 50);
  assert.equal(short.weightDecay, 0); // L2 is off by default for adam and sgd
  assert.equal(trainConfig({ steps: 50, warmupSteps: 0, decaySteps: 80, weightDecay: 0.3 }).decaySteps, 80);
  assert.equal(trainConfig({ lr: undefined }).lr, TRAIN_DEFAULTS.lr, 'an undefined field takes its default');
});

test('trainConfig: each bad value is one clear error naming the field', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ steps: -5 }, /^train config: steps must be a positive integer, got -5$/],
    [{ steps: 2.5 }, /steps must be a positive integer, got 2.5/],
    [{ batchSize: 0 }, /batchSize must be a positive integer, got 0/],
    [{ lr: NaN }, /^train config: lr must be a finite number > 0, got NaN$/],
    [{ lr: Infinity }, /lr must be a finite number > 0, got Infinity/],
    [{ schedule: 'linear' }, /^train config: schedule must be one of constant, cosine, step, got 'linear'$/],
    [{ optimizer: 'lion' }, /optimizer must be one of adamw, adam, sgd, got 'lion'/],
    [{ beta2: 1 }, /beta2 must be in \[0, 1\), got 1/],
    [{ eps: 0 }, /eps must be a finite number > 0, got 0/],
    [{ weightDecay: -0.1 }, /weightDecay must be a finite number >= 0/],
    [{ gradClip: NaN }, /gradClip must be a finite number >= 0/],
    [{ warmupSteps: -1 }, /warmupSteps must be an integer >= 0, got -1/],
    [
      { steps: 100, warmupSteps: 50, decaySteps: 50 },
      /cosine decay needs decaySteps \(50\) greater than warmupSteps/,
    ],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ lr: 1e-3, minLr: 2e-3 }, /^train config: minLr \(0\.002\) must not exceed lr \(0\.001\)/],
    [{ gradClip: -1 }, /^train config: gradClip must be a finite number >= 0, got -1$/],
    [{ stpes: 10 }, /^train config: unknown setting 'stpes'/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => trainConfig(input),
      (e: Error) => e instanceof LlmfsError && pattern.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(input),
    );
  }
});

test('the CLI reads its defaults and choice lists from the config module and names flags in errors', () => {
  assert.equal(trainSpecs['batch-size'].default, TRAIN_DEFAULTS.batchSize);
  assert.equal(trainSpecs.lr.default, TRAIN_DEFAULTS.lr);
  assert.equal(trainSpecs.optimizer.choices, OPTIMIZER_KINDS);
  assert.equal(trainSpecs.schedule.choices, SCHEDULE_KINDS);
  assert.deepEqual(trainConfigFrom(parseArgs('train', [], trainSpecs).flags), trainConfig());
  const flags = parseArgs('train', ['--warmup', '-3'], trainSpecs).flags;
  assert.throws(
    () => trainConfigFrom(flags),
    (e: Error) => e.message === 'train: --warmup must be an integer >= 0, got -3',
  );
  assert.equal(trainConfigFrom(parseArgs('train', ['--eps', '1e-6'], trainSpecs).flags).eps, 1e-6);
});
