/**
 * Renders the method schema (types.ts) and the error table (../errors.ts) as JSON wire vectors,
 * core/protocol/wire/vectors/schema/{methods,errors}.json, which the Python tests read to check
 * the Python proxies and error classes against the TS side.
 *
 *   npx tsx core/protocol/schema/emit.ts [--check]
 *
 * `--check` writes nothing and exits 1 if a file on disk differs from what would be written.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, errorFromData } from '../errors.ts';
import { BUILTIN_TYPES } from './types.ts';

/** Where the JSON files live, next to the binary wire vectors. */
export const SCHEMA_VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../wire/vectors/schema');

/** Python's name of a wire method: snake_case, with a trailing `_` where it is a keyword (`await_`). */
export function pythonName(wire: string): string {
  const snake = wire.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake === 'await' ? 'await_' : snake;
}

/** The schema as JSON: each method also carries its Python name, so Python needs no naming rule of its own. */
export function methodsJson(): string {
  const types: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(BUILTIN_TYPES)) {
    const methods: Record<string, unknown> = {};
    for (const [m, s] of Object.entries(t.methods)) methods[m] = { python: pythonName(m), ...s };
    types[name] = {
      init: t.init,
      parkable: t.parkable,
      methods,
      proxy: {
        wireOnly: t.proxy?.wireOnly ?? [],
        clientSide: (t.proxy?.clientSide ?? []).map((m) => ({ ts: m, python: pythonName(m) })),
        pythonOnly: t.proxy?.pythonOnly ?? [],
      },
    };
  }
  return JSON.stringify({ version: 1, types }, null, 2) + '\n';
}

/** The error table as JSON: every code with the class a receiver rebuilds from it. */
export function errorsJson(): string {
  const errors = Object.values(ErrorCode).map((code) => ({ code, name: errorFromData({ code, name: '', message: '' }).constructor.name }));
  return JSON.stringify({ version: 1, errors }, null, 2) + '\n';
}

/** File name → content. */
export function renderSchemaVectors(): Map<string, string> {
  return new Map([['methods.json', methodsJson()], ['errors.json', errorsJson()]]);
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let differ = 0;
  if (!check) mkdirSync(SCHEMA_VECTORS_DIR, { recursive: true });
  for (const [name, content] of renderSchemaVectors()) {
    const path = join(SCHEMA_VECTORS_DIR, name);
    if (!check) writeFileSync(path, content);
    else if (!existsSync(path) || readFileSync(path, 'utf8') !== content) { differ++; console.error(`differs: ${name}`); }
  }
  console.log(check ? (differ === 0 ? 'schema vectors up to date' : `${differ} schema vectors differ`) : `wrote ${SCHEMA_VECTORS_DIR}`);
  return differ === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
