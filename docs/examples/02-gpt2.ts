// Chapter 2, example 3: GPT-2's tokenizer, read by our own code from js-tiktoken's rank data,
// checked against js-tiktoken itself.   npx tsx docs/examples/02-gpt2.ts

import { getEncoding } from 'js-tiktoken';
import { gpt2, Splitter, utf8Encode } from '../../src/tokenizer/index.js';

const tok = await gpt2();
const text = "Hello world! It's 2024:   naïve café, 東京 😀";

console.log('pre-tokens:', JSON.stringify(new Splitter({ type: 'gpt2' }).split(text)));
const ids = tok.encode(text);
console.log('ids:       ', JSON.stringify(ids));
console.log('pieces:    ', ids.map((id) => tok.piece(id)).join('|'));
console.log(`${utf8Encode(text).length} bytes -> ${ids.length} tokens`);
console.log('same as js-tiktoken:', JSON.stringify(ids) === JSON.stringify(getEncoding('gpt2').encode(text)));

// Special tokens are recognised only when allowed; otherwise they are plain text.
const doc = 'the end<|endoftext|>';
console.log('\nnot allowed:', JSON.stringify(tok.encode(doc)));
console.log('allowed:    ', JSON.stringify(tok.encode(doc, { allowedSpecial: 'all' })));

// Any bytes round-trip, even invalid UTF-8; decode() shows U+FFFD for the bad bytes.
const bytes = new Uint8Array([0x68, 0x69, 0xff, 0xc3, 0x28, 0xe2, 0x82]);
const byteIds = tok.encodeBytes(bytes);
console.log('\nbytes:        ', Array.from(bytes, (b) => b.toString(16)).join(' '));
console.log('ids:          ', JSON.stringify(byteIds));
console.log('decodeBytes:  ', Array.from(tok.decodeBytes(byteIds), (b) => b.toString(16)).join(' '));
console.log('decode:       ', JSON.stringify(tok.decode(byteIds)));
