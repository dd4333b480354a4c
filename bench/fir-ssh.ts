// SSH stream throughput and connect time of a Fir run-inside session against the Heroku simulator
// (README "On Fir"). Run: npm run build && NODE_EXTRA_CA_CERTS=test/fixtures/tls/ca.pem node dist/bench/fir-ssh.js [MB] [rounds]
import { utils as sshUtils } from 'ssh2';
import { connectInside } from '../src/fir/inside-client';
import { HerokuSimulator } from '../test/simulators/heroku';

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 5);
  const sim = await HerokuSimulator.start({});
  try {
    const account = sim.createAccount({ email: 'bench@example.com' });
    sim.createApp({ name: 'fir-bench', owner: account.id, generation: 'fir' });
    const creds = sim.authorize(account.id, { scope: ['global'] });
    const pair = sshUtils.generateKeyPairSync('ed25519');
    const headers = { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${creds.accessToken}`, 'Content-Type': 'application/json' };
    const added = await fetch(`${sim.apiUrl}/account/keys`, { method: 'POST', headers, body: JSON.stringify({ public_key: pair.public }) });
    if (added.status !== 201) throw new Error(`POST /account/keys answered ${added.status}`);
    const dyno = sim.firDynos('fir-bench')[0]?.name ?? '';
    const connects: number[] = [];
    const rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const command = `head -c ${megabytes * 1_000_000} /dev/zero; echo done`;
      const res = await fetch(`${sim.apiUrl}/apps/fir-bench/dynos/${dyno}`, { method: 'POST', headers: { ...headers, Accept: 'application/vnd.heroku+json; version=3.run-inside' }, body: JSON.stringify({ command }) });
      const { attach_url: attachUrl } = (await res.json()) as { attach_url: string };
      const t0 = performance.now();
      const connection = await connectInside(attachUrl, { privateKey: pair.private, signal: new AbortController().signal });
      const session = await connection.start();
      const t1 = performance.now();
      let bytes = 0;
      await session.pipeOutput({ write: (b) => ((bytes += b.length), true), drain: async () => undefined });
      const t2 = performance.now();
      connects.push(t1 - t0);
      rates.push(bytes / 1e6 / ((t2 - t1) / 1000));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    console.log(JSON.stringify({ megabytes, rounds, connectMsMedian: Math.round(median(connects)), connectMs: connects.map(Math.round), throughputMBpsMedian: Number(median(rates).toFixed(1)), throughputMBps: rates.map((r) => Number(r.toFixed(1))) }));
  } finally {
    await sim.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
