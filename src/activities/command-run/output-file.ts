import { readOutput } from '../../command-runs/output-store';
import { getRun } from '../../command-runs/run-store';
import type { Db } from '../../db/knex';

/** Slack refuses empty files (slack-liquid.md A3): an empty output is posted as this line. */
export const EMPTY_OUTPUT_PLACEHOLDER = '(the command printed no output)\n';

/** A run's stored (redacted) output as a file to upload, streamed from PostgreSQL; a placeholder line when there is none. */
export async function storedOutputFile(db: Db, runId: string): Promise<{ length: number; body: () => AsyncIterable<Buffer> }> {
  const stored = Number((await getRun(db, runId)).output_bytes);
  if (stored === 0) {
    const placeholder = Buffer.from(EMPTY_OUTPUT_PLACEHOLDER, 'utf8');
    return {
      length: placeholder.length,
      async *body() {
        yield placeholder;
      },
    };
  }
  return {
    length: stored,
    async *body() {
      for await (const chunk of readOutput(db, runId)) yield chunk.data;
    },
  };
}
