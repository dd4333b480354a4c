import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { MAX_TIME_TO_LIVE_SECONDS, parseRunCommandInput } from '../../src/command-runs/input';
import { FINAL, getRun, waitFor } from '../command-runs/support';
import { uniqueName } from '../pulses/support';
import { connectIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { fuzzRuns } from './fuzz-runs';
import { hostileString, oddJsonValue } from './json-arbitraries';

const APP = uniqueName('fuzz-run');

/**
 * Commands an accepted input may carry. Accepted runs execute on the simulator's dynos, in a real
 * shell on this machine, so the fuzzer never writes command text itself: it picks these safe
 * templates (hostile data reaches them only through quoted `{{ }}` outputs)...
 */
const SAFE_COMMANDS = [
  'echo {{ incident.title }}',
  'echo {{ incident.id }} {{ app.name }} {{ dyno.size }} {{ run.id }}',
  'printf "%s\\n" {{ incident.severity | default: "none" }} {{ incident.url }}',
  'echo {{ incident | get: "title" }} {{ incident | get: "nope", "fallback" }}',
  'true',
];
/** ...or templates the API must refuse (400 template_error), or values that are not strings. */
const REFUSED_TEMPLATES = [
  'echo {{ incident.nope }}',
  'echo {{ nope }}',
  '{% include "x" %}',
  '{% render "x" %}',
  '{% layout "x" %}',
  'echo {{ incident.title | no_such_filter }}',
  'echo {{',
  '{% if %}',
  '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
  '{% assign s = "xxxxxxxxxx" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
  '   ',
  `echo ${'{{ incident.id }}'.repeat(300)}`,
];

describe('fuzz: command-run input (POST /api/command-runs, src/command-runs/input.ts)', () => {
  let stack: Stack;
  let integrationId: string;

  before(async () => {
    stack = await startStack();
    integrationId = (await connectIntegration(stack, { apps: [APP] })).integrationId;
  });
  after(async () => stack?.close());

  it(`parseRunCommandInput never throws on arbitrary JSON, and what it accepts is within the contract (${fuzzRuns(2000)} runs)`, () => {
    const input = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.constantFrom('integrationId', 'appName', 'command', 'dynoSize', 'timeToLiveSeconds', 'postToIncidentTimeline', 'slackChannels', 'incident', 'extra'), oddJsonValue));
    fc.assert(
      fc.property(input, (raw) => {
        const parsed = parseRunCommandInput(raw);
        if (!parsed.ok) {
          assert.match(parsed.message, /^Invalid RunCommandOnHeroku input: \S/);
          return;
        }
        assert.ok(parsed.input.timeToLiveSeconds >= 1 && parsed.input.timeToLiveSeconds <= MAX_TIME_TO_LIVE_SECONDS);
        assert.ok(parsed.input.dynoSize === undefined || ['standard-1X', 'standard-2X'].includes(parsed.input.dynoSize));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('text PostgreSQL cannot store (NUL, an unpaired surrogate) in an otherwise valid input gets 400 naming the field, not 500', async () => {
    const runRows = async () => Number(((await stack.h.db('command_runs').where({ app_name: APP }).count({ n: '*' })) as { n: string }[])[0]?.n);
    const before = await runRows();
    const cases: [Record<string, unknown>, string][] = [
      [{ incident: { id: 'INC-1', title: 'a\u0000b' } }, 'incident.title'],
      [{ incident: { id: 'INC-1', severity: '\udfff lone' } }, 'incident.severity'],
      [{ incident: { id: 'INC-1', custom: { nested: ['\ud800'] } } }, 'incident.custom.nested.0'],
      [{ command: 'echo {{ incident.id }} \u0000' }, 'command'],
    ];
    for (const [change, field] of cases) {
      const res = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify({ integrationId, appName: APP, command: 'echo {{ incident.id }}', ...change }) });
      const json = (await res.json()) as { error?: { code: string; message: string } };
      assert.equal(res.status, 400, `${field}: ${res.status} ${JSON.stringify(json)}`);
      assert.equal(json.error?.code, 'invalid_input');
      assert.ok(json.error?.message.includes(field), json.error?.message);
    }
    assert.equal(await runRows(), before);
  });

  it(`arbitrary bodies get 202 or a 400 with a clear message; a refused input creates no run, no workflow and no dyno (${fuzzRuns(120)} runs)`, async () => {
    const incident = fc.oneof(
      fc.record({ id: hostileString, title: hostileString, url: hostileString, severity: hostileString }, { requiredKeys: [] }),
      fc.record({ id: oddJsonValue, title: oddJsonValue, extra: oddJsonValue }, { requiredKeys: [] }),
      oddJsonValue,
    );
    /** Mostly absent (a valid input has few fields), sometimes a valid value, sometimes an odd one. */
    const field = (valid: fc.Arbitrary<unknown>, odd: fc.Arbitrary<unknown> = oddJsonValue) =>
      fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: valid }, { weight: 1, arbitrary: odd });
    /** The valid input with each field kept, dropped or replaced by an odd value (JSON drops the undefined ones). */
    const mutatedValid = fc.record({
      integrationId: fc.oneof({ weight: 12, arbitrary: fc.constant(integrationId) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: oddJsonValue }),
      appName: fc.oneof({ weight: 12, arbitrary: fc.constant(APP) }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: oddJsonValue }),
      command: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SAFE_COMMANDS) }, { weight: 3, arbitrary: fc.constantFrom(...REFUSED_TEMPLATES) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())) }),
      dynoSize: field(fc.constantFrom('standard-1X', 'STANDARD-2x'), fc.oneof(fc.constantFrom('performance-l', ''), oddJsonValue)),
      timeToLiveSeconds: field(fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(1e308, 2 ** 53)), fc.oneof(fc.constantFrom(0, -1, 0.5, -0), oddJsonValue)),
      postToIncidentTimeline: field(fc.boolean()),
      slackChannels: field(fc.constant([]), fc.oneof(fc.array(hostileString, { maxLength: 3 }), oddJsonValue)),
      incident: field(incident, oddJsonValue),
      id: field(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/), hostileString),
      extra: fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: oddJsonValue }),
    });
    const body = fc.oneof(
      { weight: 6, arbitrary: mutatedValid.map((b) => JSON.stringify(b)) },
      // Anything else: never accepted, since only mutatedValid carries this integration's id.
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );

    // Rows of this integration: an accepted run may name another (well-formed) app of the account.
    const runRows = async () => Number(((await stack.h.db('command_runs').where({ integration_id: integrationId }).count({ n: '*' })) as { n: string }[])[0]?.n);
    const rowsAtStart = await runRows();
    /** Accepted run ids, with the app each names. */
    const accepted = new Map<string, string>();
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const rowsBefore = await runRows();
        const res = await stack.api('/api/command-runs', { method: 'POST', body: raw });
        const json = (await res.json()) as { id?: string; workflowId?: string; error?: { code: string; message: string } };
        const key = `${res.status} ${json.error?.code ?? ''}`.trim();
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (res.status === 202) {
          assert.equal(json.workflowId, `heroku-run-${json.id}`);
          accepted.set(json.id as string, (JSON.parse(raw) as { appName: string }).appName);
          return;
        }
        // The same caller-chosen id posted again with another input: refused, nothing started.
        assert.ok(res.status === 400 || (res.status === 409 && json.error?.code === 'run_id_in_use'), `${res.status} ${JSON.stringify(json)} for ${raw.slice(0, 300)}`);
        assert.ok(['invalid_input', 'unknown_integration', 'template_error', 'invalid_json', 'run_id_in_use'].includes(json.error?.code ?? ''), JSON.stringify(json));
        assert.ok((json.error?.message.length ?? 0) > 10, `a message that says what is wrong: ${JSON.stringify(json)}`);
        assert.equal(await runRows(), rowsBefore, 'a refused input stores no run');
      }),
      { numRuns: fuzzRuns(120) },
    );
    if (process.env.FUZZ_VERBOSE) console.log('      answers:', JSON.stringify(Object.fromEntries(statuses)));
    assert.ok(accepted.size > 0 && [...statuses.keys()].some((k) => k.startsWith('400')), JSON.stringify([...statuses]));

    // Always one run on a well-formed name of an app the account does not have (the fuzzer seldom makes one).
    const elsewhere = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify({ integrationId, appName: 'not-in-this-account', command: 'echo hi' }) });
    assert.equal(elsewhere.status, 202);
    accepted.set(((await elsewhere.json()) as { id: string }).id, 'not-in-this-account');

    // Every accepted run, and only those, has a workflow, a run row and, on the account's app, exactly one dyno.
    const ended = new Map<string, string>();
    for (const id of accepted.keys()) ended.set(id, (await waitFor(`run ${id} to end`, () => getRun(stack, id), (r) => FINAL.includes(r.status))).status);
    assert.equal((await runRows()) - rowsAtStart, accepted.size);
    // Visibility is eventually consistent: wait until it caught up with every start, then compare.
    const workflows = await waitFor('visibility to list the runs', () => stack.h.temporal.workflow.count(`TaskQueue = '${stack.config.temporal.taskQueue}'`), (c) => c.count >= accepted.size);
    assert.equal(workflows.count, accepted.size);
    const dynoRunIds = stack.heroku.dynos(APP).map((d) => /^DYNOPULSE_RUN_ID='([^']*)' /.exec(d.spec.command)?.[1]);
    const onApp = [...accepted].filter(([, app]) => app === APP).map(([id]) => id);
    assert.deepEqual(dynoRunIds.sort(), onApp.sort(), 'one dyno per accepted run on the app, none for a refused input');
    // A well-formed name of an app the account does not have is accepted, and the run fails on Heroku's refusal.
    for (const [id, app] of accepted) if (app !== APP) assert.equal(ended.get(id), 'failed', `run ${id} on ${app}`);
  });
});
