// Helpers for chapter 14's exercises: a GPT built by hand to loop (every weight zero but the
// token table, the identity, and an untied head mapping token u to (u + 1) mod period), so greedy
// decoding from token 0 cycles 0, 1, ..., period - 1 exactly and attention is exactly uniform;
// the usual wrong variants of the loop detector (for diagnose); and the integration steps that run
// the learner's function inside a real diagnosis and a real generation.

import { GPT } from '../../model/gpt.js';
import { noGrad } from '../../tensor/grad-mode.js';
import type { Embedding, Linear } from '../../nn/layers.js';
import type { ExtraCheck, StepOutcome } from '../spec.js';
import { diagnoseGeneration } from '../../diagnose/generation.js';
import { distinctN } from '../../diagnose/repetition.js';
import { generate } from '../../generate/generate.js';
import type { SeriesPoint } from '../../diagnose/loss-spikes.js';
import { analyzeRun, type RunData } from '../../diagnose/run-findings.js';
import { inspectModel } from '../../diagnose/inspect.js';
import type { Rng } from '../../tensor/rng.js';
import { inductionCircuit } from './ch14-circuit.js';

/** The hand-built looping GPT (vocab ≥ period; nEmbd = vocab). */
export function loopingModel(period: number, vocab = 8, blockSize = 64): GPT {
  const m = new GPT({ vocabSize: vocab, blockSize, nLayer: 2, nHead: 2, nEmbd: vocab, tieWeights: false });
  noGrad(() => {
    for (const [name, p] of m.namedParameters()) {
      if (name.includes('ln_')) continue; // norms keep weight 1, bias 0
      p.data.fill(0);
    }
    for (let u = 0; u < vocab; u++) (m.wte as Embedding).weight.data[u * vocab + u] = 1;
    const head = (m.lm_head as Linear).weight.data; // (V, C)
    for (let u = 0; u < period; u++) head[((u + 1) % period) * vocab + u] = 5;
  });
  m.eval();
  return m;
}

/** A sequence: `prefix`, then `unit` repeated `times` times, then the first `extra` tokens of it. */
export function looped(prefix: number[], unit: number[], times: number, extra = 0): number[] {
  return [...prefix, ...Array.from({ length: times }, () => unit).flat(), ...unit.slice(0, extra)];
}

/** The hand-built 3-cycle diagnosed with the learner's detectLoop installed: period 3 from token 0. */
export function loopDiagnosisStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'diagnose a hand-built GPT that loops with period 3',
    run(): StepOutcome {
      const d = diagnoseGeneration(loopingModel(3, 8), [5, 0], { maxNewTokens: 25, remedies: [] });
      const l = d.report.loop;
      const ok = l !== null && l.period === 3 && l.start === 0 && l.cycles === 8;
      return {
        passed: ok,
        message: ok
          ? 'its output 1 2 0 1 2 0 ... (25 tokens) is a loop of period 3 from token 0, 8 whole cycles'
          : `its output 1 2 0 ... (25 tokens) should loop with period 3 from token 0 and 8 cycles; got ` +
            JSON.stringify(l),
      };
    },
  };
}

/** Greedy decoding of the looping GPT with no_repeat_ngram_size 3: no 3-gram may repeat. */
export function noRepeatStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'generate from a GPT that loops, with no_repeat_ngram_size 3',
    run(): StepOutcome {
      const prompt = [0];
      const r = generate(loopingModel(3, 8), prompt, { maxNewTokens: 30, noRepeatNgramSize: 3 });
      const all = [...prompt, ...r.ids];
      const d3 = distinctN(all, 3);
      return {
        passed: d3 === 1,
        message:
          d3 === 1
            ? `30 tokens, every 3-gram distinct (the loop is broken: ${r.ids.slice(0, 8).join(' ')} ...)`
            : `a 3-gram repeats in ${all.join(' ')} (distinct-3 ${d3.toFixed(2)})`,
      };
    },
  };
}

/** A decaying loss from ln(100) to ~1.7 with ±2% deterministic noise (a hashed sine), n steps. */
export function noisyLoss(n: number, spikes: readonly number[] = [], factor = 1.6): SeriesPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    const noise = 0.02 * Math.sin(step * 12.9898 + 78.233 * Math.sin(step));
    const loss = ((Math.log(100) - 1.7) * Math.exp(-step / 60) + 1.7) * (1 + (step === 1 ? 0 : noise));
    return { step, value: spikes.includes(step) ? loss * factor : loss };
  });
}

/** `llmfs diagnose run`'s analysis with the learner's detector: planted spikes found, none invented. */
export function runAnalysisStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'diagnose run: a 300-step log with spikes planted at 120, 121 and 250',
    run(): StepOutcome {
      const run = (spikes: number[]): RunData => ({
        config: { steps: 300, lr: 1e-3, warmupSteps: 30, gradClip: 1 },
        vocabSize: 100,
        steps: noisyLoss(300, spikes).map((p) => ({ step: p.step, loss: p.value, gradNorm: 1 })),
        evals: [],
        health: null,
      });
      const clean = analyzeRun(run([])).lossSpikes.spikes.map((s) => s.step);
      const found = analyzeRun(run([120, 121, 250])).lossSpikes.spikes.map((s) => s.step);
      const ok = clean.length === 0 && found.join() === '120,121,250';
      return {
        passed: ok,
        message: ok
          ? 'no spike in the clean log; the planted ones found at 120, 121 and 250'
          : clean.length > 0
            ? `spikes invented in a clean noisy log at steps ${clean.slice(0, 5).join(', ')}`
            : `found spikes at [${found.join(', ')}], planted at [120, 121, 250]`,
      };
    },
  };
}

/** A random causal attention pattern (T, T): row i a softmax over keys 0..i of scores · sharpness. */
export function randomPattern(rng: Rng, T: number, sharpness = 2): number[][] {
  return Array.from({ length: T }, (_, i) => {
    const z = Array.from({ length: i + 1 }, () => sharpness * (2 * rng.random() - 1));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return Array.from({ length: T }, (_, j) => (j <= i ? e[j] / s : 0));
  });
}

/** A head that attends to key i - d (or key 0 when i < d): one-hot rows. */
export function offsetPattern(T: number, d: number): number[][] {
  return Array.from({ length: T }, (_, i) =>
    Array.from({ length: T }, (_, j) => (j === Math.max(0, i - d) ? 1 : 0)),
  );
}

/** `llmfs inspect` on the hand-built induction circuit with the learner's scores installed. */
export function circuitScoresStep(): ExtraCheck {
  return {
    kind: 'integration',
    name: 'inspect a hand-built two-layer induction circuit',
    run(): StepOutcome {
      const d = inspectModel(inductionCircuit(), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3], String, { seqLen: 10 });
      const prev = d.heads[0];
      const ok = prev.class === 'previous-token' && Math.abs(prev.previous - 1) < 1e-3 && prev.entropy < 1e-2;
      return {
        passed: ok,
        message: ok
          ? `layer 0 head 0 is a previous-token head: score ${prev.previous.toFixed(3)}, entropy ` +
            `${prev.entropy.toFixed(3)} nats`
          : `layer 0 head 0 attends only to the previous token, so previous ≈ 1 and entropy ≈ 0; got ` +
            `previous ${prev.previous.toFixed(3)}, entropy ${prev.entropy.toFixed(3)} (${prev.class})`,
      };
    },
  };
}
