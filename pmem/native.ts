/**
 * Loads the node-gyp addon (mmap, msync, detach). On a fresh checkout the addon is built on first
 * use, so `npm ci` without install scripts still ends with a working heap; `pmem/native/build.ts`
 * does the same ahead of time for CI.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PmemNativeError } from "./errors.ts";

/** The functions the addon exports. */
export interface NativeBinding {
  map(fd: number, length: number): ArrayBuffer;
  msync(buffer: ArrayBuffer, offset: number, length: number): void;
  fence(): void;
  detach(buffer: ArrayBuffer): void;
}

const require = createRequire(import.meta.url);
const NATIVE_DIR = join(dirname(fileURLToPath(import.meta.url)), "native");
const ADDON = join(NATIVE_DIR, "build", "Release", "pmem.node");

function nodeGypScript(): string {
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    // npm ships its own node-gyp; use it when the devDependency is absent.
    const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
    if (existsSync(bundled)) return bundled;
    throw new PmemNativeError("node-gyp not found: run `npm install` (it is a devDependency)");
  }
}

/**
 * Builds the addon with node-gyp; a lock directory keeps concurrent first imports from racing.
 * @throws {PmemNativeError} if node-gyp is missing or fails, or another build holds the lock too long
 */
export function buildNative(options: { force?: boolean; quiet?: boolean } = {}): string {
  if (existsSync(ADDON) && !options.force) return ADDON;
  const lock = join(NATIVE_DIR, ".build-lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(ADDON) && !options.force) return ADDON;
      if (Date.now() > deadline) throw new PmemNativeError(`timed out waiting for ${lock}; remove it if stale`);
      spawnSync(process.execPath, ["-e", "setTimeout(()=>{},200)"]);
    }
  }
  try {
    // Build against the headers of the running Node when they are installed beside it, so no
    // download is needed (and none is possible on an offline machine).
    const prefix = dirname(dirname(process.execPath));
    const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, "include", "node", "common.gypi")) ? prefix : undefined);
    const args = [nodeGypScript(), "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
    const r = spawnSync(process.execPath, args, {
      cwd: NATIVE_DIR,
      encoding: "utf8",
      stdio: options.quiet ? "pipe" : "inherit",
    });
    if (r.status !== 0 || !existsSync(ADDON)) {
      throw new PmemNativeError(`node-gyp rebuild failed in ${NATIVE_DIR} (status ${r.status})\n${r.stderr ?? ""}`);
    }
    return ADDON;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

let binding: NativeBinding | undefined;

/** The loaded addon, building it first if needed. */
export function native(): NativeBinding {
  if (binding) return binding;
  try {
    binding = require(buildNative({ quiet: true })) as NativeBinding;
  } catch (err) {
    if (err instanceof PmemNativeError) throw err;
    throw new PmemNativeError(`cannot load ${ADDON}`, { cause: err });
  }
  return binding;
}
