/**
 * Builds the pmem addon ahead of time: `npx tsx pmem/native/build.ts [--force]`.
 * Importing pmem builds it lazily too; CI calls this so a build failure shows up on its own line.
 */
import { buildNative } from "../native.ts";

const path = buildNative({ force: process.argv.includes("--force"), quiet: false });
console.log(`pmem addon ready: ${path}`);
