import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { decodeArrow, encodeTable, loadArrow } from '../../core/protocol/wire/arrow.ts';
import { detachSmallViews } from '../../dso/detach.ts';
import { RawClient } from './hardening-process.ts';
import { tableFromArrays, type Data, type Table } from 'apache-arrow';

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

describe('dso hardening - a stored Arrow Table does not pin its request', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => { await loadArrow(); node = await startDso({ port: 0 }); c = new RawClient(node.address, randomBytes(8)); });
  after(async () => { c.close(); await node.close(); });

  /** Every buffer under the columns of `t` (values, offsets, validity, children, dictionaries). */
  const buffersOf = (t: Table): ArrayBufferLike[] => {
    const out: ArrayBufferLike[] = [];
    const walk = (d: Data | undefined): void => {
      if (!d) return;
      for (const b of [d.values, d.valueOffsets, d.nullBitmap, d.typeIds] as (ArrayBufferView | undefined)[]) if (b && b.byteLength) out.push(b.buffer);
      for (const ch of d.children) walk(ch);
      for (const dd of d.dictionary?.data ?? []) walk(dd);
    };
    for (const b of t.batches) walk(b.data);
    return out;
  };

  it('hardening views - a small Table stored beside an 8 MiB array keeps buffers of its own size, with the same rows', async () => {
    // apache-arrow copies a column whose frame is misaligned and keeps a view when it is aligned: keys of 8
    // lengths shift the Table's frame through every offset mod 8 in the request.
    const small = tableFromArrays({ x: Float64Array.from([0.5, 1.5, 2.5]), n: Int32Array.from([1, 2, 3]) });
    for (let i = 0; i < 8; i++) {
      const key = `t${'k'.repeat(i)}`;
      const a = await c.send(10 + i, c.frames(10 + i, 'AtomicReference', key, 'set', [small], { init: [new Float64Array(1024 * 1024).fill(1)] }));
      assert.equal(a.ok, true, JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
      const t = node.store.instanceOf('AtomicReference', key) as unknown as { value: Table };
      assert.deepEqual(t.value.toArray().map((r) => r.toJSON()), [{ x: 0.5, n: 1 }, { x: 1.5, n: 2 }, { x: 2.5, n: 3 }]);
      const bufs = buffersOf(t.value);
      assert.ok(bufs.length > 0);
      for (const b of bufs) assert.ok(b.byteLength < 4096, `the 3-row Table stored under ${key} sits in a buffer of ${b.byteLength}`);
    }
  });

  it('hardening views - a Table decoded from an aligned frame inside a large buffer is re-decoded from a copy; a large one is kept whole', () => {
    const enc = encodeTable(tableFromArrays({ x: Float64Array.from([0.5, 1.5]) }));
    const big = new Uint8Array(1 << 20);
    big.set(enc, 0);
    const view = decodeArrow(big.subarray(0, enc.byteLength)) as Table;
    assert.equal(buffersOf(view)[0], big.buffer); // the premise: apache-arrow keeps views of an aligned frame
    const detached = detachSmallViews(view) as Table;
    assert.deepEqual(detached.getChild('x')?.toArray(), Float64Array.from([0.5, 1.5]));
    for (const b of buffersOf(detached)) assert.ok(b.byteLength < 4096, `a buffer of ${b.byteLength}`);
    const whole = decodeArrow(encodeTable(tableFromArrays({ x: new Float64Array(4096) }))) as Table;
    assert.equal(detachSmallViews(whole), whole);
  });
});
