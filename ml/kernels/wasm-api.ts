/**
 * What the WebAssembly kernels (wasm.ts: k-means and multinomial logistic; logistic.ts: the binary
 * logistic pass) share: the engine's WebAssembly API, the memory limits, and compiling a module once.
 */

// The project's lib has no DOM, and @types/node declares WebAssembly only as a namespace of types.
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const PAGE = 65536;
/** A 32-bit instance's memory, less a page. */
export const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

/** A module compiled on first use from its base64 bytes; null when this engine cannot (no WebAssembly SIMD). */
export function lazyModule(base64: string): () => object | null {
  let compiled: object | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        compiled = new WA.Module(Buffer.from(base64, 'base64'));
      } catch {
        compiled = null;
      }
    }
    return compiled;
  };
}
