import { strict as assert } from 'node:assert';
import { Future } from '../../../core/sync/future.ts';
import { withDso, rejectsWithCode, stillPending } from '../../helpers/dso.ts';

describe('future', () => {
  const dso = withDso();

  it('future - get before set waits and then receives the value', async () => {
    const key = dso.key();
    const f = new Future<number>(key, dso.opts);
    const got = f.get();
    assert.ok(await stillPending(got));
    assert.equal(await f.isDone(), false);
    await new Future<number>(key, { connection: dso.connect() }).set(42);
    assert.equal(await got, 42);
    assert.equal(await f.isDone(), true);
  });

  it('future - get with a timeout rejects with ERR_TIMEOUT when nobody sets it', async () => {
    await rejectsWithCode(new Future(dso.key(), dso.opts).get(20), 'ERR_TIMEOUT');
  });

  it('future - a second set is ERR_ILLEGAL_STATE', async () => {
    const f = new Future<string>(dso.key(), dso.opts);
    await f.set('a');
    await rejectsWithCode(f.set('b'), 'ERR_ILLEGAL_STATE');
    assert.equal(await f.get(), 'a');
  });

  it('future - setError makes every get throw the error with its remote stack', async () => {
    const f = new Future(dso.key(), dso.opts);
    await f.setError(new RangeError('bad input'));
    const err = await rejectsWithCode(f.get(), 'ERR_REMOTE');
    assert.equal(err.remoteName, 'RangeError');
    assert.match(err.message, /bad input/);
    assert.match(err.remoteStack ?? '', /RangeError/);
  });

  it('future - a negative timeout is ERR_BAD_ARGUMENT', async () => {
    await rejectsWithCode(new Future(dso.key(), dso.opts).get(-1), 'ERR_BAD_ARGUMENT');
  });

  it('future - an unknown method is ERR_UNKNOWN_METHOD', async () => {
    await rejectsWithCode(dso.connection.call('Future', dso.key(), 'cancel', []), 'ERR_UNKNOWN_METHOD');
  });
});
