import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { signWebhookBody } from '../simulators/heroku';
import { connectIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { assertAllAccepted, rawBodyOf, uniqueName, webhookUrl } from '../pulses/support';
import { fuzzRuns } from './fuzz-runs';
import { hostileString, nestedJsonText, oddJsonValue, rawNumberText } from './json-arbitraries';

type Json = Record<string, unknown>;

/** A change to a delivered envelope: set a field to a value, to raw JSON text, or remove it. */
type Mutation = { path: readonly string[] } & ({ op: 'set'; value: unknown } | { op: 'raw'; text: string } | { op: 'delete' });

/** Fields the receiver reads (and a few it does not), as paths into the envelope. */
const FIELDS: (readonly string[])[] = [
  ['id'], ['action'], ['resource'], ['actor'], ['actor', 'email'], ['created_at'], ['published_at'], ['data'], ['data', 'id'], ['data', 'app'],
  ['data', 'app', 'name'], ['data', 'app', 'id'], ['data', 'status'], ['data', 'version'], ['data', 'current'], ['data', 'description'],
  ['data', 'slug'], ['data', 'slug', 'commit'], ['data', 'slug', 'id'], ['data', 'user'], ['data', 'user', 'email'], ['data', 'release'],
  ['data', 'release', 'version'], ['data', 'source_blob', 'version'], ['data', 'created_at'], ['webhook_metadata'], ['webhook_metadata', 'delivery', 'id'],
  ['webhook_metadata', 'webhook', 'id'], ['webhook_metadata', 'event', 'id'], ['extra'], ['data', 'extra'],
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ path: fc.constantFrom(...FIELDS), op: fc.constant('set' as const), value: oddJsonValue }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...FIELDS), op: fc.constant('delete' as const) }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...FIELDS), op: fc.constant('raw' as const), text: rawNumberText }) },
  {
    weight: 1,
    arbitrary: fc.record({
      path: fc.constantFrom<readonly string[]>(['extra'], ['data', 'extra'], ['data', 'slug']),
      op: fc.constant('raw' as const),
      // Deeper than PostgreSQL's jsonb parser takes (~10 000 levels): the dedicated test below.
      text: fc.tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1_000, max: 5_000 })), fc.constantFrom('array' as const, 'object' as const)).map(([depth, kind]) => nestedJsonText(depth, kind)),
    }),
  },
);

/** `base` with fresh event, delivery and resource ids (a never-seen event), then `mutations`, as JSON text. */
function envelopeText(base: Json, mutations: Mutation[]): string {
  const body = structuredClone(base) as Json & { data: Json; webhook_metadata: Record<string, Json> };
  const eventId = randomUUID();
  body['id'] = eventId;
  body.webhook_metadata['event'] = { ...body.webhook_metadata['event'], id: eventId };
  body.webhook_metadata['delivery'] = { id: randomUUID() };
  body.data['id'] = randomUUID();
  const raws = new Map<string, string>();
  for (const m of mutations) {
    let parent: unknown = body;
    for (const key of m.path.slice(0, -1)) parent = typeof parent === 'object' && parent !== null ? (parent as Json)[key] : undefined;
    if (typeof parent !== 'object' || parent === null) continue;
    const key = m.path.at(-1) as string;
    if (m.op === 'delete') delete (parent as Json)[key];
    else if (m.op === 'set') (parent as Json)[key] = m.value;
    else {
      const marker = `__raw_${raws.size}_${randomUUID()}__`;
      (parent as Json)[key] = marker;
      raws.set(JSON.stringify(marker), m.text);
    }
  }
  let text = JSON.stringify(body);
  for (const [marker, raw] of raws) text = text.replace(marker, () => raw);
  return text;
}

