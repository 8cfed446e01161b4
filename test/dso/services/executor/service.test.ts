/**
 * `$jobs.result` parks its call until the job finishes. A caller whose link goes is withdrawn like
 * an object's waiter (dso/parked.ts): otherwise a job that never finishes keeps every disconnected
 * caller's waiter, and its dedup slot marked running (so its client is never swept), for as long as
 * the node runs.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { startDso, type DsoNode } from '../../../../dso/node.ts';
import type { DedupCache } from '../../../../dso/dedup.ts';
import { ParkedCalls } from '../../../../dso/parked.ts';
import { JobService } from '../../../../dso/services/executor/service.ts';
import type { JobKind } from '../../../../dso/services/executor/kinds.ts';
import { WireCodec } from '../../../../core/protocol/wire/codec.ts';
import { RawClient } from '../../hardening-process.ts';
import { RawDealer } from '../../hardening-raw-zmtp.ts';

const codec = new WireCodec();
/** Far enough ahead that the dedup sweep drops every client log that has no call running. */
const LATER = 365 * 24 * 3_600_000;

/** The node's private parts the test checks: a job's parked result waiters, and the dedup cache. */
interface Inside { jobs: { jobs: Map<string, { waiters: Set<unknown> }> }; dedup: DedupCache }
const inside = (node: DsoNode): Inside => node as unknown as Inside;

/** Asks the live client until `check` holds: each ask is a round trip (no timer), the node handles what came before it. */
async function until(live: RawClient, seq: { n: number }, check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    const s = ++seq.n;
    await live.send(s, live.frames(s, '$system', '', 'ping', []));
  }
  assert.fail(`never saw ${what}`);
}

describe('executor service ($jobs) - a parked result call whose link is gone is withdrawn', () => {
  let node: DsoNode;
  let live: RawClient;
  const seq = { n: 0 };
  before(async () => { node = await startDso({ port: 0, insecure: true }); live = new RawClient(node.address, randomBytes(8)); });
  after(async () => { live.close(); await node.close(); });

  async function call(method: string, args: unknown[], type = '$jobs', key = '', opts?: object): Promise<unknown> {
    const s = ++seq.n;
    const a = await live.send(s, live.frames(s, type, key, method, args, opts as never));
    assert.ok(a.ok, a.ok ? '' : a.error.message);
    return a.value;
  }

  it('executor parked - waiters and dedup slots of disconnected callers are released; the job runs on; a resend parks again', async () => {
    const latch = `never-${randomBytes(4).toString('hex')}`;
    const id = await call('submit', ['echo', { value: 'done', after: latch }]) as string;
    const waiters = () => inside(node).jobs.jobs.get(id)!.waiters.size;
    // Each sweep further ahead: a sweep marks a client with a call running as seen at its time.
    let sweeps = 0;
    const clients = () => { inside(node).dedup.sweep(Date.now() + ++sweeps * LATER); return inside(node).dedup.clientCount; };
    // The job's own call (its latch await) parks first: its client log is part of the baseline.
    await until(live, seq, () => node.store.instanceOf('CountDownLatch', latch) !== undefined, 'the job waiting on its latch');
    const baseline = clients();

    const ids = Array.from({ length: 5 }, () => randomBytes(8));
    const dead = await Promise.all(ids.map(() => RawDealer.open(node.address)));
    for (const [i, d] of dead.entries()) await d.write(RawDealer.message(codec.encodeCall(ids[i]!, 1, '$jobs', '', 'result', [id])));
    await until(live, seq, () => waiters() === 5, '5 parked result calls');
    assert.equal(clients(), baseline + 5, 'a client with a call parked is not swept');

    for (const d of dead) d.close();
    await Promise.all(dead.map((d) => d.closed));
    await until(live, seq, () => waiters() === 0, 'the parked result calls withdrawn');
    assert.equal(clients(), baseline, 'the withdrawn callers\' dedup slots were forgotten: their logs are swept');
    assert.equal(await call('status', [id]).then((s) => (s as { state: string }).state), 'running', 'the job itself runs on');

    // A caller that comes back resends its call (same client, seq): it runs afresh and parks again.
    const back = new RawClient(node.address, ids[0]!);
    try {
      const resent = back.send(1, codec.encodeCall(ids[0]!, 1, '$jobs', '', 'result', [id]));
      await until(live, seq, () => waiters() === 1, 'the resent result call parked');
      await call('countDown', [], 'CountDownLatch', latch, { init: [1] });
      assert.deepEqual(await resent, { ok: true, value: 'done' });
      assert.equal(waiters(), 0);
    } finally {
      back.close();
    }
  });
});

describe('executor service (JobService) - result() registers its waiter with the parked calls', () => {
  let release: (v: unknown) => void = () => {};
  const held: JobKind = { validate: (a) => a, run: () => new Promise((resolve) => { release = resolve; }) };
  let service: JobService;
  beforeEach(() => { service = new JobService(new Map([['held', held]]), { address: () => '' }); });
  afterEach(() => service.close());

  it('executor parked - withdrawing the call fails only that waiter (ERR_CLOSED); the others get the result', async () => {
    const id = service.submit('held', {});
    const parked = new ParkedCalls();
    const route = new Uint8Array([1]);
    const outer = parked.enter();
    let gone: Promise<unknown>;
    try {
      gone = service.result(id, 60_000) as Promise<unknown>;
    } finally {
      assert.notEqual(parked.leave(outer, route, randomBytes(8), 1), null, 'the parked result call is tracked under its link');
    }
    // Called outside any node call (a node-side reference): parks untracked.
    const stays = service.result(id) as Promise<unknown>;
    assert.equal(parked.linkGone(route), 1);
    await assert.rejects(gone, (err: Error & { code?: string }) => err.code === 'ERR_CLOSED' && /withdrawn/.test(err.message));
    release('value');
    assert.equal(await stays, 'value');
  });

  it('executor parked - a timeout past the longest timer (2^31-1 ms) waits for ever instead of firing at once', async () => {
    const id = service.submit('held', {});
    let settled = false;
    const waiting = (service.result(id, 2 ** 32) as Promise<unknown>).finally(() => { settled = true; });
    // An overflowing timer fires after 1 ms: this later, longer one runs after it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, false, 'the wait did not time out');
    release('late');
    assert.equal(await waiting, 'late');
  });
});
