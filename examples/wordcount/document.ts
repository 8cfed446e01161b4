/**
 * A lazy reference to a text document (the seed's `Document`, §3.1.3): what travels to a cloud
 * thread is the path and the number of splits, never the text. `split(i)` reads only split i's
 * bytes, on the thread that asks for it. Kept free of top-level side effects: workers import it.
 */
import { open, stat } from 'node:fs/promises';
import { Serializable } from 'crucial';

/** Bytes that belong to a word: ASCII letters and digits, and every byte of a multi-byte UTF-8 character. */
const isWordByte = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b >= 0x80;

@Serializable()
export class Document {
  /**
   * @param location path of the document (a mounted share or a local file on each worker)
   * @param splits number of splits `split(i)` divides it into
   */
  constructor(public location: string, public splits: number) {}

  /**
   * Text of split `i`: the words that start in the i-th of `splits` equal byte ranges. A word that
   * crosses the range's end belongs wholly to this split and is skipped by the next, so every word
   * is counted exactly once.
   */
  async split(i: number): Promise<string> {
    if (!Number.isInteger(i) || i < 0 || i >= this.splits) throw new RangeError(`split ${i} is outside 0..${this.splits - 1}`);
    const file = await open(this.location, 'r');
    try {
      const size = (await stat(this.location)).size;
      let lo = Math.floor((size * i) / this.splits);
      let hi = Math.floor((size * (i + 1)) / this.splits);
      if (lo >= hi) return '';
      // A word that crosses a range boundary belongs to the range it starts in.
      const endsInWord = hi < size && (await byteBefore(file, hi));
      if (lo > 0 && (await byteBefore(file, lo))) {
        lo = await scanToBoundary(file, lo, size);
        if (lo >= hi) return '';
      }
      if (endsInWord) hi = await scanToBoundary(file, hi, size);
      const buf = Buffer.alloc(hi - lo);
      await file.read(buf, 0, buf.length, lo);
      return buf.toString('utf8');
    } finally {
      await file.close();
    }
  }
}

/** Whether the byte just before `pos` is part of a word. */
async function byteBefore(file: import('node:fs/promises').FileHandle, pos: number): Promise<boolean> {
  const b = Buffer.alloc(1);
  await file.read(b, 0, 1, pos - 1);
  return isWordByte(b[0]!);
}

/** First position at or after `pos` that is not inside a word (or `size`). */
async function scanToBoundary(file: import('node:fs/promises').FileHandle, pos: number, size: number): Promise<number> {
  const chunk = Buffer.alloc(256);
  while (pos < size) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - pos), pos);
    for (let k = 0; k < bytesRead; k++) if (!isWordByte(chunk[k]!)) return pos + k;
    pos += bytesRead;
  }
  return size;
}

/**
 * Occurrences of `word` (case-insensitive, whole words) in `text`. Travels to cloud threads as
 * source, so it uses nothing but its arguments.
 */
export function countWords(word: string, text: string): number {
  const target = word.toLowerCase();
  let n = 0;
  for (const w of text.toLowerCase().split(/[^a-z0-9\u0080-\uffff]+/)) if (w === target) n++;
  return n;
}
