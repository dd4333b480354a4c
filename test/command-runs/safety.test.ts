import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, getRun, runToEnd, startRunStack } from './support';

const DATABASE_URL = 'postgres://admin:s3cr3t-pa55@db.internal:5432/prod';
const API_TOKEN = 'tok_live_9f8e7d6c5b4a';
const PASSPHRASE = 'grüße-geheim-42'; // not ASCII: matched as its UTF-8 bytes

describe('RunCommandOnHeroku: injection-safe templates and redacted output, end to end', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-safe', configVars: { DATABASE_URL, API_TOKEN, PASSPHRASE, RACK_ENV: 'prod' } }] })));
  after(async () => stack?.close());

  it('runs incident fields as inert text on the dyno: quotes, $(…), backticks and newlines execute nothing', async () => {
    const title = "x'; touch pwned; echo '";
    const done = await runToEnd(stack, {
      integrationId: integration.integrationId,
      appName: 'app-safe',
      command: 'echo {{ incident.title }}; echo {{ incident.severity }}; echo {{ incident.url }}',
      incident: { id: 'INC-1', title, severity: '$(touch pwned2)', url: '`touch pwned3`\n touch pwned4' },
    });
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.equal(await getOutput(stack, done.id), `${title}\n$(touch pwned2)\n\`touch pwned3\`\n touch pwned4\n`);
    const dyno = stack.heroku.dynos('app-safe').find((d) => d.spec.dynoId === done.dynoId);
    assert.ok(dyno && existsSync(dyno.workdir));
    assert.deepEqual(readdirSync(dyno.workdir).filter((f) => f.startsWith('pwned')), [], 'no file was created in the dyno');
  });

  it("removes the app's config var values and tokens from the stored output, Slack, the timeline and the run status", async () => {
    const done = await runToEnd(stack, {
      integrationId: integration.integrationId,
      appName: 'app-safe',
      command: 'echo "db=$DATABASE_URL"; printf "token=%s\\n" "$API_TOKEN"; echo "auth: Bearer abcdefgh12345678"; echo "env=$RACK_ENV"; echo "pass=$PASSPHRASE ✓"; echo {{ "tok_live_9f8e7d6c5b4a" | raw }} >/dev/null',
      slackChannels: ['#ops'],
      postToIncidentTimeline: true,
      incident: { id: 'INC-2' },
    });
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const expected = 'db=[REDACTED]\ntoken=[REDACTED]\nauth: Bearer [REDACTED]\nenv=prod\npass=[REDACTED] ✓\n';
    assert.equal(await getOutput(stack, done.id), expected);
    const dyno = stack.heroku.dynos('app-safe').find((d) => d.spec.dynoId === done.dynoId);
    assert.ok(dyno?.output().toString('utf8').includes(DATABASE_URL), 'the dyno itself did print the secret');
    assert.equal(stack.slack.files.at(-1)?.bytes.toString('utf8'), expected);

    const event = await stack.h.db('timeline_events').where({ id: done.timelineEventId }).first();
    assert.ok(!JSON.stringify(event).includes(API_TOKEN), 'the command on the timeline is redacted');
    assert.match(event.data.command, /echo \[REDACTED\] >\/dev\/null/);
    const view = await getRun(stack, done.id);
    assert.ok(!JSON.stringify(view).includes(API_TOKEN));
  });
});
