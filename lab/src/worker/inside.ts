// The worker side of the lab's "Look inside" panel (panels/inside.ts): one method, 'inside.look',
// that reads the model being trained on a probe sentence between two steps. The attention and the
// logit lens come from the library's inspectModel (the forward `llmfs inspect` runs), the 2-D
// embedding from pca2d, the gradient norms per layer from training-health's parameterGroups.

import {
  defaultSeqLen,
  dequantizeWeight,
  groupGradNorms,
  inspectModel,
  parameterGroups,
  pca2d,
  QuantizedEmbedding,
  CharTokenizer,
  type Tokenizer,
} from '../../../src/index.js';
import type { Session } from '../session.js';
import type { Method } from './methods.js';

/** What the panel draws, for one probe at one step (structured-cloned to the page). */
export interface InsideView {
  step: number;
  /** The probe as text, its ids and each id's text. */
  probe: string;
  ids: number[];
  tokens: string[];
  nLayer: number;
  nHead: number;
  /** attention[layer][head][i][j]: query i's weight on key j <= i, (L, nh, T, T). */
  attention: number[][][][];
  /** The kind of each head on this probe (inspect.ts: previous-token, sink, induction, ...), layer-major. */
  headKinds: string[];
  /** The logit lens: per layer (embeddings, block 0, ...), the top-3 next tokens at each position. */
  lens: { names: string[]; top: { token: string; prob: number }[][][] };
  /** The token embedding wte (V, C) projected on its two principal components (at most PCA_MAX rows). */
  pca: { tokens: string[]; points: [number, number][]; explained: [number, number]; vocabSize: number };
  /** The last step's gradient norm per group (embeddings, h.0, ..., head), before clipping; null at step 0. */
  grads: { names: string[]; norms: number[]; total: number } | null;
}

/** The longest default probe: longer ones make the heatmaps' cells tiny (a typed probe may be longer). */
const PROBE_MAX = 32;

/**
 * The default probe: the first whole validation line (without its newline), or in prose without
 * a newline nearby, the text from the first word start; at most PROBE_MAX tokens and the context.
 */
export function defaultProbe(session: Session): string {
  const { tokenizer, data } = session.text;
  const T = session.gpt.config.blockSize;
  const val = tokenizer.decode(Array.from(data.val.subarray(0, 3 * T)));
  const nl = val.indexOf('\n');
  const rest = nl >= 0 ? val.slice(nl + 1) : val.slice(val.indexOf(' ') + 1);
  const end = rest.indexOf('\n');
  const probe = (end > 1 ? rest.slice(0, end) : rest).slice(0, Math.min(T, PROBE_MAX));
  // No validation text (a loaded model whose tokenizer cannot encode the corpus): its first ids.
  if (probe.length >= 2) return probe;
  return tokenizer.decode(Array.from({ length: Math.min(8, session.gpt.config.vocabSize) }, (_, id) => id));
}

/** The most rows the embedding plot shows: beyond, the most frequent tokens of the training text. */
const PCA_MAX = 400;

/** The ids whose embeddings are plotted: all, or the PCA_MAX most frequent in the training tokens (in that order). */
function plottedIds(session: Session): number[] {
  const V = session.gpt.config.vocabSize;
  const all = Array.from({ length: V }, (_, id) => id);
  if (V <= PCA_MAX) return all;
  const counts = new Float64Array(V);
  for (const id of session.text.data.train) counts[id]++;
  return all.sort((a, b) => counts[b] - counts[a] || a - b).slice(0, PCA_MAX); // most frequent first
}

/** The probe's ids; a character outside a char vocabulary is named in one line. */
function encodeProbe(tokenizer: Tokenizer, probe: string): number[] {
  if (tokenizer instanceof CharTokenizer) {
    const unknown = [...probe].find((ch) => !tokenizer.chars.includes(ch));
    if (unknown !== undefined)
      throw new Error(
        `the probe's character ${JSON.stringify(unknown)} is not in this run's vocabulary ` +
          `(${JSON.stringify(tokenizer.chars.join(''))}): the text trained on never contains it`,
      );
  }
  return tokenizer.encode(probe);
}

/** Pre-clip norm per group: the gradients in place were scaled by one factor, total / ||g_clipped||. */
function gradNorms(session: Session): InsideView['grads'] {
  if (session.stepsTaken === 0 || !Number.isFinite(session.gradNorm)) return null;
  const groups = parameterGroups(session.gpt);
  const after = groupGradNorms(groups); // what the optimizer applied (clipped)
  const afterTotal = Math.hypot(...after);
  const scale = afterTotal > 0 ? session.gradNorm / afterTotal : 1;
  return { names: groups.map((g) => g.name), norms: after.map((n) => n * scale), total: session.gradNorm };
}

function look(session: Session, probe: string): InsideView {
  const model = session.gpt;
  const { tokenizer } = session.text;
  const ids = encodeProbe(tokenizer, probe);
  const label = (id: number) => tokenizer.piece(id);
  // inspectModel: eval mode, no gradients, training mode restored; the grads in place are untouched.
  const { vocabSize: V, nEmbd: C, blockSize } = model.config;
  // The induction score's random sequence needs R distinct tokens: a toy vocabulary has few.
  const seqLen = Math.min(defaultSeqLen(blockSize), V);
  const d = inspectModel(model, ids, label, { topK: 3, seqLen });
  // wte (V, C); an int8 / int4 table (a quantized checkpoint) is read back as floats.
  const wte =
    model.wte instanceof QuantizedEmbedding ? dequantizeWeight(model.wte.weightQ) : model.wte.weight;
  const rows = plottedIds(session);
  const table =
    rows.length === V
      ? wte.data
      : Float32Array.from(rows.flatMap((id) => [...wte.data.subarray(id * C, (id + 1) * C)]));
  const p = pca2d(table, rows.length, C);
  return {
    step: session.stepsTaken,
    probe,
    ids,
    tokens: d.tokens,
    nLayer: d.nLayer,
    nHead: d.nHead,
    attention: d.patterns,
    headKinds: d.heads.map((h) => h.class),
    lens: {
      names: d.lens.names,
      top: d.lens.top.map((layer) =>
        layer.map((cells) => cells.map((c) => ({ token: c.token, prob: c.prob }))),
      ),
    },
    pca: {
      tokens: rows.map(label),
      points: p.points,
      explained: p.explained,
      vocabSize: V,
    },
    grads: gradNorms(session),
  };
}

export const insideMethods: Record<string, Method> = {
  /** args: { probe: string | null } (null: the default probe). */
  'inside.look': (ctx, args) => {
    const session = ctx.session;
    if (!session) throw new Error('inside: no model yet (the run has not started)');
    const probe = (args as { probe?: unknown } | null)?.probe ?? null;
    if (probe !== null && typeof probe !== 'string') throw new Error('inside: the probe must be text');
    return look(session, probe ?? defaultProbe(session));
  },
};
