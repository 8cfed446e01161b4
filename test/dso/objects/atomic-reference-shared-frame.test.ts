import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { AtomicReference, connect, type Connection } from '../../../core/index.ts';
import { loadArrow } from '../../../core/protocol/wire/arrow.ts';
import { RawClient } from '../hardening-process.ts';

/**
 * A value dropped by `set` may share its receive frame with the value that replaces it: bytes
 * (MessagePack bin) travel inside a call's first frame, so a proxy's first call carries the initial
 * value and the new one in one buffer. Recycling the old value's buffer then must not empty the new one.
 */
describe('atomic-reference - a dropped value sharing its frame with the new value', () => {
  const N = 1_200_000; // two of them make a first frame past the pool's 1 MiB threshold
  let node: DsoNode;
  let conn: Connection;
  before(async () => { await loadArrow(); node = await startDso({ port: 0, host: '127.0.0.1', insecure: true }); conn = connect(node.address); });
  after(async () => { await conn.close(); await node.close(); });

  const bytes = (v: number) => Buffer.alloc(N, v);
  const isFilled = (b: unknown, v: number) => b instanceof Uint8Array && b.length === N && b.every((x) => x === v);

  it('atomic-reference shared frame - initial bytes then set(bytes) in one call: the new value reads back', async () => {
    const r = new AtomicReference<Uint8Array>('shared-frame-set', bytes(1), { connection: conn });
    await r.set(bytes(2));
    assert.ok(isFilled(await r.get(), 2));
  });

  it('atomic-reference shared frame - initial bytes then set([bytes]): the list element reads back', async () => {
    const r = new AtomicReference<Uint8Array[]>('shared-frame-list', bytes(1) as unknown as Uint8Array[], { connection: conn });
    await r.set([bytes(4)]);
    const got = await r.get();
    assert.ok(Array.isArray(got) && got.length === 1 && isFilled(got[0], 4));
  });

  it('atomic-reference shared frame - a call naming one Arrow attachment as initial value and as set value: the value reads back', async () => {
    // A hand-made envelope (any client may send one): both Arrow extensions point at frame 1, so the
    // initial value and the new one are two views of one receive buffer.
    const raw = new RawClient(node.address, randomBytes(8));
    try {
      const a = new Float64Array(200_000).fill(7); // 1.6 MB: a pooled frame
      const frames = raw.frames(1, 'AtomicReference', 'shared-frame-arrow', 'set', [a], { init: [a] });
      const head = Buffer.from(frames[0]!);
      const second = head.indexOf(Buffer.from([0xd6, 0x01, 0, 0, 0, 2])); // fixext 4, Ext.ARROW, frame index 2
      assert.ok(second > 0 && frames.length === 3);
      head[second + 5] = 1;
      assert.equal((await raw.send(1, [head, frames[1]!])).ok, true);
      const got = await raw.send(2, raw.frames(2, 'AtomicReference', 'shared-frame-arrow', 'get', []));
      if (!got.ok) throw got.error;
      const v = got.value as Float64Array;
      assert.ok(v instanceof Float64Array && v.length === a.length && v.every((x) => x === 7));
    } finally {
      raw.close();
    }
  });
});
