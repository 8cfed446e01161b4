import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dealer } from 'zeromq';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { loadArrow } from '../../../../core/protocol/wire/arrow.ts';
import { Kind } from '../../../../core/protocol/wire/protocol.ts';
import { unpackFrames, toTagged, packFrames } from '../../../../core/protocol/wire/vectors/format.ts';
import { vectorCases } from '../../../../core/protocol/wire/vectors/cases.ts';
import { renderCase } from '../../../../core/protocol/wire/vectors/generate.ts';
import { withDso, zmqCredentials } from '../../../helpers/dso.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../core/protocol/wire/vectors');

interface FrameInfo { length: number; hex?: string; sha256?: string }
interface Side { file: string; envelope: unknown; frames: FrameInfo[] }
interface Vector { name: string; replay: boolean; request: Side; response: Side }

const vectors: Vector[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Vector);
const framesOf = (side: Side) => unpackFrames(new Uint8Array(readFileSync(join(DIR, side.file))));
const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('wire vectors', () => {
  // The codec loads apache-arrow on first need; these cases call it synchronously.
  before(() => loadArrow());

  it('wire vectors - there is one vector per object type plus the error and codec cases', () => {
    const names = new Set(vectors.map((v) => v.name));
    for (const n of ['atomic-long', 'atomic-int', 'atomic-boolean', 'atomic-reference', 'atomic-byte-array', 'atomic-counter',
      'atomic-list', 'atomic-map', 'atomic-tree-map', 'atomic-matrix', 'cyclic-barrier', 'future', 'semaphore',
      'count-down-latch', 'scalable-cyclic-barrier', 'system-ping', 'float64-1e5', 'object-ref', 'nested',
      'error-bad-argument', 'error-unknown-method', 'error-bad-frame', 'error-remote']) {
      assert.ok(names.has(n), `missing vector ${n}`);
    }
  });

  it('wire vectors - the generator reproduces every file on disk byte for byte', () => {
    for (const c of vectorCases()) {
      for (const [name, content] of renderCase(c)) {
        const disk = readFileSync(join(DIR, name));
        assert.ok(disk.equals(Buffer.from(content)), `${name} differs from the generator's output; run core/protocol/wire/vectors/generate.ts`);
      }
    }
  });

  for (const v of vectors) {
    for (const sideName of ['request', 'response'] as const) {
      it(`wire vectors - ${v.name} ${sideName} decodes to its JSON and re-encodes byte for byte`, () => {
        const side = v[sideName];
        const frames = framesOf(side);
        assert.equal(frames.length, side.frames.length);
        frames.forEach((f, i) => {
          const info = side.frames[i]!;
          assert.equal(f.byteLength, info.length);
          if (info.hex) assert.equal(Buffer.from(f).toString('hex'), info.hex);
          else assert.equal(createHash('sha256').update(f).digest('hex'), info.sha256);
        });
        const codec = new WireCodec();
        const envelope = codec.decodeValue(frames);
        assert.deepEqual(toTagged(envelope), side.envelope);
        const again = codec.encodeValue(envelope);
        assert.equal(again.length, frames.length);
        // Frame 0 (MessagePack) must match exactly; arrow-js output is deterministic too, so Arrow frames match as well.
        again.forEach((f, i) => assert.ok(equalBytes(f, frames[i]!), `frame ${i} differs after re-encoding`));
        assert.ok(equalBytes(packFrames(again), readFileSync(join(DIR, side.file))));
      });
    }
  }

  describe('wire vectors - replayed against a real node', () => {
    const dso = withDso();
    let sock: Dealer;
    before(() => {
      sock = new Dealer({ linger: 0, ...zmqCredentials(dso.node.address) });
      sock.connect(dso.node.address);
    });
    after(() => sock.close());

    for (const v of vectors.filter((x) => x.replay)) {
      it(`wire vectors - a fresh node answers the ${v.name} request with the vector's response`, async () => {
        await sock.send(framesOf(v.request));
        const reply = (await sock.receive()).map((f) => new Uint8Array(f));
        const expected = framesOf(v.response);
        const codec = new WireCodec();
        const got = codec.decodeValue(reply);
        const want = codec.decodeValue(expected);
        if (want[1] === Kind.OK) {
          assert.equal(reply.length, expected.length);
          reply.forEach((f, i) => assert.ok(equalBytes(f, expected[i]!), `reply frame ${i} differs`));
        } else {
          // Stacks name files on the machine that threw; everything else must match.
          const strip = (e: unknown[]) => [e[0], e[1], e[2], { ...(e[3] as object), stack: '' }];
          assert.deepEqual(strip(got), strip(want));
        }
      });
    }
  });
});
