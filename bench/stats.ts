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
