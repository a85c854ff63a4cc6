// Prompt templates by name or from a file (the Node side of train/instruct/template.ts, which
// stays free of file access so it runs in a browser): 'alpaca', 'phi3', an alpaca-lora JSON file,
// or a text file with {instruction} and {input}.

import { readFileSync } from 'node:fs';
import { LlmfsError } from '../errors.js';
import { NAMED_TEMPLATES, templateFromText, type PromptTemplate } from '../train/instruct/template.js';

export function loadTemplate(spec: string): PromptTemplate {
  const named = NAMED_TEMPLATES[spec];
  if (named) return named;
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch {
    const names = Object.keys(NAMED_TEMPLATES).join(', ');
    throw new LlmfsError(`template '${spec}': not a named template (${names}) and no such file`);
  }
  return templateFromText(spec, text);
}
