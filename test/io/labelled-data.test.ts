// Labelled data: RFC 4180 CSV (quotes, "" escapes, newlines in fields, CRLF), JSON Lines, and
// one clear line (file:line) for a missing column, an unknown label, an empty set, a bad line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseCsv,
  labelledFromCsv,
  labelledFromJsonl,
  readLabelledSplits,
  labelNames,
} from '../../src/io/labelled-data.js';

test('parseCsv: quoted fields keep commas, doubled quotes and newlines; CRLF ends records', () => {
  const recs = parseCsv('text,label\r\n"a, b",x\r\n"say ""hi""\nthere",y\r\n\r\nplain,z');
  assert.deepEqual(
    recs.map((r) => r.fields),
    [
      ['text', 'label'],
      ['a, b', 'x'],
      ['say "hi"\nthere', 'y'],
      ['plain', 'z'],
    ],
  );
  assert.deepEqual(
    recs.map((r) => r.line),
    [1, 2, 3, 6],
  );
});

test('labelledFromCsv: columns by header name, in any order, names configurable', () => {
  const rows = labelledFromCsv('id,label,body\n1,spam,"win, now"\n2,ham,hello\n', 'f.csv', {
    textColumn: 'body',
  });
  assert.deepEqual(rows, [
    { text: 'win, now', label: 'spam' },
    { text: 'hello', label: 'ham' },
  ]);
  assert.deepEqual(labelNames(rows), ['ham', 'spam']);
});

test('labelled data: each problem is one line naming the file and line', () => {
  assert.throws(
    () => labelledFromCsv('body,label\nx,y\n', 'f.csv'),
    /^LlmfsError: f\.csv:1: no column 'text' in the header \(columns: body, label\)$/,
  );
  assert.throws(
    () => labelledFromCsv('text,label\nx,y,z\n', 'f.csv'),
    /f\.csv:2: malformed CSV: 3 fields but the header has 2/,
  );
  assert.throws(
    () => labelledFromCsv('text,label\n"x"y,1\n', 'f.csv'),
    /f\.csv:2: malformed CSV: text after a closing quote/,
  );
  assert.throws(
    () => labelledFromCsv('text,label\n"open,1\n', 'f.csv'),
    /f\.csv:2: malformed CSV: a quoted field is never closed/,
  );
  assert.throws(
    () => labelledFromCsv('text,label\n', 'f.csv'),
    /f\.csv: empty data set \(a header but no rows\)/,
  );
  assert.throws(() => labelledFromCsv('', 'f.csv'), /f\.csv: empty data set/);
  assert.throws(
    () => labelledFromCsv('text,label\nx,maybe\n', 'f.csv', { labels: ['spam', 'ham'] }),
    /f\.csv:2: unknown label 'maybe' \(expected one of: spam, ham\)/,
  );
  assert.throws(
    () => labelledFromJsonl('{"text":"a","label":"x"}\n{"text":"b"}\n', 'f.jsonl'),
    /f\.jsonl:2: no column 'label' \(keys: text\)/,
  );
  assert.throws(
    () => labelledFromJsonl('{"text":"a","label":"x"}\n{oops\n', 'f.jsonl'),
    /f\.jsonl:2: malformed JSON line/,
  );
  assert.throws(() => labelledFromJsonl('[1,2]\n', 'f.jsonl'), /f\.jsonl:1: expected a JSON object/);
  assert.throws(() => labelledFromJsonl('\n\n', 'f.jsonl'), /f\.jsonl: empty data set/);
});

test('labelledFromJsonl: blank lines skipped, numeric labels read as text', () => {
  const rows = labelledFromJsonl('{"text":"a","label":1}\n\n{"text":"b","label":"0","x":2}\n', 'f.jsonl');
  assert.deepEqual(rows, [
    { text: 'a', label: '1' },
    { text: 'b', label: '0' },
  ]);
});

test('readLabelledSplits: a directory gives train (required), val and test', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-labelled-'));
  assert.throws(() => readLabelledSplits(dir), /no train\.jsonl or train\.csv/);
  writeFileSync(join(dir, 'train.jsonl'), '{"text":"a","label":"x"}\n{"text":"b","label":"y"}\n');
  writeFileSync(join(dir, 'test.csv'), 'text,label\nc,x\n');
  const s = readLabelledSplits(dir);
  assert.equal(s.train.length, 2);
  assert.equal(s.val, null);
  assert.deepEqual(s.test, [{ text: 'c', label: 'x' }]);
  assert.throws(() => readLabelledSplits(join(dir, 'nope')), /not found/);
});

test('the bundled spam subset reads, both labels in every split', () => {
  const s = readLabelledSplits(new URL('../../data/spam', import.meta.url).pathname, {
    labels: ['ham', 'spam'],
  });
  for (const split of [s.train, s.val!, s.test!]) assert.deepEqual(labelNames(split), ['ham', 'spam']);
  assert.deepEqual([s.train.length, s.val!.length, s.test!.length], [2100, 300, 600]);
});
