import { randomUUID } from 'node:crypto';
import { createApi } from '../src/api/app';
import { loadConfig } from '../src/config';
import { ConsoleClient } from '../test/console/console-client';
import { serve } from '../test/support/api-client';
import { harness } from '../test/support/harness';
import type { BenchResult } from './run';

export const name = 'admin console';

const TOKEN = 'bench-console-admin-token-0123456789';
const INTEGRATIONS = 50;
const REQUESTS = 2000;
const CONCURRENCY = 8;
const ROUNDS = 2;

interface Run {
  perSecond: number;
  latenciesMs: number[];
}

/**
 * What the console costs on top of the API it calls. Baseline, in the same run: the integration
 * list (`GET /api/integrations/heroku?limit=50`, 50 integrations) with the bearer token. Measured:
 * the same list with the console's session cookie (one extra PostgreSQL lookup per request), a
 * page shell, and the revalidation (304) of a script. Rounds alternate so drift hits all alike.
 */
export async function run(): Promise<BenchResult> {
  const h = await harness();
  const api = await serve(createApi({ db: h.db, temporal: h.temporal, box: h.box, logger: h.logger, config: loadConfig({ ADMIN_API_TOKEN: TOKEN, LOG_LEVEL: 'silent' }) }));
  try {
    const orgId = `bench-${randomUUID().slice(0, 8)}`;
    await h.db('integrations').insert(Array.from({ length: INTEGRATIONS }, () => ({ id: randomUUID(), org_id: orgId, status: 'connected', heroku_account_email: 'bench@example.com' })));
    const browser = new ConsoleClient(api.url);
    await browser.signIn(TOKEN);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const etag = (await fetch(`${api.url}/assets/js/main.js`)).headers.get('etag') ?? '';
    const listUrl = `${api.url}/api/integrations/heroku?orgId=${orgId}&limit=50`;

    const cases: Record<string, { url: string; headers: Record<string, string>; status: number }> = {
      bearerList: { url: listUrl, headers: { Authorization: `Bearer ${TOKEN}` }, status: 200 },
      sessionList: { url: listUrl, headers: { Cookie: cookie }, status: 200 },
      pageShell: { url: `${api.url}/integrations`, headers: { Cookie: cookie }, status: 200 },
      assetRevalidation: { url: `${api.url}/assets/js/main.js`, headers: { 'If-None-Match': etag }, status: 304 },
    };
    for (const c of Object.values(cases)) await load(c.url, c.headers, c.status, 200);
    const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, c] of Object.entries(cases)) runs[key]?.push(await load(c.url, c.headers, c.status, REQUESTS));
    }

    const figures: Record<string, number> = {};
    for (const [key, rs] of Object.entries(runs)) {
      const latencies = rs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      figures[`${key}PerSec`] = Math.round(rs.reduce((s, r) => s + r.perSecond, 0) / rs.length);
      figures[`${key}P50Ms`] = percentile(latencies, 0.5);
      figures[`${key}P99Ms`] = percentile(latencies, 0.99);
    }
    const ratio = (figures['sessionListPerSec'] ?? 0) / (figures['bearerListPerSec'] ?? 1);
    figures['sessionToBearerRatio'] = Math.round(ratio * 100) / 100;
    return {
      figures,
      goals: [{ description: 'the session cookie keeps ≥ 0.7 of the bearer token’s throughput on the same list', met: ratio >= 0.7 }],
      notes: [`${REQUESTS} requests per case and round, ${CONCURRENCY} concurrent, ${ROUNDS} rounds; ${INTEGRATIONS} integrations listed per request`],
    };
  } finally {
    await api.close();
  }
}

async function load(url: string, headers: Record<string, string>, expectStatus: number, requests: number): Promise<Run> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        next++;
        const t = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.status !== expectStatus) throw new Error(`${url} answered ${res.status}, expected ${expectStatus}`);
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: requests / ((performance.now() - started) / 1000), latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 100) / 100;
}
