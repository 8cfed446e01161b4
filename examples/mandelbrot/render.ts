/**
 * Pixel colours of the Mandelbrot set. `computeRow` travels to cloud threads as source, so it uses
 * nothing but its arguments: no imports, no module-level names, no named inner functions.
 */

/** The viewed part of the complex plane. */
export const VIEW = { reMin: -2.5, reMax: 1.0, imMin: -1.25, imMax: 1.25 } as const;

/**
 * Colours of row `row` as packed 0xRRGGBB: black inside the set (no escape within `maxIters`),
 * otherwise a blue-to-orange gradient by escape speed.
 */
export function computeRow(row: number, width: number, height: number, maxIters: number): Uint32Array {
  const out = new Uint32Array(width);
  const im = -1.25 + (2.5 * (row + 0.5)) / height;
  for (let col = 0; col < width; col++) {
    const re = -2.5 + (3.5 * (col + 0.5)) / width;
    let x = 0;
    let y = 0;
    let i = 0;
    while (i < maxIters && x * x + y * y <= 4) {
      const xt = x * x - y * y + re;
      y = 2 * x * y + im;
      x = xt;
      i++;
    }
    if (i >= maxIters) {
      out[col] = 0x000000;
    } else {
      const t = Math.sqrt(i / maxIters);
      const r = Math.round(255 * Math.min(1, 2 * t));
      const g = Math.round(255 * t * (1 - t) * 3);
      const b = Math.round(255 * (1 - t) * 0.8 + 40);
      out[col] = (r << 16) | (g << 8) | Math.min(255, b);
    }
  }
  return out;
}
