import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../src/paths';
import { teardownHarness } from '../test/support/harness';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (compiled), each against a baseline measured in
 * the same run, and writes all figures to bench/results/latest.json plus a table on stdout.
 *
 * A benchmark module exports `name` and `run(): Promise<BenchResult>`.
 */
export interface BenchResult {
  /** Flat figures, e.g. { throughputPerSec: 812, p99Ms: 41, baselineThroughputPerSec: 1400, ratio: 0.58 }. */
  figures: Record<string, number | string | boolean>;
  /** Goals from the issue and whether this run met them. */
  goals?: { description: string; met: boolean }[];
  notes?: string[];
}

interface BenchModule {
  name: string;
  run(): Promise<BenchResult>;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = (await readdir(__dirname)).filter((f) => f.endsWith('.bench.js')).sort();
  const results: Record<string, BenchResult & { durationSeconds: number }> = {};
  try {
    for (const file of files) {
      const mod = (await import(path.join(__dirname, file))) as BenchModule;
      if (only.length && !only.some((o) => mod.name.includes(o))) continue;
      console.log(`\n▶ ${mod.name}`);
      const started = performance.now();
      const result = await mod.run();
      results[mod.name] = { ...result, durationSeconds: Math.round((performance.now() - started) / 100) / 10 };
      printTable(mod.name, results[mod.name]);
    }
  } finally {
    await teardownHarness(); // also when a benchmark failed: no Temporal server or test database left behind
  }
  const out = path.join(projectRoot, 'bench', 'results', 'latest.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2)}\n`);
  console.log(`\nFigures written to ${path.relative(process.cwd(), out)}`);
}

function printTable(name: string, r: BenchResult & { durationSeconds: number }): void {
  const rows = Object.entries(r.figures).map(([k, v]) => [k, typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v)]);
  const width = Math.max(...rows.map(([k]) => (k ?? '').length), 10);
  console.log(`  ${name} (${r.durationSeconds} s)`);
  for (const [k, v] of rows) console.log(`    ${(k ?? '').padEnd(width)}  ${v}`);
  for (const g of r.goals ?? []) console.log(`    ${g.met ? '✔' : '✘'} ${g.description}`);
  for (const n of r.notes ?? []) console.log(`    · ${n}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
