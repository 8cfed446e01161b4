/**
 * Writes the wire test vectors (core/protocol/wire/vectors/*.bin and *.json) from cases.ts.
 *
 *   npx tsx core/protocol/wire/vectors/generate.ts [--out DIR] [--check]
 *
 * The output is deterministic; `--check` regenerates in memory and exits 1 if any file differs,
 * which is how CI notices an unintended change of the wire format.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireCodec } from '../codec.ts';
import { loadArrow } from '../arrow.ts';
import { vectorCases, type VectorCase } from './cases.ts';
import { describeFrames, packFrames, toTagged } from './format.ts';

const HELP = `usage: generate.ts [--out DIR] [--check] [--help]

Writes one <name>.request.bin, <name>.response.bin and <name>.json per wire test vector.
  --out DIR   where to write (default: the directory of this script)
  --check     do not write; exit 1 if the files on disk differ from what would be written
  --help      this text

.bin framing: u32 big-endian frame count, then per frame a u32 big-endian length and the bytes.`;

/** The files of one vector, name → content. */
export function renderCase(c: VectorCase): Map<string, Uint8Array | string> {
  const codec = new WireCodec();
  const reqFrames = codec.encodeValue(c.request);
  const resFrames = codec.encodeValue(c.response);
  const json = {
    name: c.name,
    description: c.description,
    replay: c.replay,
    request: { file: `${c.name}.request.bin`, envelope: toTagged(c.request), frames: describeFrames(reqFrames) },
    response: { file: `${c.name}.response.bin`, envelope: toTagged(c.response), frames: describeFrames(resFrames) },
  };
  return new Map<string, Uint8Array | string>([
    [`${c.name}.request.bin`, packFrames(reqFrames)],
    [`${c.name}.response.bin`, packFrames(resFrames)],
    [`${c.name}.json`, JSON.stringify(json, null, 2) + '\n'],
  ]);
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) { console.log(HELP); return 0; }
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv[outIdx + 1] : dirname(fileURLToPath(import.meta.url));
  if (!out) { console.error('--out needs a directory'); return 2; }
  const unknown = argv.filter((a, i) => a.startsWith('-') && !['--out', '--check'].includes(a) && argv[i - 1] !== '--out');
  if (unknown.length > 0) { console.error(`unknown option ${unknown[0]}\n\n${HELP}`); return 2; }
  const check = argv.includes('--check');
  if (!check) mkdirSync(out, { recursive: true });
  let differ = 0, files = 0;
  for (const c of vectorCases()) {
    for (const [name, content] of renderCase(c)) {
      files++;
      const path = join(out, name);
      const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
      if (check) {
        if (!existsSync(path) || !readFileSync(path).equals(bytes)) { differ++; console.error(`differs: ${name}`); }
      } else writeFileSync(path, bytes);
    }
  }
  if (check) { console.log(differ === 0 ? `${files} files up to date` : `${differ} of ${files} files differ`); return differ === 0 ? 0 : 1; }
  console.log(`wrote ${files} files to ${out}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The array and table cases need apache-arrow, which the codec loads only when asked.
  loadArrow().then(() => { process.exitCode = main(process.argv.slice(2)); });
}
