import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { signWebhookBody } from '../test/simulators/heroku';
import { connectIntegration } from '../test/support/fixtures';
import { startStack } from '../test/support/stack';
import type { SendersInput, SendersResult } from './ingest-senders';
import type { BenchResult } from './run';

export const name = 'abuse: forged webhooks';

const SENDERS = 16;
const REQUESTS_PER_ROUND = 1_500;
const ROUNDS = 2;

type Kind = 'valid' | 'forged' | 'unknownIntegration';

interface Side {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  /** Answers other than 200. */
  refused: number;
}

/**
 * What refusing forged deliveries costs next to accepting valid ones, in the same run: signed
 * deliveries (stored), deliveries with a forged signature (401 after the integration lookup and
 * the HMAC), and deliveries for an unknown integration (404 after one lookup). Then valid
 * deliveries while a forger sends as many forged ones alongside: a forged signature drops the
 * cached secret, so valid deliveries pay a lookup again.
 */
export async function run(): Promise<BenchResult> {
  const stack = await startStack({ inProcessWorker: false });
  try {
    const app = `abuse-${randomUUID().slice(0, 8)}`;
    const integration = await connectIntegration(stack, { apps: [app] });
    const secret = integration.webhooks.get(app)?.secret ?? '';
    const deploy = await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    const template = stack.heroku.deliveries.find((d) => d.eventId === deploy.eventIds[0])?.attempts[0]?.rawBody.toString('utf8') ?? '';
    const url = `${stack.apiUrl}/webhooks/heroku/${integration.integrationId}`;

    const bodies = (n: number) =>
      Array.from({ length: n }, () => {
        const body = JSON.parse(template) as { id: string; data: { id: string }; webhook_metadata: { delivery: { id: string } } };
        return template.split(body.id).join(randomUUID()).split(body.data.id).join(randomUUID()).split(body.webhook_metadata.delivery.id).join(randomUUID());
      });
    const deliveries = (kind: Kind, n: number) =>
      bodies(n).map((body) => ({ body, signature: kind === 'forged' ? randomBytes(32).toString('base64') : signWebhookBody(secret, body) }));
    const urlOf = (kind: Kind) => (kind === 'unknownIntegration' ? `${stack.apiUrl}/webhooks/heroku/${randomUUID()}` : url);

    const kinds: Kind[] = ['valid', 'forged', 'unknownIntegration'];
    for (const kind of kinds) await load(urlOf(kind), deliveries(kind, 200), SENDERS); // warm-up
    const sides: Record<Kind | 'validHalfSenders' | 'validUnderFlood', Side[]> = { valid: [], forged: [], unknownIntegration: [], validHalfSenders: [], validUnderFlood: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of kinds) sides[kind].push(await load(urlOf(kind), deliveries(kind, REQUESTS_PER_ROUND), SENDERS));
      // Half the senders forge while the other half deliver valid events; compared with that half alone.
      sides.validHalfSenders.push(await load(url, deliveries('valid', REQUESTS_PER_ROUND), SENDERS / 2));
      const [valid] = await Promise.all([load(url, deliveries('valid', REQUESTS_PER_ROUND), SENDERS / 2), load(url, deliveries('forged', REQUESTS_PER_ROUND), SENDERS / 2)]);
      sides.validUnderFlood.push(valid);
    }
    const s = Object.fromEntries(Object.entries(sides).map(([k, runs]) => [k, summarize(runs)])) as Record<keyof typeof sides, ReturnType<typeof summarize>>;
    return {
      figures: {
        senders: SENDERS,
        requestsPerKind: s.valid.requests,
        validPerSec: s.valid.perSecond,
        validP50Ms: s.valid.p50,
        validP99Ms: s.valid.p99,
        forgedPerSec: s.forged.perSecond,
        forgedP50Ms: s.forged.p50,
        forgedP99Ms: s.forged.p99,
        unknownIntegrationPerSec: s.unknownIntegration.perSecond,
        unknownIntegrationP50Ms: s.unknownIntegration.p50,
        forgedCostRatio: s.valid.perSecond / s.forged.perSecond,
        validHalfSendersPerSec: s.validHalfSenders.perSecond,
        validHalfSendersP99Ms: s.validHalfSenders.p99,
        validUnderFloodPerSec: s.validUnderFlood.perSecond,
        validUnderFloodP99Ms: s.validUnderFlood.p99,
        floodSlowdown: s.validHalfSenders.perSecond / s.validUnderFlood.perSecond,
        validRefused: s.valid.refused + s.validHalfSenders.refused + s.validUnderFlood.refused,
        forgedAccepted: s.forged.requests - s.forged.refused,
      },
      goals: [
        { description: 'refusing a forged delivery costs no more than accepting a valid one (forged/s ≥ valid/s)', met: s.forged.perSecond >= s.valid.perSecond },
        { description: 'every forged delivery refused, every valid one accepted', met: s.forged.refused === s.forged.requests && s.valid.refused + s.validHalfSenders.refused + s.validUnderFlood.refused === 0 },
      ],
      notes: [
        `${SENDERS} concurrent senders, ${ROUNDS} rounds of ${REQUESTS_PER_ROUND} requests per kind; under flood, ${SENDERS / 2} senders deliver valid events while ${SENDERS / 2} send forged ones`,
        'forged: a valid envelope with a random signature (integration lookup, secret decryption, HMAC, 401); valid: stored with its pulse in one statement',
      ],
    };
  } finally {
    await stack.close();
  }
}

/** The ingest benchmark's sender thread (bench/ingest-senders.ts); it counts answers other than 200. */
function load(url: string, deliveries: SendersInput['deliveries'], senders: number): Promise<Side> {
  const input: SendersInput = { url, senders, deliveries };
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'ingest-senders.js'), { workerData: input });
    worker.once('message', (result: SendersResult) => resolve({ requests: deliveries.length, seconds: result.seconds, latenciesMs: result.latenciesMs, refused: result.failures }));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sender thread exited with ${code}`));
    });
  });
}

function summarize(runs: Side[]): { requests: number; perSecond: number; p50: number; p99: number; refused: number } {
  const latencies = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests, perSecond: requests / seconds, p50: at(0.5), p99: at(0.99), refused: runs.reduce((n, r) => n + r.refused, 0) };
}
