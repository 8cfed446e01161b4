/**
 * The idle spin of a link (core/protocol/transport/idle-spin.ts): it stays on only where it
 * measurably shortens the waits, never where it costs the peer its turns, and never without a
 * core to spare; its length comes from CRUCIAL_IDLE_SPIN_US or the option, checked.
 */
import { strict as assert } from 'node:assert';
import { IdleSpin, idleSpinFromEnv, idleSpinOption, runnableThreads } from '../../../../core/protocol/transport/idle-spin.ts';
import { InvalidOptionError } from '../../../../core/protocol/errors.ts';
import { Connection } from '../../../../core/client/connection.ts';
import { startDso } from '../../../../dso/node.ts';
import { validate } from '../../../../dso/options.ts';

/** A coin that spins every other send, starting with the first. */
function alternate(): () => boolean {
  let n = 0;
  return () => (++n & 1) === 1;
}

/** A spin past its first 480 sends, which do not spin: the next send starts a measured round. */
function started(spin: IdleSpin, clock: { t: number }): IdleSpin {
  const { spunSends } = drive(spin, clock, 480, () => 0.03);
  assert.equal(spunSends, 0, 'a link\'s first 480 sends do not spin');
  return spin;
}

/** Drives an IdleSpin through `sends` send/arrival pairs whose waits (ms) `waitFor(spinning)` chooses. */
function drive(spin: IdleSpin, clock: { t: number }, sends: number, waitFor: (spinning: boolean, i: number) => number): { spunSends: number } {
  let spunSends = 0;
  for (let i = 0; i < sends; i++) {
    spin.hold(() => false);
    const spinning = (spin as unknown as { spinsNow: boolean }).spinsNow;
    if (spinning) spunSends++;
    clock.t += waitFor(spinning, i);
    spin.arrived();
  }
  spin.cancel();
  return { spunSends };
}

