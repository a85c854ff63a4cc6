// Memory of loading a 0.5B model: writes a random checkpoint of Qwen2.5-0.5B's shape (hidden 896,
// intermediate 4864, 24 layers, 14/2 heads of 64, vocab 151936, tied, q/k/v biases) in BF16,
// sharded as save_pretrained shards it, then in a fresh child process per mode loads it (float32,
// int8, int4: loadPretrained's `quantize`) and generates 16 tokens greedily with the KV cache,
// printing load seconds, RSS before and after loading, peak RSS (getrusage's maxRSS) during the
// load and overall, RSS after generating, and tokens per second (the prompt's 4 tokens excluded).
// Run: node --import tsx scripts/measure-load-memory.ts [--layers 24] [--modes f32,int8,int4] [--keep]

import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { llamaTensorLayout } from '../src/io/hf-llama.js';
import { llamaConfigFromHf } from '../src/io/hf-llama-config.js';
import { loadPretrained, type LoadQuantize } from '../src/io/load-pretrained.js';
import { generate } from '../src/generate/generate.js';
import { useBackendFromEnv } from '../src/kernels/threads/select.js';

const SHARD_BYTES = 500e6;

/** config.json of Qwen/Qwen2.5-0.5B (its published values), with `layers` layers. */
function qwenConfig(layers: number): Record<string, unknown> {
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: 151936,
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: layers,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    hidden_act: 'silu',
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    bos_token_id: 151643,
    eos_token_id: 151643,
    use_sliding_window: false,
    sliding_window: 32768,
    max_window_layers: 21,
  };
}

/** BF16 bits of random weights: uniform in ±0.05 (xorshift32), norms exactly 1. */
function bf16Random(n: number, seed: number, norm: boolean): Uint8Array {
  const out = new Uint16Array(n);
  if (norm) return new Uint8Array(out.fill(0x3f80).buffer); // 1.0
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    f[0] = ((s >>> 0) / 2 ** 32 - 0.5) * 0.1;
    out[i] = u[0] >>> 16;
  }
  return new Uint8Array(out.buffer);
}

/** Writes the checkpoint: config.json, BF16 shards of about SHARD_BYTES and their index. */
function writeCheckpoint(dir: string, layers: number): number {
  const raw = qwenConfig(layers);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  const layout = [...llamaTensorLayout(llamaConfigFromHf(raw).config)];
  const shards: [string, number[]][][] = [[]];
  let size = 0;
  for (const [name, { shape }] of layout) {
    const bytes = 2 * shape.reduce((a, b) => a * b, 1);
    if (size > 0 && size + bytes > SHARD_BYTES) [shards[shards.length], size] = [[], 0];
    shards[shards.length - 1].push([name, shape]);
    size += bytes;
  }
  const weightMap: Record<string, string> = {};
  let total = 0;
  let seed = 1;
  shards.forEach((tensors, i) => {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    const header: Record<string, unknown> = {};
    let at = 0;
    for (const [name, shape] of tensors) {
      const bytes = 2 * shape.reduce((a, b) => a * b, 1);
      header[name] = { dtype: 'BF16', shape, data_offsets: [at, at + bytes] };
      at += bytes;
      weightMap[name] = file;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
    const fd = openSync(join(dir, file), 'w');
    writeSync(fd, len);
    writeSync(fd, new TextEncoder().encode(json));
    for (const [name, shape] of tensors)
      writeSync(
        fd,
        bf16Random(
          shape.reduce((a, b) => a * b, 1),
          seed++,
          /norm/.test(name),
        ),
      );
    closeSync(fd);
    total += at;
  });
  const index = { metadata: { total_size: total }, weight_map: weightMap };
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
  return total;
}

/** In the child: load, generate 16 tokens with the cache, print one JSON line. */
async function child(dir: string, mode: string): Promise<void> {
  await useBackendFromEnv(process.env); // the CLI's backend: wasm SIMD and threads unless LLMFS_BACKEND=js
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const quantize = mode === 'f32' ? undefined : (mode as LoadQuantize);
  const { model } = loadPretrained(dir, { quantize });
  const loadS = (performance.now() - t0) / 1000;
  const rssLoaded = process.memoryUsage().rss;
  const peakLoaded = process.resourceUsage().maxRSS * 1024; // kilobytes
  const t1 = performance.now();
  const out = generate(model, [9707, 11, 1879, 374], { maxNewTokens: 16, useCache: true });
  const genS = (performance.now() - t1) / 1000;
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  const line = {
    mode,
    loadS: Number(loadS.toFixed(1)),
    rssBeforeMB: mb(rssBefore),
    rssLoadedMB: mb(rssLoaded),
    peakLoadMB: mb(peakLoaded),
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
    rssAfterMB: mb(process.memoryUsage().rss),
    tokensPerS: Number((out.ids.length - 4) / genS).toFixed(2),
  };
  console.log(JSON.stringify(line));
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const childDir = flag('child');
  if (childDir) return child(childDir, flag('mode') ?? 'f32');
  const layers = Number(flag('layers') ?? 24);
  const modes = (flag('modes') ?? 'f32,int8,int4').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-load-memory-'));
  try {
    const t0 = performance.now();
    const bytes = writeCheckpoint(dir, layers);
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`wrote ${(bytes / 2 ** 20).toFixed(0)} MB of BF16 weights (${layers} layers) in ${secs} s`);
    const self = fileURLToPath(import.meta.url);
    const head = [
      'load',
      'load s',
      'RSS before MB',
      'RSS loaded MB',
      'peak in load MB',
      'peak MB',
      'RSS after MB',
    ];
    console.log(`| ${[...head, 'tokens/s'].join(' | ')} |\n|${'---|'.repeat(head.length + 1)}`);
    for (const mode of modes) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', dir, '--mode', mode], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !last.startsWith('{')) {
        console.log(`| ${mode} | failed (exit ${r.status}, signal ${r.signal}) |`);
        continue;
      }
      const m = JSON.parse(last) as Record<string, number | string>;
      const cols = [
        'loadS',
        'rssBeforeMB',
        'rssLoadedMB',
        'peakLoadMB',
        'peakRssMB',
        'rssAfterMB',
        'tokensPerS',
      ];
      console.log(`| ${mode} | ${cols.map((c) => m[c]).join(' | ')} |`);
    }
  } finally {
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

await main(process.argv.slice(2));
