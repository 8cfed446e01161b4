/** A synthetic document for the word-count example: seeded, so a given size always gives the same text. */
import { writeFile } from 'node:fs/promises';

const WORDS = [
  'cloud', 'function', 'thread', 'state', 'shared', 'object', 'the', 'of', 'and', 'a', 'to', 'in',
  'serverless', 'Serverless', 'computing', 'storage', 'latency', 'barrier', 'counter', 'map', 'with',
  'server-less', 'serverlessness', 'node', 'DSO', 'linearizable', 'élastique', 'données',
];

/** Writes about `words` words of pseudo-random prose to `path`; returns the byte size. */
export async function writeCorpus(path: string, words: number, seed = 42): Promise<number> {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    parts.push(WORDS[Math.floor(next() * WORDS.length)]!);
    const r = next();
    parts.push(r < 0.05 ? '.\n' : r < 0.12 ? ', ' : ' ');
  }
  const text = parts.join('');
  await writeFile(path, text);
  return Buffer.byteLength(text);
}
