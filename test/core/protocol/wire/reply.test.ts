import { strict as assert } from 'node:assert';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { parseReply, peekReplySeq } from '../../../../core/protocol/wire/reply.ts';
import { Kind } from '../../../../core/protocol/wire/protocol.ts';
import { BadFrameError, ProtocolVersionError } from '../../../../core/protocol/errors.ts';

describe('reply', () => {
  const codec = new WireCodec();
  it('reply - an OK reply decodes to its seq and value', () => {
    assert.deepEqual(parseReply(codec.decodeValue(codec.encodeOk(7, [1, 'a']))), { kind: Kind.OK, seq: 7, payload: [1, 'a'] });
  });
  it('reply - an ERROR reply carries the error map', () => {
    const err = { code: 'ERR_TIMEOUT', name: 'TimeoutError', message: 'm', stack: '' };
    assert.deepEqual(parseReply(codec.decodeValue(codec.encodeError(3, err))), { kind: Kind.ERROR, seq: 3, payload: err });
  });
  it('reply - a CALL or an unknown kind is a bad frame, with the message Python gives', () => {
    const call = codec.decodeValue(codec.encodeCall(new Uint8Array(8), 1, 'AtomicLong', 'k', 'get', []));
    assert.throws(() => parseReply(call), (e: unknown) => e instanceof BadFrameError && e.message === 'unexpected reply kind 0');
    assert.throws(() => parseReply(codec.decodeValue(codec.encodeValue([1, 9, 1, null]))), /unexpected reply kind 9/);
  });
  it('reply - peekReplySeq finds the seq of an envelope that does not parse, and nothing in what is no envelope', () => {
    assert.equal(peekReplySeq([1, 9, 42, null]), 42);
    assert.equal(peekReplySeq([1, Kind.OK, '42', null]), null);
    assert.equal(peekReplySeq('junk'), null);
  });
  it('reply - a seq that is no integer is a bad frame, and a wrong version is refused before', () => {
    assert.throws(() => parseReply(codec.decodeValue(codec.encodeValue([1, Kind.OK, '1', null]))), /reply seq/);
    assert.throws(() => codec.decodeValue(codec.encodeValue([2, Kind.OK, 1, null])), ProtocolVersionError);
  });
});
