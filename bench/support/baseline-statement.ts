/** The ingest baseline's one statement per delivery (ingest-baseline.ts), also EXPLAINed by ingest.bench.ts. */
export const BASELINE_INSERT = 'insert into bench_baseline_inserts (id, payload) values ($1, $2::jsonb)';
