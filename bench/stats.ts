/** The few statistics the bench prints, in one place. */

/** The median: the middle value, or the mean of the two middle ones. `xs` must not be empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The two-sided sign test: given that `below` pairs went one way and `above` the other (ties left
 * out), the probability of a split at least that uneven if either way were as likely (binomial,
 * p = ½). Unlike a mean ± standard error, one run that a stall of the VM made twice as long moves
 * it by one pair only.
 */
export function signTestP(below: number, above: number): number {
  const n = below + above;
  const k = Math.min(below, above);
  let tail = 0;
  let c = 1; // C(n, i)
  for (let i = 0; i <= k; i++) {
    tail += c;
    c = (c * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

/**
 * A distribution-free interval for the median of `xs` (at least `level` sure): the order statistics
 * s[j − 1] and s[n − j] (sorted, 0-based) for the largest j with P(X ≤ j − 1) ≤ (1 − level) / 2, X the
 * number of values below the true median, binomial(n, ½). Undefined when `xs` is too short for one
 * (fewer than 6 values at 95 %). With its coverage, exact for continuous values.
 */
export function medianInterval(xs: readonly number[], level = 0.95): { low: number; high: number; coverage: number } | undefined {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const alpha = (1 - level) / 2;
  let j = 0; // P(X ≤ j − 1) ≤ alpha holds for j (0: trivially)
  let below = 0; // P(X ≤ j − 1)
  let c = 1; // C(n, j)
  while (j < n && below + c / 2 ** n <= alpha) {
    below += c / 2 ** n;
    c = (c * (n - j)) / (j + 1);
    j++;
  }
  if (j === 0) return undefined;
  return { low: s[j - 1]!, high: s[n - j]!, coverage: 1 - 2 * below };
}

/**
 * Rounds of per-thread CPU (threads.ts) summed up: threads of one name (a pool's, or the workers')
 * are told apart by rank within their round, the busiest `name [0]`, the next `name [1]`…, whenever
 * some round has more than one of that name; a thread missing from a round counts as 0 ms there.
 * Each row is the median over the rounds; rows under `minMs` are left out, the busiest first.
 */
export function perThreadMedians(rounds: readonly (readonly { name: string; ms: number }[])[], minMs = 3): { thread: string; ms: number }[] {
  const ranked = rounds.map((threads) => {
    const byName = new Map<string, number[]>();
    for (const t of threads) byName.set(t.name, [...(byName.get(t.name) ?? []), t.ms]);
    for (const ms of byName.values()) ms.sort((a, b) => b - a);
    return byName;
  });
  const several = new Set(ranked.flatMap((byName) => [...byName].filter(([, ms]) => ms.length > 1).map(([name]) => name)));
  const columns = new Map<string, number[]>();
  ranked.forEach((byName, r) => {
    for (const [name, ms] of byName) {
      ms.forEach((x, i) => {
        const thread = several.has(name) ? `${name} [${i}]` : name;
        const col = columns.get(thread) ?? new Array<number>(rounds.length).fill(0);
        col[r] = x;
        columns.set(thread, col);
      });
    }
  });
  return [...columns]
    .map(([thread, col]) => ({ thread, ms: median(col) }))
    .filter((row) => row.ms >= minMs)
    .sort((a, b) => b.ms - a.ms);
}
