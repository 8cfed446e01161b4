import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { programTsxApi } from '../../../workers/local/ts-loader.ts';

describe('workers/local/ts-loader: the tsx a program runs under', () => {
  it('ts-loader - the tsx CLI\'s flags (file URLs of its dist/) name its ESM API', () => {
    const root = '/opt/app/node_modules/tsx/dist/';
    const api = pathToFileURL(join(root, 'esm', 'api', 'index.mjs')).href;
    assert.equal(programTsxApi(['--require', `${root}preflight.cjs`, '--import', `file://${root}loader.mjs`]), api);
    assert.equal(programTsxApi([`--import=file://${root}loader.mjs`]), api);
    assert.equal(programTsxApi(['--loader', `file://${root}esm/index.mjs`]), api);
  });

  it('ts-loader - `--import tsx` is resolved from the program\'s directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crucial-ts-loader-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(dir, 'node_modules', 'tsx'), { recursive: true });
      writeFileSync(join(dir, 'node_modules', 'tsx', 'package.json'), '{"name":"tsx","version":"0.0.0"}');
      process.chdir(dir);
      const api = pathToFileURL(join(dir, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;
      assert.equal(programTsxApi(['--import', 'tsx']), api);
      assert.equal(programTsxApi(['--import=tsx/esm']), api);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ts-loader - plain node, type stripping and other loaders are not tsx', () => {
    assert.equal(programTsxApi([]), null);
    assert.equal(programTsxApi(['--experimental-strip-types', '--no-warnings']), null);
    assert.equal(programTsxApi(['--import', 'file:///opt/app/node_modules/other/dist/loader.mjs', '--enable-source-maps']), null);
    assert.equal(programTsxApi(['--import']), null);
  });
});
