import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { HerokuClient } from '../../src/heroku/client';
import { HerokuSimulator } from '../simulators/heroku';

describe('HerokuClient pacing when RateLimit-Remaining runs low', () => {
  let sim: HerokuSimulator;
  let token: string;
  before(async () => {
    // No refill: every call lowers RateLimit-Remaining, from 60 (below the floor of 100).
    sim = await HerokuSimulator.start({ rateLimit: { capacity: 60, refillPerMinute: 0 } });
    const account = sim.createAccount({ email: 'pacing@example.com' });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());

  it('spaces the calls of concurrent callers one refill interval apart', async () => {
    const client = new HerokuClient({ apiUrl: sim.apiUrl, tokens: { get: async () => token, refresh: async () => token }, refillIntervalMs: 150 });
    await client.get('/account'); // learns that the budget is low
    assert.ok((client.rateLimitRemaining ?? Infinity) < 100);
    sim.resetCalls();
    await Promise.all(Array.from({ length: 6 }, () => client.get('/account')));
    const times = sim.calls.map((c) => c.at.getTime()).sort((a, b) => a - b);
    assert.equal(times.length, 6);
    // A lower bound only: a slow machine makes the gaps longer, never shorter.
    for (let i = 1; i < times.length; i++) assert.ok((times[i] as number) - (times[i - 1] as number) >= 120, `gap ${i}: ${(times[i] as number) - (times[i - 1] as number)} ms`);
  });

  it('does not slow down while the budget is high', async () => {
    const roomy = await HerokuSimulator.start();
    try {
      const account = roomy.createAccount({ email: 'roomy@example.com' });
      const roomyToken = roomy.authorize(account.id).accessToken;
      const client = new HerokuClient({ apiUrl: roomy.apiUrl, tokens: { get: async () => roomyToken, refresh: async () => roomyToken }, refillIntervalMs: 60_000 });
      await client.get('/account');
      await Promise.all(Array.from({ length: 6 }, () => client.get('/account'))); // would take 6 minutes if paced
      assert.ok((client.rateLimitRemaining ?? 0) >= 100);
    } finally {
      await roomy.close();
    }
  });
});
