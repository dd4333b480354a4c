import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { startStack, type Stack } from '../support/stack';
import { getPage, uniqueName, type ApiPage } from './support';

interface TimelineJson {
  id: string;
  kind: string;
  summary: string;
  data: Record<string, unknown>;
  occurredAt: string;
}

describe('GET /api/incidents/:id/timeline', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ inProcessWorker: false });
  });
  after(async () => {
    await stack.close();
  });

  /** Written the way other features write timeline events: straight into timeline_events. */
  async function write(incidentId: string, occurredAt: string, extra: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    await stack.h.db('timeline_events').insert({
      id,
      incident_id: incidentId,
      kind: 'heroku_command_run',
      summary: `Ran a command at ${occurredAt}`,
      data: { exitCode: 0, outputUrl: `/api/command-runs/${id}/output` },
      occurred_at: occurredAt,
      idempotency_key: `test:${id}`,
      ...extra,
    });
    return id;
  }

  it('answers the incident’s events oldest first in the CONTRACT §3 shape', async () => {
    const incident = uniqueName('INC');
    const later = await write(incident, '2025-05-17T11:40:00.000Z');
    const earlier = await write(incident, '2025-05-17T11:37:58.404Z');
    await write(uniqueName('INC'), '2025-05-17T11:39:00.000Z'); // another incident
    const page = await getPage<TimelineJson>(stack, `/api/incidents/${incident}/timeline`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.items, [
      { id: earlier, kind: 'heroku_command_run', summary: 'Ran a command at 2025-05-17T11:37:58.404Z', data: { exitCode: 0, outputUrl: `/api/command-runs/${earlier}/output` }, occurredAt: '2025-05-17T11:37:58.404Z' },
      { id: later, kind: 'heroku_command_run', summary: 'Ran a command at 2025-05-17T11:40:00.000Z', data: { exitCode: 0, outputUrl: `/api/command-runs/${later}/output` }, occurredAt: '2025-05-17T11:40:00.000Z' },
    ]);
    assert.equal(page.next, null);
  });

  it('an incident without events has an empty timeline', async () => {
    const page = await getPage<TimelineJson>(stack, `/api/incidents/${uniqueName('INC')}/timeline`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.items, []);
  });

  it('pages exactly, even between events microseconds apart', async () => {
    const incident = uniqueName('INC');
    const ids: string[] = [];
    for (const micros of ['000001', '000002', '000003', '000004', '000005']) ids.push(await write(incident, `2025-05-17T11:37:58.${micros}Z`));
    const seen: string[] = [];
    let next: string | null = `/api/incidents/${incident}/timeline?limit=2`;
    while (next !== null) {
      const page: ApiPage<TimelineJson> = await getPage<TimelineJson>(stack, next.replace(stack.apiUrl, ''));
      assert.equal(page.status, 200);
      seen.push(...page.items.map((e) => e.id));
      next = page.next;
    }
    assert.deepEqual(seen, ids);
  });

  it('?orgId= keeps one org’s events when incident ids repeat across orgs', async () => {
    const incident = uniqueName('INC');
    const ofA = await write(incident, '2025-05-17T11:00:00.000Z', { org_id: 'org-a' });
    await write(incident, '2025-05-17T11:01:00.000Z', { org_id: 'org-b' });
    const page = await getPage<TimelineJson>(stack, `/api/incidents/${incident}/timeline?orgId=org-a`);
    assert.deepEqual(
      page.items.map((e) => e.id),
      [ofA],
    );
    assert.equal((await getPage<TimelineJson>(stack, `/api/incidents/${incident}/timeline`)).items.length, 2);
  });

  it('requires the admin token', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/api/incidents/INC-1/timeline`)).status, 401);
  });
});
