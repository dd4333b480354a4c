import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'mocha';
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { accessTokenAad, refreshTokenAad, webhookSecretAad } from '../../src/crypto/aad';
import { IntegrationIdKey } from '../../src/temporal/search-attributes';
import { fetchDecodedHistory } from '../support/history';
import { OAUTH_CLIENT, startStack, type Stack } from '../support/stack';
import { closeStatus, eventually, installThroughOAuth, waitForStatus, type InstallStarted } from './support';

/**
 * Everything a decoded history holds as text: the JSON of every event, plus every base64 value decoded
 * (payload data is base64 in the JSON), so a secret inside an input, a result, a failure message
 * or a stack trace is found whatever its encoding.
 */
function historyText(history: unknown): string {
  const json = JSON.stringify(history);
  const decoded = [...json.matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
  return [json, ...decoded].join('\n');
}

describe('Visibility and secrecy of the integration workflows', () => {
  let stack: Stack;
  let started: InstallStarted;
  const apps = ['vis-a', 'vis-b', 'vis-c'];
  const secrets = new Set<string>();
  let workflowIds: string[];

  const rememberSecrets = async () => {
    for (const app of apps) for (const hook of stack.heroku.webhooksOf(app)) if (hook.secret) secrets.add(hook.secret);
    const id = started.integrationId;
    const row = await stack.h.db('integrations').where({ id }).first();
    if (row.access_token_sealed) secrets.add(stack.h.box.open(row.access_token_sealed, accessTokenAad(id)));
    if (row.refresh_token_sealed) secrets.add(stack.h.box.open(row.refresh_token_sealed, refreshTokenAad(id)));
    for (const appRow of await stack.h.db('integration_apps').where({ integration_id: id }).whereNotNull('webhook_secret_sealed')) {
      secrets.add(stack.h.box.open(appRow.webhook_secret_sealed, webhookSecretAad(id, appRow.app_name)));
    }
  };

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
    // Install, a sync that must refresh the token, then a disconnect: every workflow type, every secret kind.
    started = await installThroughOAuth(stack, { apps, orgId: 'acme' });
    await waitForStatus(stack, started.integrationId, 'connected');
    await rememberSecrets();
    stack.heroku.expireAccessTokens(started.accountId);
    const put = await stack.api(`/api/integrations/heroku/${started.integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps: apps.slice(0, 2) }) });
    const syncId = ((await put.json()) as { workflowId: string }).workflowId;
    assert.equal(await closeStatus(stack, syncId), 'COMPLETED');
    await rememberSecrets();
    const del = await stack.api(`/api/integrations/heroku/${started.integrationId}`, { method: 'DELETE' });
    const disconnectId = ((await del.json()) as { workflowId: string }).workflowId;
    assert.equal(await closeStatus(stack, disconnectId), 'COMPLETED');
    workflowIds = [started.workflowId, syncId, disconnectId];
    for (const token of stack.heroku.issuedTokens()) secrets.add(token);
    secrets.add(OAUTH_CLIENT.secret);
  });
  after(() => stack.close());

  it('every workflow carries the IntegrationId search attribute (a visibility query finds all three)', async () => {
    const found = await eventually(
      async () => {
        const ids: string[] = [];
        for await (const execution of stack.h.temporal.workflow.list({ query: `IntegrationId = '${started.integrationId}'` })) ids.push(execution.workflowId);
        assert.deepEqual([...ids].sort(), [...workflowIds].sort());
        return ids;
      },
      { what: 'visibility to list the workflows' },
    );
    assert.equal(found.length, 3);
    for (const id of workflowIds) {
      const description = await stack.h.temporal.workflow.getHandle(id).describe();
      assert.equal(description.typedSearchAttributes.get(IntegrationIdKey), started.integrationId);
    }
  });

  it('each workflow has a readable summary and current details in the Temporal UI', async () => {
    const [install, sync, disconnect] = await Promise.all(workflowIds.map((id) => stack.h.temporal.workflow.getHandle(id).describe()));
    assert.equal(await install!.staticSummary(), 'Install Heroku integration for org acme: 3 app(s)');
    assert.equal(await sync!.staticSummary(), 'Sync Heroku webhooks for org acme: 2 app(s) listed');
    assert.equal(await disconnect!.staticSummary(), 'Disconnect Heroku integration for org acme');
    const details = await Promise.all(workflowIds.map((id) => stack.h.temporal.workflow.getHandle(id).query(workflowMetadataQuery)));
    assert.match(details[0]?.currentDetails ?? '', /^Installed \(connected\): 3 webhook\(s\) active, 0 app\(s\) in error/);
    assert.match(details[1]?.currentDetails ?? '', /^Synced: 2 webhook\(s\) active, 0 app\(s\) in error, 1 removed/);
    assert.match(details[2]?.currentDetails ?? '', /^Disconnected: our webhooks deleted from 2 app\(s\), 0 app\(s\) left with one; authorization revoked/);
  });

  it('activities carry a summary naming the app they work on', async () => {
    const history = await fetchDecodedHistory(stack.h, started.workflowId);
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.userMetadata?.summary)
      .filter((s) => s !== undefined && s !== null)
      .map((s) => defaultPayloadConverter.fromPayload<string>(s));
    for (const app of apps) assert.ok(summaries.includes(`Sync the webhook of ${app}`), `summary for ${app} in ${JSON.stringify(summaries)}`);
  });

  it('no access token, refresh token, webhook secret or client secret appears in any workflow history', async () => {
    assert.ok(secrets.size >= 3 + 4 + 1, `collected ${secrets.size} secrets to look for`);
    for (const id of workflowIds) {
      const text = historyText(await fetchDecodedHistory(stack.h, id));
      assert.ok(text.includes(started.integrationId), 'the search finds what is there');
      for (const secret of secrets) assert.ok(!text.includes(secret), `${id} history contains a secret (${secret.slice(0, 6)}…)`);
    }
  });

  it('nor in the logs, which do not show the OAuth code either', async () => {
    const log = await readFile(stack.h.logFile, 'utf8');
    assert.ok(log.includes(started.integrationId));
    for (const secret of secrets) assert.ok(!log.includes(secret), `the log contains a secret (${secret.slice(0, 6)}…)`);
    const code = new URL(started.callbackUrl).searchParams.get('code');
    assert.ok(code && !log.includes(code), 'the log contains the OAuth code');
  });
});
