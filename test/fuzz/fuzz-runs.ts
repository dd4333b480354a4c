/**
 * Run sizes of the property-based tests. `FUZZ_RUNS` scales them all: `FUZZ_RUNS=10` runs each
 * property ten times its CI size (e.g. a nightly soak), `FUZZ_RUNS=0.1` a tenth (at least 1 run).
 */
export function fuzzRuns(ciRuns: number): number {
  const scale = Number(process.env.FUZZ_RUNS ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`FUZZ_RUNS must be a positive number (a scale of the CI run sizes), got ${process.env.FUZZ_RUNS}`);
  return Math.max(1, Math.round(ciRuns * scale));
}
