import { strict as assert } from 'node:assert';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { AtomicReference, connect, type Connection } from '../../../core/index.ts';

/**
 * A value dropped by `set` may share its receive frame with the value that replaces it: bytes
 * (MessagePack bin) travel inside a call's first frame, so a proxy's first call carries the initial
 * value and the new one in one buffer. Recycling the old value's buffer then must not empty the new one.
 */
describe('atomic-reference - a dropped value sharing its frame with the new value', () => {
  const N = 1_200_000; // two of them make a first frame past the pool's 1 MiB threshold
  let node: DsoNode;
  let conn: Connection;
  before(async () => { node = await startDso({ port: 0, host: '127.0.0.1', insecure: true }); conn = connect(node.address); });
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
});
