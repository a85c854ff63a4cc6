// A rendered chat prompt becomes ids as transformers tokenizes it (add_special_tokens=False): the
// special tokens the template wrote are single ids, the rest is ordinary text and nothing is added.
// Checked on GPT-2's tokenizer against js-tiktoken with every special allowed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { gpt2 } from '../../src/tokenizer/gpt2.js';
import { ChatTemplate } from '../../src/chat/render.js';
import { encodeChatPrompt } from '../../src/cli/chat-prompt.js';

const ref = getEncoding('gpt2');

test('chat prompt: the template’s special tokens are single ids, as js-tiktoken encodes them', async () => {
  const tok = await gpt2();
  const t = new ChatTemplate(
    "{% for m in messages %}{{ m.role + ': ' + m.content + eos_token + '\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}",
    'inline',
    { eos_token: '<|endoftext|>' },
  );
  const text = t.render([
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello, 世界 😀' },
  ]);
  assert.equal(text, 'system: Be brief.<|endoftext|>\nuser: Hello, 世界 😀<|endoftext|>\nassistant:');
  const ids = encodeChatPrompt(tok, text);
  assert.deepEqual(ids, ref.encode(text, 'all'));
  assert.equal(ids.filter((id) => id === 50256).length, 2);
});