describe('idle spin: on where it pays, off where it costs', () => {
  it('a peer on another core (spinning waits a fifth of the still ones): the spin wins its round and stays on', () => {
    const clock = { t: 0 };
    const spin = started(new IdleSpin(200, () => true, () => clock.t, alternate()), clock);
    drive(spin, clock, 32, (spinning) => (spinning ? 0.02 : 0.1));
    assert.deepEqual(spin.counts, { kept: 1, dropped: 0, starved: 0 });
    assert.equal(spin.spinning, true);
    const { spunSends } = drive(spin, clock, 400, (spinning) => (spinning ? 0.02 : 0.1));
    assert.equal(spunSends, 400, 'every send of a won round spins');
  });

  it('no gain (waits alike either way), or a longer tail: the spin loses and stays off, longer after each lost round', () => {
    const clock = { t: 0 };
    const level = started(new IdleSpin(200, () => true, () => clock.t, alternate()), clock);
    drive(level, clock, 32, () => 0.03);
    assert.deepEqual(level.counts, { kept: 0, dropped: 1, starved: 0 });
    assert.equal(level.spinning, false);
    // A median cut by half, but one spinning wait in 8 ten times longer: the tail a shared core adds.
    const tail = started(new IdleSpin(200, () => true, () => clock.t, alternate()), clock);
    let spun = 0;
    drive(tail, clock, 32, (spinning) => (spinning ? (++spun % 8 === 0 ? 0.3 : 0.015) : 0.03));
    assert.equal(tail.counts.dropped, 1);
    // The first lost round keeps the spin off for 480 sends, the next ones for 960, then 1,920: few sends spin in all.
    const { spunSends } = drive(level, clock, 5000, () => 0.03);
    assert.equal(level.counts.dropped, 4);
    assert.ok(spunSends <= 3 * 16, `${spunSends} spinning sends in 5,000`);
  });

  it('a peer kept from running (three spinning waits past 4 times the still ones): the round is lost at once', () => {
    const clock = { t: 0 };
    const spin = started(new IdleSpin(200, () => true, () => clock.t, alternate()), clock);
    const { spunSends } = drive(spin, clock, 10, (spinning) => (spinning ? 0.25 : 0.03));
    assert.deepEqual(spin.counts, { kept: 0, dropped: 1, starved: 1 });
    // Two still waits first (the mean to compare with), then three slow spinning ones.
    assert.ok(spunSends <= 5, `${spunSends} spinning sends before the round was lost`);
    // A peer on this core stays there: no round again for the longest wait (122,880 sends).
    drive(spin, clock, 100_000, (spinning) => (spinning ? 0.25 : 0.03));
    assert.equal(spin.counts.dropped, 1);
  });

  it('a wait of many spins (the peer paused between bursts) is left out: it neither wins nor loses a round', () => {
    const clock = { t: 0 };
    const spin = started(new IdleSpin(200, () => true, () => clock.t, alternate()), clock);
    // Every third spinning send waits 50 ms (a node's next call after a client's pause); the rest show the spin's gain.
    let spun = 0;
    drive(spin, clock, 64, (spinning) => (spinning ? (++spun % 3 === 0 ? 50 : 0.02) : 0.1));
    assert.deepEqual(spin.counts, { kept: 1, dropped: 0, starved: 0 });
  });

  it('without a core to spare no send spins, and no round is decided', () => {
    const clock = { t: 0 };
    const spin = started(new IdleSpin(200, () => false, () => clock.t, alternate()), clock);
    const { spunSends } = drive(spin, clock, 200, () => 0.03);
    assert.deepEqual(spin.counts, { kept: 0, dropped: 0, starved: 0 });
    assert.equal((spin as unknown as { current: unknown }).current, null);
    assert.ok(spunSends > 0, 'sends meant to spin were asked to');
  });

  it('a hold keeps the loop turning until what it waits for came, and not past its length', async () => {
    const spin = new IdleSpin(100_000, () => true, undefined, () => true);
    for (let i = 0; i < 480; i++) { spin.hold(() => false); spin.arrived(); }
    let waiting = true;
    let turns = 0;
    spin.hold(() => { turns++; return waiting; });
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(turns > 3, `the loop turned ${turns} times in 5 ms`);
    waiting = false;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const after = turns;
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(turns, after, 'the chain stopped once nothing was awaited');
    const short = new IdleSpin(1_000, () => true, undefined, () => true);
    for (let i = 0; i < 480; i++) { short.hold(() => false); short.arrived(); }
    const t0 = performance.now();
    let last = t0;
    short.hold(() => { last = performance.now(); return true; });
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(last - t0 < 10, `a 1 ms hold turned for ${(last - t0).toFixed(1)} ms`);
  });

  it('/proc/loadavg\'s running count is read from its fourth field', () => {
    assert.equal(runnableThreads('0.70 1.10 1.58 5/118 11062\n'), 5);
    assert.equal(runnableThreads('garbage'), null);
  });
});

describe('idle spin: its length, from the environment or the options', () => {
  it('CRUCIAL_IDLE_SPIN_US, an idleSpinUs option, a node\'s option: decimal µs, 0 off, anything else refused naming the setting', () => {
    assert.equal(idleSpinFromEnv({}), 200);
    assert.equal(idleSpinFromEnv({ CRUCIAL_IDLE_SPIN_US: '0' }), 0);
    assert.equal(idleSpinOption(50), 50);
    for (const bad of [-1, Number.NaN, '10' as unknown as number]) {
      assert.throws(() => idleSpinOption(bad), (e: unknown) => e instanceof InvalidOptionError && /idleSpinUs/.test((e as Error).message));
      assert.throws(() => new Connection('tcp://127.0.0.1:1', { idleSpinUs: bad }), InvalidOptionError);
      assert.throws(() => validate({ idleSpinUs: bad }), (e: unknown) => e instanceof InvalidOptionError && /options\.idleSpinUs/.test((e as Error).message));
    }
    assert.equal(validate({ idleSpinUs: 0 }).idleSpinUs, 0);
  });

  it('with the spin off on both ends, and on, calls get the same answers', async () => {
    for (const us of [0, 200]) {
      const node = await startDso({ port: 0, insecure: true, idleSpinUs: us });
      const conn = new Connection(node.address, { security: null, idleSpinUs: us });
      try {
        for (let i = 1; i <= 50; i++) assert.equal(Number(await conn.call('AtomicLong', 'n', 'addAndGet', [1])), i);
      } finally {
        await conn.close();
        await node.close();
      }
    }
  });
});
