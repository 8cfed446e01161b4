/**
 * Coverage-guided fuzzing of the frame fuzz target (test/fuzz/frame-target.ts: ZMTP framing, then
 * envelope, strict strings and Arrow decoding). Jazzer.js would be the tool, but its prebuilt
 * libFuzzer addon needs glibc 2.38 and this machine has an older one; so this is a small greybox
 * loop instead: V8's precise block coverage (node:inspector) after each input tells whether it
 * reached a block of core/protocol no earlier input did; such inputs join the corpus and are
 * mutated further. A finding is an error the target does not expect; it is printed as hex.
 *
 *   npx tsx bench/fuzz/frames-coverage.ts --runs 20000 --seed 1
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { fuzzFrames } from '../../test/fuzz/frame-target.ts';
import { encodeCommand, encodeMessage, encodeMetadata, greeting } from '../../core/protocol/transport/zmtp/wire.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { rng } from './engine.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' } } });
const runs = Number(values.runs);
const r = rng(Number(values.seed));
const int = (n: number) => Math.floor(r() * n);

await loadArrow();
const codec = new WireCodec();
const hello = Buffer.concat([greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'DEALER', Identity: '' }))]);
const seeds: Buffer[] = [
  Buffer.concat([hello, encodeMessage(codec.encodeCall(new Uint8Array(8), 1, 'AtomicLong', 'k', 'addAndGet', [5n]))]),
  Buffer.concat([hello, encodeMessage(codec.encodeCall(new Uint8Array(8), 2, 'AtomicMap', 'm', 'put', ['é', { a: [1, 2.5, null, true] }], { init: [] }))]),
  Buffer.concat([hello, encodeMessage(codec.encodeCall(new Uint8Array(8), 3, 'AtomicReference', 'r', 'set', [new Float64Array([1, 2]), new Uint8Array(3)]))]),
];

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

const seen = new Set<string>();
/** Blocks of core/protocol run since the last call that no earlier input ran. */
async function newBlocks(): Promise<number> {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  let fresh = 0;
  for (const script of result) {
    if (!script.url.includes('/core/protocol/')) continue;
    for (const fn of script.functions) {
      for (const range of fn.ranges) {
        if (range.count === 0) continue;
        const key = `${script.url}:${range.startOffset}:${range.endOffset}`;
        if (!seen.has(key)) { seen.add(key); fresh++; }
      }
    }
  }
  return fresh;
}

function mutate(b: Buffer): Buffer {
  let out = Buffer.from(b);
  for (let e = 1 + int(4); e > 0; e--) {
    const at = out.length ? int(out.length) : 0;
    switch (int(6)) {
      case 0: if (out.length) out[at] = int(256); break;
      case 1: if (out.length) out[at] = [0, 0x7f, 0x80, 0xff, 0xc1, 0xdc, 0xdd, 0xde, 0xdf, 0xc7, 0xc8, 0xc9, 0xd4][int(13)]!; break;
      case 2: out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(8) }, () => int(256))), out.subarray(at)]); break;
      case 3: out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + int(16)))]); break;
      case 4: { const other = corpus[int(corpus.length)]!; const from = int(other.length); out = Buffer.concat([out.subarray(0, at), other.subarray(from, from + 1 + int(32))]); break; }
      default: if (out.length >= at + 4) out.writeUInt32BE([0xffffffff, 0x7fffffff, 0x10000, 256][int(4)]!, at - (at % 4));
    }
  }
  return out;
}

const corpus: Buffer[] = [];
for (const s of seeds) { fuzzFrames(s); if (await newBlocks() > 0 || corpus.length === 0) corpus.push(s); }
const findings: string[] = [];
const t0 = Date.now();
for (let i = 0; i < runs; i++) {
  const input = mutate(corpus[int(corpus.length)]!);
  try {
    fuzzFrames(input);
  } catch (err) {
    findings.push(`${(err as Error).name}: ${(err as Error).message} <- ${input.toString('hex')}`);
  }
  if (await newBlocks() > 0) corpus.push(input);
}
await session.post('Profiler.stopPreciseCoverage');
console.log(JSON.stringify({ runs, seed: Number(values.seed), seconds: (Date.now() - t0) / 1000, corpus: corpus.length, blocksCovered: seen.size, findings: findings.length }));
for (const f of findings.slice(0, 20)) console.log(f.slice(0, 600));
process.exit(findings.length > 0 ? 1 : 0);
