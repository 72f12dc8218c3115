/** Small, dependency-free statistics for the benchmark. */

/**
 * The p-th percentile (0–100) of `values`, linearly interpolated between the closest ranks
 * (the same definition as numpy's default), so p50 of an even-sized sample is the midpoint.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile() of an empty sample");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100; got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution and no wall-clock jumps. */
export function nowMs(): number {
  return performance.now();
}

/**
 * Median of each metric over repeated passes of one workload. Every pass reports the same keys;
 * medians are taken per key (not "the median pass"), the usual way to damp one noisy pass.
 */
export function medianOfEach<M extends Record<string, number>>(passes: readonly M[]): M {
  const first = passes[0];
  if (!first) throw new RangeError("medianOfEach() needs at least one pass");
  const result: Record<string, number> = {};
  for (const key of Object.keys(first)) result[key] = median(passes.map((pass) => pass[key]!));
  return result as M;
}
