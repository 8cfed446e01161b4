import assert from 'node:assert/strict';
import { othersCores, sampleCpu, spareFor } from '../../../workers/local/idle.ts';

describe('workers/local/idle: room for the idle spin', () => {
  it('others\' cores are the machine\'s busy time less this process\'s, per ms of the window', () => {
    const a = { at: 1000, machineBusyMs: 50_000, ownMs: 2_000 };
    // 1 s: the machine busy 1,600 ms, of which this process 900 ms: others kept 0.7 of a core busy.
    assert.equal(othersCores(a, { at: 2000, machineBusyMs: 51_600, ownMs: 2_900 }), 0.7);
    // This process's own turning loop never counts against it (the load average's flaw).
    assert.equal(othersCores(a, { at: 2000, machineBusyMs: 52_000, ownMs: 4_000 }), 0);
    // Clock or counter oddities give 0, never a negative or infinite load.
    assert.equal(othersCores(a, { at: 1000, machineBusyMs: 60_000, ownMs: 2_000 }), 0);
    assert.equal(othersCores(a, { at: 2000, machineBusyMs: 49_000, ownMs: 2_000 }), 0);
  });

  it('a spin is allowed while others use at most half of the cores beyond one', () => {
    assert.equal(spareFor(0.4, 2), true);
    assert.equal(spareFor(0.6, 2), false);
    assert.equal(spareFor(3.5, 8), true);
    assert.equal(spareFor(3.6, 8), false);
    assert.equal(spareFor(0, 1), true);
    assert.equal(spareFor(0.1, 1), false);
  });

  it('a sample counts this process\'s CPU in the machine\'s: burning 60 ms of CPU here moves both', () => {
    const a = sampleCpu();
    // 60 ms of this process's CPU (not of wall time: a loaded CI machine may deschedule the loop).
    const giveUp = performance.now() + 10_000;
    while (sampleCpu().ownMs - a.ownMs < 60 && performance.now() < giveUp);
    const b = sampleCpu();
    assert.ok(b.ownMs - a.ownMs >= 60, `own ${b.ownMs - a.ownMs} ms`);
    // /proc/stat counts in 10 ms ticks: 60 ms of ours show as at least 40 of the machine's.
    assert.ok(b.machineBusyMs - a.machineBusyMs >= 40, `machine ${b.machineBusyMs - a.machineBusyMs} ms`);
  });
});
