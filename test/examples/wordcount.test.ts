import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCount, wordCount } from '../../examples/wordcount/main.ts';
import { Document, countWords } from '../../examples/wordcount/document.ts';
import { writeCorpus } from '../../examples/wordcount/corpus.ts';
import { runExample } from './helpers.ts';

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

  it('wordcount - cloud threads count "serverless" into a shared AtomicLong as a local count does (Listing 4)', async () => {
    const file = join(dir, 'doc.txt');
    await writeCorpus(file, 20_000);
    const local = await localCount(file, 'serverless');
    assert.ok(local > 0);
    const r = await wordCount({ file, word: 'serverless', tasks: 5 });
    assert.equal(r.count, BigInt(local));
  });

  it('wordcount - more splits than words still count correctly', async () => {
    const file = join(dir, 'tiny.txt');
    await writeFile(file, 'serverless is serverless');
    const r = await wordCount({ file, word: 'serverless', tasks: 12 });
    assert.equal(r.count, 2n);
  });

  it('wordcount - the command agrees with its own local check', async () => {
    const r = await runExample('examples/wordcount/main.ts', ['--generate', '5000', '--tasks', '3', '--check']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /local count: \d+ \(match\)/);
  });
});
