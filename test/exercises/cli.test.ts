// The `llmfs exercise` contract (issue 13): init copies the stubs and never overwrites a learner's
// file; list --json gives {id, chapter, title, file, status}; check --json exits 0 on pass and 1
// on fail; solution --reveal prints a reference that, saved as the workspace file, passes; hints
// come one at a time; watch re-checks on save and moves on when the exercise passes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXERCISES, exerciseFile } from '../../src/exercises/index.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'llmfs.mjs');
const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
let dir = '';
let ws = '';
const first = EXERCISES[0]!;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmfs-exercise-'));
  ws = join(dir, 'ws');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('exercise init copies every stub, and a second init keeps the learner’s files', () => {
  const r = llmfs('exercise', 'init', ws);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${EXERCISES.length} exercise files copied`));
  const mine = join(ws, exerciseFile(first));
  writeFileSync(mine, '// my own work\n');
  const again = llmfs('exercise', 'init', ws);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /0 exercise files copied, \d+ of yours kept/);
  assert.equal(readFileSync(mine, 'utf8'), '// my own work\n');
  writeFileSync(
    mine,
    readFileSync(join(import.meta.dirname, '..', '..', 'exercises', 'stubs', exerciseFile(first))),
  );
});

test('exercise list --json: one {id, chapter, title, file, status} per exercise, all not started', () => {
  const r = llmfs('exercise', 'list', '--json', '--workspace', ws);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    id: string;
    chapter: number;
    title: string;
    file: string;
    status: string;
  }[];
  assert.deepEqual(
    rows.map((x) => x.id),
    EXERCISES.map((e) => e.id),
  );
  for (const x of rows) {
    assert.deepEqual(Object.keys(x).sort(), ['chapter', 'file', 'id', 'status', 'title']);
    assert.equal(x.status, 'not started');
    assert.ok(x.file.endsWith('.ts') && x.file.startsWith(ws));
  }
});

test('exercise check: the stub fails (exit 1), the revealed solution passes (exit 0), and list shows it', () => {
  const fail = llmfs('exercise', 'check', first.id, '--workspace', ws, '--json');
  assert.equal(fail.status, 1, fail.stderr);
  const bad = JSON.parse(fail.stdout) as { id: string; passed: boolean; checks: unknown[]; message: string };
  assert.equal(bad.id, first.id);
  assert.equal(bad.passed, false);
  assert.match(bad.message, /not written .* yet/);
  const refused = llmfs('exercise', 'solution', first.id, '--workspace', ws);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error: .*has not passed yet.*--reveal/);
  const sol = llmfs('exercise', 'solution', first.id, '--reveal');
  assert.equal(sol.status, 0, sol.stderr);
  writeFileSync(join(ws, exerciseFile(first)), sol.stdout);
  const pass = llmfs('exercise', 'check', first.id, '--workspace', ws, '--json');
  assert.equal(pass.status, 0, pass.stdout + pass.stderr);
  const good = JSON.parse(pass.stdout) as { passed: boolean; checks: { passed: boolean }[] };
  assert.equal(good.passed, true);
  assert.ok(good.checks.length >= 3 && good.checks.every((c) => c.passed));
  const rows = JSON.parse(llmfs('exercise', 'list', '--json', '--workspace', ws).stdout) as {
    id: string;
    status: string;
  }[];
  assert.equal(rows.find((x) => x.id === first.id)!.status, 'passed');
  assert.equal(rows.find((x) => x.id === EXERCISES[1]?.id)?.status ?? 'not started', 'not started');
  const text = llmfs('exercise', 'list', '--workspace', ws).stdout;
  assert.match(text, new RegExp(`✓ ${exerciseFile(first).replace('.', '\\.')}`));
  if (EXERCISES.length > 1) assert.match(text, /→ · .*<- next/);
});

test('exercise check prints a table: shape, max |Δ|, allclose and the first differing index', () => {
  const f = join(dir, 'scaled');
  llmfs('exercise', 'init', f);
  const file = join(f, exerciseFile(first));
  const sol = readFileSync(
    join(import.meta.dirname, '..', '..', 'exercises', 'solutions', exerciseFile(first)),
    'utf8',
  );
  // a planted mistake: the first gradient doubled
  writeFileSync(
    file,
    sol.replace('return [grad.mul(b), grad.mul(a)]', 'return [grad.mul(b).mul(2), grad.mul(a)]'),
  );
  const r = llmfs('exercise', 'check', 'mul-backward', '--workspace', f);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /check\s+shape\s+max \|Δ\|\s+allclose\s+first difference/);
  assert.match(r.stdout, /✗ same shape \(3, 5\)\s+\(3, 5\)\s+\S+\s+no\s+output\[0\]\[\d+, \d+\]: got/);
  assert.match(r.stdout, /times 2: a missing or extra scale factor/);
});

test('exercise hint gives the hints one at a time, and the last points at the solution', () => {
  const seen: string[] = [];
  for (let i = 0; i < first.hints.length; i++) {
    const r = llmfs('exercise', 'hint', first.id, '--workspace', ws);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`hint ${i + 1} of ${first.hints.length}`));
    seen.push(r.stdout);
  }
  assert.match(seen[seen.length - 1]!, /last hint.*--reveal/);
  assert.equal(new Set(seen).size, first.hints.length);
});

test('exercise: bad input gets one error line', () => {
  const cases: [string[], RegExp][] = [
    [['exercise', 'check', 'no-such-exercise', '--workspace', ws], /no exercise 'no-such-exercise'/],
    [['exercise', 'check', '--workspace', join(dir, 'missing')], /not an exercise workspace.*exercise init/],
    [['exercise', 'list', '--path', 'expert', '--workspace', ws], /--path/],
    [['exercise', 'solution'], /name the exercise/],
    [['exercise', 'frobnicate'], /unknown sub-command 'frobnicate'/],
    [['exercise', 'check', 'a', 'b', '--workspace', ws], /unexpected argument 'b'/],
  ];
  for (const [argv, re] of cases) {
    const r = llmfs(...argv);
    assert.equal(r.status, 1, `${argv.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, re, argv.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${argv.join(' ')}: ${r.stderr}`);
  }
});

test('exercise list --path: the advanced and researcher paths order and select exercises', () => {
  for (const p of ['advanced', 'researcher', 'beginner']) {
    const r = llmfs('exercise', 'list', '--path', p, '--json', '--workspace', ws);
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { id: string }[];
    if (p === 'beginner') assert.equal(rows.length, EXERCISES.length);
    else assert.ok(rows.length <= EXERCISES.length);
  }
});

test('exercise watch re-checks on save and moves on when the exercise passes', async () => {
  const w = join(dir, 'watched');
  llmfs('exercise', 'init', w);
  const file = join(w, exerciseFile(first));
  const child = spawn(process.execPath, [bin, 'exercise', 'watch', '--workspace', w], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = async (re: RegExp, ms: number) => {
    const t0 = Date.now();
    while (!re.test(out)) {
      if (Date.now() - t0 > ms) throw new Error(`watch: waited ${ms} ms for ${re}; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await waitFor(/save it to check again/, 30_000);
    const sol = readFileSync(
      join(import.meta.dirname, '..', '..', 'exercises', 'solutions', exerciseFile(first)),
    );
    writeFileSync(file, sol);
    await waitFor(new RegExp(`✓ ${first.id} passed`), 30_000);
    if (EXERCISES.length > 1) await waitFor(new RegExp(`now: ${EXERCISES[1]!.id}`), 10_000);
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
  }
});
