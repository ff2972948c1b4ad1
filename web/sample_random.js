// sample_random.js: the seeded randomness of the page's generated samples (sample_tickets.js,
// sample_subscriptions.js, and scripts/gen through them). Nothing reads the clock or Math.random, so
// the same seed gives the same bytes in every browser and in Node.

// mulberry32: 32-bit state, period 2^32, good enough for synthetic data and very fast.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value of `table` ([value, weight] pairs, weights summing to 1) drawn with `rand`. */
export function pickWeighted(rand, table) {
  let u = rand();
  for (const [value, weight] of table) {
    if (u < weight) return value;
    u -= weight;
  }
  return table[table.length - 1][0];
}
