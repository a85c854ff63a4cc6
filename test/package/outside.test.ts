// The package as a user installs it: build the JavaScript (scripts/build.mjs into a staging copy),
// `npm pack` it, `npm install` the tarball into a fresh package in a temporary folder, then run a
// plain-JavaScript program there with plain `node`, importing 'llm-from-scratch' and its Node entry
// by name. Nothing of the repository (src/, tsx) is visible to that program.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    );
  }
}

test(
  'outside the repository: npm install the package, then plain node loads HF weights, trains, generates, saves and reloads',
  { timeout: 300_000 },
  () => {
    const work = mkdtempSync(join(tmpdir(), 'llmfs-package-'));
    try {
      // 1. What `npm install` builds (the prepare script), into a staging copy of the package.
      const stage = join(work, 'stage');
      mkdirSync(stage);
      for (const f of ['package.json', 'README.md', 'LICENSE'])
        if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stage, f));
      cpSync(join(root, 'bin'), join(stage, 'bin'), { recursive: true });
      cpSync(join(root, 'exercises'), join(stage, 'exercises'), { recursive: true });
      run(process.execPath, [join(root, 'scripts/build.mjs'), join(stage, 'dist')], root);
      const packed = JSON.parse(
        run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage),
      ) as { filename: string; files: { path: string }[] }[];
      const files = packed[0].files.map((f) => f.path);
      assert.ok(
        files.includes('dist/index.js') &&
          files.includes('dist/node.d.ts') &&
          files.includes('dist/kernels/threads/worker.mjs'),
        'the tarball holds the built JavaScript, its types and the worker',
      );
      assert.ok(
        !files.some(
          (f) =>
            f.startsWith('src/') ||
            (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('exercises/')),
        ),
        "the tarball holds no TypeScript sources (only the learner's exercise stubs and solutions)",
      );

      // 2. A user's package: install the tarball (dependencies from npm's cache when offline).
      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'llmfs-user', private: true, type: 'module' }),
      );
      run(
        npm,
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          join(work, packed[0].filename),
        ],
        app,
      );
      copyFileSync(join(root, 'test/package/consumer.mjs'), join(app, 'consumer.mjs'));

      // 3. Plain node, by package name.
      const out = join(app, 'saved');
      const line = run(process.execPath, ['consumer.mjs', join(root, 'test/fixtures/hf-gpt2/tiny'), out], app)
        .trim()
        .split('\n')
        .pop()!;
      const r = JSON.parse(line) as {
        backend: string;
        active: string;
        steps: number;
        before: number;
        after: number;
        again: number;
        generated: number;
        text: string;
        samePixels: boolean;
        captionTokens: number;
      };
      assert.equal(r.steps, 20);
      assert.notEqual(r.active, 'js', 'useFastBackend installed the wasm backend');
      assert.ok(
        r.after < r.before,
        `training from the HF weights lowered the loss (${r.before} -> ${r.after})`,
      );
      assert.ok(
        Math.abs(r.again - r.after) < 1e-4,
        `the reloaded checkpoint scores as the trained model (${r.again} vs ${r.after})`,
      );
      assert.equal(r.generated, 8);
      assert.ok(readdirSync(out).includes('model.safetensors'));
      assert.equal(r.samePixels, true, 'a scene written as PNG and read back through the package');
      assert.equal(r.captionTokens, 4, 'a VLM wrote 4 tokens (no eosId given: no early stop)');

      // 4. The types: a TypeScript user's program typechecks against the .d.ts files beside dist/.
      writeFileSync(
        join(app, 'typed.ts'),
        [
          "import { GPT, gptPreset, tensor, type GPTConfig, type Tensor } from 'llm-from-scratch';",
          "import { loadPretrained, type Pretrained } from 'llm-from-scratch/node';",
          "const config: GPTConfig = new GPT(gptPreset('tiny')).config;",
          "const p: Pretrained = loadPretrained('dir');",
          'const logits: Tensor = p.model.forward(tensor([[1, 2]])).logits.softmax(-1).mul(2);',
          'export const shape: readonly number[] = [config.nLayer, ...logits.shape];',
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: [],
          },
          files: ['typed.ts'],
        }),
      );
      run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], app);
      writeFileSync(
        join(app, 'wrong.ts'),
        "import { GPT } from 'llm-from-scratch';\nexport const n: string = new GPT({ vocabSize: 2 }).numParameters();\n",
      );
      assert.throws(
        () =>
          run(
            process.execPath,
            [
              join(root, 'node_modules/typescript/bin/tsc'),
              '--noEmit',
              '--module',
              'NodeNext',
              '--moduleResolution',
              'NodeNext',
              '--strict',
              'wrong.ts',
            ],
            app,
          ),
        /TS2322/,
        "a type error in the user's code is caught",
      );

      // 5. The command the package installs runs from dist/ with plain node.
      assert.match(run(join(app, 'node_modules/.bin/llmfs'), ['--version'], app), /^\d+\.\d+\.\d+/);

      // 6. The exercises work from the installed package: the learner's file is type-checked
      // against dist/'s types and runs against dist/ in the check worker.
      const llmfsBin = join(app, 'node_modules/.bin/llmfs');
      run(llmfsBin, ['exercise', 'init', 'ws'], app);
      const stub = spawnSync(llmfsBin, ['exercise', 'check', 'mul-backward', '--json', '--workspace', 'ws'], {
        cwd: app,
        encoding: 'utf8',
      });
      assert.equal(stub.status, 1, stub.stderr);
      assert.match((JSON.parse(stub.stdout) as { message: string }).message, /not written/);
      const solution = run(llmfsBin, ['exercise', 'solution', 'mul-backward', '--reveal'], app);
      writeFileSync(join(app, 'ws', '01-mul-backward.ts'), solution);
      const pass = JSON.parse(
        run(llmfsBin, ['exercise', 'check', 'mul-backward', '--json', '--workspace', 'ws'], app),
      ) as { passed: boolean };
      assert.equal(pass.passed, true);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
