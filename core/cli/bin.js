#!/usr/bin/env node
// The `crucial` command. Installed as a package it runs the compiled CLI with plain node; in a
// checkout (where main.ts sits next to this file) it runs the TypeScript sources through tsx, a
// devDependency, with the checkout's tsconfig so `crucial` imports resolve to the sources too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('./main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
  await import(source.href);
} else {
  await import('../../dist/core/cli/main.js');
}
