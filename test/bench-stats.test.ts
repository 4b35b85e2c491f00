/** The bench's statistics (bench/stats.ts): the median its ratios and A/B tool print, the A/B tool's sign test, the ratio tool's interval, the thread tool's rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianInterval, perThreadMedians, signTestP } from '../bench/stats.js';

test('median: the middle value, or the mean of the two middle ones, whatever the order', () => {
  assert.equal(median([5]), 5);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 9.5, 11, 12, 8.2, 14]), 10.5);
});

test('sign test: the two-sided binomial tail of the uneven split (exact values)', () => {
  assert.equal(signTestP(0, 0), 1);
  assert.equal(signTestP(3, 3), 1);
  assert.equal(signTestP(0, 5), 2 / 32);
  assert.equal(signTestP(5, 0), 2 / 32);
  // 14 of 20 one way: 2·(C(20,0)+…+C(20,6))/2^20 = 2·60460/1048576
  assert.equal(signTestP(14, 6), (2 * 60460) / 1048576);
  assert.ok(Math.abs(signTestP(6, 14) - 0.1153) < 1e-4);
  assert.equal(signTestP(10, 10), 1);
});

test('median interval: the order statistics the binomial puts 2.5 % beyond on each side (exact ranks)', () => {
  // n = 25: P(X ≤ 7) = 0.0216 ≤ 0.025 < P(X ≤ 8) = 0.0539, so the 8th and the 18th of the sorted values
  const xs = Array.from({ length: 25 }, (_, i) => ((i * 7) % 25) + 1); // 1..25, shuffled
  const r = medianInterval(xs)!;
  assert.deepEqual([r.low, r.high], [8, 18]);
  assert.ok(Math.abs(r.coverage - (1 - (2 * 2 * (1 + 25 + 300 + 2300 + 12650 + 53130 + 177100 + 480700)) / 2 ** 26)) < 1e-12);
  assert.ok(r.coverage >= 0.95 && r.coverage < 0.96);
  // too few values for a 95 % interval; six give the extremes (1 − 2/64)
  assert.equal(medianInterval([1, 2, 3, 4, 5]), undefined);
  assert.deepEqual(medianInterval([6, 1, 5, 2, 4, 3]), { low: 1, high: 6, coverage: 1 - 2 / 64 });
});

test('per-thread medians: threads of one name ranked within each round, absent ones counted as 0 ms', () => {
  const rounds = [
    [{ name: 'renderer DedicatedWorker', ms: 40 }, { name: 'renderer DedicatedWorker', ms: 250 }, { name: 'browser Chrome_IOThread', ms: 100 }, { name: 'renderer Compositor', ms: 9 }],
    [{ name: 'renderer DedicatedWorker', ms: 230 }, { name: 'browser Chrome_IOThread', ms: 120 }, { name: 'renderer Compositor', ms: 1 }],
    [{ name: 'renderer DedicatedWorker', ms: 20 }, { name: 'renderer DedicatedWorker', ms: 270 }, { name: 'browser Chrome_IOThread', ms: 90 }, { name: 'renderer Compositor', ms: 2 }],
  ];
  assert.deepEqual(perThreadMedians(rounds), [
    { thread: 'renderer DedicatedWorker [0]', ms: 250 },
    { thread: 'browser Chrome_IOThread', ms: 100 },
    // 40, 0 (none second in round 2), 20
    { thread: 'renderer DedicatedWorker [1]', ms: 20 },
  ]);
  // the compositor's median (2 ms) is under the default floor of 3 ms, not under 1 ms
  assert.deepEqual(perThreadMedians(rounds, 1).at(-1), { thread: 'renderer Compositor', ms: 2 });
  assert.deepEqual(perThreadMedians([]), []);
});
