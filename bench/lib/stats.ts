/** Small statistics helpers for lists of measurements. */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('no values');
  return [...values].sort((a, b) => a - b);
}

/** The p-th percentile (0..100), linearly interpolated between the closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  const list = sorted(values);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (list.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return list[low]! + (list[high]! - list[low]!) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no values');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function min(values: readonly number[]): number {
  return sorted(values)[0]!;
}

export function max(values: readonly number[]): number {
  return sorted(values).at(-1)!;
}

/** Median of the defined values, or undefined when there are none. */
export function medianOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return defined.length === 0 ? undefined : median(defined);
}

/** Rotates a list by `by` places, to vary the order of variants from run to run. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}
