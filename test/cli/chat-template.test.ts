// `llmfs generate --chat` and `llmfs chat` on a model directory with a chat template (the tiny HF
// GPT-2 fixture plus a tokenizer_config.json holding SmolLM2's template): the prompt is the
// hand-written rendering, an eos_token that is one of the tokenizer's tokens stops the answer, a
// chat keeps the conversation in the template turn after turn, and bad input is one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runChat } from '../../src/cli/chat.js';
import { runGenerate } from '../../src/cli/generate.js';
import { Conversation } from '../../src/cli/chat-turns.js';
import { chatSetupOf } from '../../src/cli/chat-prompt.js';
import { requireChatTemplate } from '../../src/io/chat-files.js';
import { loadPretrained } from '../../src/io/load-pretrained.js';
import { LlmfsError } from '../../src/errors.js';

const TINY = 'test/fixtures/hf-gpt2/tiny';
const smol = JSON.parse(readFileSync('test/fixtures/chat/smollm2/tokenizer_config.json', 'utf8')) as {
  chat_template: string;
};

/** A copy of the tiny model with a tokenizer_config.json; `extra` adds or replaces fields. */
function modelDir(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmfs-chat-cli-'));
  cpSync(TINY, dir, { recursive: true });
  const cfg = { chat_template: smol.chat_template, eos_token: '<|endoftext|>', ...extra };
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(cfg));
  return dir;
}

interface GenJson {
  prompt: string;
  promptIds: number[];
  ids: number[];
  text: string;
  finishReason: string;
}
function generateJson(argv: string[]): GenJson {
  let text = '';
  runGenerate([...argv, '--json'], (s) => (text += s));
  return JSON.parse(text) as GenJson;
}

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

const dir = modelDir();

test('generate --chat: the prompt is the user message in the model’s template, as written by hand', () => {
  const r = generateJson([
    '--model',
    dir,
    '--chat',
    '--system',
    'Be brief.',
    '--prompt',
    'hi',
    '--max-new-tokens',
    '3',
  ]);
  assert.equal(
    r.prompt,
    '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
  );
  const { tokenizer } = loadPretrained(dir);
  assert.deepEqual(r.promptIds, tokenizer!.encode(r.prompt));
  const plain = generateJson(['--model', dir, '--chat', '--prompt', 'hi', '--max-new-tokens', '1']);
  assert.ok(plain.prompt.startsWith('<|im_start|>system\nYou are a helpful AI assistant named SmolLM'));
});

test('generate --chat stops at the eos_token when the tokenizer holds it as one id', () => {
  const free = generateJson(['--model', dir, '--chat', '--prompt', 'hi', '--max-new-tokens', '12']);
  const k = free.ids.findIndex((id, i) => i > 0 && !free.ids.slice(0, i).includes(id));
  assert.ok(k > 0, `greedy ids ${free.ids.join(',')} repeat one token`);
  const { tokenizer } = loadPretrained(dir);
  const stopText = tokenizer!.decode([free.ids[k]]);
  const withStop = modelDir({
    eos_token: stopText,
    added_tokens_decoder: { [free.ids[k]]: { content: stopText } },
  });
  const r = generateJson(['--model', withStop, '--chat', '--prompt', 'hi', '--max-new-tokens', '12']);
  assert.deepEqual(r.ids, free.ids.slice(0, k));
  assert.equal(r.finishReason, 'eos');
});

test('chat: each line is a user turn in the template, and the next prompt holds the whole conversation', () => {
  const { model, tokenizer } = loadPretrained(dir);
  const setup = chatSetupOf(requireChatTemplate(dir, 'chat'), tokenizer!, model.config.vocabSize);
  assert.deepEqual(setup.stop, { ids: [288], texts: [] });
  const conv = new Conversation(model, tokenizer!, setup, { maxNewTokens: 5, seed: 0, system: 'Be brief.' });
  const a1 = conv.answer('hi', () => undefined);
  const a2 = conv.answer('and then?', () => undefined);
  assert.equal(
    conv.prompt(),
    '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n' +
      `<|im_start|>assistant\n${a1}<|im_end|>\n<|im_start|>user\nand then?<|im_end|>\n` +
      `<|im_start|>assistant\n${a2}<|im_end|>\n<|im_start|>assistant\n`,
  );
  const one = generateJson([
    '--model',
    dir,
    '--chat',
    '--system',
    'Be brief.',
    '--prompt',
    'hi',
    '--max-new-tokens',
    '5',
  ]);
  assert.equal(a1, one.text);
  conv.reset();
  assert.deepEqual(conv.messages, [{ role: 'system', content: 'Be brief.' }]);
});

test('chat (stdin piped) answers in the chat template; --template keeps the instruction format', async () => {
  let text = '';
  const code = await runChat(
    ['--model', dir, '--max-new-tokens', '5', '--system', 'Be brief.'],
    Readable.from(['hi\n']),
    (s) => (text += s),
    false,
  );
  assert.equal(code, 0);
  const one = generateJson([
    '--model',
    dir,
    '--chat',
    '--system',
    'Be brief.',
    '--prompt',
    'hi',
    '--max-new-tokens',
    '5',
  ]);
  assert.equal(text, `${one.text}\n`);
  let alpaca = '';
  await runChat(
    ['--model', dir, '--template', 'alpaca', '--max-new-tokens', '3'],
    Readable.from(['hi\n']),
    (s) => {
      alpaca += s;
    },
    false,
  );
  let g = '';
  runGenerate(['--model', dir, '--instruction', 'hi', '--max-new-tokens', '3'], (s) => (g += s));
  assert.ok(g.endsWith(alpaca), `${JSON.stringify(g)} ends with ${JSON.stringify(alpaca)}`);
});

test('bad input: no chat template for --chat, chat flags without a chat, a template that fails', async () => {
  const gen = (argv: string[]) => errorOf(() => runGenerate(argv, () => undefined));
  assert.match(
    gen(['--model', TINY, '--chat', '--prompt', 'hi']),
    /^generate: .*tiny has no chat template \(/,
  );
  assert.equal(gen(['--model', dir, '--system', 'x', '--prompt', 'hi']), 'generate: --system needs --chat');
  assert.match(
    gen(['--model', dir, '--chat', '--instruction', 'hi']),
    /--instruction is for instruction templates/,
  );
  assert.match(gen(['--model', dir, '--chat']), /--chat needs the user message as --prompt/);
  const broken = modelDir({ chat_template: '{% for m in messages %}{{ m.content }}' });
  assert.match(
    gen(['--model', broken, '--chat', '--prompt', 'hi']),
    /tokenizer_config\.json does not parse: /,
  );
  const strict = modelDir({ chat_template: "{{ raise_exception('System role not supported') }}" });
  assert.match(
    gen(['--model', strict, '--chat', '--prompt', 'hi']),
    /tokenizer_config\.json failed: System role not supported$/,
  );
  await assert.rejects(
    runChat(['--model', TINY, '--system', 'x'], Readable.from([]), () => undefined, false),
    /^LlmfsError: chat: --system and --chat-template need a chat template, and .* has none$/,
  );
});