describe('fuzz: the Heroku webhook receiver (POST /webhooks/heroku/:integrationId)', () => {
  let stack: Stack;
  let integrationId: string;
  let app: string;
  let secret: string;
  let url: string;
  /** Delivered envelopes (build, release, dyno...) to mutate. */
  let bases: Json[];

  before(async () => {
    // No worker: a release without its commit starts a lookup workflow, which can wait.
    stack = await startStack({ inProcessWorker: false });
    app = uniqueName('fuzz');
    const integration = await connectIntegration(stack, { apps: [app] });
    integrationId = integration.integrationId;
    secret = integration.webhooks.get(app)?.secret ?? '';
    url = webhookUrl(stack, integrationId);
    const deploy = await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);
    bases = deploy.eventIds.map((id) => JSON.parse(rawBodyOf(stack.heroku, id).toString('utf8')) as Json);
    assert.ok(new Set(bases.map((b) => b['resource'])).size >= 2, 'build and release envelopes to start from');
  });
  after(async () => stack?.close());

  async function storedRows(): Promise<{ events: number; pulses: number }> {
    const count = async (table: string) => Number(((await stack.h.db(table).count({ n: '*' })) as { n: string }[])[0]?.n);
    return { events: await count('heroku_webhook_events'), pulses: await count('pulses') };
  }

  async function post(target: string, body: string | Uint8Array, headers: Record<string, string>, method = 'POST') {
    const res = await fetch(target, { method, body: method === 'GET' ? undefined : body, headers });
    const text = await res.text();
    let json: { duplicate?: boolean; error?: { code: string } } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // 431/408 from Node itself have no JSON body
    }
    return { status: res.status, json, text };
  }

  const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').trim();

  it(`properly signed, oddly shaped envelopes: never a 5xx; rejected ones store nothing; accepted ones are stored once and deduplicated on replay (${fuzzRuns(150)} runs)`, async () => {
    const outcomes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { maxLength: 4 }), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.heroku+json; version=3'), async (pick, mutations, contentType) => {
        const raw = envelopeText(bases[pick % bases.length] as Json, mutations);
        const headers = { 'content-type': contentType, 'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw) };
        const before = await storedRows();
        const first = await post(url, raw, headers);
        outcomes.set(first.status, (outcomes.get(first.status) ?? 0) + 1);
        assert.ok(first.status < 500, `${first.status} ${first.text} for ${raw.slice(0, 300)}`);
        const afterFirst = await storedRows();
        if (first.status !== 200) {
          assert.deepEqual(afterFirst, before, `a rejected delivery (${first.status}) stored nothing`);
          return;
        }
        assert.equal(afterFirst.events, before.events + (first.json.duplicate ? 0 : 1));
        assert.ok(afterFirst.pulses - before.pulses <= 1);
        const replay = await post(url, raw, headers);
        assert.equal(replay.status, 200, replay.text);
        assert.equal(replay.json.duplicate, true);
        assert.deepEqual(await storedRows(), afterFirst, 'the replay changed nothing');
      }),
      { numRuns: fuzzRuns(150) },
    );
    // The generator must reach both sides, or the property says little.
    if (process.env.FUZZ_VERBOSE) console.log('      signed envelopes, answers by status:', JSON.stringify(Object.fromEntries(outcomes)));
    assert.ok((outcomes.get(200) ?? 0) > 0 && [...outcomes.keys()].some((s) => s >= 400), JSON.stringify([...outcomes]));
  });

  it(`arbitrary bodies, content types, signatures, targets and methods: never a 5xx, never accepted, nothing stored (${fuzzRuns(150)} runs)`, async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.uint8Array({ maxLength: 500 }),
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? 'null'),
      // Envelopes that pass parsing reach the integration lookup and the signature check.
      fc.array(mutation, { maxLength: 3 }).map((m) => envelopeText(bases[0] as Json, m)),
      fc.array(mutation, { maxLength: 1 }).map((m) => envelopeText(bases[1] as Json, m)),
      fc.constant(null).map(() => envelopeText(bases[0] as Json, [])),
    );
    const signature = fc.oneof(
      fc.constant(undefined),
      hostileString.map(headerSafe),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64')),
      fc.constant('wrong-secret'), // signed, but with another secret
    );
    const target = fc.oneof(
      { weight: 3, arbitrary: fc.constant(integrationId) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: hostileString.map((s) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'))) },
    );
    const contentType = fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', '*/*', 'application/problem+json') },
      { weight: 1, arbitrary: hostileString.map(headerSafe) },
    );
    const method = fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'GET') });
    const before = await storedRows();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, signature, target, contentType, method, fc.dictionary(fc.constantFrom('content-encoding', 'transfer-encoding', 'x-forwarded-for', 'accept', 'heroku-webhook-id'), hostileString.map(headerSafe), { maxKeys: 2 }), async (raw, sig, id, type, verb, extra) => {
          const headers: Record<string, string> = { ...extra };
          delete headers['transfer-encoding']; // fetch owns framing
          if (type !== undefined) headers['content-type'] = type;
          if (sig !== undefined) headers['heroku-webhook-hmac-sha256'] = sig === 'wrong-secret' ? signWebhookBody(randomBytes(16).toString('hex'), Buffer.from(raw)) : sig;
          const answer = await post(`${stack.apiUrl}/webhooks/heroku/${id}`, raw, headers, verb).catch((err: unknown) => err as Error);
          if (answer instanceof Error) return; // fetch refused the request itself (e.g. a header value): nothing was sent
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          assert.ok(answer.status < 500, `${answer.status} ${answer.text}`);
          assert.notEqual(answer.status, 200, answer.text);
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
    if (process.env.FUZZ_VERBOSE) console.log('      arbitrary requests, answers by status:', JSON.stringify(Object.fromEntries(statuses)));
    assert.ok([...statuses.values()].reduce((a, b) => a + b, 0) >= fuzzRuns(150) / 2, 'most requests reached the server');
    assert.deepEqual(await storedRows(), before, 'nothing was stored');
  });

  it('bodies PostgreSQL cannot hold (NUL in a text field, nesting past its parser) get 4xx, not 503 (which Heroku retries for days)', async () => {
    const cases: [string, Mutation[], string | undefined][] = [
      // 100 000 levels fit in 200 KB, under the 1 MB body limit; PostgreSQL's jsonb parser stops with "stack depth limit exceeded".
      ['nested 100 000 deep, signed', [{ path: ['extra'], op: 'raw', text: nestedJsonText(100_000, 'array') }], secret],
      ['NUL in the event id, signed', [{ path: ['id'], op: 'set', value: 'evt\u0000' }], secret],
      ['NUL in the app name, signed', [{ path: ['data', 'app', 'name'], op: 'set', value: `${app}\u0000` }], secret],
      ['NUL in the app name, unsigned', [{ path: ['data', 'app', 'name'], op: 'set', value: `${app}\u0000` }], undefined],
    ];
    for (const [what, mutations, key] of cases) {
      const raw = envelopeText(bases[0] as Json, mutations);
      const before = await storedRows();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== undefined) headers['heroku-webhook-hmac-sha256'] = signWebhookBody(key, raw);
      const answer = await post(url, raw, headers);
      assert.ok(answer.status >= 400 && answer.status < 500, `${what}: ${answer.status} ${answer.text}`);
      assert.deepEqual(await storedRows(), before);
    }
  });
});
