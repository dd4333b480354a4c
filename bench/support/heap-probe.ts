import { renameSync, writeFileSync } from 'node:fs';

// Preloaded into the ingest benchmark's receiver (`node --expose-gc --require …/heap-probe.js`),
// measurement only: on SIGUSR2, a full garbage collection, then the live heap and RSS written to
// the file HEAP_PROBE_FILE names. What survives a full collection is what the process retains;
// RSS alone also counts garbage V8 has not collected yet.
const file = process.env.HEAP_PROBE_FILE ?? '';
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  // Written aside and renamed into place, so the reader never sees half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify({ heapUsedMb: heapUsed / 2 ** 20, rssMb: rss / 2 ** 20 }));
  renameSync(`${file}.tmp`, file);
});
