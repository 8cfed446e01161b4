/**
 * Parallel word count (seed Listing 4): each cloud thread reads one split of the document lazily,
 * counts "serverless" in it and adds the count to a shared AtomicLong.
 *
 *   npx tsx examples/wordcount/main.ts --file book.txt --tasks 8
 *   npx tsx examples/wordcount/main.ts --generate 200000 --tasks 8     (synthetic document)
 */
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AtomicLong, ServerlessExecutorService, shutdown } from 'crucial';
import { Document, countWords } from './document.ts';
import { writeCorpus } from './corpus.ts';
import { isMain, positiveInt } from '../lib/cli.ts';

export interface WordCountOptions {
  /** Path of the document (read by the cloud threads themselves). */
  file: string;
  /** Word to count. */
  word: string;
  /** Cloud threads, one split each (N_TASKS). */
  tasks: number;
}

export interface WordCountResult {
  count: bigint;
  seconds: number;
}

/** Listing 4. */
export class WordCount {
  private readonly document: Document;
  private readonly word: string;

  constructor(private readonly opts: WordCountOptions) {
    this.document = new Document(resolve(opts.file), opts.tasks);
    this.word = opts.word;
  }

  async compute(): Promise<bigint> {
    const N_TASKS = this.opts.tasks;
    const { document, word } = this;
    const counter = new AtomicLong('wordcount', 0, { forceNew: true });
    const se = new ServerlessExecutorService();
    await se.invokeIterativeTask(
      async (i: number) => counter.addAndGet(countWords(word, await document.split(i))),
      N_TASKS, 0, N_TASKS,
      { captures: { counter, countWords, word, document } },
    );
    se.shutdown();
    return counter.get();
  }
}

export async function wordCount(opts: WordCountOptions): Promise<WordCountResult> {
  const start = performance.now();
  const count = await new WordCount(opts).compute();
  return { count, seconds: (performance.now() - start) / 1000 };
}

/** The same count done locally in one pass, to check the distributed one. */
export async function localCount(file: string, word: string): Promise<number> {
  return countWords(word, await readFile(file, 'utf8'));
}

async function main(): Promise<void> {
  const opts = new Command('wordcount')
    .description('count a word in a document split among cloud threads, into a shared AtomicLong (seed Listing 4)')
    .option('-f, --file <path>', 'document to read (default: a generated one)')
    .option('-g, --generate <words>', 'size of the generated document, in words', positiveInt, 100_000)
    .option('-w, --word <word>', 'word to count', 'serverless')
    .option('-t, --tasks <n>', 'cloud threads (splits)', positiveInt, 8)
    .option('--check', 'also count locally and compare', false)
    .parse()
    .opts<{ file?: string; generate: number; word: string; tasks: number; check: boolean }>();
  try {
    let file = opts.file;
    if (!file) {
      file = join(tmpdir(), `crucial-wordcount-${opts.generate}.txt`);
      const bytes = await writeCorpus(file, opts.generate);
      console.log(`generated ${file} (${opts.generate} words, ${bytes} bytes)`);
    }
    const r = await wordCount({ file, word: opts.word, tasks: opts.tasks });
    console.log(`"${opts.word}" occurs ${r.count} times in ${file} (${opts.tasks} cloud threads, ${r.seconds.toFixed(2)} s)`);
    if (opts.check) {
      const local = await localCount(file, opts.word);
      console.log(`local count: ${local} (${BigInt(local) === r.count ? 'match' : 'MISMATCH'})`);
      if (BigInt(local) !== r.count) process.exitCode = 1;
    }
  } finally {
    await shutdown();
  }
}

if (isMain(import.meta.url)) await main();
