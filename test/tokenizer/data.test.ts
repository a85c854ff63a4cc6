import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultCorpus,
  defaultCorpusSlice,
  sotuAddresses,
  DOCUMENT_SEPARATOR,
} from '../../src/data/index.js';

test('default corpus: every State of the Union address, 1790 to 2021, oldest first', () => {
  const all = sotuAddresses();
  assert.ok(all.length >= 230, `${all.length} addresses`);
  assert.deepEqual([all[0].year, all[0].president], [1790, 'george_washington']);
  assert.equal(all[all.length - 1].year, 2021);
  for (let i = 1; i < all.length; i++) assert.ok(all[i].year >= all[i - 1].year);
  assert.ok(all[0].text.startsWith('Fellow-Citizens of the Senate and House of Representatives'));
});

test('default corpus: one deterministic string of about 10.8 MB, addresses joined by a blank line', () => {
  const text = defaultCorpus();
  assert.ok(text.length > 10_000_000 && text.length < 11_500_000, `${text.length} chars`);
  assert.equal(text, defaultCorpus());
  const all = sotuAddresses();
  assert.equal(
    text.length,
    all.reduce((n, a) => n + a.text.length, 0) + DOCUMENT_SEPARATOR.length * (all.length - 1),
  );
});

test('default corpus: a slice is the first N characters', () => {
  assert.equal(defaultCorpusSlice(1000), defaultCorpus().slice(0, 1000));
  assert.equal(defaultCorpus({ maxChars: 0 }), '');
  assert.throws(() => defaultCorpus({ maxChars: -1 }), /non-negative integer/);
});
