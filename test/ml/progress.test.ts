import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { progressReporter, type ProgressEvent } from '../../ml/progress.ts';

/** A stream that says it is (or is not) a terminal, collecting what is written to it. */
function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d: Buffer) => { out += d.toString(); });
  Object.assign(s, { isTTY: tty, columns: 100, cursorTo: (_x: number, _y?: unknown, cb?: () => void) => { cb?.(); return true; },
    clearLine: (_d: number, cb?: () => void) => { cb?.(); return true; }, moveCursor: (_x: number, _y: number, cb?: () => void) => { cb?.(); return true; } });
  return { stream: s as unknown as NodeJS.WriteStream, text: () => out };
}

describe('ml/progress', () => {
  it('progress - nothing to report to (no callback, no terminal) gives no reporter, so a fit can skip polling', () => {
    assert.equal(progressReporter({}), null);
    assert.equal(progressReporter({ progress: true }, fakeStream(false).stream), null);
  });

  it('progress - the callback gets every report; a stream that is not a terminal gets no bytes', () => {
    const { stream, text } = fakeStream(false);
    const got: ProgressEvent[] = [];
    const r = progressReporter({ progress: true, onProgress: (p) => got.push(p) }, stream)!;
    r.update({ step: 1, total: 3, metric: 0.5, label: 'iteration' });
    r.update({ step: 2, total: 3, label: 'iteration' });
    r.stop();
    assert.deepEqual(got.map((p) => p.step), [1, 2]);
    assert.equal(text(), '');
  });

  it('progress - on a terminal, a bar with the label, step/total and metric, which follows a changing total', () => {
    const { stream, text } = fakeStream(true);
    const r = progressReporter({ progress: true }, stream)!;
    r.update({ step: 3, total: 10, metric: 1.25, label: 'k-means iteration' });
    r.update({ step: 7, total: 10, metric: 0.75, label: 'k-means iteration' });
    r.update({ step: 12, label: 'trees' }); // unknown total: the step itself
    r.stop();
    const out = text();
    assert.match(out, /k-means iteration \[#*\.*\] 3\/10 {2}1\.25000/);
    // (cli-progress throttles redraws, so the middle update need not be drawn.)
    assert.match(out, /trees \[#+\] 12\/12/);
  });
});
