// `npm run record-histories [--all | scenario ...]`: runs workflow types of src/workflows on their
// main paths (test/replay/scenarios.ts) against the Heroku and Slack simulators and a real Temporal
// server and PostgreSQL (the test harness), and writes each execution's history, payloads decoded,
// to test/fixtures/histories/<scenario>.json for the replay test (test/replay).
//
// Without arguments it records only scenarios that have no history yet (a new workflow type or
// path). Recorded histories stand for executions started by older code, so re-recording one
// (`-- <scenario>`, or `-- --all`) is for when no such execution can still be running; never do it
// to make an incompatible change pass: put the change behind patched() instead (README).
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { fetchDecodedHistory } from '../test/support/history';
import { teardownHarness } from '../test/support/harness';
import { ADMIN_TOKEN, OAUTH_CLIENT, SLACK_BOT_TOKEN, type Stack } from '../test/support/stack';
import { HISTORIES_DIR, payloadsOf, writeRecordedHistory } from '../test/replay/history-file';
import { closed, scenarios, startRecordingStack, type RecordingScenario } from '../test/replay/scenarios';

async function record(stack: Stack, scenario: RecordingScenario): Promise<string> {
  const workflowId = await scenario.run(stack);
  const status = await closed(stack, workflowId);
  if (status !== scenario.closes) throw new Error(`${scenario.scenario}: ${workflowId} closed ${status}, expected ${scenario.closes}`);
  const history = await fetchDecodedHistory(stack.h, workflowId);
  const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (type !== scenario.workflowType) throw new Error(`${scenario.scenario}: recorded a ${type}, expected ${scenario.workflowType}`);
  refuseUnsafe(scenario.scenario, JSON.parse(historyToJSON(history)), stack);
  return writeRecordedHistory({ scenario: scenario.scenario, workflowType: scenario.workflowType, workflowId, description: scenario.description, history });
}

/** Recorded histories are committed: nothing encrypted (replay would need the key) and no secret of the stack. */
function refuseUnsafe(scenario: string, historyJson: unknown, stack: Stack): void {
  const secrets = [ADMIN_TOKEN, OAUTH_CLIENT.secret, SLACK_BOT_TOKEN, stack.h.encryptionKey.toString('base64')];
  const payloads = payloadsOf(historyJson);
  const encrypted = payloads.filter((p) => p.encoding === 'binary/encrypted').length;
  if (encrypted > 0) throw new Error(`${scenario}: ${encrypted} payload(s) still encrypted`);
  const text = JSON.stringify(historyJson) + payloads.map((p) => p.text).join('\n');
  if (secrets.some((s) => text.includes(s))) throw new Error(`${scenario}: the history holds a secret of the test stack; not written`);
}

async function main(args: string[]): Promise<void> {
  const all = args.includes('--all');
  const named = args.filter((a) => a !== '--all');
  const unknown = named.filter((name) => !scenarios.some((s) => s.scenario === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.scenario).join(', ')}`);
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const recorded = new Set(readdirSync(HISTORIES_DIR).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
  const chosen = scenarios.filter((s) => (all ? true : named.length > 0 ? named.includes(s.scenario) : !recorded.has(s.scenario)));
  if (chosen.length === 0) {
    console.log('every scenario has a recorded history; name one (or --all) to record it again');
    return;
  }
  const stack = await startRecordingStack();
  try {
    for (const scenario of chosen) {
      const file = await record(stack, scenario);
      console.log(`recorded ${scenario.workflowType} (${scenario.scenario}) -> ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await stack.close();
    await teardownHarness();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
