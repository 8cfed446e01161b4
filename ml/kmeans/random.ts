/**
 * Seeded generators: k-means++ must be replayable from `seed` alone, on the node as in a test, and
 * Math.random cannot be seeded. {@link createRng} (splitmix32 seeding a xoshiro128** state) gives
 * independent streams; {@link numpyRandomState} is numpy's legacy RandomState, whose draws
 * scikit-learn's k-means++ makes.
 */

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  /** Next uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A generator for `(seed, stream)`: each stream (an init run, a partition) gets its own independent
 * sequence, so results do not depend on the order in which partitions or runs draw.
 */
export function createRng(seed: number, stream = 0): Rng {
  const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  let a = mix(), b = mix(), c = mix(), d = mix();
  if ((a | b | c | d) === 0) a = 1;
  const next32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return r;
  };
  return {
    // 53 random bits, as Math.random gives.
    next: () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992,
    int(n: number): number { return Math.min(n - 1, Math.floor(this.next() * n)); },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * numpy's `RandomState(seed)` (MT19937 seeded by `init_genrand`; `next` is its `random_sample`: 53
 * bits from two 32-bit words), so k-means++ with `seed` draws what scikit-learn's KMeans with
 * `random_state=seed` draws. `seed` is taken modulo 2³² (numpy refuses seeds outside [0, 2³²)).
 */
export function numpyRandomState(seed: number): Rng {
  const N = 624, M = 397;
  const mt = new Uint32Array(N);
  mt[0] = Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
  for (let i = 1; i < N; i++) {
    const p = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
    mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
  }
  let idx = N;
  const next32 = (): number => {
    if (idx >= N) {
      for (let i = 0; i < N; i++) {
        const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
        mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      idx = 0;
    }
    let y = mt[idx++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  return {
    next: () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992,
    int(n: number): number { return Math.min(n - 1, Math.floor(this.next() * n)); },
  };
}
