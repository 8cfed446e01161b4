import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { RawClient } from './hardening-process.ts';

const held = (node: DsoNode, type: string, key: string) => (node.store.instanceOf(type, key) as unknown as { value: ArrayBufferView }).value;

describe('dso hardening - stored values do not pin their request', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => { await loadArrow(); node = await startDso({ port: 0 }); c = new RawClient(node.address, randomBytes(8)); });
  after(async () => { c.close(); await node.close(); });

  it('hardening views - 4 bytes stored from an 8 MiB request keep a buffer of their own size', async () => {
    const small = Uint8Array.from([1, 2, 3, 4]);
    const a = await c.send(1, c.frames(1, 'AtomicReference', 'r', 'set', [small], { init: [new Uint8Array(8 * 1024 * 1024)] }));
    assert.equal(a.ok, true);
    const v = held(node, 'AtomicReference', 'r');
    assert.deepEqual(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), small);
    assert.ok(v.buffer.byteLength < 64 * 1024, `the stored 4 bytes sit in a buffer of ${v.buffer.byteLength}`);
  });

  it('hardening views - a small numeric array (Arrow, a frame of its own) beside a large one keeps a small buffer; a large one is kept whole', async () => {
    const big = new Float64Array(1024 * 1024).fill(1);
    const a = await c.send(2, c.frames(2, 'AtomicReference', 'f', 'set', [new Float64Array([0.5, 1.5])], { init: [big] }));
    assert.equal(a.ok, true);
    const v = held(node, 'AtomicReference', 'f') as Float64Array;
    assert.deepEqual([...v], [0.5, 1.5]);
    assert.ok(v.buffer.byteLength < 64 * 1024, `the stored 16 bytes sit in a buffer of ${v.buffer.byteLength}`);
    await c.send(3, c.frames(3, 'AtomicReference', 'g', 'set', [big]));
    const g = held(node, 'AtomicReference', 'g') as Float64Array;
    assert.equal(g.length, big.length);
  });
});
