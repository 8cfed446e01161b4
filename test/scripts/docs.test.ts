/**
 * The API reference's rule (issue 10, Docs): every public export of `crucial`, `crucial/node`, `crucial/ml` and
 * `crucial/pmem` has a doc comment, and a public function or method that throws says what with
 * `@throws {ErrorClass}`. The first half is TypeDoc's own validation (typedoc.json: notDocumented,
 * warnings as errors), run as `npm run docs` runs it but without writing HTML; the second reads the
 * sources with the TypeScript compiler API. Both are shown failing on test/fixtures/docs. Offline.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../examples/helpers.ts';

const TYPEDOC = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'docs');

function typedoc(options: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TYPEDOC, '--options', options, '--emit', 'none'], { cwd: ROOT, timeout: 110_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: stdout + stderr }));
  });
}

/** `throw new X(...)` directly in a body (a nested function or class throws when it runs, not this one). */
function thrownClasses(body: ts.Node): string[] {
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isThrowStatement(n) && n.expression && ts.isNewExpression(n.expression)) found.push(n.expression.expression.getText());
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

function throwsTags(node: ts.Node): string {
  return ts.getJSDocTags(node).filter((t) => t.tagName.text === 'throws').map((t) => t.getText()).join('\n');
}

/** Public functions, constructors, methods and accessors reachable from `entries` that throw an error class their doc comment does not name. */
function undocumentedThrows(entries: string[], tsconfig: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  const program = ts.createProgram(entries, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  // An overloaded function's doc comment sits on its overload signatures, not on the implementation.
  const check = (decl: ts.Node & { body?: ts.Node }, name: string, documentedBy: ts.Node[]): void => {
    if (!decl.body) return;
    const docs = documentedBy.map(throwsTags).join('\n');
    for (const cls of thrownClasses(decl.body)) {
      if (!docs.includes(`{${cls}}`)) missing.add(`${name} throws ${cls} (${decl.getSourceFile().fileName.slice(ROOT.length + 1)})`);
    }
  };
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    for (const exp of checker.getExportsOfModule(module)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      for (const decl of sym.declarations ?? []) {
        if (ts.isFunctionDeclaration(decl)) check(decl, exp.name, sym.declarations!);
        if (!ts.isClassDeclaration(decl)) continue;
        for (const m of decl.members) {
          const mods = ts.getCombinedModifierFlags(m as ts.Declaration);
          if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || (m.name && ts.isPrivateIdentifier(m.name))) continue;
          const overloads = decl.members.filter((o) => o.kind === m.kind && o.name?.getText() === m.name?.getText());
          if (ts.isConstructorDeclaration(m)) check(m, `${exp.name}.constructor`, [decl, ...overloads]);
          else if (ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) check(m, `${exp.name}.${m.name.getText()}`, overloads);
        }
      }
    }
  }
  return [...missing].sort();
}

describe('docs - the API reference', function () {
  this.timeout(120_000);

  it('docs - every public export of crucial, crucial/node, crucial/pmem and crucial/ml has a doc comment (TypeDoc validation)', async () => {
    const { code, output } = await typedoc('typedoc.json');
    assert.equal(code, 0, `typedoc --emit none failed (exit ${code}):\n${output.slice(-6000)}`);
  });

  it('docs - the validation fails on an export without a doc comment', async () => {
    const { code, output } = await typedoc(join(FIXTURE, 'typedoc.json'));
    assert.notEqual(code, 0, output);
    assert.match(output, /undocumented \(CallSignature\).*does not have any documentation/);
    assert.doesNotMatch(output, /\bdocumented \(|saysWhatItThrows \(|hidesWhatItThrows \(/);
  });

  it('docs - a public function or method that throws names each error class with @throws', () => {
    const entries = ['core/index.ts', 'dso/index.ts', 'pmem/index.ts', 'ml/index.ts'].map((f) => join(ROOT, f));
    // The entry points are typedoc.json's, so this check and the reference cover the same API.
    const configured = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')).entryPoints.map((f: string) => join(ROOT, f));
    assert.deepEqual([...configured].sort(), [...entries].sort());
    const missing = undocumentedThrows(entries, join(ROOT, 'tsconfig.build.json'));
    assert.deepEqual(missing, [], `add @throws {ErrorClass} to:\n  ${missing.join('\n  ')}`);
  });

  it('docs - the @throws check finds a direct throw left out of the doc comment, and only that one', () => {
    const missing = undocumentedThrows([join(FIXTURE, 'index.ts')], join(FIXTURE, 'tsconfig.json'));
    assert.deepEqual(missing, ['hidesWhatItThrows throws RangeError (test/fixtures/docs/index.ts)']);
  });
});
