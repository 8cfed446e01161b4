import { strict as assert } from 'node:assert';
import { FrameDecoder, HEAD, HEAD_BYTES } from '../../../../../core/protocol/transport/zmtp/decoder.ts';
import { Flag, ZmtpProtocolError, encodeCommand, encodeMessage, greeting } from '../../../../../core/protocol/transport/zmtp/wire.ts';

interface Got { greeting?: Buffer; frames: { flags: number; body: Buffer | null; size: number }[] }

function decoderInto(got: Got, accept: (flags: number, size: number) => boolean | typeof HEAD = () => true): FrameDecoder {
  return new FrameDecoder({
    greeting: (g) => { got.greeting = Buffer.from(g); },
    accept,
    frame: (flags, body, size) => got.frames.push({ flags, body: body && Buffer.from(body), size }),
  });
}

/** A pseudo-random generator with a seed, so a failing split can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('zmtp decoder', () => {
  const frames = [Buffer.from('route'), Buffer.alloc(0), Buffer.alloc(255, 1), Buffer.alloc(256, 2), Buffer.alloc(70_000, 3)];
  const stream = Buffer.concat([greeting(), encodeCommand('READY'), encodeMessage(frames), encodeMessage([Buffer.from('x')])]);

  it('zmtp decoder - a long frame header declares its 64-bit size exactly up to 2^53 - 1; past it the link fails', () => {
    const header = (size: bigint) => { const h = Buffer.alloc(9); h[0] = Flag.LONG; h.writeBigUInt64BE(size, 1); return h; };
    for (const size of [256n, 2n ** 32n - 1n, 2n ** 32n + 5n, 2n ** 40n + 123n, 2n ** 53n - 1n]) {
      const declared: number[] = [];
      const got: Got = { frames: [] };
      const d = decoderInto(got, (_flags, n) => { declared.push(n); return false; });
      d.push(greeting());
      d.push(header(size));
      assert.deepEqual(declared, [Number(size)]);
    }
    const d = decoderInto({ frames: [] });
    d.push(greeting());
    assert.throws(() => d.push(header(2n ** 53n)), (e: unknown) => e instanceof ZmtpProtocolError && /out of range/.test(e.message));
  });

  it('zmtp decoder - any split of the byte stream into chunks yields the same greeting and frames', () => {
    const whole: Got = { frames: [] };
    decoderInto(whole).push(stream);
    assert.equal(whole.frames.length, 7);
    assert.deepEqual(whole.frames.slice(1, 6).map((f) => f.body), frames);
    assert.deepEqual(whole.frames.map((f) => f.flags & Flag.MORE), [0, 1, 1, 1, 1, 0, 0]);
    for (let seed = 1; seed <= 40; seed++) {
      const next = rng(seed);
      const got: Got = { frames: [] };
      const d = decoderInto(got);
      for (let at = 0; at < stream.length;) {
        // Mostly tiny chunks (headers split mid-way), some large ones.
        const n = next() < 0.8 ? 1 + Math.floor(next() * 12) : 1 + Math.floor(next() * 40_000);
        d.push(stream.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(got, whole, `split with seed ${seed}`);
    }
  });

  it('zmtp decoder - a frame declined but for its head yields its first HEAD_BYTES, however the stream is split', () => {
    // Every frame of the stream above declined with HEAD: small ones whole, the 255/256/70,000-byte ones cut to their heads.
    const expected = [Buffer.from('route'), Buffer.alloc(0), Buffer.alloc(HEAD_BYTES, 1), Buffer.alloc(HEAD_BYTES, 2), Buffer.alloc(HEAD_BYTES, 3), Buffer.from('x')];
    for (let seed = 0; seed <= 40; seed++) {
      const next = rng(seed);
      const got: Got = { frames: [] };
      const d = decoderInto(got, () => HEAD);
      for (let at = 0; at < stream.length;) {
        const n = seed === 0 ? stream.length : next() < 0.8 ? 1 + Math.floor(next() * 12) : 1 + Math.floor(next() * 40_000);
        d.push(stream.subarray(at, at + n));
        at += n;
        // The socket may read straight into a frame kept whole (here, of HEAD_BYTES at most), never into a head.
        assert.ok((d.directTarget()?.length ?? 0) <= HEAD_BYTES, `split with seed ${seed}`);
      }
      assert.deepEqual(got.frames.slice(1).map((f) => f.body), expected, `split with seed ${seed}`);
      assert.deepEqual(got.frames.slice(1).map((f) => f.size), [5, 0, 255, 256, 70_000, 1], `split with seed ${seed}`);
    }
  });

  it('zmtp decoder - reading straight into the frame being filled yields the same frames as pushed chunks', () => {
    const whole: Got = { frames: [] };
    decoderInto(whole).push(stream);
    for (let seed = 1; seed <= 20; seed++) {
      const next = rng(seed);
      const got: Got = { frames: [] };
      const d = decoderInto(got);
      let direct = 0;
      for (let at = 0; at < stream.length;) {
        const target = d.directTarget();
        const n = 1 + Math.floor(next() * 20_000);
        if (target) {
          // What a socket with onread does: the kernel writes into the lent buffer, at most its length.
          const k = stream.copy(target, 0, at, at + Math.min(n, target.length));
          d.advance(k);
          at += k;
          direct++;
        } else {
          d.push(stream.subarray(at, at + n));
          at += n;
        }
      }
      assert.ok(direct > 0, `seed ${seed} read nothing directly`);
      assert.deepEqual(got, whole, `direct reads with seed ${seed}`);
    }
  });

  it('zmtp decoder - lends no buffer for a declined frame and refuses to advance past a frame', () => {
    const d = decoderInto({ frames: [] }, (_flags, size) => size < 1000);
    const big = encodeMessage([Buffer.alloc(70_000, 3)]);
    d.push(Buffer.concat([greeting(), encodeCommand('READY'), big.subarray(0, 100)]));
    assert.equal(d.directTarget(), null);
    const kept = decoderInto({ frames: [] });
    kept.push(Buffer.concat([greeting(), encodeCommand('READY'), big.subarray(0, 100)]));
    const target = kept.directTarget()!;
    assert.equal(target.length, 70_000 - (100 - 9));
    assert.throws(() => kept.advance(target.length + 1), RangeError);
  });

  it('zmtp decoder - a declined frame is skipped without being buffered and the next one is read', () => {
    const got: Got = { frames: [] };
    const d = decoderInto(got, (_flags, size) => size < 1000);
    for (let at = 0; at < stream.length; at += 4096) d.push(stream.subarray(at, at + 4096));
    const big = got.frames.find((f) => f.size === 70_000)!;
    assert.equal(big.body, null);
    assert.deepEqual(got.frames.at(-1)!.body, Buffer.from('x'));
  });

  it('zmtp decoder - reserved flag bits are a protocol error', () => {
    const d = decoderInto({ frames: [] });
    d.push(greeting());
    assert.throws(() => d.push(Buffer.from([0x10, 1, 0])), ZmtpProtocolError);
  });
});
