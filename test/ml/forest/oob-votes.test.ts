/**
 * ml.OobVotes on a real DSO node: trees' votes merged on the node in one call each, from several
 * connections; each tree counted once; a bad call changes nothing; the score checked against a
 * direct computation of the arg-max accuracy over rows that got votes.
 */
import { strict as assert } from 'node:assert';
import { OobVotes } from '../../../ml/forest/oob-votes.ts';
import { withDso, rejectsWithCode } from '../../helpers/dso.ts';

describe('ml/forest - ml.OobVotes on the node', () => {
  const dso = withDso();

  it('oob-votes - trees merged from two connections sum per row; a tree sent again counts once; score is the arg-max accuracy over voted rows', async () => {
    const key = dso.key('oob');
    const labels = Int32Array.of(0, 1, 2, 1, 0);
    const a = new OobVotes(key, 5, 3, labels, dso.opts);
    const b = new OobVotes(key, 5, 3, labels, { connection: dso.connect() });
    // Tree 0 votes rows 0, 1; tree 1 rows 1, 3; tree 2 row 3. Row 2 and 4 get no vote.
    const votes: [OobVotes, number, number[], number[]][] = [
      [a, 0, [0, 1], [0.9, 0.1, 0, 0.2, 0.3, 0.5]],
      [b, 1, [1, 3], [0, 1, 0, 0.4, 0.6, 0]],
      [a, 2, [3], [0.5, 0.5, 0]],
    ];
    const done = await Promise.all(votes.map(([p, t, r, v]) => p.addVotes(t, Int32Array.from(r), Float64Array.from(v))));
    assert.deepEqual(done.sort(), [1, 2, 3]);
    assert.equal(await b.addVotes(1, Int32Array.of(1, 3), Float64Array.of(0, 1, 0, 0.4, 0.6, 0)), 3, 'a retried tree is not counted twice');
    assert.equal(await a.treesDone(), 3);
    assert.deepEqual(await a.shape(), [5, 3]);
    // Oracle: sums per row, mean by vote count; row 1: [0.2,1.3,0.5]/2 → class 1 (right); row 3: [0.9,1.1,0]/2 → 1 (right); row 0 → 0 (right).
    assert.deepEqual([...await a.decision()].map((x) => +x.toFixed(12)), [0.9, 0.1, 0, 0.1, 0.65, 0.25, 0, 0, 0, 0.45, 0.55, 0, 0, 0, 0]);
    assert.equal(await a.votedRows(), 3);
    assert.equal(await a.score(), 1);
    await a.addVotes(3, Int32Array.of(0, 4), Float64Array.of(0, 1, 0, 0, 0, 1)); // row 0 now tied 0.9 vs 1.1 → 1 (wrong); row 4 → 2 (wrong)
    assert.equal(await a.score(), 2 / 4);
  });

  it('oob-votes - a row out of bounds or votes of the wrong length are refused with ERR_BAD_ARGUMENT and change nothing', async () => {
    const v = new OobVotes(dso.key('oob'), 3, 2, Int32Array.of(0, 1, 1), dso.opts);
    await rejectsWithCode(v.addVotes(0, Int32Array.of(0, 3), Float64Array.of(1, 0, 1, 0)), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(v.addVotes(0, Int32Array.of(0), Float64Array.of(1, 0, 1)), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(v.addVotes(-1, Int32Array.of(0), Float64Array.of(1, 0)), 'ERR_BAD_ARGUMENT');
    assert.equal(await v.treesDone(), 0);
    assert.deepEqual([...await v.decision()], [0, 0, 0, 0, 0, 0]);
    assert.equal(await v.score(), null);
    await rejectsWithCode(new OobVotes(dso.key('oob'), 2, 2, Int32Array.of(0, 2), dso.opts).treesDone(), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(new OobVotes(dso.key('oob'), 0, 2, undefined, dso.opts).treesDone(), 'ERR_BAD_ARGUMENT');
  });
});
