// The library's version, printed by `llmfs --version`.
export const VERSION = '0.1.0';
