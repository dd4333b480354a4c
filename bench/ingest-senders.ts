import { parentPort, workerData } from 'node:worker_threads';

/** Input of the sender thread: POST each body once, `senders` at a time. */
export interface SendersInput {
  url: string;
  senders: number;
  deliveries: { body: string; signature: string }[];
}

export interface SendersResult {
  seconds: number;
  latenciesMs: number[];
  failures: number;
}

/**
 * The load generator of the ingest benchmark, in its own thread so that the HTTP client's work
 * does not run on the event loop of the server being measured.
 */
async function send({ url, senders, deliveries }: SendersInput): Promise<SendersResult> {
  const latenciesMs: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      for (;;) {
        const delivery = deliveries[next++];
        if (delivery === undefined) return;
        const t0 = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          body: delivery.body,
          headers: { 'content-type': 'application/json', 'heroku-webhook-hmac-sha256': delivery.signature },
        });
        await res.arrayBuffer();
        latenciesMs.push(performance.now() - t0);
        if (res.status !== 200) failures += 1;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs, failures };
}

if (parentPort) {
  const port = parentPort;
  send(workerData as SendersInput).then(
    (result) => port.postMessage(result),
    (err: unknown) => {
      throw err;
    },
  );
}
