import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { RawClient } from './hardening-process.ts';

/** The frames of a call with every '@@@' replaced by the three bytes @msgpack/msgpack writes for a lone surrogate. */
function withLoneSurrogate(frames: Uint8Array[]): Uint8Array[] {
  const head = Buffer.from(frames[0]!);
  const mark = Buffer.from('@@@');
  let i = head.indexOf(mark);
  assert.ok(i >= 0);
  while (i >= 0) { head.set([0xed, 0xa0, 0x80], i); i = head.indexOf(mark, i); }
  return [new Uint8Array(head), ...frames.slice(1)];
}

const code = (a: { ok: boolean }) => (a as { error?: { code?: string } }).error?.code;

describe('dso hardening - strings that are not UTF-8', () => {
  let node: DsoNode;
  let c: RawClient;
  before(async () => { node = await startDso({ port: 0 }); c = new RawClient(node.address, randomBytes(8)); });
  after(async () => { c.close(); await node.close(); });

  it('hardening strings - a key with a lone surrogate is refused with ERR_BAD_ARGUMENT naming the call, and not stored', async () => {
    const a = await c.send(1, withLoneSurrogate(c.frames(1, 'AtomicReference', 'k@@@', 'set', ['v'])));
    assert.equal(code(a), 'ERR_BAD_ARGUMENT');
    assert.equal(node.store.instanceOf('AtomicReference', 'k\ud800'), undefined);
    assert.equal(node.store.instanceOf('AtomicReference', 'k\ufffd'), undefined);
  });

  it('hardening strings - a lone surrogate deep in the arguments (a map key, a list item) is refused too', async () => {
    assert.equal(code(await c.send(2, withLoneSurrogate(c.frames(2, 'AtomicMap', 'm', 'put', ['x', { '@@@': 1 }])))), 'ERR_BAD_ARGUMENT');
    assert.equal(code(await c.send(3, withLoneSurrogate(c.frames(3, 'AtomicList', 'l', 'add', [['ok', '@@@']])))), 'ERR_BAD_ARGUMENT');
    assert.equal(code(await c.send(4, withLoneSurrogate(c.frames(4, 'AtomicMap', 'm', 'size', [], { init: [], module: '@@@' })))), 'ERR_BAD_ARGUMENT');
  });

  it('hardening strings - valid non-ASCII keys and values round-trip unchanged', async () => {
    const key = 'clé-🔑-ключ';
    const value = 'é'.repeat(300) + '😀';
    assert.deepEqual(await c.send(5, c.frames(5, 'AtomicReference', key, 'set', [value])), { ok: true, value: null });
    assert.deepEqual(await c.send(6, c.frames(6, 'AtomicReference', key, 'get', [])), { ok: true, value });
  });

  it('hardening strings - a client cannot send a lone surrogate either: BadArgumentError at the caller', () => {
    assert.throws(() => new WireCodec().encodeCall(randomBytes(8), 1, 'AtomicReference', 'k\ud800', 'get', []), BadArgumentError);
    assert.throws(() => new WireCodec().encodeOk(1, ['\udc00x']), BadArgumentError);
  });

  it('hardening strings - an error whose text holds a lone surrogate still travels, made well-formed', () => {
    const codec = new WireCodec();
    const back = codec.decodeValue(codec.encodeError(1, { code: 'ERR_REMOTE', name: 'Error', message: 'bad \ud800 key', stack: '' }));
    assert.equal((back[3] as { message: string }).message, 'bad \ufffd key');
  });
});
