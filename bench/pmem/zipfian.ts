/**
 * YCSB key choosers: the scrambled Zipfian (constant 0.99) of workloads A-C/F and the "latest"
 * distribution of D, after YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record
 * synthetic databases").
 */

/** xorshift32: deterministic, so every backend replays the same operation sequence. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export class Zipfian {
  private readonly n: number;
  private readonly theta: number;
  private readonly alpha: number;
  private readonly zetan: number;
  private readonly eta: number;
  private readonly zeta2: number;
  private readonly rand: () => number;

  constructor(n: number, rand: () => number, theta = 0.99) {
    this.n = n;
    this.theta = theta;
    this.rand = rand;
    this.zeta2 = 1 + Math.pow(0.5, theta);
    let z = 0;
    for (let i = 1; i <= n; i++) z += 1 / Math.pow(i, theta);
    this.zetan = z;
    this.alpha = 1 / (1 - theta);
    this.eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - this.zeta2 / this.zetan);
  }

  /** A rank in [0, n): 0 is the most popular. */
  next(): number {
    const u = this.rand();
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < this.zeta2) return 1;
    return Math.min(this.n - 1, Math.floor(this.n * Math.pow(this.eta * u - this.eta + 1, this.alpha)));
  }
}

/** FNV-1a of a rank, so popular keys are spread over the key space (YCSB's scrambled Zipfian). */
export function scramble(rank: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 4; i++) {
    h = Math.imul(h ^ ((rank >>> (8 * i)) & 0xff), 0x01000193);
  }
  return (h >>> 0) % n;
}

/** YCSB key naming. */
export function keyOf(i: number): string {
  return `user${i}`;
}
