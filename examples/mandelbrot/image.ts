/**
 * The shared image of the seed's Listing 3. It lives on the DSO node: cloud threads send one row of
 * colours at a time and the node writes it into the RGBA buffer, so no thread ever holds the image.
 * Kept free of top-level side effects because the node imports this module to host the class.
 */
import { Shared } from 'crucial';

@Shared()
export class MandelbrotImage {
  width = 0;
  height = 0;
  rowsDone = 0;
  pixels = new Uint8Array(0);

  /** Allocates a black `width` x `height` image (and forgets any previous one). */
  init(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.rowsDone = 0;
    this.pixels = new Uint8Array(width * height * 4);
    for (let i = 3; i < this.pixels.length; i += 4) this.pixels[i] = 255;
  }

  /** Writes row `row` from packed 0xRRGGBB colours, one per column. */
  setRowColor(row: number, colors: Uint32Array | number[]): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.height) throw new RangeError(`row ${row} is outside 0..${this.height - 1}`);
    if (colors.length !== this.width) throw new RangeError(`row ${row} has ${colors.length} colours, expected ${this.width}`);
    let o = row * this.width * 4;
    for (let x = 0; x < this.width; x++, o += 4) {
      const c = colors[x]!;
      this.pixels[o] = (c >>> 16) & 0xff;
      this.pixels[o + 1] = (c >>> 8) & 0xff;
      this.pixels[o + 2] = c & 0xff;
    }
    this.rowsDone++;
  }

  /** Size and progress, without the pixels. */
  info(): { width: number; height: number; rowsDone: number } {
    return { width: this.width, height: this.height, rowsDone: this.rowsDone };
  }

  /** The whole image as RGBA bytes, row-major (what a PNG encoder takes). */
  rgba(): Uint8Array {
    return this.pixels;
  }
}
