import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCount, wordCount } from '../../examples/wordcount/main.ts';
import { Document, countWords } from '../../examples/wordcount/document.ts';
import { writeCorpus } from '../../examples/wordcount/corpus.ts';
import { runExample } from './helpers.ts';

/** Words that count as "serverless", near misses that do not, and filler, some of it multi-byte. */
const HITS = ['serverless', 'Serverless', 'SERVERLESS'];
const MISSES = ['server-less', 'serverlessness', 'serverles', 'serverlessé', 'éserverless', 'server', 'less'];
const FILLER = ['cloud', 'thread', 'état', 'données', '日本語', 'a'];
const SEPARATORS = [' ', ', ', '. ', '\n', ' — ', '; '];

/** A seeded document and how many times "serverless" occurs in it as a whole word, counted as it is written. */
function documentWithKnownCount(seed: number, words: number): { text: string; occurrences: number } {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const parts: string[] = [];
  let occurrences = 0;
  for (let i = 0; i < words; i++) {
    const kind = pick([0, 1, 2, 2, 2]);
    const word = pick(kind === 0 ? HITS : kind === 1 ? MISSES : FILLER);
    if (kind === 0) occurrences++;
    parts.push(word, pick(SEPARATORS));
  }
  return { text: parts.join(''), occurrences };
}

describe('examples/wordcount', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'crucial-wordcount-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('wordcount - countWords matches whole words only, ignoring case', () => {
    assert.equal(countWords('serverless', 'Serverless, serverless. server-less serverlessness SERVERLESS'), 3);
  });

  it('wordcount - the splits of a document hold every word exactly once', async () => {
    const file = join(dir, 'splits.txt');
    await writeCorpus(file, 3_000, 7);
    for (const n of [1, 2, 7, 64]) {
      const doc = new Document(file, n);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) parts.push(await doc.split(i));
      const words = (t: string) => t.split(/[^A-Za-z0-9\u0080-\uffff]+/).filter(Boolean);
      assert.deepEqual(parts.flatMap(words), words(await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'))), `${n} splits`);
    }
  });

  it('wordcount - cloud threads count "serverless" into a shared AtomicLong exactly as often as the document holds it (Listing 4)', async () => {
    // The document is written here with its count known by construction, among near misses that
    // must not count and multi-byte words that the splits must not cut.
    const seed = Number(process.env.CRUCIAL_WORDCOUNT_SEED ?? Date.now() % 2 ** 31);
    const { text, occurrences } = documentWithKnownCount(seed, 20_000);
    const file = join(dir, 'doc.txt');
    await writeFile(file, text);
    const r = await wordCount({ file, word: 'serverless', tasks: 5 });
    assert.equal(r.count, BigInt(occurrences), `replay with CRUCIAL_WORDCOUNT_SEED=${seed}`);
    assert.equal(await localCount(file, 'serverless'), occurrences, `replay with CRUCIAL_WORDCOUNT_SEED=${seed}`);
  });

  it('wordcount - more splits than words still count correctly', async () => {
    const file = join(dir, 'tiny.txt');
    await writeFile(file, 'serverless is serverless');
    const r = await wordCount({ file, word: 'serverless', tasks: 12 });
    assert.equal(r.count, 2n);
  });

  it('wordcount - the command prints the count of its generated document', async () => {
    const r = await runExample('examples/wordcount/main.ts', ['--generate', '5000', '--tasks', '3', '--check']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const m = /"serverless" occurs (\d+) times in (\S+) /.exec(r.stdout);
    assert.ok(m, r.stdout);
    // The generated prose separates words by spaces, commas and full stops only.
    const tokens = (await readFile(m[2]!, 'utf8')).split(/[ ,.\n]+/);
    assert.equal(Number(m[1]), tokens.filter((t) => t.toLowerCase() === 'serverless').length);
    assert.match(r.stdout, /local count: \d+ \(match\)/);
  });
});
