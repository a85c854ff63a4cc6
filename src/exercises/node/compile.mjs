// Compiles a learner's TypeScript file for the checker (plain JavaScript: it runs in the check
// worker before any TypeScript loader, where the compiler loads fast). The TypeScript compiler
// type-checks the file against the library's types, so a mistake is reported as file:line with
// the compiler's own message before anything runs; then it transpiles the file to a JavaScript
// module whose 'llm-from-scratch' import points at the running library, with a source map so an
// exception's stack names the line in the learner's file.

import ts from 'typescript';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ file: string, line: number, column: number, message: string }} CompileError
 */

/** @param {string} types what 'llm-from-scratch' resolves to for the type checker */
function options(types) {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noImplicitAny: false, // a learner's untyped helper is not a mistake
    skipLibCheck: true,
    noEmit: true,
    types: [],
    paths: { 'llm-from-scratch': [types] },
  };
}

/** @returns {CompileError} */
function describe(d, fallback) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return { file: fallback, line: 0, column: 0, message };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return { file: d.file.fileName, line: line + 1, column: character + 1, message };
}

/**
 * Syntax errors, else type errors, of `file` (only those in the learner's own file).
 * @param {string} file
 * @param {string} types
 * @returns {CompileError[]}
 */
export function typeCheck(file, types) {
  const program = ts.createProgram([file], options(types));
  const source = program.getSourceFile(file);
  if (!source) return [{ file, line: 0, column: 0, message: 'the file could not be read' }];
  const syntax = program.getSyntacticDiagnostics(source);
  const diags = syntax.length > 0 ? syntax : program.getSemanticDiagnostics(source);
  return diags.map((d) => describe(d, file));
}

const LIB_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])llm-from-scratch\2/g;

/**
 * Transpiles `file` into `outDir` (temp + rename); the module imports `libEntry` by file URL.
 * @returns {string} the module's path
 */
export function transpile(file, outDir, libEntry) {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true },
  });
  const lib = pathToFileURL(libEntry).href;
  const js = out.outputText
    .replace(LIB_IMPORT, (_m, head, q) => `${head}${q}${lib}${q}`)
    .replace(/\/\/# sourceMappingURL=.*$/m, '');
  const map = JSON.parse(out.sourceMapText ?? '{}');
  map.sources = [pathToFileURL(file).href];
  map.sourceRoot = '';
  const inline = Buffer.from(JSON.stringify(map)).toString('base64');
  mkdirSync(outDir, { recursive: true });
  // A fresh name each time: Node caches modules by URL, and `watch` re-checks edited files.
  const moduleFile = join(outDir, `${basename(file, '.ts')}.${process.pid}.${Date.now()}.mjs`);
  writeFileSync(`${moduleFile}.tmp`, `${js}\n//# sourceMappingURL=data:application/json;base64,${inline}\n`);
  renameSync(`${moduleFile}.tmp`, moduleFile);
  return moduleFile;
}
