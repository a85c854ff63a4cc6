// tokenizer_config.json's chat fields and the stop tokens of each family: the published files
// (test/fixtures/chat/) give Llama 3 Instruct's <|eot_id|> and <|end_of_text|>, Qwen2.5's <|im_end|>
// and <|endoftext|>; a named-template list picks "default"; a directory's chat_template.jinja wins;
// bad fields and a missing template are one line each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTokenizerConfig } from '../../src/chat/tokenizer-config.js';
import { stopTokensOf, type IdDecoder } from '../../src/chat/stop-tokens.js';
import { chatStopTokens, readChatFiles, requireChatTemplate } from '../../src/io/chat-files.js';
import { LlmfsError } from '../../src/errors.js';

const FIX = 'test/fixtures/chat';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof LlmfsError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail('expected an error');
}

test('the published configs: special tokens as text, added tokens by id', () => {
  const llama = readChatFiles(`${FIX}/llama3`)!;
  assert.equal(llama.config.specialTokens.bos_token, '<|begin_of_text|>');
  assert.equal(llama.config.specialTokens.eos_token, '<|eot_id|>');
  assert.equal(llama.config.addedTokens.get('<|eot_id|>'), 128009);
  assert.equal(llama.config.addedTokens.size, 256);
  const qwen = readChatFiles(`${FIX}/qwen2.5`)!;
  assert.equal(qwen.config.specialTokens.bos_token, undefined); // null in the file
  assert.equal(qwen.config.specialTokens.pad_token, '<|endoftext|>');
  assert.equal(qwen.config.additionalSpecialTokens.length, 13);
});

const V = { llama3: 128256, 'qwen2.5': 151936, mistral: 32000, smollm2: 49152 };

test('stop tokens: eos_token plus generation_config eos_token_id lists, for each family', () => {
  const stop = (fam: keyof typeof V) => chatStopTokens(readChatFiles(`${FIX}/${fam}`)!, null, V[fam]);
  assert.deepEqual(stop('llama3'), { ids: [128009, 128001], texts: [] });
  assert.deepEqual(stop('qwen2.5'), { ids: [151645, 151643], texts: [] });
  assert.deepEqual(stop('mistral'), { ids: [2], texts: [] });
  assert.deepEqual(stop('smollm2'), { ids: [2], texts: [] });
});

/** A tokenizer that spells ids 0..9 as digits: it has no <|im_end|> token at id 2. */
const digits: IdDecoder = { vocabSize: 10, decode: (ids) => ids.join('') };

test('stop tokens: an eos_token the tokenizer does not hold as that id becomes a stop text', () => {
  const tokenizerConfig = readChatFiles(`${FIX}/smollm2`)!.config;
  assert.deepEqual(stopTokensOf({ tokenizerConfig, tokenizer: digits, vocabSize: 10 }), {
    ids: [],
    texts: ['<|im_end|>'],
  });
  // The tokenizer's own table of specials wins over the config's ids.
  const s = stopTokensOf({
    tokenizerConfig,
    tokenizer: digits,
    vocabSize: 10,
    specialIds: { '<|im_end|>': 7 },
  });
  assert.deepEqual(s, { ids: [7], texts: [] });
  // A tokenizer that decodes id 2 to <|im_end|> confirms the config's id.
  const real: IdDecoder = { vocabSize: 49152, decode: (ids) => (ids[0] === 2 ? '<|im_end|>' : '?') };
  assert.deepEqual(stopTokensOf({ tokenizerConfig, tokenizer: real, vocabSize: 49152 }).ids, [2]);
});

test('stop tokens: an eos_token_id outside the vocabulary, or not an id, is one line', () => {
  const files = readChatFiles(`${FIX}/llama3`)!;
  assert.match(
    errorOf(() => chatStopTokens(files, null, 1000)),
    /generation_config\.json: eos_token_id 128001 is not a token id of this model \(ids 0\.\.999\)/,
  );
  const tokenizerConfig = files.config;
  const bad = { json: { eos_token_id: ['x'] }, file: 'g.json' };
  assert.match(
    errorOf(() => stopTokensOf({ tokenizerConfig, generationConfig: bad, tokenizer: null, vocabSize: 9 })),
    /^g\.json: eos_token_id must be a token id or a list of them, got \["x"\]$/,
  );
});

test('chat_template as a list of named templates: "default" unless another is asked for', () => {
  const text = JSON.stringify({
    chat_template: [
      { name: 'default', template: 'D{{ messages[0].content }}' },
      { name: 'tool_use', template: 'T{{ messages[0].content }}' },
    ],
    eos_token: { __type: 'AddedToken', content: '</s>', lstrip: false },
  });
  const d = parseTokenizerConfig(text, 'c.json');
  assert.equal(d.chatTemplate, 'D{{ messages[0].content }}');
  assert.deepEqual(d.templateNames, ['default', 'tool_use']);
  assert.equal(d.specialTokens.eos_token, '</s>');
  assert.equal(parseTokenizerConfig(text, 'c.json', 'tool_use').chatTemplate, 'T{{ messages[0].content }}');
  assert.equal(
    errorOf(() => parseTokenizerConfig(text, 'c.json', 'rag')),
    'c.json: no chat template is called "rag"; it has default, tool_use',
  );
});

test('bad tokenizer_config.json fields are one line each', () => {
  const bad = (o: unknown) => errorOf(() => parseTokenizerConfig(JSON.stringify(o), 'c.json'));
  assert.match(bad({ chat_template: 3 }), /^c\.json: chat_template must be a string or a list/);
  assert.match(bad({ chat_template: [{ name: 'a' }] }), /needs string fields "name" and "template"/);
  assert.match(bad({ eos_token: 5 }), /^c\.json: eos_token must be a string or an object/);
  assert.match(bad({ added_tokens_decoder: { x: { content: 'a' } } }), /key "x" is not a token id/);
  assert.match(bad([1]), /^c\.json: expected a JSON object$/);
  assert.match(
    errorOf(() => parseTokenizerConfig('{"a": ', 'c.json')),
    /^c\.json:1:\d+: invalid JSON/,
  );
});

test("a directory's chat_template.jinja wins over tokenizer_config.json's template", () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-chat-'));
  cpSync(`${FIX}/smollm2`, dir, { recursive: true });
  writeFileSync(join(dir, 'chat_template.jinja'), '{{ bos_token }}{{ messages[0].content }}');
  const files = readChatFiles(dir)!;
  assert.equal(files.template!.render([{ role: 'user', content: 'hi' }]), '<|im_start|>hi');
  assert.equal(files.template!.file, join(dir, 'chat_template.jinja'));
});

test('a directory without a chat template: none to read, and one line when --chat needs one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-chat-'));
  assert.equal(readChatFiles(dir), null);
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    readFileSync('test/fixtures/chat/mistral/generation_config.json'),
  );
  assert.equal(readChatFiles(dir)!.template, null);
  assert.match(
    errorOf(() => requireChatTemplate(dir, 'generate')),
    /^generate: .* has no chat template \(no chat_template in tokenizer_config\.json, no chat_template\.jinja\); /,
  );
});
