import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { z } from 'zod';
import { projectRoot } from '../../src/paths';

/** Where `npm run record-histories` writes, and the replay test reads, the recorded histories. */
export const HISTORIES_DIR = path.join(projectRoot, 'test', 'fixtures', 'histories');

/**
 * One recorded workflow execution. The history is in the proto-JSON form of
 * `temporal workflow show --output json`, with every payload already decoded (json/plain, base64
 * in the file as proto-JSON wants): replay needs no key, and no key lives in the repository.
 * Histories do not name their workflow id, and our workflows read it, so it is kept beside.
 */
const historyFileSchema = z.object({
  scenario: z.string().regex(/^[a-z0-9-]+$/),
  workflowType: z.string().min(1),
  workflowId: z.string().min(1),
  description: z.string().min(1),
  history: z.object({ events: z.array(z.unknown()).min(1) }).passthrough(),
});

export interface RecordedHistory {
  scenario: string;
  workflowType: string;
  workflowId: string;
  description: string;
  history: History;
  file: string;
}

export function readRecordedHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const parsed = historyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      return { ...parsed, history: historyFromJSON(parsed.history), file };
    });
}

export function writeRecordedHistory(entry: Omit<RecordedHistory, 'file'>, dir = HISTORIES_DIR): string {
  const file = path.join(dir, `${entry.scenario}.json`);
  const { history, ...meta } = entry;
  const body = { ...meta, history: JSON.parse(historyToJSON(history)) as unknown };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const isJsonPayload = (v: unknown): v is JsonPayload =>
  typeof v === 'object' && v !== null && typeof (v as JsonPayload).metadata?.['encoding'] === 'string';

/**
 * Every payload of a proto-JSON history with its encoding and its data as text (proto-JSON keeps
 * both base64): what a reviewer reads, and what the secret check searches.
 */
export function payloadsOf(historyJson: unknown): { encoding: string; text: string }[] {
  const found: { encoding: string; text: string }[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (isJsonPayload(node)) {
      found.push({
        encoding: Buffer.from(node.metadata?.['encoding'] ?? '', 'base64').toString('utf8'),
        text: Buffer.from(node.data ?? '', 'base64').toString('utf8'),
      });
    }
    for (const value of Object.values(node)) walk(value);
  };
  walk(historyJson);
  return found;
}
