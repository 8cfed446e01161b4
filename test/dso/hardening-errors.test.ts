import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { RawClient } from './hardening-process.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const remoteStack = (a: { ok: boolean }) => ((a as { error?: { remoteStack?: string } }).error?.remoteStack ?? '');

describe('dso hardening - error replies', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => {
    node = await startDso({ port: 0, modulesDir: fileURLToPath(new URL('../fixtures/hardening/', import.meta.url)) });
    c = new RawClient(node.address, randomBytes(8));
  });
  after(async () => { c.close(); await node.close(); });

  it("hardening errors - the node's own refusals carry no stack: no source path, no frame", async () => {
    for (const [seq, type, method, args] of [[1, 'AtomicLong', 'addAndGet', ['x']], [2, 'NoSuchType', 'get', []], [3, 'AtomicLong', 'nope', []]] as const) {
      const a = await c.send(seq, c.frames(seq, type, 'k', method, [...args]));
      assert.equal(a.ok, false);
      assert.equal(remoteStack(a), '', `${type}.${method}`);
    }
  });

  it("hardening errors - a user method's error keeps its own frames and none of the node's", async () => {
    const a = await c.send(4, c.frames(4, 'Faulty', 'f', 'fail', []));
    assert.equal(a.ok, false);
    const stack = remoteStack(a);
    assert.match(stack, /^RangeError: user fault\n\s+at Faulty\.fail \(/);
    assert.ok(!stack.includes(join(ROOT, 'dso')), stack);
    assert.ok(!/node:internal|node_modules/.test(stack), stack);
  });
});
