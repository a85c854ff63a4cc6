// A Llama 3 chat prompt already starts with the template's <|begin_of_text|>: encodeChatPrompt
// encodes it with add_special_tokens off, as transformers' apply_chat_template(tokenize=True), so
// the ids hold one BOS, not two. Checked against @huggingface/tokenizers on the Llama-3-style
// tokenizer.json with Meta-Llama-3-Instruct's published template (test/fixtures/llama-e2e/model).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as Reference } from '@huggingface/tokenizers';
import { encodeChatPrompt } from '../../src/cli/chat-prompt.js';
import { requireChatTemplate } from '../../src/io/chat-files.js';
import { loadTokenizer } from '../../src/io/tokenizer-files.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'llama-e2e', 'model');
const BOS = 1000; // <|begin_of_text|>

test('chat prompt: a Llama 3 template’s ids equal encode(rendered, add_special_tokens=false), one BOS', () => {
  const ref = new Reference(JSON.parse(readFileSync(join(DIR, 'tokenizer.json'), 'utf8')), {
    clean_up_tokenization_spaces: false,
  });
  const tok = loadTokenizer(DIR);
  const { template } = requireChatTemplate(DIR, 'test');
  const text = template.render(
    [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello, 世界 😀' },
      { role: 'assistant', content: 'Hi.' },
      { role: 'user', content: 'And <|eot_id|> in text?' },
    ],
    { addGenerationPrompt: true },
  );
  assert.ok(text.startsWith('<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.'));
  const ids = encodeChatPrompt(tok, text);
  assert.deepEqual(ids, ref.encode(text, { add_special_tokens: false }).ids);
  assert.equal(ids[0], BOS);
  assert.equal(ids.filter((id) => id === BOS).length, 1);
});
