/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32) so a forest is reproducible
 * from its seed alone, whatever machine or worker grows each tree. Math.random cannot be seeded.
 */

/** splitmix32 step: spreads a 32-bit state into a well-mixed word. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** Derives the seed of stream `index` of a run seeded with `seed` (one stream per tree). */
export function deriveSeed(seed: number, index: number): number {
  let [s, a] = splitmix32(seed | 0);
  [s, a] = splitmix32((s ^ Math.imul(index + 1, 0x27d4eb2d)) | 0);
  return a;
}

/** xoshiro128**: 128 bits of state, period 2^128 - 1; plenty for bootstrap draws and feature picks. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [n, w] = splitmix32(s);
      s = n;
      words.push(w);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift; the bias is below 2^-32 · n). */
  nextInt(n: number): number {
    return Math.floor((this.nextU32() / 4294967296) * n);
  }

  /** A uniform double in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
