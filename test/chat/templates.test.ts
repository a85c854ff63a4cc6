// Chat templates as published (test/fixtures/chat/, scripts/make-chat-template-fixtures.py): the
// strings they render for a three-turn conversation equal hand-written expectations, and every
// rendering equals Python jinja2's set up as transformers sets it up (fixtures/chat/goldens.json,
// scripts/make-chat-template-goldens.py). Bad templates fail with one line that names the file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ChatTemplate, chatTemplateOf, type ChatMessage } from '../../src/chat/render.js';
import { parseTokenizerConfig } from '../../src/chat/tokenizer-config.js';
import { LlmfsError } from '../../src/errors.js';

const FIX = 'test/fixtures/chat';
const configOf = (family: string) => {
  const file = `${FIX}/${family}/tokenizer_config.json`;
  return parseTokenizerConfig(readFileSync(file, 'utf8'), file);
};

const SYSTEM: ChatMessage = { role: 'system', content: 'You are a concise assistant.' };
const TURNS: ChatMessage[] = [
  { role: 'user', content: 'Hello!' },
  { role: 'assistant', content: 'Hi there. How can I help?' },
  { role: 'user', content: 'What is 2 + 2?' },
];

/** Hand-written: what each family's model saw in training for this conversation. */
const EXPECTED: Record<string, { withSystem: string; noSystem: string }> = {
  llama3: {
    withSystem:
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a concise assistant.<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\n',
    noSystem:
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\n',
  },
  'qwen2.5': {
    withSystem:
      '<|im_start|>system\nYou are a concise assistant.<|im_end|>\n' +
      '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n' +
      '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n',
    noSystem:
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
      '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n' +
      '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n',
  },
  mistral: {
    withSystem:
      '<s> [INST] You are a concise assistant.\n\nHello! [/INST] Hi there. How can I help?</s>' +
      ' [INST] What is 2 + 2? [/INST]',
    noSystem: '<s> [INST] Hello! [/INST] Hi there. How can I help?</s> [INST] What is 2 + 2? [/INST]',
  },
  smollm2: {
    withSystem:
      '<|im_start|>system\nYou are a concise assistant.<|im_end|>\n' +
      '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n' +
      '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n',
    noSystem:
      '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' +
      '<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n' +
      '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n',
  },
};

for (const [family, want] of Object.entries(EXPECTED)) {
  test(`${family}: three turns with a system message render as the model was tuned on`, () => {
    assert.equal(chatTemplateOf(configOf(family)).render([SYSTEM, ...TURNS]), want.withSystem);
  });
  test(`${family}: three turns without a system message (the template's default, if any)`, () => {
    assert.equal(chatTemplateOf(configOf(family)).render(TURNS), want.noSystem);
  });
}

test('llama3: without add_generation_prompt the text ends after the last turn', () => {
  const text = chatTemplateOf(configOf('llama3')).render(TURNS.slice(0, 2), { addGenerationPrompt: false });
  assert.ok(text.endsWith('How can I help?<|eot_id|>'), text);
});

interface Golden {
  family: string;
  case: string;
  template?: string;
  messages: ChatMessage[];
  add_generation_prompt: boolean;
  text?: string;
  error?: string;
}
const goldens = (JSON.parse(readFileSync(`${FIX}/goldens.json`, 'utf8')) as { goldens: Golden[] }).goldens;

for (const g of goldens) {
  test(`${g.family}, ${g.case}: equals Python jinja2 as transformers runs it`, () => {
    const cfg = configOf(g.family);
    const t = chatTemplateOf(cfg, g.template ?? cfg.chatTemplate);
    const render = () => t.render(g.messages, { addGenerationPrompt: g.add_generation_prompt });
    if (g.error === undefined) assert.equal(render(), g.text);
    else
      assert.throws(render, (err: unknown) => {
        assert.ok(err instanceof LlmfsError);
        assert.equal(err.message, `chat template in ${cfg.file} failed: ${g.error}`);
        return true;
      });
  });
}

/** The message of the LlmfsError `f` throws, checked to be one line. */
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

test('a template that does not parse fails with jinja’s message on one line, naming the file', () => {
  assert.match(
    errorOf(() => new ChatTemplate('{{ 1 + }}', 'dir/tokenizer_config.json')),
    /^chat template in dir\/tokenizer_config\.json does not parse: .*Unexpected token/,
  );
  assert.match(
    errorOf(() => new ChatTemplate('{% if messages %}never closed', 'x.jinja')),
    /^chat template in x\.jinja does not parse: /,
  );
});

test('a template that fails while rendering says so in one line', () => {
  const t = new ChatTemplate("{{ raise_exception('roles must\nalternate') }}", 'x.jinja');
  assert.equal(
    errorOf(() => t.render(TURNS)),
    'chat template in x.jinja failed: roles must alternate',
  );
  const u = new ChatTemplate("{{ messages[7]['content'] + '!' }}", 'x.jinja');
  assert.match(
    errorOf(() => u.render(TURNS)),
    /^chat template in x\.jinja failed: .*undefined/,
  );
  assert.match(
    errorOf(() => u.render([])),
    /no messages/,
  );
});
